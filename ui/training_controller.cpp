// TrainingController: owns the training thread and its worker; all calls come from the GUI
// thread, all results come back by queued signal. Pause, step and the learning rate go through
// a lenet::TrainingControl shared with the trainer, whose calls never block.
#include "ui/training_controller.h"

#include "lenet/data/idx.h"
#include "ui/training_worker.h"

namespace lenet::ui {

TrainingController::TrainingController(QObject* parent)
    : QObject(parent),
      m_worker(new TrainingWorker),
      m_control(std::make_shared<lenet::TrainingControl>()),
      m_dataDir(QString::fromStdString(lenet::defaultDataDir())) {
    registerTrainingTypes();
    m_thread.setObjectName(QStringLiteral("training"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &TrainingWorker::statusChanged, this, &TrainingController::statusChanged);
    connect(m_worker, &TrainingWorker::progressed, this, &TrainingController::progressed);
    connect(m_worker, &TrainingWorker::networkUpdated, this, &TrainingController::networkUpdated);
    connect(m_worker, &TrainingWorker::epochFinished, this, &TrainingController::epochFinished);
    connect(m_worker, &TrainingWorker::finished, this, &TrainingController::handleFinished);
    connect(m_worker, &TrainingWorker::diverged, this, &TrainingController::handleDiverged);
    connect(m_worker, &TrainingWorker::failed, this, &TrainingController::handleFailed);
    m_thread.start();
}

TrainingController::~TrainingController() {
    m_stopSource.request_stop();
    m_thread.quit();
    m_thread.wait();
}

bool TrainingController::start(const lenet::ArchitectureSpec& spec, bool paused,
                               std::shared_ptr<const lenet::Dataset> extraTrain) {
    if (m_running) return false;
    m_stopSource = std::stop_source();
    m_control = std::make_shared<lenet::TrainingControl>();
    if (paused) m_control->pause();
    TrainingRequest request{spec, m_dataDir.toStdString(), m_stopSource.get_token(), m_control,
                            std::move(extraTrain)};
    m_running = true;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, request = std::move(request)] { worker->run(request); },
        Qt::QueuedConnection);
    Q_EMIT started();
    if (paused) Q_EMIT pausedChanged(true);
    return true;
}

void TrainingController::stop() {
    if (m_running) m_stopSource.request_stop();
}

void TrainingController::pause() {
    if (!m_running || m_control->isPaused()) return;
    m_control->pause();
    Q_EMIT pausedChanged(true);
}

void TrainingController::resume() {
    if (!m_running || !m_control->isPaused()) return;
    m_control->resume();
    Q_EMIT pausedChanged(false);
}

void TrainingController::step() {
    if (!m_running) return;
    const bool wasPaused = m_control->isPaused();
    m_control->step();
    if (!wasPaused) Q_EMIT pausedChanged(true);
}

void TrainingController::setLearningRate(double rate) {
    if (m_running && rate > 0) m_control->setLearningRate(float(rate));
}

void TrainingController::markEnded() {
    const bool wasPaused = isPaused();
    m_running = false;
    if (wasPaused) Q_EMIT pausedChanged(false);
}

void TrainingController::handleFinished(const EpochHistory& history, const NetworkSnapshot& network,
                                        const QString& stopReason) {
    markEnded();
    Q_EMIT finished(history, network, stopReason);
}

void TrainingController::handleDiverged(const EpochHistory& history, const NetworkSnapshot& network,
                                        const QString& message) {
    markEnded();
    Q_EMIT diverged(history, network, message);
}

void TrainingController::handleFailed(const QString& message) {
    markEnded();
    Q_EMIT failed(message);
}

}  // namespace lenet::ui
