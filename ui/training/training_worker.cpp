// The training thread's side: data cache, network, Trainer, checkpoints, and observer calls
// turned into the controller's signals, emitted on the GUI thread with copies of the values.
#include "ui/training/training_worker.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "lenet/checkpoint.h"
#include "lenet/error.h"
#include "lenet/evaluate.h"
#include "lenet/layer_stats.h"
#include "lenet/network.h"
#include "lenet/trainer.h"
#include "ui/training/background_thread.h"
#include "ui/training/training_controller.h"

namespace lenet::ui {
namespace {

/// Joins the sources of the data set and the extra images in a combined set's source.
constexpr const char* kExtraSourceSeparator = " + ";

QString fromStd(const std::string& text) {
    return QString::fromStdString(text);
}

/// Emits `signal` of `reports` with copies of `args` on the GUI thread (posted through `thread`,
/// the run's): how the training thread reports.
template <typename... Params, typename... Args>
void report(BackgroundThread& thread, TrainingController& reports,
            void (TrainingController::*signal)(Params...), Args&&... args) {
    thread.post(
        [to = &reports, signal, ... values = std::decay_t<Params>(std::forward<Args>(args))] {
            (to->*signal)(values...);
        });
}

/// Forwards the trainer's reports as the controller's signals (emitted on the GUI thread). The
/// trainer calls it between batches, so copying the live network here is safe. At the first
/// epoch end it says where the run's checkpoint goes (when it writes one). Switches the run's
/// layer statistics on and off as the request's flag says, and sends copies of them.
class SignalObserver : public lenet::TrainingObserver {
public:
    /// `history`: the epochs done before this run (a resumed run's).
    SignalObserver(BackgroundThread& thread, TrainingController& reports, const lenet::Network& net,
                   std::string checkpointPath, EpochHistory history,
                   lenet::LayerStatsRecorder& stats,
                   std::shared_ptr<const std::atomic<bool>> wanted)
        : m_thread(thread),
          m_reports(reports),
          m_net(net),
          m_checkpointPath(std::move(checkpointPath)),
          m_history(std::move(history)),
          m_stats(stats),
          m_statsWanted(std::move(wanted)) {
        m_stats.setEnabled(m_statsWanted && *m_statsWanted);
    }

    void onProgress(const lenet::Progress& progress) override {
        report(m_thread, m_reports, &TrainingController::progressed, progress);
        report(m_thread, m_reports, &TrainingController::networkUpdated,
               std::make_shared<const lenet::Network>(m_net));
        m_stats.setEnabled(m_statsWanted && *m_statsWanted);
        const auto now = std::chrono::steady_clock::now();
        if (m_stats.enabled() &&
            now - m_statsSent > std::chrono::duration<double>(kLayerStatsInterval))
            sendStats();
    }
    void onEpoch(const lenet::EpochMetrics& metrics, const lenet::Network&) override {
        m_history.push_back(metrics);
        if (m_stats.enabled()) sendStats();
        report(m_thread, m_reports, &TrainingController::epochFinished, metrics);
        if (!m_checkpointPath.empty() && !std::exchange(m_checkpointNamed, true)) {
            report(m_thread, m_reports, &TrainingController::statusChanged,
                   TrainingWorker::tr("Epoch %1 done. Checkpoint (rewritten after every epoch): %2")
                       .arg(metrics.epoch)
                       .arg(fromStd(m_checkpointPath)));
        }
    }
    void onMessage(const std::string& text) override {
        report(m_thread, m_reports, &TrainingController::statusChanged, fromStd(text));
    }

    /// Every epoch of the run, those before a resume included.
    const EpochHistory& history() const { return m_history; }

private:
    BackgroundThread& m_thread;
    TrainingController& m_reports;
    const lenet::Network& m_net;
    std::string m_checkpointPath;
    bool m_checkpointNamed = false;
    EpochHistory m_history;
    lenet::LayerStatsRecorder& m_stats;
    std::shared_ptr<const std::atomic<bool>> m_statsWanted;
    std::chrono::steady_clock::time_point m_statsSent;
    std::size_t m_pointsSent = 0;

    /// A copy of the statistics, unless nothing was added since the last one.
    void sendStats() {
        const lenet::LayerStatsHistory& h = m_stats.history();
        const std::size_t items = h.points.size() + h.epochs.size();
        if (items == m_pointsSent) return;
        m_pointsSent = items;
        m_statsSent = std::chrono::steady_clock::now();
        report(m_thread, m_reports, &TrainingController::layerStatsUpdated,
               std::make_shared<const lenet::LayerStatsHistory>(h));
    }
};

/// True when `data` holds the images and labels `saved` describes, wherever it was loaded from.
bool holdsData(const lenet::DataIdentity& saved, const lenet::Dataset& data) {
    lenet::DataIdentity given = lenet::identify(data);
    given.source = saved.source;
    return given == saved;
}

/// Which data the checkpoint's run was trained on, and what to do about it, for a resume that
/// the trainer refused because the data set differs.
QString dataMismatchHint(const lenet::Checkpoint& checkpoint, const std::string& dataDir) {
    const std::string& source = checkpoint.train.source;
    const auto separator = source.find(kExtraSourceSeparator);
    const QString folder =
        fromStd(std::filesystem::path(source.substr(0, separator)).parent_path().string());
    if (separator != std::string::npos) {
        return TrainingWorker::tr(
                   "The run trained on my digits besides the data in %1. The studio resumes runs "
                   "on a data set alone, so this run cannot be resumed.")
            .arg(folder);
    }
    return TrainingWorker::tr(
               "The checkpoint was trained on the data in %1; the studio reads %2. Choose the "
               "checkpoint's folder with File > Open data set, then resume again.")
        .arg(folder, fromStd(dataDir));
}

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
    out.source = train.source + kExtraSourceSeparator + extra.source;
    out.images.reserve(extra.images.size() + std::size_t(taken) * train.rows * train.cols);
    out.images.assign(extra.images.begin(), extra.images.end());
    out.images.insert(out.images.end(), train.images.begin(),
                      train.images.begin() + std::ptrdiff_t(taken) * train.rows * train.cols);
    out.labels = extra.labels;
    out.labels.insert(out.labels.end(), train.labels.begin(), train.labels.begin() + taken);
    return out;
}

TrainingWorker::TrainingWorker(BackgroundThread& thread, TrainingController& reports)
    : m_thread(thread), m_reports(reports) {}

void TrainingWorker::run(const TrainingRequest& request) {
    try {
        if (request.resumeFrom.empty()) {
            startRun(request);
        } else {
            resumeRun(request);
        }
    } catch (const std::exception& e) {
        report(m_thread, m_reports, &TrainingController::failed, fromStd(e.what()), EpochHistory{},
               nullptr);
    } catch (...) {
        report(m_thread, m_reports, &TrainingController::failed,
               tr("Training failed with an unknown error."), EpochHistory{}, nullptr);
    }
}

void TrainingWorker::startRun(const TrainingRequest& request) {
    loadData(request.dataDir);
    lenet::TrainingConfig config = request.spec.training;
    std::optional<lenet::Dataset> combined;
    if (request.extraTrain && request.extraTrain->size() > 0) {
        combined = withExtraTrainingImages(*m_train, *request.extraTrain, config.trainLimit);
        config.trainLimit = 0;
    }
    lenet::Network net(request.spec);
    net.initialize(request.spec.training.seed);
    const lenet::Dataset& data = combined ? *combined : *m_train;
    lenet::checkClassNames(data.classNames, net.classes(), request.dataDir + "/classes.txt");
    net.setClassNames(data.classNames);
    lenet::Trainer trainer(net, data, &*m_test, config);
    report(m_thread, m_reports, &TrainingController::statusChanged,
           combined ? tr("Training %1 with %2 of my digits…")
                          .arg(fromStd(request.spec.name))
                          .arg(request.extraTrain->size())
                    : tr("Training %1…").arg(fromStd(request.spec.name)));
    if (!request.checkpointPath.empty())
        trainer.saveState =
            lenet::checkpointWriter(request.checkpointPath, net, config, data, &*m_test);
    train(trainer, net, request, {});
}

void TrainingWorker::resumeRun(const TrainingRequest& request) {
    report(m_thread, m_reports, &TrainingController::statusChanged,
           tr("Loading the checkpoint %1…").arg(fromStd(request.resumeFrom)));
    const lenet::Checkpoint checkpoint = lenet::loadCheckpoint(request.resumeFrom);
    loadData(request.dataDir);
    lenet::TrainingConfig config = checkpoint.config;
    const int done = checkpoint.state.epochsDone;
    if (done >= config.epochs && checkpoint.state.stopReason.empty()) {
        if (request.extendTo <= done) {
            throw lenet::ConfigError(
                (done == 1 ? tr("The run has done its only epoch.")
                           : tr("The run has done all of its %1 epochs.").arg(done))
                    .append(tr(" To train it further, set more epochs in the Training panel and "
                               "resume again."))
                    .toStdString());
        }
        config.epochs = request.extendTo;
    }
    lenet::Network net = checkpoint.network;
    lenet::Trainer trainer(net, *m_train, &*m_test, config);
    try {
        trainer.resume(checkpoint);
    } catch (const lenet::ConfigError& e) {
        const bool sameData = holdsData(checkpoint.train, *m_train) &&
                              (!checkpoint.test || holdsData(*checkpoint.test, *m_test));
        if (sameData) throw;
        throw lenet::ConfigError(std::string(e.what()) + "\n\n" +
                                 dataMismatchHint(checkpoint, request.dataDir).toStdString());
    }
    lenet::ArchitectureSpec spec = net.spec();
    spec.training = config;
    report(m_thread, m_reports, &TrainingController::resumed,
           ResumedRun{spec, checkpoint.state.history, std::make_shared<const lenet::Network>(net)});
    report(m_thread, m_reports, &TrainingController::statusChanged,
           tr("Resuming %1 after epoch %2 of %3…")
               .arg(fromStd(spec.name))
               .arg(done)
               .arg(config.epochs));
    if (!request.checkpointPath.empty())
        trainer.saveState =
            lenet::checkpointWriter(request.checkpointPath, net, config, *m_train, &*m_test);
    train(trainer, net, request, checkpoint.state.history);
}

void TrainingWorker::train(lenet::Trainer& trainer, lenet::Network& net,
                           const TrainingRequest& request, EpochHistory before) {
    lenet::LayerStatsRecorder stats(net);
    trainer.layerStats = &stats;
    SignalObserver observer(m_thread, m_reports, net, request.checkpointPath, std::move(before),
                            stats, request.layerStats);
    try {
        const lenet::TrainResult result =
            trainer.run(observer, request.stop, request.control.get());
        // A run the user stopped (or the window closing) ends at once: classifying the whole
        // test set again would hold up Stop and the window's closing (seconds under sanitizers),
        // so its network stays uncalibrated until it is saved and opened, or `lenet calibrate`.
        if (!result.history.empty() && m_test->size() > 0 && !request.stop.stop_requested())
            net.setCalibration(lenet::calibrate(net, *m_test, 0));
        report(m_thread, m_reports, &TrainingController::finished, result.history,
               std::make_shared<const lenet::Network>(net), fromStd(result.stopReason));
    } catch (const lenet::DivergenceError& e) {
        // The trainer has put the last good weights back: keep them, they can be saved.
        report(m_thread, m_reports, &TrainingController::diverged, observer.history(),
               std::make_shared<const lenet::Network>(net), fromStd(e.what()));
    } catch (const lenet::IoError& e) {
        // Only the checkpoint is written during a run; the network holds the epoch's weights.
        report(m_thread, m_reports, &TrainingController::failed,
               tr("Checkpoint not written: stopped after epoch %1, weights kept.\n\nThe "
                  "run's weights stay loaded: save them with File > Save model.\n\n%2")
                   .arg(observer.history().empty() ? 0 : observer.history().back().epoch)
                   .arg(fromStd(e.what())),
               observer.history(), std::make_shared<const lenet::Network>(net));
    }
}

void TrainingWorker::loadData(const std::string& dir) {
    if (m_train && m_test && m_dataDir == dir) return;
    m_train.reset();
    m_test.reset();
    report(m_thread, m_reports, &TrainingController::statusChanged,
           tr("Loading the data set in %1…").arg(fromStd(dir)));
    try {
        m_train = lenet::loadSplit(dir, lenet::Split::Train);
        m_test = lenet::loadSplit(dir, lenet::Split::Test);
    } catch (const lenet::IoError& e) {
        m_train.reset();
        throw lenet::IoError(
            tr("No training data in %1: fetch MNIST with File > Fetch MNIST (or `lenet data "
               "fetch`), or choose a folder of IDX files with File > Open data set.\n\n%2\n\nBy "
               "default the studio reads $LENET_DATA, else the first of ./data/mnist, the source "
               "tree's data/mnist and ~/.local/share/lenet-studio/mnist ($XDG_DATA_HOME/"
               "lenet-studio/mnist when that is set) that holds IDX files.")
                .arg(fromStd(dir), fromStd(e.what()))
                .toStdString());
    }
    m_dataDir = dir;
}

}  // namespace lenet::ui
