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
#include "lenet/metrics.h"
#include "lenet/network.h"
#include "lenet/spec.h"
#include "lenet/training_state.h"

namespace lenet {

class LayerStatsRecorder;

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
    /// begins with the epochs done before. With saveState set, calls it at the end of every
    /// complete epoch (not after a stop mid-epoch); what it throws ends the run (the network
    /// keeps the weights of the epoch).
    TrainResult run(TrainingObserver& observer, std::stop_token stop = {},
                    TrainingControl* control = nullptr);

    /// Continues the run `checkpoint` was written by: copies its weights into the network and
    /// takes its training state. The configuration given to the constructor must be the
    /// checkpoint's except for `epochs` (more to train further; the schedule is then computed
    /// for the new count) and `threads`. Throws ConfigError naming what differs when the
    /// architecture, a setting or a data set (size, image size, checksum) is not the
    /// checkpoint's, when its step count does not fit its epochs, or when the run has nothing
    /// left to do. When the first batch after the resume diverges, run() throws FormatError
    /// saying that the checkpoint is damaged (it held weights that cannot train).
    void resume(const Checkpoint& checkpoint);

    double progressInterval = 0.1;  // seconds between onProgress calls
    /// Takes the state to continue from (resume()) at the end of every complete epoch, after its
    /// evaluation and early-stopping decision, while the network holds the weights the run
    /// continues from: a checkpoint writer (checkpointWriter). Empty = none.
    std::function<void(const TrainingState&)> saveState;
    /// Given and enabled, samples every few batches' layer statistics (layer_stats.h) and closes
    /// each epoch's row before onEpoch; weights and results stay bit-identical. Null = none.
    LayerStatsRecorder* layerStats = nullptr;

private:
    class Run;  // one call of run(): its state and its steps (trainer.cpp)

    Network& m_net;
    const Dataset& m_data;
    Range m_trainRange;       // samples of m_data trained on
    Range m_validationRange;  // held out for early stopping (may be empty)
    const Dataset* m_test;
    Range m_testRange;
    TrainingConfig m_cfg;
    TrainingState m_start;      // epochsDone = 0 unless resumed
    std::string m_resumedFrom;  // the checkpoint's file, for messages
};

}  // namespace lenet
