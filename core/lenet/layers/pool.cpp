#include "lenet/layers/pool.h"

#include <algorithm>

#include "lenet/error.h"

namespace lenet {
namespace {

const char* kindName(Pool::Kind k) {
    switch (k) {
        case Pool::Kind::Subsample: return "subsample";
        case Pool::Kind::Average: return "avgpool";
        case Pool::Kind::Max: return "maxpool";
    }
    return "?";
}

Shape poolOutput(Pool::Kind kind, const std::string& name, Shape in, int size) {
    if (size < 1) {
        throw ConfigError("layer '" + name + "' (" + kindName(kind) + "): size must be >= 1");
    }
    if (in.h < size || in.w < size) {
        throw ConfigError("layer '" + name + "' (" + kindName(kind) + "): window " +
                          std::to_string(size) + "x" + std::to_string(size) +
                          " is larger than its input " + in.str());
    }
    return {in.c, in.h / size, in.w / size};
}

}  // namespace

Pool::Pool(Kind kind, std::string name, Shape in, int size)
    : Layer(kindName(kind), name, in, poolOutput(kind, name, in, size)),
      m_kind(kind),
      m_size(size) {
    if (kind == Kind::Subsample) {
        addParam("coef", {in.c}, false);
        addParam("bias", {in.c}, false);
    }
}

void Pool::initialize(const std::string& scheme, std::mt19937& rng) {
    if (m_kind != Kind::Subsample) return;
    // The coefficient multiplies a sum of size*size inputs: its fan-in is the window.
    initWeights(params()[0].value, scheme, m_size * m_size, 1, rng);
    std::fill(params()[1].value.begin(), params()[1].value.end(), 0.0f);
}

void Pool::forward(const Tensor& x, Tensor& y, Range r, const Context&) {
    const Shape in = inputShape(), out = outputShape();
    const float* coef = m_kind == Kind::Subsample ? params()[0].value.data() : nullptr;
    const float* bias = m_kind == Kind::Subsample ? params()[1].value.data() : nullptr;
    const float inv = 1.0f / float(m_size * m_size);
    for (int n = r.begin; n < r.end; ++n) {
        for (int c = 0; c < in.c; ++c) {
            const float* xc = x.sample(n) + c * in.h * in.w;
            float* yc = y.sample(n) + c * out.h * out.w;
            for (int oy = 0; oy < out.h; ++oy) {
                for (int ox = 0; ox < out.w; ++ox) {
                    const float* win = xc + oy * m_size * in.w + ox * m_size;
                    float acc = m_kind == Kind::Max ? win[0] : 0.0f;
                    for (int i = 0; i < m_size; ++i) {
                        for (int j = 0; j < m_size; ++j) {
                            const float v = win[i * in.w + j];
                            acc = m_kind == Kind::Max ? std::max(acc, v) : acc + v;
                        }
                    }
                    float& o = yc[oy * out.w + ox];
                    switch (m_kind) {
                        case Kind::Subsample: o = coef[c] * acc + bias[c]; break;
                        case Kind::Average: o = acc * inv; break;
                        case Kind::Max: o = acc; break;
                    }
                }
            }
        }
    }
}

void Pool::backwardWith(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx, Range r,
                        std::span<float* const> dparams, bool squared) const {
    const Shape in = inputShape(), out = outputShape();
    const bool sub = m_kind == Kind::Subsample;
    if (sub) {
        std::fill_n(dparams[0], in.c, 0.0f);
        std::fill_n(dparams[1], in.c, 0.0f);
    }
    const float avg = 1.0f / float(m_size * m_size);
    for (int n = r.begin; n < r.end; ++n) {
        if (dx) std::fill_n(dx->sample(n), in.size(), 0.0f);
        for (int c = 0; c < in.c; ++c) {
            const float* xc = x.sample(n) + c * in.h * in.w;
            const float* yc = y.sample(n) + c * out.h * out.w;
            const float* dyc = dy.sample(n) + c * out.h * out.w;
            float* dxc = dx ? dx->sample(n) + c * in.h * in.w : nullptr;
            float scale = avg;
            if (sub) scale = params()[0].value[c];
            if (squared) scale *= scale;
            for (int oy = 0; oy < out.h; ++oy) {
                for (int ox = 0; ox < out.w; ++ox) {
                    const int o = oy * out.w + ox;
                    const int base = oy * m_size * in.w + ox * m_size;
                    if (sub) {
                        float sum = 0.0f;
                        for (int i = 0; i < m_size; ++i) {
                            for (int j = 0; j < m_size; ++j) sum += xc[base + i * in.w + j];
                        }
                        dparams[0][c] += dyc[o] * (squared ? sum * sum : sum);
                        dparams[1][c] += dyc[o];
                    }
                    if (!dxc) continue;
                    if (m_kind == Kind::Max) {
                        bool routed = false;
                        for (int i = 0; i < m_size && !routed; ++i) {
                            for (int j = 0; j < m_size && !routed; ++j) {
                                if (xc[base + i * in.w + j] == yc[o]) {
                                    dxc[base + i * in.w + j] = dyc[o];
                                    routed = true;
                                }
                            }
                        }
                    } else {
                        for (int i = 0; i < m_size; ++i) {
                            for (int j = 0; j < m_size; ++j)
                                dxc[base + i * in.w + j] = scale * dyc[o];
                        }
                    }
                }
            }
        }
    }
}

void Pool::backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx, Range r,
                    const Context&, std::span<float* const> dparams) {
    backwardWith(x, y, dy, dx, r, dparams, false);
}

void Pool::curvature(const Tensor& x, const Tensor& y, const Tensor& d2y, Tensor* d2x, Range r,
                     std::span<float* const> hparams) {
    backwardWith(x, y, d2y, d2x, r, hparams, true);
}

}  // namespace lenet
