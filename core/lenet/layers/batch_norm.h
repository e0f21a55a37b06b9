// Batch normalisation per channel (over N, H, W), with running statistics for evaluation.
#pragma once

#include <array>
#include <vector>

#include "lenet/layer.h"

namespace lenet {

/// x: (N, C, H, W) -> y = gamma * (x - mean) / sqrt(var + eps) + beta, same shape.
/// Training uses the batch's statistics and updates running_mean/running_var
/// (r = (1 - momentum) r + momentum * batch, variance unbiased); evaluation uses the running ones.
/// Params: gamma, beta (trainable), running_mean, running_var (saved, not trained).
class BatchNorm : public Layer, public BatchCoupled {
public:
    BatchNorm(std::string name, Shape in, float momentum, float eps);

    std::unique_ptr<Layer> clone() const override { return std::make_unique<BatchNorm>(*this); }
    void initialize(const std::string& scheme, std::mt19937& rng) override;
    /// The whole protocol of BatchCoupled on the range `r`, taken as the batch.
    void forward(const Tensor& x, Tensor& y, Range r, const Context& ctx) override;
    void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx, Range r,
                  const Context& ctx, std::span<float* const> dparams) override;
    BatchCoupled* coupling() override { return this; }

    void prepare(int chunks) override;
    /// Training: per channel, the sums of x - s and (x - s)^2 over the chunk, s a value of the
    /// chunk; finishForward combines the chunks' means and squared deviations.
    void gatherForward(const Tensor& x, Range r, int chunk, const Context& ctx) override;
    void finishForward(const Context& ctx) override;
    void applyForward(const Tensor& x, Tensor& y, Range r) const override;
    void gatherBackward(const Tensor& x, const Tensor& dy, Range r, int chunk,
                        std::span<float* const> dparams) override;
    void finishBackward() override;
    void applyBackward(const Tensor& x, const Tensor& dy, Tensor& dx, Range r) const override;

private:
    float m_momentum;
    float m_eps;
    // Per chunk and channel: two partial sums (forward: of x - shift and its square, and the
    // shift; backward: of dy and of dy * (x - mean)); and the values per chunk.
    using Partial = std::array<double, 3>;
    std::vector<Partial> m_partial;
    std::vector<int> m_partialCount;
    // Statistics of the last forward, used by backward.
    bool m_lastTraining = false;
    std::vector<float> m_mean;
    std::vector<float> m_invStd;
    // Of the last finishBackward: dx = k * (dy - offset - (x - mean) * slope) per channel.
    std::vector<float> m_offset;
    std::vector<float> m_slope;
};

}  // namespace lenet
