// What runs on the training thread: loads MNIST once, builds and trains a network (or continues
// a run from its checkpoint) and reports by emitting its TrainingController's signals on the GUI
// thread (posted through the controller's BackgroundThread, see background_thread.h). Only this
// object ever touches the live network. A run may add extra training images (the user's "my
// digits") to the data set's training split, and writes a checkpoint after every complete epoch.
//
// A resumed run trains on the data set's own training split and never on extra images: the
// checkpoint of a run that trained with my digits records that larger set, so Trainer::resume
// refuses it with its data mismatch (the message says which data the checkpoint was trained on).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

#include <QCoreApplication>
#include <QString>

#include "lenet/data/idx.h"
#include "lenet/spec.h"
#include "lenet/trainer.h"
#include "ui/training/training_types.h"

namespace lenet::ui {

class BackgroundThread;
class TrainingController;

/// One run: the architecture with the user's training settings in spec.training.
struct TrainingRequest {
    lenet::ArchitectureSpec spec;
    std::string dataDir;
    std::stop_token stop;
    std::shared_ptr<lenet::TrainingControl> control;  // pause, step, learning rate
    /// Images trained on besides dataDir's training split (null or empty: none); see
    /// withExtraTrainingImages. Loaded on the GUI thread and never changed afterwards.
    std::shared_ptr<const lenet::Dataset> extraTrain = nullptr;
    /// Where the run writes a checkpoint at the end of every complete epoch (empty: none).
    std::string checkpointPath = {};
    /// A checkpoint to continue instead of training `spec` afresh (empty: a new run). A resumed
    /// run takes the checkpoint's architecture and settings; `spec` and `extraTrain` are unused.
    std::string resumeFrom = {};
    /// For a resume of a run that has done all of its epochs: the epochs to train on to (when
    /// larger than the run's; otherwise there is nothing left to train).
    int extendTo = 0;
    /// While true, the run records layer statistics and reports them (null: never).
    std::shared_ptr<const std::atomic<bool>> layerStats = nullptr;
};

/// Seconds between two layerStatsUpdated reports within an epoch.
constexpr double kLayerStatsInterval = 1.0;

/// The training set of a run with extra images: all of `extra` first, then the first
/// `trainLimit` images of `train` (0: all). The run trains on it with trainLimit 0, so the limit
/// counts only `train`'s images and the validation split (the set's tail) takes none of
/// `extra`'s. Throws lenet::ConfigError when the image sizes differ.
lenet::Dataset withExtraTrainingImages(const lenet::Dataset& train, const lenet::Dataset& extra,
                                       int trainLimit);

class TrainingWorker {
    Q_DECLARE_TR_FUNCTIONS(TrainingWorker)

public:
    /// Runs on `thread` and reports to `reports` through it; both must outlive every run (the
    /// controller owns the worker and the thread).
    TrainingWorker(BackgroundThread& thread, TrainingController& reports);

    /// Runs on the training thread; returns when the run ends. Every outcome ends with exactly
    /// one finished(), diverged() or failed() of the controller; a resume emits resumed() first
    /// once the checkpoint is accepted. Runs follow one another, never overlap.
    void run(const TrainingRequest& request);

private:
    /// A new run of request.spec, on the data set (with the extra images, if any).
    void startRun(const TrainingRequest& request);
    /// Continues the run of request.resumeFrom on the data set's training split.
    void resumeRun(const TrainingRequest& request);
    /// Runs `trainer` on `net` (the trainer's network) and reports how the run ended; `before`
    /// holds the epochs done before a resume.
    void train(lenet::Trainer& trainer, lenet::Network& net, const TrainingRequest& request,
               EpochHistory before);
    /// Loads the train and test splits of `dir` unless they are cached already.
    void loadData(const std::string& dir);

    BackgroundThread& m_thread;
    TrainingController& m_reports;
    std::string m_dataDir;
    std::optional<lenet::Dataset> m_train;
    std::optional<lenet::Dataset> m_test;
};

}  // namespace lenet::ui
