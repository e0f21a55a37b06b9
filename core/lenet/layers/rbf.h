// LeNet-5's output layer: one Euclidean radial basis function unit per class whose centre is a
// 7x12 bitmap of the digit (+1 ink, -1 background, LeCun et al. 1998 Fig. 3).
#pragma once

#include <string>
#include <vector>

#include "lenet/layer.h"

namespace lenet {

/// x: (N, 84) -> y: (N, classes), y_i = sum_j (x_j - w_ij)^2, the penalty of class i.
/// Params: centres (classes, in), fixed unless `trainable`.
class Rbf : public Layer {
public:
    Rbf(std::string name, Shape in, int classes, bool trainable, const std::string& prototypes);

    std::unique_ptr<Layer> clone() const override { return std::make_unique<Rbf>(*this); }
    void initialize(const std::string& scheme, std::mt19937& rng) override;
    void forward(const Tensor& x, Tensor& y, Range r, const Context& ctx) override;
    void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx, Range r,
                  const Context& ctx, std::span<float* const> dparams) override;
    /// Gauss-Newton for a quadratic penalty: d2y holds the (non-negative) weight of each penalty
    /// in the criterion, and d2E/dx_j^2 = 2 * sum_i d2y_i (the paper's "second derivative 1"
    /// for E = 1/2 |x - w|^2, here without the 1/2).
    void curvature(const Tensor& x, const Tensor& y, const Tensor& d2y, Tensor* d2x, Range r,
                   std::span<float* const> hparams) override;

private:
    std::string m_prototypes;
};

/// The paper's ten 7x12 bitmaps, from resources/rbf_bitmaps.txt: 10 x 84 values of +1/-1,
/// row-major 12 rows of 7. Throws FormatError when the resource is malformed.
const std::vector<float>& lecun1998Bitmaps();

/// The bitmap of `digit` as 12 lines of 7 characters ('#' = +1, '.' = -1).
std::string bitmapText(const std::vector<float>& centres, int digit);

}  // namespace lenet
