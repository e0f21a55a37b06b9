// Element-wise activations, including the adaptive sigmoids with trainable per-channel
// parameters (lenet5-sigmoidx) and the logarithmic ReLU of Zhang et al. 2022 (deep-lenet5).
#pragma once

#include "lenet/kinds.h"
#include "lenet/layer.h"

namespace lenet {

/// x: (N, C, H, W) -> y of the same shape; the functions are those of activationKinds():
///   scaled_tanh     y = 1.7159 tanh(2x/3)                  (LeCun 1998)
///   tanh, sigmoid, relu
///   leaky_relu      y = x > 0 ? x : slope*x
///   log_relu        y = beta * ln(1 + max(x, 0))
///   sigmoid_affine  y = sigma(a_c*x + b_c), a_c = 1, b_c = 0 at start, trainable per channel
///   swish_beta      y = x * sigma(b_c*x), b_c = 1 at start, trainable per channel
class Activation : public Layer {
public:
    using Fn = ActivationFn;

    /// Throws ConfigError naming the layer when `fn` is not in activationKinds().
    Activation(std::string name, Shape in, const std::string& fn, float slope, float beta);

    std::unique_ptr<Layer> clone() const override { return std::make_unique<Activation>(*this); }
    void initialize(const std::string& scheme, std::mt19937& rng) override;
    void forward(const Tensor& x, Tensor& y, Range r, const Context& ctx) override;
    void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx, Range r,
                  const Context& ctx, std::span<float* const> dparams) override;
    void curvature(const Tensor& x, const Tensor& y, const Tensor& d2y, Tensor* d2x, Range r,
                   std::span<float* const> hparams) override;

    Fn fn() const { return m_fn; }

private:
    void backwardWith(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx, Range r,
                      std::span<float* const> dparams, bool squared) const;
    // The adaptive sigmoids' sigma(...) for every value of one sample, in a thread-local buffer
    // valid until the next call on this thread.
    const float* channelSigmoids(const float* x) const;

    Fn m_fn;
    float m_slope;
    float m_beta;
};

}  // namespace lenet
