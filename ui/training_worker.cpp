// The training thread's side: data cache, network, Trainer, and observer calls turned into
// queued signals carrying values.
#include "ui/training_worker.h"

#include <exception>
#include <memory>

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

void TrainingWorker::run(const TrainingRequest& request) {
    try {
        loadData(request.dataDir);
        lenet::Network net(request.spec);
        net.initialize(request.spec.training.seed);
        lenet::Trainer trainer(net, *m_train, &*m_test, request.spec.training);
        Q_EMIT statusChanged(tr("Training %1…").arg(fromStd(request.spec.name)));
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
