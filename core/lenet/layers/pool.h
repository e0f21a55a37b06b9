// Spatial reduction over non-overlapping size x size windows: LeCun's trainable subsampling
// (S2, S4), average pooling and max pooling.
#pragma once

#include "lenet/layer.h"

namespace lenet {

/// x: (N, C, H, W) -> y: (N, C, H/size, W/size) (rows/columns beyond a whole window are dropped).
class Pool : public Layer {
public:
    enum class Kind {
        Subsample,  // y = coef_c * (sum of the window) + bias_c; params coef (C), bias (C)
        Average,    // y = mean of the window
        Max,        // y = max of the window; the gradient goes to the first maximum
    };

    Pool(Kind kind, std::string name, Shape in, int size);

    std::unique_ptr<Layer> clone() const override { return std::make_unique<Pool>(*this); }
    void initialize(const std::string& scheme, std::mt19937& rng) override;
    void forward(const Tensor& x, Tensor& y, Range r, const Context& ctx) override;
    void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx, Range r,
                  const Context& ctx, std::span<float* const> dparams) override;
    void curvature(const Tensor& x, const Tensor& y, const Tensor& d2y, Tensor* d2x, Range r,
                   std::span<float* const> hparams) override;

    Kind poolKind() const { return m_kind; }
    int size() const { return m_size; }

private:
    // Shared by backward and curvature: `squared` uses coef^2 (1/size^4 for the average) and
    // (window sum)^2 for the coefficient's curvature.
    void backwardWith(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx, Range r,
                      std::span<float* const> dparams, bool squared) const;

    Kind m_kind;
    int m_size;
};

}  // namespace lenet
