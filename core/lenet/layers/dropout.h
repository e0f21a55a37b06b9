// Inverted dropout: in training each value is zeroed with probability `rate` and the rest are
// scaled by 1/(1-rate); evaluation is the identity.
#pragma once

#include "lenet/layer.h"

namespace lenet {

/// The mask of sample n is a hash of (Context::seed, n, index): the same for forward and
/// backward and independent of how the batch is split across tasks.
class Dropout : public Layer {
public:
    Dropout(std::string name, Shape in, float rate);

    std::unique_ptr<Layer> clone() const override { return std::make_unique<Dropout>(*this); }
    void forward(const Tensor& x, Tensor& y, Range r, const Context& ctx) override;
    void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx, Range r,
                  const Context& ctx, std::span<float* const> dparams) override;

private:
    void apply(const Tensor& in, Tensor& out, Range r, const Context& ctx) const;

    float m_rate;
};

}  // namespace lenet
