// Checkpoints: a model file (version 2) that also carries everything a run needs to continue
// bit-identically after its last complete epoch: the training configuration, the TrainingState
// (optimizer buffers, early-stopping weights, step, history, ...) and which data it was trained
// on. A checkpoint also opens as a model (loadModel).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lenet/data/idx.h"
#include "lenet/network.h"
#include "lenet/spec.h"
#include "lenet/trainer.h"

namespace lenet {

/// Which data set a run was trained on: enough to refuse a different one on resume.
struct DataIdentity {
    std::string source;  // where it was loaded from (Dataset::source)
    int size = 0;
    int rows = 0;
    int cols = 0;
    std::uint32_t checksum = 0;  // CRC-32 of the images, then the labels

    friend bool operator==(const DataIdentity&, const DataIdentity&) = default;
};

/// The identity of `data` (one pass over its bytes: about 20 ms for MNIST's training set).
DataIdentity identify(const Dataset& data);

/// The contents of a checkpoint file.
struct Checkpoint {
    Network network;  // the weights at the end of epoch state.epochsDone
    TrainingConfig config;
    TrainingState state;
    DataIdentity train;
    std::optional<DataIdentity> test;
};

/// Writes a checkpoint atomically (a temporary file in the same folder, fsync, rename).
/// Throws IoError naming the path.
void saveCheckpoint(const std::string& path, const Network& net, const TrainingConfig& config,
                    const TrainingState& state, const DataIdentity& train,
                    const std::optional<DataIdentity>& test);

/// Reads a checkpoint with all of loadModel's checks, and that the training state is complete
/// and fits the network. Throws FormatError naming the file when it is damaged or is a plain
/// model file (no training state), IoError when it cannot be read.
Checkpoint loadCheckpoint(const std::string& path);

}  // namespace lenet
