#include "lenet/layers/activation.h"

#include <algorithm>

#include <Eigen/Core>

#include "lenet/error.h"
#include "lenet/lane_sum.h"

namespace lenet {
namespace {

constexpr float kA = 1.7159f;      // LeCun's squashing amplitude
constexpr float kS = 2.0f / 3.0f;  // and slope: f(1) = 1

}  // namespace

Activation::Activation(std::string name, Shape in, const std::string& fn, float slope, float beta)
    : Layer("activation", name, in, in), m_slope(slope), m_beta(beta) {
    try {
        m_fn = activationKind(fn).fn;
    } catch (const ConfigError& e) {
        throw ConfigError("layer '" + this->name() + "' (activation): " + e.what());
    }
    if (m_fn == Fn::SigmoidAffine) {
        addParam("alpha", {in.c}, false);
        addParam("beta", {in.c}, false);
    } else if (m_fn == Fn::SwishBeta) {
        addParam("beta", {in.c}, false);
    }
}

void Activation::initialize(const std::string&, std::mt19937&) {
    if (m_fn == Fn::SigmoidAffine) {
        std::fill(params()[0].value.begin(), params()[0].value.end(), 1.0f);
        std::fill(params()[1].value.begin(), params()[1].value.end(), 0.0f);
    } else if (m_fn == Fn::SwishBeta) {
        std::fill(params()[0].value.begin(), params()[0].value.end(), 1.0f);
    }
}

void Activation::forward(const Tensor& x, Tensor& y, Range r, const Context&) {
    const std::size_t count = std::size_t(r.size()) * inputShape().size();
    const float* px = x.sample(r.begin);
    float* py = y.sample(r.begin);
    // Eigen's tanh, logistic and log1p are vectorised (rational approximations accurate to a
    // few ulps).
    const Eigen::Map<const Eigen::ArrayXf> ax(px, Eigen::Index(count));
    Eigen::Map<Eigen::ArrayXf> ay(py, Eigen::Index(count));
    switch (m_fn) {
        case Fn::ScaledTanh: ay = kA * (kS * ax).tanh(); return;
        case Fn::Tanh: ay = ax.tanh(); return;
        case Fn::Sigmoid: ay = ax.logistic(); return;
        case Fn::Relu:
            for (std::size_t i = 0; i < count; ++i) py[i] = std::max(px[i], 0.0f);
            return;
        case Fn::LeakyRelu:
            for (std::size_t i = 0; i < count; ++i) py[i] = px[i] > 0.0f ? px[i] : m_slope * px[i];
            return;
        case Fn::LogRelu: ay = m_beta * ax.max(0.0f).log1p(); return;
        case Fn::SigmoidAffine:
        case Fn::SwishBeta: break;
    }
    const int size = inputShape().size();
    for (int n = r.begin; n < r.end; ++n) {
        const float* sg = channelSigmoids(x.sample(n));
        float* yn = y.sample(n);
        if (m_fn == Fn::SigmoidAffine) {
            std::copy_n(sg, size, yn);
        } else {
            const float* xn = x.sample(n);
            for (int i = 0; i < size; ++i) yn[i] = xn[i] * sg[i];
        }
    }
}

const float* Activation::channelSigmoids(const float* x) const {
    const Shape s = inputShape();
    const int plane = s.h * s.w;
    thread_local std::vector<float> u;
    u.resize(s.size());
    for (int c = 0; c < s.c; ++c) {
        // sigmoid_affine: sigma(a_c x + b_c); swish_beta: sigma(b_c x)
        const float a = params()[0].value[c];
        const float b = m_fn == Fn::SigmoidAffine ? params()[1].value[c] : 0.0f;
        const float* xc = x + std::size_t(c) * plane;
        float* uc = u.data() + std::size_t(c) * plane;
        for (int i = 0; i < plane; ++i) uc[i] = a * xc[i] + b;
    }
    Eigen::Map<Eigen::ArrayXf> au(u.data(), Eigen::Index(u.size()));
    au = au.logistic();
    return u.data();
}

void Activation::backwardWith(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx,
                              Range r, std::span<float* const> dparams, bool squared) const {
    const Shape s = inputShape();
    const int plane = s.h * s.w;
    const std::size_t count = std::size_t(r.size()) * s.size();
    const float* px = x.sample(r.begin);
    const float* py = y.sample(r.begin);
    const float* pdy = dy.sample(r.begin);
    float* pdx = dx ? dx->sample(r.begin) : nullptr;
    for (float* g : dparams) std::fill_n(g, s.c, 0.0f);
    auto sq = [squared](float v) { return squared ? v * v : v; };
    // dx = f'(x) dy (f'^2 for the curvature), one loop per function so that each vectorises.
    auto apply = [&](auto derivative) {
        if (!pdx) return;
        for (std::size_t i = 0; i < count; ++i) pdx[i] = sq(derivative(i)) * pdy[i];
    };
    switch (m_fn) {
        case Fn::ScaledTanh:
            apply([&](std::size_t i) { return kS * (kA - py[i] * py[i] / kA); });
            return;
        case Fn::Tanh: apply([&](std::size_t i) { return 1.0f - py[i] * py[i]; }); return;
        case Fn::Sigmoid: apply([&](std::size_t i) { return py[i] * (1.0f - py[i]); }); return;
        case Fn::Relu: apply([&](std::size_t i) { return px[i] > 0.0f ? 1.0f : 0.0f; }); return;
        case Fn::LeakyRelu:
            apply([&](std::size_t i) { return px[i] > 0.0f ? 1.0f : m_slope; });
            return;
        case Fn::LogRelu:
            apply([&](std::size_t i) { return px[i] > 0.0f ? m_beta / (1.0f + px[i]) : 0.0f; });
            return;
        case Fn::SigmoidAffine:
        case Fn::SwishBeta: break;
    }
    // The adaptive sigmoids: per sample and channel, dx and the sums of the channel's parameter
    // gradients over its plane (deterministic lane sums, added in sample order).
    for (int n = r.begin; n < r.end; ++n) {
        // sigma(u); for sigmoid_affine, y itself
        const float* sg = m_fn == Fn::SigmoidAffine ? y.sample(n) : channelSigmoids(x.sample(n));
        for (int c = 0; c < s.c; ++c) {
            const std::size_t first = std::size_t(c) * plane;
            const float* xc = x.sample(n) + first;
            const float* dyc = dy.sample(n) + first;
            const float* sc = sg + first;
            float* dxc = dx ? dx->sample(n) + first : nullptr;
            const float a = params()[0].value[c];
            auto ds = [sc](int i) { return sc[i] * (1.0f - sc[i]); };  // sigma'(u)
            if (m_fn == Fn::SigmoidAffine) {
                // y = sigma(a x + b): dy/dx = a sigma', dy/da = x sigma', dy/db = sigma'
                dparams[0][c] +=
                    float(laneSum(plane, [&](int i) { return sq(xc[i] * ds(i)) * dyc[i]; }));
                dparams[1][c] += float(laneSum(plane, [&](int i) { return sq(ds(i)) * dyc[i]; }));
                for (int i = 0; dxc && i < plane; ++i) dxc[i] = sq(a * ds(i)) * dyc[i];
            } else {
                // y = x sigma(b x): dy/dx = sigma + b x sigma', dy/db = x^2 sigma'
                dparams[0][c] += float(
                    laneSum(plane, [&](int i) { return sq(xc[i] * xc[i] * ds(i)) * dyc[i]; }));
                for (int i = 0; dxc && i < plane; ++i)
                    dxc[i] = sq(sc[i] + a * xc[i] * ds(i)) * dyc[i];
            }
        }
    }
}

void Activation::backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx, Range r,
                          const Context&, std::span<float* const> dparams) {
    backwardWith(x, y, dy, dx, r, dparams, false);
}

void Activation::curvature(const Tensor& x, const Tensor& y, const Tensor& d2y, Tensor* d2x,
                           Range r, std::span<float* const> hparams) {
    backwardWith(x, y, d2y, d2x, r, hparams, true);
}

}  // namespace lenet
