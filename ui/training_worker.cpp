// The training thread's side: data cache, network, Trainer, and observer calls turned into
// queued signals carrying values.
#include "ui/training_worker.h"

#include <algorithm>
#include <exception>
#include <memory>
#include <optional>

#include "lenet/error.h"
#include "lenet/network.h"
#include "lenet/trainer.h"

namespace lenet::ui {
namespace {

QString fromStd(const std::string& text) {
    return QString::fromStdString(text);
}

/// Forwards the trainer's reports as the worker's signals (queued to the GUI thread). The
/// trainer calls it between batches, so copying the live network here is safe.
class SignalObserver : public lenet::TrainingObserver {
public:
    SignalObserver(TrainingWorker& worker, const lenet::Network& net)
        : m_worker(worker), m_net(net) {}

    void onProgress(const lenet::Progress& progress) override {
        Q_EMIT m_worker.progressed(progress);
        Q_EMIT m_worker.networkUpdated(std::make_shared<const lenet::Network>(m_net));
    }
    void onEpoch(const lenet::EpochMetrics& metrics, const lenet::Network&) override {
        m_history.push_back(metrics);
        Q_EMIT m_worker.epochFinished(metrics);
    }
    void onMessage(const std::string& text) override {
        Q_EMIT m_worker.statusChanged(fromStd(text));
    }

    const EpochHistory& history() const { return m_history; }

private:
    TrainingWorker& m_worker;
    const lenet::Network& m_net;
    EpochHistory m_history;
};

}  // namespace

lenet::Dataset withExtraTrainingImages(const lenet::Dataset& train, const lenet::Dataset& extra,
                                       int trainLimit) {
    if (extra.rows != train.rows || extra.cols != train.cols)
        throw lenet::ConfigError(
            "the extra training images (" + extra.source + ") are " + std::to_string(extra.rows) +
            "x" + std::to_string(extra.cols) + " but the training set (" + train.source +
            ") holds " + std::to_string(train.rows) + "x" + std::to_string(train.cols) + " images");
    const int taken = trainLimit > 0 ? std::min(trainLimit, train.size()) : train.size();
    lenet::Dataset out;
    out.rows = train.rows;
    out.cols = train.cols;
    out.classes = std::max(train.classes, extra.classes);
    out.source = train.source + " + " + extra.source;
    out.images.reserve(extra.images.size() + std::size_t(taken) * train.rows * train.cols);
    out.images.assign(extra.images.begin(), extra.images.end());
    out.images.insert(out.images.end(), train.images.begin(),
                      train.images.begin() + std::ptrdiff_t(taken) * train.rows * train.cols);
    out.labels = extra.labels;
    out.labels.insert(out.labels.end(), train.labels.begin(), train.labels.begin() + taken);
    return out;
}

void TrainingWorker::run(const TrainingRequest& request) {
    try {
        loadData(request.dataDir);
        lenet::TrainingConfig config = request.spec.training;
        std::optional<lenet::Dataset> combined;
        if (request.extraTrain && request.extraTrain->size() > 0) {
            combined = withExtraTrainingImages(*m_train, *request.extraTrain, config.trainLimit);
            config.trainLimit = 0;
        }
        lenet::Network net(request.spec);
        net.initialize(request.spec.training.seed);
        lenet::Trainer trainer(net, combined ? *combined : *m_train, &*m_test, config);
        Q_EMIT statusChanged(combined ? tr("Training %1 with %2 of my digits…")
                                            .arg(fromStd(request.spec.name))
                                            .arg(request.extraTrain->size())
                                      : tr("Training %1…").arg(fromStd(request.spec.name)));
        SignalObserver observer(*this, net);
        try {
            const lenet::TrainResult result =
                trainer.run(observer, request.stop, request.control.get());
            Q_EMIT finished(result.history, std::make_shared<const lenet::Network>(net),
                            fromStd(result.stopReason));
        } catch (const lenet::DivergenceError& e) {
            // The trainer has put the last good weights back: keep them, they can be saved.
            Q_EMIT diverged(observer.history(), std::make_shared<const lenet::Network>(net),
                            fromStd(e.what()));
        }
    } catch (const std::exception& e) {
        Q_EMIT failed(fromStd(e.what()));
    } catch (...) {
        Q_EMIT failed(tr("Training failed with an unknown error."));
    }
}

void TrainingWorker::loadData(const std::string& dir) {
    if (m_train && m_test && m_dataDir == dir) return;
    m_train.reset();
    m_test.reset();
    Q_EMIT statusChanged(tr("Loading the data set in %1…").arg(fromStd(dir)));
    try {
        m_train = lenet::loadSplit(dir, lenet::Split::Train);
        m_test = lenet::loadSplit(dir, lenet::Split::Test);
    } catch (const lenet::IoError& e) {
        m_train.reset();
        throw lenet::IoError(
            tr("No training data in %1: run scripts/setup.sh --no-run to fetch MNIST, or choose "
               "a folder of IDX files with File > Open data set.\n\n%2\n\nBy default the studio "
               "reads $LENET_DATA, else the first of ./data/mnist, the source tree's data/mnist "
               "and ~/.local/share/lenet-studio/mnist that holds IDX files.")
                .arg(fromStd(dir), fromStd(e.what()))
                .toStdString());
    }
    m_dataDir = dir;
}

}  // namespace lenet::ui
