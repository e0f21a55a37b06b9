#include "lenet/layers/dropout.h"

#include <algorithm>

#include "lenet/error.h"

namespace lenet {

Dropout::Dropout(std::string name, Shape in, float rate)
    : Layer("dropout", name, in, in), m_rate(rate) {
    if (!(rate >= 0.0f && rate < 1.0f)) {
        throw ConfigError("layer '" + this->name() + "' (dropout): rate must be in [0, 1)");
    }
}

void Dropout::apply(const Tensor& in, Tensor& out, Range r, const Context& ctx) const {
    const int size = inputShape().size();
    if (!ctx.training || m_rate == 0.0f) {
        std::copy(in.sample(r.begin), in.sample(r.begin) + std::size_t(r.size()) * size,
                  out.sample(r.begin));
        return;
    }
    const float keep = 1.0f / (1.0f - m_rate);
    const auto threshold = std::uint64_t(double(m_rate) * 18446744073709551615.0);
    for (int n = r.begin; n < r.end; ++n) {
        const std::uint64_t sampleSeed = mixSeed(ctx.seed, std::uint64_t(n));
        const float* pi = in.sample(n);
        float* po = out.sample(n);
        for (int i = 0; i < size; ++i) {
            po[i] = mixSeed(sampleSeed, std::uint64_t(i)) < threshold ? 0.0f : pi[i] * keep;
        }
    }
}

void Dropout::forward(const Tensor& x, Tensor& y, Range r, const Context& ctx) {
    apply(x, y, r, ctx);
}

void Dropout::backward(const Tensor&, const Tensor&, const Tensor& dy, Tensor* dx, Range r,
                       const Context& ctx, std::span<float* const>) {
    if (dx) apply(dy, *dx, r, ctx);
}

}  // namespace lenet
