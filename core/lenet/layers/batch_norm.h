// Batch normalisation per channel (over N, H, W), with running statistics for evaluation.
#pragma once

#include <vector>

#include "lenet/layer.h"

namespace lenet {

/// x: (N, C, H, W) -> y = gamma * (x - mean) / sqrt(var + eps) + beta, same shape.
/// Training uses the batch's statistics and updates running_mean/running_var
/// (r = (1 - momentum) r + momentum * batch, variance unbiased); evaluation uses the running ones.
/// Params: gamma, beta (trainable), running_mean, running_var (saved, not trained).
class BatchNorm : public Layer {
public:
    BatchNorm(std::string name, Shape in, float momentum, float eps);

    std::unique_ptr<Layer> clone() const override { return std::make_unique<BatchNorm>(*this); }
    void initialize(const std::string& scheme, std::mt19937& rng) override;
    void forward(const Tensor& x, Tensor& y, Range r, const Context& ctx) override;
    void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx, Range r,
                  const Context& ctx, std::span<float* const> dparams) override;
    bool batchCoupled() const override { return true; }

private:
    float m_momentum;
    float m_eps;
    // Statistics of the last forward, used by backward.
    bool m_lastTraining = false;
    std::vector<float> m_mean;
    std::vector<float> m_invStd;
};

}  // namespace lenet
