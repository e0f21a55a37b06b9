#include "lenet/layers/batch_norm.h"

#include <algorithm>
#include <cmath>

#include "lenet/error.h"
#include "lenet/lane_sum.h"

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
    Param& var = addParam("running_var", {in.c}, false, false);
    var.value.assign(in.c, 1.0f);
    var.variance = true;
}

void BatchNorm::initialize(const std::string&, std::mt19937&) {
    params()[0].value.assign(inputShape().c, 1.0f);
    params()[1].value.assign(inputShape().c, 0.0f);
    params()[2].value.assign(inputShape().c, 0.0f);
    params()[3].value.assign(inputShape().c, 1.0f);
}

void BatchNorm::forward(const Tensor& x, Tensor& y, Range r, const Context& ctx) {
    prepare(1);
    gatherForward(x, r, 0, ctx);
    finishForward(ctx);
    applyForward(x, y, r);
}

void BatchNorm::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx, Range r,
                         const Context&, std::span<float* const> dparams) {
    prepare(1);
    gatherBackward(x, dy, r, 0, dparams);
    finishBackward();
    if (dx) applyBackward(x, dy, *dx, r);
}

void BatchNorm::prepare(int chunks) {
    m_partial.assign(std::size_t(chunks) * inputShape().c, {0.0, 0.0, 0.0});
    m_partialCount.assign(chunks, 0);
}

void BatchNorm::gatherForward(const Tensor& x, Range r, int chunk, const Context& ctx) {
    if (!ctx.training) return;
    const Shape s = inputShape();
    const int plane = s.h * s.w;
    m_partialCount[chunk] = r.size() * plane;
    for (int c = 0; c < s.c; ++c) {
        // Shifted by a value of the chunk, so that the one-pass sum of squares keeps its
        // precision when the mean is large against the spread.
        const float shift = x.sample(r.begin)[c * plane];
        Partial& sums = m_partial[std::size_t(chunk) * s.c + c];
        sums[2] = shift;
        for (int n = r.begin; n < r.end; ++n) {
            const float* xc = x.sample(n) + c * plane;
            // Two sums, each over a plane still in L1 for the second.
            sums[0] += laneSum(plane, [xc, shift](int i) { return xc[i] - shift; });
            sums[1] +=
                laneSum(plane, [xc, shift](int i) { return (xc[i] - shift) * (xc[i] - shift); });
        }
    }
}

void BatchNorm::finishForward(const Context& ctx) {
    const int channels = inputShape().c;
    auto& runMean = params()[2].value;
    auto& runVar = params()[3].value;
    m_mean.assign(channels, 0.0f);
    m_invStd.assign(channels, 0.0f);
    m_lastTraining = ctx.training;
    const std::size_t chunks = m_partialCount.size();
    double count = 0.0;
    for (int n : m_partialCount) count += n;
    for (int c = 0; c < channels; ++c) {
        float mean = runMean[c], var = runVar[c];
        if (ctx.training && count > 0) {
            // The chunks' means and sums of squared deviations, combined in chunk order
            // (Chan, Golub and LeVeque's pairwise update).
            double total = 0.0, batchMean = 0.0, m2 = 0.0;
            for (std::size_t k = 0; k < chunks; ++k) {
                const Partial& p = m_partial[k * channels + c];
                const double n = m_partialCount[k];
                if (n == 0) continue;
                const double chunkMean = p[2] + p[0] / n;
                const double chunkM2 = std::max(0.0, p[1] - p[0] * p[0] / n);
                const double delta = chunkMean - batchMean;
                total += n;
                batchMean += delta * n / total;
                m2 += chunkM2 + delta * delta * n * (total - n) / total;
            }
            mean = float(batchMean);
            var = float(m2 / count);
            const float unbiased = count > 1 ? float(m2 / (count - 1)) : var;
            runMean[c] = (1.0f - m_momentum) * runMean[c] + m_momentum * mean;
            runVar[c] = (1.0f - m_momentum) * runVar[c] + m_momentum * unbiased;
        }
        m_mean[c] = mean;
        m_invStd[c] = 1.0f / std::sqrt(var + m_eps);
    }
}

void BatchNorm::applyForward(const Tensor& x, Tensor& y, Range r) const {
    const Shape s = inputShape();
    const int plane = s.h * s.w;
    const auto& gamma = params()[0].value;
    const auto& beta = params()[1].value;
    for (int n = r.begin; n < r.end; ++n) {
        for (int c = 0; c < s.c; ++c) {
            const float scale = gamma[c] * m_invStd[c], shift = beta[c] - m_mean[c] * scale;
            const float* xc = x.sample(n) + c * plane;
            float* yc = y.sample(n) + c * plane;
            for (int i = 0; i < plane; ++i) yc[i] = xc[i] * scale + shift;
        }
    }
}

void BatchNorm::gatherBackward(const Tensor& x, const Tensor& dy, Range r, int chunk,
                               std::span<float* const> dparams) {
    const Shape s = inputShape();
    const int plane = s.h * s.w;
    m_partialCount[chunk] = r.size() * plane;
    for (int c = 0; c < s.c; ++c) {
        const float mean = m_mean[c];
        Partial& sums = m_partial[std::size_t(chunk) * s.c + c];
        for (int n = r.begin; n < r.end; ++n) {
            const float* xc = x.sample(n) + c * plane;
            const float* dyc = dy.sample(n) + c * plane;
            sums[0] += laneSum(plane, [dyc](int i) { return dyc[i]; });
            sums[1] += laneSum(plane, [xc, dyc, mean](int i) { return dyc[i] * (xc[i] - mean); });
        }
        dparams[0][c] = float(sums[1] * m_invStd[c]);  // gamma: sum of dy * xhat
        dparams[1][c] = float(sums[0]);                // beta: sum of dy
        dparams[2][c] = 0.0f;
        dparams[3][c] = 0.0f;
    }
}

void BatchNorm::finishBackward() {
    const int channels = inputShape().c;
    m_offset.assign(channels, 0.0f);
    m_slope.assign(channels, 0.0f);
    double count = 0.0;
    for (int n : m_partialCount) count += n;
    if (!m_lastTraining || count == 0) return;  // evaluation mode: dx = k * dy
    for (int c = 0; c < channels; ++c) {
        double sumDy = 0.0, sumDyXc = 0.0;  // of dy and of dy * (x - mean), in chunk order
        for (std::size_t k = 0; k < m_partialCount.size(); ++k) {
            sumDy += m_partial[k * channels + c][0];
            sumDyXc += m_partial[k * channels + c][1];
        }
        // dx = k * (dy - mean(dy) - xhat * mean(dy * xhat)), xhat = (x - mean) * invStd
        m_offset[c] = float(sumDy / count);
        m_slope[c] = float(sumDyXc * m_invStd[c] / count) * m_invStd[c];
    }
}

void BatchNorm::applyBackward(const Tensor& x, const Tensor& dy, Tensor& dx, Range r) const {
    const Shape s = inputShape();
    const int plane = s.h * s.w;
    const auto& gamma = params()[0].value;
    for (int n = r.begin; n < r.end; ++n) {
        for (int c = 0; c < s.c; ++c) {
            const float k = gamma[c] * m_invStd[c], offset = m_offset[c], slope = m_slope[c];
            const float mean = m_mean[c];
            const float* xc = x.sample(n) + c * plane;
            const float* dyc = dy.sample(n) + c * plane;
            float* dxc = dx.sample(n) + c * plane;
            for (int i = 0; i < plane; ++i) dxc[i] = k * (dyc[i] - offset - (xc[i] - mean) * slope);
        }
    }
}

}  // namespace lenet
