// The object that lives on the training thread: loads MNIST once, builds and trains a network
// (or continues a run from its checkpoint) and reports through queued signals. Only this object
// ever touches the live network. A run may add extra training images (the user's "my digits") to
// the data set's training split, and writes a checkpoint after every complete epoch.
//
// A resumed run trains on the data set's own training split and never on extra images: the
// checkpoint of a run that trained with my digits records that larger set, so Trainer::resume
// refuses it with its data mismatch (the message says which data the checkpoint was trained on).
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

#include <QObject>
#include <QString>

#include "lenet/data/idx.h"
#include "lenet/spec.h"
#include "lenet/trainer.h"
#include "ui/training/training_types.h"

namespace lenet::ui {

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
};

/// The training set of a run with extra images: all of `extra` first, then the first
/// `trainLimit` images of `train` (0: all). The run trains on it with trainLimit 0, so the limit
/// counts only `train`'s images and the validation split (the set's tail) takes none of
/// `extra`'s. Throws lenet::ConfigError when the image sizes differ.
lenet::Dataset withExtraTrainingImages(const lenet::Dataset& train, const lenet::Dataset& extra,
                                       int trainLimit);

class TrainingWorker : public QObject {
    Q_OBJECT

public:
    /// Runs on the worker's thread; returns when the run ends. Every outcome ends with exactly
    /// one finished(), diverged() or failed(); a resume emits resumed() first once the
    /// checkpoint is accepted.
    void run(const TrainingRequest& request);

    /// Called on another thread: queues `request` for the next runPosted(), which that thread
    /// then invokes on the worker's thread (a queued call by name). The request crosses through
    /// a std::mutex rather than inside Qt's event (a captured lambda): Qt's event queue
    /// synchronises through futexes that ThreadSanitizer cannot see.
    void post(TrainingRequest request);

public Q_SLOTS:
    /// Runs the oldest request post() queued.
    void runPosted();

Q_SIGNALS:
    void statusChanged(const QString& text);
    void progressed(const lenet::Progress& progress);
    /// A copy of the network's weights, sent with every progress report.
    void networkUpdated(const lenet::ui::NetworkSnapshot& network);
    void epochFinished(const lenet::EpochMetrics& metrics);
    void finished(const lenet::ui::EpochHistory& history, const lenet::ui::NetworkSnapshot& network,
                  const QString& stopReason);
    /// The loss became NaN/Inf or exploded; `network` holds the last good weights the trainer
    /// restored and `history` the epochs completed before.
    void diverged(const lenet::ui::EpochHistory& history, const lenet::ui::NetworkSnapshot& network,
                  const QString& message);
    /// The run could not start or could not go on. When a checkpoint could not be written the
    /// run stops and `network` holds the weights of the epoch that ended (with `history`, the
    /// epochs completed); otherwise `network` is null and `history` empty.
    void failed(const QString& message, const lenet::ui::EpochHistory& history,
                const lenet::ui::NetworkSnapshot& network);
    /// A resume's checkpoint was loaded and fits the data: the run continues from it.
    void resumed(const lenet::ui::ResumedRun& run);

private:
    std::mutex m_postedMutex;
    std::deque<TrainingRequest> m_posted;  // guarded by m_postedMutex

    /// A new run of request.spec, on the data set (with the extra images, if any).
    void startRun(const TrainingRequest& request);
    /// Continues the run of request.resumeFrom on the data set's training split.
    void resumeRun(const TrainingRequest& request);
    /// Runs `trainer` on `net` (the trainer's network) and reports how the run ended; `before`
    /// holds the epochs done before a resume.
    void train(lenet::Trainer& trainer, const lenet::Network& net, const TrainingRequest& request,
               EpochHistory before);
    /// Loads the train and test splits of `dir` unless they are cached already.
    void loadData(const std::string& dir);

    std::string m_dataDir;
    std::optional<lenet::Dataset> m_train;
    std::optional<lenet::Dataset> m_test;
};

}  // namespace lenet::ui
