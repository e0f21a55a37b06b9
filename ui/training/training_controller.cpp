// TrainingController: owns the training thread and its worker; all calls come from the GUI
// thread, all results come back as queued calls that emit the controller's signals. Pause, step and
// the learning rate go through a lenet::TrainingControl shared with the trainer, whose calls never
// block.
#include "ui/training/training_controller.h"

#include <utility>

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include "lenet/data/idx.h"
#include "ui/training/training_worker.h"

namespace lenet::ui {

TrainingController::TrainingController(QObject* parent)
    : QObject(parent),
      m_worker(std::make_unique<TrainingWorker>(m_thread, *this)),  // m_thread is used by runs only
      m_control(std::make_shared<lenet::TrainingControl>()),
      m_dataDir(QString::fromStdString(lenet::defaultDataDir())) {
    registerTrainingTypes();
    connect(this, &TrainingController::finished, this, &TrainingController::markEnded);
    connect(this, &TrainingController::diverged, this, &TrainingController::markEnded);
    connect(this, &TrainingController::failed, this, &TrainingController::markEnded);
}

TrainingController::~TrainingController() = default;  // m_thread stops and joins the run first

QString TrainingController::checkpointDir() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/checkpoints");
}

void TrainingController::pruneCheckpoints(const QString& dir, int keep) {
    const QFileInfoList files =
        QDir(dir).entryInfoList({QStringLiteral("*.ckpt")}, QDir::Files, QDir::Time);
    // Newest first. A file that cannot be removed stays: the next run tries again.
    for (qsizetype i = keep; i < files.size(); ++i) QFile::remove(files[i].absoluteFilePath());
}

QString TrainingController::newCheckpointPath(const std::string& name) {
    QString base = QString::fromStdString(name);
    // Only characters that every file system takes; an edited spec's name may hold any.
    for (QChar& c : base) {
        if (!c.isLetterOrNumber() && c != QLatin1Char('-') && c != QLatin1Char('.')) {
            c = QLatin1Char('_');
        }
    }
    if (base.isEmpty()) base = QStringLiteral("run");
    const QString dir = checkpointDir();
    QDir().mkpath(dir);  // when it fails, the first checkpoint's write says so and stops the run
    pruneCheckpoints(dir, kKeptCheckpoints - 1);
    base = QStringLiteral("%1/%2-%3")
               .arg(dir, base,
                    QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
    QString path = base + QStringLiteral(".ckpt");
    for (int n = 2; QFileInfo::exists(path); ++n)
        path = QStringLiteral("%1-%2.ckpt").arg(base).arg(n);
    return path;
}

bool TrainingController::start(const lenet::ArchitectureSpec& spec, bool paused,
                               std::shared_ptr<const lenet::Dataset> extraTrain) {
    if (m_running) return false;
    TrainingRequest request;
    request.spec = spec;
    request.extraTrain = std::move(extraTrain);
    request.checkpointPath = newCheckpointPath(spec.name).toStdString();
    launch(std::move(request), paused);
    return true;
}

bool TrainingController::resumeFrom(const QString& path, int extendTo) {
    if (m_running) return false;
    TrainingRequest request;
    request.resumeFrom = path.toStdString();
    request.checkpointPath = request.resumeFrom;
    request.extendTo = extendTo;
    launch(std::move(request), false);
    return true;
}

void TrainingController::launch(TrainingRequest request, bool paused) {
    m_control = std::make_shared<lenet::TrainingControl>();
    if (paused) m_control->pause();
    request.dataDir = m_dataDir.toStdString();
    request.control = m_control;
    request.layerStats = m_layerStats;
    m_checkpointPath = QString::fromStdString(request.checkpointPath);
    m_running = true;
    m_thread.start(
        [worker = m_worker.get(), request = std::move(request)](std::stop_token stop) mutable {
            request.stop = std::move(stop);
            worker->run(request);
        });
    Q_EMIT started();
    if (paused) Q_EMIT pausedChanged(true);
}

void TrainingController::stop() {
    if (m_running) m_thread.requestStop();
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

}  // namespace lenet::ui
