#include "lenet/optimizer.h"

#include <cmath>
#include <numbers>

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

void Optimizer::step(const std::vector<Param*>& params, const ParamArrays& grads, float lr) {
    if (m_s1.size() != params.size()) {
        m_s1.clear();
        m_s2.clear();
        for (const Param* p : params) {
            m_s1.emplace_back(p->value.size(), 0.0f);
            m_s2.emplace_back(m_kind == Kind::Adam ? p->value.size() : 0, 0.0f);
        }
    }
    ++m_t;
    const float mu = m_cfg.momentum;
    const float b1 = m_cfg.beta1, b2 = m_cfg.beta2, eps = m_cfg.epsilon;
    const float bias1 = 1.0f - std::pow(b1, float(m_t));
    const float bias2 = 1.0f - std::pow(b2, float(m_t));
    for (std::size_t p = 0; p < params.size(); ++p) {
        Param& param = *params[p];
        if (!param.trainable) continue;
        float* w = param.value.data();
        const float* g0 = grads[p].data();
        float* s1 = m_s1[p].data();
        float* s2 = m_s2[p].data();
        const float* mask = param.mask.empty() ? nullptr : param.mask.data();
        const float* h = m_kind == Kind::Sdlm && !m_h.empty() ? m_h[p].data() : nullptr;
        const bool decays = param.decays;
        const std::size_t n = param.value.size();
        for (std::size_t i = 0; i < n; ++i) {
            float g = g0[i];
            if (decays) {
                g += m_cfg.l2 * w[i];
                if (m_cfg.l1 > 0.0f) g += m_cfg.l1 * float((w[i] > 0.0f) - (w[i] < 0.0f));
            }
            if (mask) g *= mask[i];
            float update = 0.0f;
            switch (m_kind) {
            case Kind::Sgd: update = lr * g; break;
            case Kind::Momentum:
                s1[i] = mu * s1[i] + g;
                update = lr * s1[i];
                break;
            case Kind::Nesterov:
                s1[i] = mu * s1[i] + g;
                update = lr * (g + mu * s1[i]);
                break;
            case Kind::Adam:
                s1[i] = b1 * s1[i] + (1.0f - b1) * g;
                s2[i] = b2 * s2[i] + (1.0f - b2) * g * g;
                update = lr * (s1[i] / bias1) / (std::sqrt(s2[i] / bias2) + eps);
                break;
            case Kind::RmsProp:
                s1[i] = m_cfg.rmsDecay * s1[i] + (1.0f - m_cfg.rmsDecay) * g * g;
                update = lr * g / (std::sqrt(s1[i]) + eps);
                break;
            case Kind::Sdlm: update = lr / (m_cfg.sdlmMu + (h ? h[i] : 0.0f)) * g; break;
            }
            if (decays && m_cfg.weightDecay > 0.0f) update += lr * m_cfg.weightDecay * w[i];
            if (mask) update *= mask[i];
            w[i] -= update;
        }
    }
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
        static const float factors[] = {1.0f, 1.0f, 0.4f, 0.4f, 0.4f, 0.2f, 0.2f,
                                        0.2f, 0.1f, 0.1f, 0.1f, 0.1f};
        return c.lr * (epoch < 12 ? factors[epoch] : 0.02f);
    }
    return c.lr;
}

}  // namespace lenet
