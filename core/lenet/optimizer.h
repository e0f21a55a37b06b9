// Parameter updates: SGD, momentum, Nesterov, Adam, RMSprop and LeCun's stochastic diagonal
// Levenberg-Marquardt (SDLM), with L1/L2 penalties and decoupled weight decay; and the
// learning-rate schedules.
#pragma once

#include <vector>

#include "lenet/kinds.h"
#include "lenet/layer.h"
#include "lenet/network.h"
#include "lenet/spec.h"

namespace lenet {

/// What an optimiser carries from one step to the next (a checkpoint saves it): `s1` and `s2`
/// are aligned with Network::params() and empty until the first step, and empty for good when
/// the optimiser keeps fewer buffers (stateBuffers).
struct OptimizerState {
    ParamArrays s1;  // momentum / Adam first moment / RMSprop mean square / SDLM 1/(mu + h)
    ParamArrays s2;  // Adam second moment
    long long steps = 0;
};

/// How many of OptimizerState's buffers the rule keeps: 0 (SGD), 1 (s1) or 2 (s1 and s2: Adam).
int stateBuffers(OptimizerRule rule);

class Optimizer {
public:
    /// The optimiser optimizerKinds() names config.optimizer; validate()'s errors are thrown.
    explicit Optimizer(const TrainingConfig& config);

    /// One update of every trainable parameter from `grads` (the gradient of the mean batch loss,
    /// aligned with Network::params()) at learning rate `lr`. Masked entries stay zero.
    /// Returns false when an updated value is NaN or Inf (the caller restores good weights).
    [[nodiscard]] bool step(const std::vector<Param*>& params, const ParamArrays& grads, float lr);

    /// SDLM: the mean Gauss-Newton second derivative h of every parameter entry, estimated before
    /// each epoch; the step of entry k is then lr / (mu + h_k) times its gradient.
    void setCurvature(const ParamArrays& h);

    /// The buffers and step count; restoring them with restore() continues bit-identically.
    const OptimizerState& state() const { return m_state; }
    /// Replaces the buffers and step count with a saved state(); the caller checks the sizes.
    void restore(OptimizerState state);

private:
    TrainingConfig m_cfg;
    OptimizerRule m_rule;
    OptimizerState m_state;
};

/// The learning rate of `epoch` (0-based) of `epochs` under the schedule scheduleKinds() names
/// config.schedule:
///   constant  lr
///   step      lr * stepGamma^(epoch / stepEpochs)
///   cosine    minLr + (lr - minLr) * (1 + cos(pi * epoch / epochs)) / 2
///   lecun1998 lr * {1, 1, .4, .4, .4, .2, .2, .2, .1, .1, .1, .1, .02, ...}: with lr = 5e-4 the
///             paper's 5e-4 x2, 2e-4 x3, 1e-4 x3, 5e-5 x4, 1e-5 after
float scheduledLr(const TrainingConfig& config, int epoch, int epochs);

}  // namespace lenet
