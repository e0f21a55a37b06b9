// Fully connected layer over the flattened input, as one GEMM per range of samples.
#pragma once

#include "lenet/layer.h"

namespace lenet {

/// x: (N, C*H*W) -> y: (N, units). Params: weight (units, in), bias (units).
class FullyConnected : public Layer, public UnitSplit {
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
    const UnitSplit* unitSplit() const override { return this; }

    int units() const override { return outputShape().c; }
    void inputGradient(const Tensor& dy, Tensor& dx, Range r, bool curvature) const override;
    void unitGradients(const Tensor& x, const Tensor& dy, Range samples, Range units,
                       bool curvature, std::span<float* const> dparams) const override;
};

/// A UnitSplit layer's whole backward() (curvature() when `curvature`) over the samples of `r`:
/// every unit's parameter gradients, and dx when not null.
void backwardByUnits(const UnitSplit& layer, const Tensor& x, const Tensor& dy, Tensor* dx, Range r,
                     bool curvature, std::span<float* const> dparams);

/// The gradients of a layer that is one matrix product per sample, y = W x + b with W (units,
/// inputs) (a fully connected layer, a convolution whose kernel covers its input): dx = dy W for
/// the samples of `r`, and rows `units` of dW = dy^T x and of db summed over `samples`, in a
/// fixed order. `curvature` squares W and x (SDLM's pass).
void matrixInputGradient(const Tensor& dy, const float* w, int inputs, int units, Tensor& dx,
                         Range r, bool curvature);
void matrixUnitGradients(const Tensor& x, const Tensor& dy, int inputs, int units, Range samples,
                         Range rows, bool curvature, float* dw, float* db);

}  // namespace lenet
