// Epochs, batches, schedules, early stopping and the NaN guard, with progress reported to an
// observer. Synchronous and Qt-free: the studio runs it on its own thread, the CLI on main.
#pragma once

#include <cstdint>
#include <stop_token>
#include <string>
#include <vector>

#include "lenet/data/idx.h"
#include "lenet/network.h"
#include "lenet/spec.h"

namespace lenet {

/// What one epoch achieved. Errors are fractions in [0, 1]; -1 where there was nothing to measure.
struct EpochMetrics {
    int epoch = 0;            // 1-based
    double loss = 0.0;        // mean per-sample training loss over the epoch
    double trainError = 0.0;  // on the fly over the epoch, as the paper plots it
    double validationError = -1.0;
    double testError = -1.0;
    double testLoss = -1.0;
    double seconds = 0.0;  // training time of the epoch, evaluation excluded
    double imagesPerSecond = 0.0;
    double lr = 0.0;

    friend bool operator==(const EpochMetrics&, const EpochMetrics&) = default;
};

/// Every field of EpochMetrics with its name (JSON key and run-log column), in the run log's
/// column order. `Metrics` is EpochMetrics or const EpochMetrics.
template <typename Metrics, typename Visit>
void forEachMetric(Metrics& m, Visit&& visit) {
    visit("epoch", m.epoch);
    visit("lr", m.lr);
    visit("loss", m.loss);
    visit("train_error", m.trainError);
    visit("validation_error", m.validationError);
    visit("test_error", m.testError);
    visit("test_loss", m.testLoss);
    visit("seconds", m.seconds);
    visit("images_per_second", m.imagesPerSecond);
}

/// A snapshot of a run in progress, sent at most every Trainer::progressInterval seconds.
struct Progress {
    int epoch = 0;  // 1-based
    int epochs = 0;
    int batch = 0;  // batches done in this epoch
    int batches = 0;
    long long step = 0;              // batches done in the run
    std::vector<float> batchLosses;  // mean loss of every batch since the previous report
    double elapsed = 0.0;            // seconds since the run started
    double eta = 0.0;                // seconds to the end of the run, evaluations excluded
    double imagesPerSecond = 0.0;
    double lr = 0.0;
};

class TrainingObserver {
public:
    virtual ~TrainingObserver() = default;
    virtual void onProgress(const Progress&) {}
    /// After each epoch's evaluation; `net` holds the weights at the end of the epoch.
    virtual void onEpoch(const EpochMetrics&, const Network&) {}
    virtual void onMessage(const std::string&) {}
};

struct TrainResult {
    std::vector<EpochMetrics> history;
    std::string stopReason;  // empty when all epochs ran; "stopped", "early stopping: ..."
};

/// Test-set evaluation.
struct Evaluation {
    int count = 0;
    int errors = 0;
    double loss = 0.0;             // mean per-sample loss
    std::vector<int> predictions;  // per sample
    std::vector<int> confusion;    // classes x classes, [true * classes + predicted]
    int classes = 0;
    double error() const { return count ? double(errors) / count : 0.0; }
};

/// Evaluates `net` (eval mode) on samples [r.begin, r.end) of `data` (an empty range = all) on
/// `threads` cores (0 = all).
Evaluation evaluate(Network& net, const Dataset& data, int threads, Range r = {});

/// Writes the network input of sample `index` of `data` to `out` (inputShape().size() floats),
/// distorted with a generator seeded by `distortSeed` when `distortion` is not null.
void sampleInput(const Dataset& data, int index, const InputFormat& format, float* out,
                 const Distortion* distortion = nullptr, std::uint64_t distortSeed = 0);

class Trainer {
public:
    /// `train` is split into training and validation sets per config.validation; `test` may be
    /// null. Throws ConfigError when the data does not fit the network (image size, classes).
    Trainer(Network& net, const Dataset& train, const Dataset* test, TrainingConfig config);

    /// Runs the epochs. Checks `stop` between batches. On NaN/Inf throws DivergenceError after
    /// restoring the last weights known to give a finite loss. With early stopping, restores the
    /// weights of the best validation epoch.
    TrainResult run(TrainingObserver& observer, std::stop_token stop = {});

    double progressInterval = 0.1;  // seconds between onProgress calls

private:
    Network& m_net;
    const Dataset& m_data;
    Range m_trainRange;       // samples of m_data trained on
    Range m_validationRange;  // held out for early stopping (may be empty)
    const Dataset* m_test;
    Range m_testRange;
    TrainingConfig m_cfg;
};

}  // namespace lenet
