#include "lenet/layers/pool.h"

#include <bit>
#include <cstdint>

#include <algorithm>
#include <cstring>

#include "lenet/error.h"
#include "lenet/simd.h"

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

namespace {

// Sum (or max) of every size x size window of one map: xc (H, W) -> out (Ho, Wo).
template <bool kMax>
void reduceWindows(const float* xc, Shape in, Shape out, int size, float* result) {
    for (int oy = 0; oy < out.h; ++oy) {
        const float* row = xc + oy * size * in.w;
        float* o = result + oy * out.w;
        if (size == 2) {
            const float* next = row + in.w;
            for (int ox = 0; ox < out.w; ++ox) {
                const float a = row[2 * ox], b = row[2 * ox + 1];
                const float c = next[2 * ox], d = next[2 * ox + 1];
                o[ox] = kMax ? std::max(std::max(a, b), std::max(c, d)) : (a + b) + (c + d);
            }
            continue;
        }
        for (int ox = 0; ox < out.w; ++ox) {
            const float* win = row + ox * size;
            float acc = kMax ? win[0] : 0.0f;
            for (int i = 0; i < size; ++i) {
                for (int j = 0; j < size; ++j) {
                    acc = kMax ? std::max(acc, win[i * in.w + j]) : acc + win[i * in.w + j];
                }
            }
            o[ox] = acc;
        }
    }
}

// Lane shuffles for routePairs, where a 2x2 window's two values of one row sit in lanes 2j and
// 2j+1 (kLanes is 8 with AVX, see simd.h): lanes 2j and 2j+1 of the result both get lane
// first + 2j of v (pairs) or value j of p (spreadHalf).
static_assert(kLanes == 4 || kLanes == 8);
using HalfBits = std::int32_t __attribute__((vector_size(kLanes / 2 * sizeof(float))));

template <int first>
LaneBits pairs(LaneBits v) {
#ifdef __AVX__
    return __builtin_shufflevector(v, v, first, first, first + 2, first + 2, first + 4, first + 4,
                                   first + 6, first + 6);
#else
    return __builtin_shufflevector(v, v, first, first, first + 2, first + 2);
#endif
}

LaneBits spreadHalf(const float* p) {  // one value per window, to both of its lanes
    HalfBits v;
    std::memcpy(&v, p, sizeof v);
#ifdef __AVX__
    return __builtin_shufflevector(v, v, 0, 0, 1, 1, 2, 2, 3, 3);
#else
    return __builtin_shufflevector(v, v, 0, 0, 1, 1);
#endif
}

// kLanes / 2 neighbouring 2x2 windows of routeToMaxima: window j's top row sits in lanes 2j and
// 2j+1 of x0's and d0's, its bottom row in x1's and d1's; m and g hold its maximum and gradient.
void routePairs(const float* x0, const float* x1, const float* m, const float* g, float* d0,
                float* d1) {
    const LaneBits maxima = spreadHalf(m), grads = spreadHalf(g);
    LaneBits odd{};
    for (int i = 1; i < kLanes; i += 2) odd[i] = -1;
    // Compares of the float bits (-1 where equal), as in the scalar code below.
    const LaneBits top = loadBits(x0) == maxima, bottom = loadBits(x1) == maxima;
    const LaneBits a = pairs<0>(top), topTaken = a | pairs<1>(top), c = pairs<0>(bottom);
    storeBits(d0, grads & top & ~(a & odd));                            // a; b unless a
    storeBits(d1, grads & ~topTaken & ((bottom & ~odd) | (~c & odd)));  // c unless a or b; d
}

// dx of one map gets each window's dy at the window's first maximum and zero elsewhere in the
// window; entries outside every window (a map that the windows do not tile) are left alone.
void routeToMaxima(const float* xc, const float* yc, const float* dyc, float* dxc, Shape in,
                   Shape out, int size) {
    for (int oy = 0; oy < out.h; ++oy) {
        if (size == 2) {
            const float* x0 = xc + 2 * oy * in.w;
            const float* x1 = x0 + in.w;
            float* d0 = dxc + 2 * oy * in.w;
            float* d1 = d0 + in.w;
            const float* m = yc + oy * out.w;
            const float* g = dyc + oy * out.w;
            int ox = 0;
            for (; ox + kLanes / 2 <= out.w; ox += kLanes / 2) {
                routePairs(x0 + 2 * ox, x1 + 2 * ox, m + ox, g + ox, d0 + 2 * ox, d1 + 2 * ox);
            }
            for (; ox < out.w; ++ox) {
                // The forward pass stored the window's maximum, one of its four values bit for
                // bit. Integer compares and masks route dy to it without a branch: which element
                // is the maximum is random, and a branch per window mispredicts half the time.
                const auto mb = std::bit_cast<std::uint32_t>(m[ox]);
                const auto gb = std::bit_cast<std::uint32_t>(g[ox]);
                const std::uint32_t a =
                    -std::uint32_t(std::bit_cast<std::uint32_t>(x0[2 * ox]) == mb);
                const std::uint32_t b =
                    ~a & -std::uint32_t(std::bit_cast<std::uint32_t>(x0[2 * ox + 1]) == mb);
                const std::uint32_t c =
                    ~a & ~b & -std::uint32_t(std::bit_cast<std::uint32_t>(x1[2 * ox]) == mb);
                d0[2 * ox] = std::bit_cast<float>(gb & a);
                d0[2 * ox + 1] = std::bit_cast<float>(gb & b);
                d1[2 * ox] = std::bit_cast<float>(gb & c);
                d1[2 * ox + 1] = std::bit_cast<float>(gb & ~(a | b | c));
            }
            continue;
        }
        for (int ox = 0; ox < out.w; ++ox) {
            const int o = oy * out.w + ox;
            const int base = oy * size * in.w + ox * size;
            bool routed = false;
            for (int i = 0; i < size; ++i) {
                for (int j = 0; j < size; ++j) {
                    const bool here = !routed && xc[base + i * in.w + j] == yc[o];
                    dxc[base + i * in.w + j] = here ? dyc[o] : 0.0f;
                    routed = routed || here;
                }
            }
        }
    }
}

}  // namespace

void Pool::forward(const Tensor& x, Tensor& y, Range r, const Context&) {
    const Shape in = inputShape(), out = outputShape();
    const int plane = out.h * out.w;
    const float inv = 1.0f / float(m_size * m_size);
    for (int n = r.begin; n < r.end; ++n) {
        for (int c = 0; c < in.c; ++c) {
            const float* xc = x.sample(n) + c * in.h * in.w;
            float* yc = y.sample(n) + c * plane;
            if (m_kind == Kind::Max) {
                reduceWindows<true>(xc, in, out, m_size, yc);
                continue;
            }
            reduceWindows<false>(xc, in, out, m_size, yc);
            const float scale = m_kind == Kind::Subsample ? params()[0].value[c] : inv;
            const float shift = m_kind == Kind::Subsample ? params()[1].value[c] : 0.0f;
            for (int i = 0; i < plane; ++i) yc[i] = yc[i] * scale + shift;
        }
    }
}

void Pool::backwardWith(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx, Range r,
                        std::span<float* const> dparams, bool squared) const {
    const Shape in = inputShape(), out = outputShape();
    const int plane = out.h * out.w;
    const bool sub = m_kind == Kind::Subsample;
    if (sub) {
        std::fill_n(dparams[0], in.c, 0.0f);
        std::fill_n(dparams[1], in.c, 0.0f);
    }
    thread_local std::vector<float> sums;
    sums.resize(plane);
    // Windows that tile the map exactly write every dx entry; otherwise clear the rest first.
    const bool tiled = in.h == out.h * m_size && in.w == out.w * m_size;
    for (int n = r.begin; n < r.end; ++n) {
        if (dx && !tiled) std::fill_n(dx->sample(n), in.size(), 0.0f);
        for (int c = 0; c < in.c; ++c) {
            const float* xc = x.sample(n) + c * in.h * in.w;
            const float* yc = y.sample(n) + c * plane;
            const float* dyc = dy.sample(n) + c * plane;
            float* dxc = dx ? dx->sample(n) + c * in.h * in.w : nullptr;
            if (sub) {
                reduceWindows<false>(xc, in, out, m_size, sums.data());
                float dcoef = 0.0f, dbias = 0.0f;
                for (int o = 0; o < plane; ++o) {
                    dcoef += dyc[o] * (squared ? sums[o] * sums[o] : sums[o]);
                    dbias += dyc[o];
                }
                dparams[0][c] += dcoef;
                dparams[1][c] += dbias;
            }
            if (!dxc) continue;
            if (m_kind == Kind::Max) {
                routeToMaxima(xc, yc, dyc, dxc, in, out, m_size);
                continue;
            }
            float scale = sub ? params()[0].value[c] : 1.0f / float(m_size * m_size);
            if (squared) scale *= scale;
            for (int oy = 0; oy < out.h; ++oy) {
                const float* d = dyc + oy * out.w;
                for (int i = 0; i < m_size; ++i) {
                    float* row = dxc + (oy * m_size + i) * in.w;
                    if (m_size == 2) {
                        for (int ox = 0; ox < out.w; ++ox)
                            row[2 * ox] = row[2 * ox + 1] = scale * d[ox];
                        continue;
                    }
                    for (int ox = 0; ox < out.w; ++ox) {
                        for (int j = 0; j < m_size; ++j) row[ox * m_size + j] = scale * d[ox];
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
