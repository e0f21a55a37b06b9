// A run between two epochs: what it carries from one epoch to the next, which data it trains
// on, and both with the weights (a Checkpoint), which is what a Trainer resumes from and a
// checkpoint file holds (checkpoint.h reads and writes the files).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lenet/data/idx.h"
#include "lenet/metrics.h"
#include "lenet/network.h"
#include "lenet/optimizer.h"
#include "lenet/spec.h"

namespace lenet {

/// What a run carries from one epoch to the next, taken at the end of a complete epoch. With the
/// network's weights (batch-norm running statistics included) it lets the run continue
/// bit-identically (Trainer::resume). The random streams need no saved state: the shuffle order
/// is replayed from the seed (one shuffle per epoch done), the distortions of epoch e come from
/// (seed, e), dropout masks from (seed, step), the validation split is the last `validation`
/// fraction of the training range and SDLM's samples are the first of the epoch's order.
struct TrainingState {
    int epochsDone = 0;
    long long step = 0;           // batches trained
    double firstLoss = 0.0;       // the run's first batch loss, the divergence guard's reference
    double lrScale = 1.0;         // a TrainingControl override, as a factor on the schedule
    double bestValidation = 2.0;  // early stopping: the best validation error so far
    int bestEpoch = 0;            // 0 = none yet
    ParamArrays bestWeights;      // the weights of bestEpoch (empty when patience is off)
    OptimizerState optimizer;
    std::vector<EpochMetrics> history;
    std::string stopReason;  // not empty when the run has ended (early stopping)
};

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
    std::string path;  // the file it was read from (loadCheckpoint), for messages
};

}  // namespace lenet
