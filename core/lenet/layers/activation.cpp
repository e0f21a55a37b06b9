#include "lenet/layers/activation.h"

#include <algorithm>
#include <cmath>

#include <Eigen/Core>

#include "lenet/error.h"

namespace lenet {
namespace {

constexpr float kA = 1.7159f;      // LeCun's squashing amplitude
constexpr float kS = 2.0f / 3.0f;  // and slope: f(1) = 1

float sigmoid(float v) {
    return 1.0f / (1.0f + std::exp(-v));
}

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
    const Shape s = inputShape();
    const int plane = s.h * s.w;
    const float* px = x.sample(r.begin);
    float* py = y.sample(r.begin);
    const std::size_t count = std::size_t(r.size()) * s.size();
    // Eigen's tanh is vectorised (a rational approximation accurate to a few ulps).
    const Eigen::Map<const Eigen::ArrayXf> ax(px, Eigen::Index(count));
    Eigen::Map<Eigen::ArrayXf> ay(py, Eigen::Index(count));
    switch (m_fn) {
        case Fn::ScaledTanh: ay = kA * (kS * ax).tanh(); return;
        case Fn::Tanh: ay = ax.tanh(); return;
        case Fn::Sigmoid:
            for (std::size_t i = 0; i < count; ++i) py[i] = sigmoid(px[i]);
            return;
        case Fn::Relu:
            for (std::size_t i = 0; i < count; ++i) py[i] = std::max(px[i], 0.0f);
            return;
        case Fn::LeakyRelu:
            for (std::size_t i = 0; i < count; ++i) py[i] = px[i] > 0.0f ? px[i] : m_slope * px[i];
            return;
        case Fn::LogRelu:
            for (std::size_t i = 0; i < count; ++i)
                py[i] = m_beta * std::log1p(std::max(px[i], 0.0f));
            return;
        case Fn::SigmoidAffine:
        case Fn::SwishBeta: break;
    }
    for (std::size_t i = 0; i < count; ++i) {
        const int c = int(i / plane) % s.c;
        if (m_fn == Fn::SigmoidAffine) {
            py[i] = sigmoid(params()[0].value[c] * px[i] + params()[1].value[c]);
        } else {
            py[i] = px[i] * sigmoid(params()[0].value[c] * px[i]);
        }
    }
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
    for (std::size_t i = 0; i < count; ++i) {
        const int c = int(i / plane) % s.c;
        float d = 0.0f;  // dy/dx
        if (m_fn == Fn::SigmoidAffine) {
            const float ds = py[i] * (1.0f - py[i]);  // sigma'(u)
            d = params()[0].value[c] * ds;
            dparams[0][c] += sq(px[i] * ds) * pdy[i];
            dparams[1][c] += sq(ds) * pdy[i];
        } else {
            const float b = params()[0].value[c];
            const float sg = sigmoid(b * px[i]);
            const float ds = sg * (1.0f - sg);
            d = sg + b * px[i] * ds;
            dparams[0][c] += sq(px[i] * px[i] * ds) * pdy[i];
        }
        if (pdx) pdx[i] = sq(d) * pdy[i];
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
