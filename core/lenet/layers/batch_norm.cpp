#include "lenet/layers/batch_norm.h"

#include <cmath>

#include "lenet/error.h"
#include "lenet/lane_sum.h"
#include "lenet/parallel.h"

namespace lenet {

BatchNorm::BatchNorm(std::string name, Shape in, float momentum, float eps)
    : Layer("batchnorm", name, in, in), m_momentum(momentum), m_eps(eps) {
    if (!(momentum > 0.0f && momentum <= 1.0f) || !(eps > 0.0f)) {
        throw ConfigError("layer '" + this->name() +
                          "' (batchnorm): momentum must be in (0, 1] and eps > 0");
    }
    addParam("gamma", {in.c}, false).value.assign(in.c, 1.0f);
    addParam("beta", {in.c}, false);
    addParam("running_mean", {in.c}, false, false);
    addParam("running_var", {in.c}, false, false).value.assign(in.c, 1.0f);
}

void BatchNorm::initialize(const std::string&, std::mt19937&) {
    params()[0].value.assign(inputShape().c, 1.0f);
    params()[1].value.assign(inputShape().c, 0.0f);
    params()[2].value.assign(inputShape().c, 0.0f);
    params()[3].value.assign(inputShape().c, 1.0f);
}

void BatchNorm::forward(const Tensor& x, Tensor& y, Range r, const Context& ctx) {
    const Shape s = inputShape();
    const int plane = s.h * s.w;
    const int count = r.size() * plane;
    auto& gamma = params()[0].value;
    auto& beta = params()[1].value;
    auto& runMean = params()[2].value;
    auto& runVar = params()[3].value;
    m_mean.assign(s.c, 0.0f);
    m_invStd.assign(s.c, 0.0f);
    m_lastTraining = ctx.training;
    // The batch is coupled through the statistics, but the channels are independent: one task
    // per channel keeps every sum in the same order whatever the thread count.
    parallelFor(s.c, [&](int c) {
        float mean = runMean[c], var = runVar[c];
        if (ctx.training) {
            double sum = 0.0, sumSq = 0.0;
            for (int n = r.begin; n < r.end; ++n) {
                const float* xc = x.sample(n) + c * plane;
                sum += laneSum(plane, [xc](int i) { return xc[i]; });
            }
            mean = float(sum / count);
            for (int n = r.begin; n < r.end; ++n) {
                const float* xc = x.sample(n) + c * plane;
                sumSq +=
                    laneSum(plane, [xc, mean](int i) { return (xc[i] - mean) * (xc[i] - mean); });
            }
            var = float(sumSq / count);
            const float unbiased = count > 1 ? float(sumSq / (count - 1)) : var;
            runMean[c] = (1.0f - m_momentum) * runMean[c] + m_momentum * mean;
            runVar[c] = (1.0f - m_momentum) * runVar[c] + m_momentum * unbiased;
        }
        const float inv = 1.0f / std::sqrt(var + m_eps);
        m_mean[c] = mean;
        m_invStd[c] = inv;
        const float scale = gamma[c] * inv, shift = beta[c] - mean * scale;
        for (int n = r.begin; n < r.end; ++n) {
            const float* xc = x.sample(n) + c * plane;
            float* yc = y.sample(n) + c * plane;
            for (int i = 0; i < plane; ++i) yc[i] = xc[i] * scale + shift;
        }
    });
}

void BatchNorm::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx, Range r,
                         const Context&, std::span<float* const> dparams) {
    const Shape s = inputShape();
    const int plane = s.h * s.w;
    const float count = float(r.size() * plane);
    const auto& gamma = params()[0].value;
    parallelFor(s.c, [&](int c) {
        const float mean = m_mean[c], inv = m_invStd[c];
        double sumDy = 0.0, sumDyXc = 0.0;  // of dy and of dy * (x - mean)
        for (int n = r.begin; n < r.end; ++n) {
            const float* xc = x.sample(n) + c * plane;
            const float* dyc = dy.sample(n) + c * plane;
            sumDy += laneSum(plane, [dyc](int i) { return dyc[i]; });
            sumDyXc += laneSum(plane, [xc, dyc, mean](int i) { return dyc[i] * (xc[i] - mean); });
        }
        const double sumDyXhat = sumDyXc * inv;
        dparams[0][c] = float(sumDyXhat);
        dparams[1][c] = float(sumDy);
        dparams[2][c] = 0.0f;
        dparams[3][c] = 0.0f;
        if (!dx) return;
        // Training mode: dx = k * (dy - mean(dy) - xhat * mean(dy * xhat)); eval mode: k * dy.
        const float k = gamma[c] * inv;
        const float offset = m_lastTraining ? float(sumDy / count) : 0.0f;
        const float slope = m_lastTraining ? float(sumDyXhat / count) * inv : 0.0f;
        for (int n = r.begin; n < r.end; ++n) {
            const float* xc = x.sample(n) + c * plane;
            const float* dyc = dy.sample(n) + c * plane;
            float* dxc = dx->sample(n) + c * plane;
            for (int i = 0; i < plane; ++i) dxc[i] = k * (dyc[i] - offset - (xc[i] - mean) * slope);
        }
    });
}

}  // namespace lenet
