// Parameter updates: SGD, momentum, Nesterov, Adam, RMSprop and LeCun's stochastic diagonal
// Levenberg-Marquardt (SDLM), with L1/L2 penalties and decoupled weight decay; and the
// learning-rate schedules.
#pragma once

#include <vector>

#include "lenet/layer.h"
#include "lenet/network.h"
#include "lenet/spec.h"

namespace lenet {

class Optimizer {
public:
    explicit Optimizer(const TrainingConfig& config);

    /// One update of every trainable parameter from `grads` (the gradient of the mean batch loss,
    /// aligned with Network::params()) at learning rate `lr`. Masked entries stay zero.
    void step(const std::vector<Param*>& params, const ParamArrays& grads, float lr);

    /// SDLM: the mean Gauss-Newton second derivative h of every parameter entry, estimated before
    /// each epoch; the step of entry k is then lr / (mu + h_k) times its gradient.
    void setCurvature(ParamArrays h) { m_h = std::move(h); }
    const ParamArrays& curvature() const { return m_h; }

    /// The optimiser's moving state (momenta, Adam moments, step count), for checkpoints.
    const ParamArrays& state1() const { return m_s1; }
    const ParamArrays& state2() const { return m_s2; }
    long long steps() const { return m_t; }

private:
    enum class Kind { Sgd, Momentum, Nesterov, Adam, RmsProp, Sdlm };

    TrainingConfig m_cfg;
    Kind m_kind;
    ParamArrays m_s1;   // momentum / velocity / Adam first moment / RMSprop mean square
    ParamArrays m_s2;   // Adam second moment
    ParamArrays m_h;    // SDLM curvature
    long long m_t = 0;
};

/// The learning rate of `epoch` (0-based) of `epochs`:
///   constant  lr
///   step      lr * stepGamma^(epoch / stepEpochs)
///   cosine    minLr + (lr - minLr) * (1 + cos(pi * epoch / epochs)) / 2
///   lecun1998 lr * {1, 1, .4, .4, .4, .2, .2, .2, .1, .1, .1, .1, .02, ...}: with lr = 5e-4 the
///             paper's 5e-4 x2, 2e-4 x3, 1e-4 x3, 5e-5 x4, 1e-5 after
float scheduledLr(const TrainingConfig& config, int epoch, int epochs);

}  // namespace lenet
