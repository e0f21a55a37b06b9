// Runs training on a thread it owns (the idiom of background_thread.h); its signals are the
// worker's reports, emitted on the GUI thread. The GUI starts, resumes (from a checkpoint), pauses,
// steps and stops runs and receives only values; no call here waits for the training thread except
// the destructor (a new run joins the thread of the last one, which has ended by then). Every run
// writes a checkpoint after every complete epoch, to a file of its own in checkpointDir(); the
// folder keeps the kKeptCheckpoints most recent ones.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <QObject>
#include <QString>

#include "lenet/spec.h"
#include "lenet/trainer.h"
#include "ui/training/background_thread.h"
#include "ui/training/training_types.h"

namespace lenet::ui {

class TrainingWorker;
struct TrainingRequest;

class TrainingController : public QObject {
    Q_OBJECT

public:
    explicit TrainingController(QObject* parent = nullptr);
    /// Requests a stop (which also wakes a paused run), ends the thread and waits for it; the
    /// run stops at the next batch or after the evaluation in progress.
    ~TrainingController() override;

    /// The IDX folder runs read; lenet::defaultDataDir() unless set. Applies from the next run.
    QString dataDir() const { return m_dataDir; }
    void setDataDir(const QString& dir) { m_dataDir = dir; }

    /// Where runs write their checkpoints: the "checkpoints" folder in the application's data
    /// folder (QStandardPaths::AppDataLocation).
    static QString checkpointDir();
    /// Checkpoints checkpointDir() keeps: a new run first removes the oldest beyond this many.
    static constexpr int kKeptCheckpoints = 20;
    /// Removes all but the `keep` newest *.ckpt files of `dir` (by modification time).
    static void pruneCheckpoints(const QString& dir, int keep);
    /// The checkpoint file of the run in progress or of the last run; empty before any.
    QString checkpointPath() const { return m_checkpointPath; }

    /// Starts training `spec` (with its spec.training settings) on the training thread; with
    /// `paused` the run waits before its first batch. Returns false, and does nothing, while a
    /// run is in progress. `extraTrain` (the user's own digits) is trained on besides the data
    /// set's training split. The run's checkpoint is a new file in checkpointDir(), named
    /// <architecture>-<yyyyMMdd-HHmmss>.ckpt (the folder is created when missing; the oldest
    /// checkpoints beyond kKeptCheckpoints are removed).
    bool start(const lenet::ArchitectureSpec& spec, bool paused = false,
               std::shared_ptr<const lenet::Dataset> extraTrain = nullptr);
    /// Continues the run that wrote the checkpoint file `path`, with the checkpoint's
    /// architecture and settings, on the data folder's training split (never with extra
    /// images). The file is read on the training thread; resumed() follows when it can go on,
    /// failed() when not (not a checkpoint, damaged, other data, nothing left to train). The run
    /// goes on writing its checkpoint to `path`. `extendTo`: the epochs to train on to when the
    /// checkpoint's run has done all of its own. Returns false, and does nothing, while a run is
    /// in progress.
    bool resumeFrom(const QString& path, int extendTo);
    /// Asks the run to stop after the current batch (at once when paused); finished() follows.
    void stop();
    /// The run waits before its next batch until resume(), step() or stop().
    void pause();
    void resume();
    /// Runs exactly one more batch, then waits (pauses a running run).
    void step();
    /// The learning rate from the next batch of the current run on; the schedule continues
    /// from it (see lenet::TrainingControl). Does nothing when no run is in progress.
    void setLearningRate(double rate);

    /// While on, runs record layer statistics (the current run from its next progress report)
    /// and send them as layerStatsUpdated(); off, they cost nothing. Off at first.
    void setLayerStatsWanted(bool on) { m_layerStats->store(on); }

    bool isRunning() const { return m_running; }
    bool isPaused() const { return m_running && m_control->isPaused(); }

Q_SIGNALS:
    // The training thread's reports (statusChanged to resumed) are declared here only: the
    // worker posts their emission to the GUI thread, where every receiver gets them.
    void started();
    /// pause(), step() or resume() changed whether the run is paused.
    void pausedChanged(bool paused);
    void statusChanged(const QString& text);
    /// At most every 0.1 s while training (and when a paused run waits): the batches since the
    /// previous report.
    void progressed(const lenet::Progress& progress);
    /// With every progress report: a copy of the network being trained.
    void networkUpdated(const lenet::ui::NetworkSnapshot& network);
    void epochFinished(const lenet::EpochMetrics& metrics);
    /// While layer statistics are wanted: the run's statistics so far, at most every
    /// kLayerStatsInterval seconds and at every epoch's end.
    void layerStatsUpdated(const lenet::ui::LayerStatsSnapshot& stats);
    /// The run ended (all epochs, stopped or early stopping): its epochs and a copy of the
    /// trained network. `stopReason` is empty when every epoch ran.
    void finished(const lenet::ui::EpochHistory& history, const lenet::ui::NetworkSnapshot& network,
                  const QString& stopReason);
    /// Training diverged (NaN/Inf or an exploding loss): the epochs before it, the last good
    /// weights, and a message that names the epoch and batch.
    void diverged(const lenet::ui::EpochHistory& history, const lenet::ui::NetworkSnapshot& network,
                  const QString& message);
    /// The run could not start or go on. `network` holds the weights kept when a checkpoint
    /// could not be written (with `history`, the epochs done); otherwise it is null.
    void failed(const QString& message, const lenet::ui::EpochHistory& history,
                const lenet::ui::NetworkSnapshot& network);
    /// A checkpoint given to resumeFrom() was loaded and accepted; the run goes on from it.
    void resumed(const lenet::ui::ResumedRun& run);

private:
    /// A file name in checkpointDir() for a new run of the architecture `name`, not yet taken.
    static QString newCheckpointPath(const std::string& name);
    /// Starts `request` on the training thread (its stop token and control are filled in).
    void launch(TrainingRequest request, bool paused);
    /// Ends the run on the GUI side (not running, not paused) when finished(), diverged() or
    /// failed() is emitted, before any other receiver hears of it (the first connection).
    void markEnded();

    std::unique_ptr<TrainingWorker> m_worker;           // used on m_thread only, one run at a time
    std::shared_ptr<lenet::TrainingControl> m_control;  // of the current run
    std::shared_ptr<std::atomic<bool>> m_layerStats = std::make_shared<std::atomic<bool>>(false);
    QString m_dataDir;
    QString m_checkpointPath;  // of the run in progress or the last one
    bool m_running = false;
    BackgroundThread m_thread;  // last: stopped and joined first
};

}  // namespace lenet::ui
