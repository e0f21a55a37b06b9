// The object that lives on the training thread: loads MNIST once, builds and trains a network
// and reports through queued signals. Only this object ever touches the live network. A run may
// add extra training images (the user's "my digits") to the data set's training split.
#pragma once

#include <memory>
#include <optional>
#include <stop_token>
#include <string>

#include <QObject>
#include <QString>

#include "lenet/data/idx.h"
#include "lenet/spec.h"
#include "lenet/trainer.h"
#include "ui/training_types.h"

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
    /// one finished(), diverged() or failed().
    void run(const TrainingRequest& request);

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
    void failed(const QString& message);

private:
    /// Loads the train and test splits of `dir` unless they are cached already.
    void loadData(const std::string& dir);

    std::string m_dataDir;
    std::optional<lenet::Dataset> m_train;
    std::optional<lenet::Dataset> m_test;
};

}  // namespace lenet::ui
