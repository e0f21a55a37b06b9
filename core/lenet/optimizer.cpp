#include "lenet/optimizer.h"

#include <cmath>
#include <numbers>
#include <utility>

namespace lenet {

namespace {

const char* const kNames[] = {"sgd", "momentum", "nesterov", "adam", "rmsprop", "sdlm"};

}  // namespace

Optimizer::Optimizer(const TrainingConfig& config) : m_cfg(config), m_kind(Kind::Sgd) {
    validate(config);
    for (int k = 0; k < 6; ++k) {
        if (config.optimizer == kNames[k]) m_kind = Kind(k);
    }
}

namespace {

/// The loop-invariant part of one update.
struct StepConstants {
    float lr, l1, l2, weightDecay, momentum, beta1, beta2, bias1, bias2, rmsDecay, epsilon;
};

// One parameter array; the kind is a template argument so that the inner loop has no switch.
// Returns w - w summed over the array: 0, or NaN when some updated value is NaN or Inf.
template <Optimizer::Kind K>
float update(float* w, const float* grad, float* s1, float* s2, const float* mask, bool decays,
             std::size_t n, const StepConstants& c) {
    const bool l1 = decays && c.l1 > 0.0f, l2 = decays && c.l2 > 0.0f;
    const float wd = decays ? c.lr * c.weightDecay : 0.0f;
    float check = 0.0f;
    for (std::size_t i = 0; i < n; ++i) {
        float g = grad[i];
        if (l2) g += c.l2 * w[i];
        if (l1) g += c.l1 * float((w[i] > 0.0f) - (w[i] < 0.0f));
        float step;
        if constexpr (K == Optimizer::Kind::Sgd) {
            step = c.lr * g;
        } else if constexpr (K == Optimizer::Kind::Momentum) {
            s1[i] = c.momentum * s1[i] + g;
            step = c.lr * s1[i];
        } else if constexpr (K == Optimizer::Kind::Nesterov) {
            s1[i] = c.momentum * s1[i] + g;
            step = c.lr * (g + c.momentum * s1[i]);
        } else if constexpr (K == Optimizer::Kind::Adam) {
            s1[i] = c.beta1 * s1[i] + (1.0f - c.beta1) * g;
            s2[i] = c.beta2 * s2[i] + (1.0f - c.beta2) * g * g;
            step = c.lr * (s1[i] / c.bias1) / (std::sqrt(s2[i] / c.bias2) + c.epsilon);
        } else if constexpr (K == Optimizer::Kind::RmsProp) {
            s1[i] = c.rmsDecay * s1[i] + (1.0f - c.rmsDecay) * g * g;
            step = c.lr * g / (std::sqrt(s1[i]) + c.epsilon);
        } else {
            step = c.lr * s1[i] * g;  // s1 = 1 / (mu + h)
        }
        step += wd * w[i];
        w[i] -= mask ? step * mask[i] : step;
        check += w[i] - w[i];
    }
    return check;
}

}  // namespace

void Optimizer::setCurvature(const ParamArrays& h) {
    m_state.s1.resize(h.size());
    for (std::size_t p = 0; p < h.size(); ++p) {
        m_state.s1[p].resize(h[p].size());
        for (std::size_t i = 0; i < h[p].size(); ++i)
            m_state.s1[p][i] = 1.0f / (m_cfg.sdlmMu + h[p][i]);
    }
}

void Optimizer::restore(OptimizerState state) {
    m_state = std::move(state);
}

bool Optimizer::step(const std::vector<Param*>& params, const ParamArrays& grads, float lr) {
    if (m_state.s1.size() != params.size()) {
        m_state.s1.clear();
        for (const Param* p : params) {
            m_state.s1.emplace_back(p->value.size(),
                                    m_kind == Kind::Sdlm ? 1.0f / m_cfg.sdlmMu : 0.0f);
        }
    }
    if (m_kind == Kind::Adam && m_state.s2.size() != params.size()) {
        m_state.s2.clear();
        for (const Param* p : params) m_state.s2.emplace_back(p->value.size(), 0.0f);
    }
    ++m_state.steps;
    const StepConstants c{lr,
                          m_cfg.l1,
                          m_cfg.l2,
                          m_cfg.weightDecay,
                          m_cfg.momentum,
                          m_cfg.beta1,
                          m_cfg.beta2,
                          1.0f - std::pow(m_cfg.beta1, float(m_state.steps)),
                          1.0f - std::pow(m_cfg.beta2, float(m_state.steps)),
                          m_cfg.rmsDecay,
                          m_cfg.epsilon};
    float check = 0.0f;
    for (std::size_t p = 0; p < params.size(); ++p) {
        Param& param = *params[p];
        if (!param.trainable) continue;
        float* w = param.value.data();
        const float* g = grads[p].data();
        float* s1 = m_state.s1[p].data();
        float* s2 = m_kind == Kind::Adam ? m_state.s2[p].data() : nullptr;
        const float* mask = param.mask.empty() ? nullptr : param.mask.data();
        const std::size_t n = param.value.size();
        const bool d = param.decays;
        switch (m_kind) {
            case Kind::Sgd: check += update<Kind::Sgd>(w, g, s1, s2, mask, d, n, c); break;
            case Kind::Momentum:
                check += update<Kind::Momentum>(w, g, s1, s2, mask, d, n, c);
                break;
            case Kind::Nesterov:
                check += update<Kind::Nesterov>(w, g, s1, s2, mask, d, n, c);
                break;
            case Kind::Adam: check += update<Kind::Adam>(w, g, s1, s2, mask, d, n, c); break;
            case Kind::RmsProp: check += update<Kind::RmsProp>(w, g, s1, s2, mask, d, n, c); break;
            case Kind::Sdlm: check += update<Kind::Sdlm>(w, g, s1, s2, mask, d, n, c); break;
        }
    }
    return check == 0.0f;
}

float scheduledLr(const TrainingConfig& c, int epoch, int epochs) {
    if (c.schedule == "step") {
        return c.lr * std::pow(c.stepGamma, float(epoch / c.stepEpochs));
    }
    if (c.schedule == "cosine") {
        const float t = epochs > 1 ? float(epoch) / float(epochs) : 0.0f;
        return c.minLr + (c.lr - c.minLr) * 0.5f * (1.0f + std::cos(std::numbers::pi_v<float> * t));
    }
    if (c.schedule == "lecun1998") {
        static const float factors[] = {1.0f, 1.0f, 0.4f, 0.4f, 0.4f, 0.2f,
                                        0.2f, 0.2f, 0.1f, 0.1f, 0.1f, 0.1f};
        return c.lr * (epoch < 12 ? factors[epoch] : 0.02f);
    }
    return c.lr;
}

}  // namespace lenet
