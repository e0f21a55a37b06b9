// Checkpoints: a model file (version 2) that also carries everything a run needs to continue
// bit-identically after its last complete epoch: the training configuration, the TrainingState
// (optimizer buffers, early-stopping weights, step, history, ...) and which data it was trained
// on. A checkpoint also opens as a model (loadModel).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "lenet/data/idx.h"
#include "lenet/network.h"
#include "lenet/spec.h"
#include "lenet/training_state.h"

namespace lenet {

/// Writes a checkpoint atomically (a temporary file in the same folder, fsync, rename).
/// Throws IoError naming the path.
void saveCheckpoint(const std::string& path, const Network& net, const TrainingConfig& config,
                    const TrainingState& state, const DataIdentity& train,
                    const std::optional<DataIdentity>& test);

/// Reads a checkpoint with all of loadModel's checks, and that the training state is complete
/// and fits the network. Throws FormatError naming the file when it is damaged or is a plain
/// model file (no training state), IoError when it cannot be read.
Checkpoint loadCheckpoint(const std::string& path);

/// A Trainer::saveState that writes a checkpoint of `net`, trained with `config` on `train` and
/// `test` (may be null), to `path` at every call. Identifies the data sets now, not at each call;
/// `net` must outlive the result.
std::function<void(const TrainingState&)> checkpointWriter(std::string path, const Network& net,
                                                           TrainingConfig config,
                                                           const Dataset& train,
                                                           const Dataset* test);

}  // namespace lenet
