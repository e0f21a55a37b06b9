// Fully connected layer over the flattened input, as one GEMM per range of samples.
#pragma once

#include "lenet/layer.h"

namespace lenet {

/// x: (N, C*H*W) -> y: (N, units). Params: weight (units, in), bias (units).
class FullyConnected : public Layer {
public:
    FullyConnected(std::string name, Shape in, int units);

    std::unique_ptr<Layer> clone() const override {
        return std::make_unique<FullyConnected>(*this);
    }
    void initialize(const std::string& scheme, std::mt19937& rng) override;
    void forward(const Tensor& x, Tensor& y, Range r, const Context& ctx) override;
    void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx, Range r,
                  const Context& ctx, std::span<float* const> dparams) override;
    void curvature(const Tensor& x, const Tensor& y, const Tensor& d2y, Tensor* d2x, Range r,
                   std::span<float* const> hparams) override;
};

}  // namespace lenet
