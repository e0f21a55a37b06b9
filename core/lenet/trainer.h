// Epochs, batches, schedules, early stopping and the NaN guard, with progress reported to an
// observer. Synchronous and Qt-free: the studio runs it on its own thread, the CLI on main.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "lenet/data/idx.h"
#include "lenet/network.h"
#include "lenet/optimizer.h"
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
    double lr = 0.0;  // of the epoch's last batch

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
    double lr = 0.0;  // of the last batch
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

/// Pause, single steps and a learning-rate override for a run in progress, shared by the thread
/// that trains and the thread that steers it. Every member is thread-safe and none of the
/// steering calls blocks; the trainer consults the object before each batch. Stopping stays with
/// the run's std::stop_token, which also wakes a paused run.
class TrainingControl {
public:
    /// The run waits before its next batch until resume(), step() or a stop request.
    void pause();
    /// A paused run goes on; steps granted but not yet taken are dropped.
    void resume();
    /// Exactly one more batch runs, then the run is paused (a running run is paused too).
    void step();
    bool isPaused() const;

    /// The learning rate from the next batch on. The schedule continues from it: every later
    /// rate is the schedule's own rate times `rate` / (the schedule's rate when it was set), so
    /// a cosine or step schedule keeps its shape from the new value. Requires rate > 0.
    void setLearningRate(float rate);

    /// Trainer side: returns at once when the run is not paused or a step is granted (and takes
    /// it); otherwise calls `beforeWaiting` once and blocks, without spinning, until resume(),
    /// step() or a stop request. Returns false when `stop` was requested.
    bool awaitBatch(std::stop_token stop, const std::function<void()>& beforeWaiting);
    /// Trainer side: the learning rate set since the previous call, if any.
    std::optional<float> takeLearningRate();

private:
    /// Takes a granted step if there is one; true when the next batch may run. Needs m_mutex.
    bool mayRun();

    mutable std::mutex m_mutex;
    std::condition_variable_any m_wake;
    bool m_paused = false;
    int m_steps = 0;  // batches granted while paused
    std::optional<float> m_learningRate;
};

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

struct Checkpoint;

class Trainer {
public:
    /// `train` is split into training and validation sets per config.validation; `test` may be
    /// null. Throws ConfigError when the data does not fit the network (image size, classes).
    Trainer(Network& net, const Dataset& train, const Dataset* test, TrainingConfig config);

    /// Runs the epochs. Checks `stop` between batches, and `control` (when given) before each
    /// batch: a paused run reports the batches since its last report, then waits; time spent
    /// paused counts in neither the elapsed time, the speed nor the epoch's seconds. On NaN/Inf
    /// throws DivergenceError after restoring the last weights known to give a finite loss. With
    /// early stopping, restores the weights of the best validation epoch.
    /// After a resume() the run continues at epoch state.epochsDone + 1 and the result's history
    /// begins with the epochs done before. With checkpointPath set, writes a checkpoint there at
    /// the end of every complete epoch (not after a stop mid-epoch); a failed write throws
    /// IoError (the network keeps the weights of the epoch).
    TrainResult run(TrainingObserver& observer, std::stop_token stop = {},
                    TrainingControl* control = nullptr);

    /// Continues the run `checkpoint` was written by: copies its weights into the network and
    /// takes its training state. The configuration given to the constructor must be the
    /// checkpoint's except for `epochs` (more to train further; the schedule is then computed
    /// for the new count) and `threads`. Throws ConfigError naming what differs when the
    /// architecture, a setting or a data set (size, image size, checksum) is not the
    /// checkpoint's, or when the run has nothing left to do.
    void resume(const Checkpoint& checkpoint);

    double progressInterval = 0.1;  // seconds between onProgress calls
    std::string checkpointPath;     // empty = no checkpoints

private:
    Network& m_net;
    const Dataset& m_data;
    Range m_trainRange;       // samples of m_data trained on
    Range m_validationRange;  // held out for early stopping (may be empty)
    const Dataset* m_test;
    Range m_testRange;
    TrainingConfig m_cfg;
    TrainingState m_start;  // epochsDone = 0 unless resumed
};

}  // namespace lenet
