#include "lenet/optimizer.h"

#include <atomic>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

#include "lenet/parallel.h"
#include "lenet/spec_json.h"

namespace lenet {

Optimizer::Optimizer(const TrainingConfig& config) : m_cfg(config), m_rule(OptimizerRule::Sgd) {
    validate(config);
    m_rule = optimizerKind(config.optimizer).rule;
}

namespace {

/// The loop-invariant part of one update.
struct StepConstants {
    float lr, l1, l2, weightDecay, momentum, beta1, beta2, bias1, bias2, rmsDecay, epsilon;
};

// Entries per task of one step.
constexpr std::size_t kStepPiece = 8192;

// Entries [begin, end) of one parameter array. The rule and the mask are template arguments so
// that the inner loop has no branch and vectorises. Returns false when an updated value is NaN
// or Inf.
template <OptimizerRule K, bool Masked>
bool update(float* w, const float* grad, float* s1, float* s2, const float* mask, bool decays,
            std::size_t begin, std::size_t end, const StepConstants& c) {
    const float l1 = decays ? c.l1 : 0.0f, l2 = decays ? c.l2 : 0.0f;
    const float wd = decays ? c.lr * c.weightDecay : 0.0f;
    int bad = 0;
    for (std::size_t i = begin; i < end; ++i) {
        const float g = grad[i] + l2 * w[i] + l1 * float((w[i] > 0.0f) - (w[i] < 0.0f));
        float step;
        if constexpr (K == OptimizerRule::Sgd) {
            step = c.lr * g;
        } else if constexpr (K == OptimizerRule::Momentum) {
            s1[i] = c.momentum * s1[i] + g;
            step = c.lr * s1[i];
        } else if constexpr (K == OptimizerRule::Nesterov) {
            s1[i] = c.momentum * s1[i] + g;
            step = c.lr * (g + c.momentum * s1[i]);
        } else if constexpr (K == OptimizerRule::Adam) {
            s1[i] = c.beta1 * s1[i] + (1.0f - c.beta1) * g;
            s2[i] = c.beta2 * s2[i] + (1.0f - c.beta2) * g * g;
            step = c.lr * (s1[i] / c.bias1) / (std::sqrt(s2[i] / c.bias2) + c.epsilon);
        } else if constexpr (K == OptimizerRule::RmsProp) {
            s1[i] = c.rmsDecay * s1[i] + (1.0f - c.rmsDecay) * g * g;
            step = c.lr * g / (std::sqrt(s1[i]) + c.epsilon);
        } else {
            step = c.lr * s1[i] * g;  // s1 = 1 / (mu + h)
        }
        step += wd * w[i];
        if constexpr (Masked) {
            w[i] -= step * mask[i];
        } else {
            w[i] -= step;
        }
        bad |= !(std::abs(w[i]) <= std::numeric_limits<float>::max());
    }
    return bad == 0;
}

template <bool Masked>
bool updateRule(OptimizerRule rule, float* w, const float* g, float* s1, float* s2,
                const float* mask, bool decays, std::size_t begin, std::size_t end,
                const StepConstants& c) {
    using K = OptimizerRule;
    switch (rule) {
        case K::Sgd: return update<K::Sgd, Masked>(w, g, s1, s2, mask, decays, begin, end, c);
        case K::Momentum:
            return update<K::Momentum, Masked>(w, g, s1, s2, mask, decays, begin, end, c);
        case K::Nesterov:
            return update<K::Nesterov, Masked>(w, g, s1, s2, mask, decays, begin, end, c);
        case K::Adam: return update<K::Adam, Masked>(w, g, s1, s2, mask, decays, begin, end, c);
        case K::RmsProp:
            return update<K::RmsProp, Masked>(w, g, s1, s2, mask, decays, begin, end, c);
        case K::Sdlm: return update<K::Sdlm, Masked>(w, g, s1, s2, mask, decays, begin, end, c);
    }
    return false;
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

int stateBuffers(OptimizerRule rule) {
    return rule == OptimizerRule::Sgd ? 0 : rule == OptimizerRule::Adam ? 2 : 1;
}

bool Optimizer::step(const std::vector<Param*>& params, const ParamArrays& grads, float lr) {
    const int buffers = stateBuffers(m_rule);
    if (buffers >= 1 && m_state.s1.size() != params.size()) {
        m_state.s1.clear();
        for (const Param* p : params) {
            m_state.s1.emplace_back(p->value.size(),
                                    m_rule == OptimizerRule::Sdlm ? 1.0f / m_cfg.sdlmMu : 0.0f);
        }
    }
    if (buffers == 2 && m_state.s2.size() != params.size()) {
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
    std::vector<std::size_t> sizes;
    for (const Param* p : params) sizes.push_back(p->trainable ? p->value.size() : 0);
    std::atomic<bool> finite = true;
    parallelForPieces(sizes, kStepPiece, [&](int p, std::size_t begin, std::size_t end) {
        Param& param = *params[p];
        float* w = param.value.data();
        const float* g = grads[p].data();
        float* s1 = buffers >= 1 ? m_state.s1[p].data() : nullptr;
        float* s2 = buffers == 2 ? m_state.s2[p].data() : nullptr;
        const float* mask = param.mask.empty() ? nullptr : param.mask.data();
        const bool d = param.decays;
        const bool ok = mask ? updateRule<true>(m_rule, w, g, s1, s2, mask, d, begin, end, c)
                             : updateRule<false>(m_rule, w, g, s1, s2, mask, d, begin, end, c);
        if (!ok) finite = false;
    });
    return finite;
}

float scheduledLr(const TrainingConfig& c, int epoch, int epochs) {
    const ScheduleKind* kind = findKind(scheduleKinds(), c.schedule);
    switch (kind ? kind->rule : ScheduleRule::Constant) {
        case ScheduleRule::Constant: return c.lr;
        case ScheduleRule::Step: return c.lr * std::pow(c.stepGamma, float(epoch / c.stepEpochs));
        case ScheduleRule::Cosine: {
            const float t = epochs > 1 ? float(epoch) / float(epochs) : 0.0f;
            return c.minLr +
                   (c.lr - c.minLr) * 0.5f * (1.0f + std::cos(std::numbers::pi_v<float> * t));
        }
        case ScheduleRule::Lecun1998: {
            static const float factors[] = {1.0f, 1.0f, 0.4f, 0.4f, 0.4f, 0.2f,
                                            0.2f, 0.2f, 0.1f, 0.1f, 0.1f, 0.1f};
            return c.lr * (epoch < 12 ? factors[epoch] : 0.02f);
        }
    }
    return c.lr;
}

}  // namespace lenet
