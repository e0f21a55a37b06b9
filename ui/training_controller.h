// Runs training on a thread it owns and relays the worker's reports to the GUI thread.
// The GUI asks for runs with start(), stops them with stop(), and receives only values.
#pragma once

#include <stop_token>

#include <QObject>
#include <QString>
#include <QThread>

#include "lenet/spec.h"
#include "ui/training_types.h"

namespace lenet::ui {

class TrainingWorker;

class TrainingController : public QObject {
    Q_OBJECT

public:
    explicit TrainingController(QObject* parent = nullptr);
    /// Requests a stop, ends the thread and waits for it (the run stops at the next batch).
    ~TrainingController() override;

    /// The IDX folder runs read; lenet::defaultDataDir() unless set.
    QString dataDir() const { return m_dataDir; }
    void setDataDir(const QString& dir) { m_dataDir = dir; }

    /// Starts training `spec` (with its spec.training settings) on the training thread.
    /// Returns false, and does nothing, while a run is in progress.
    bool start(const lenet::ArchitectureSpec& spec);
    /// Asks the run to stop after the current batch; finished() follows.
    void stop();
    bool isRunning() const { return m_running; }

Q_SIGNALS:
    void started();
    void statusChanged(const QString& text);
    void progressed(const lenet::Progress& progress);
    void epochFinished(const lenet::EpochMetrics& metrics);
    /// The run ended (all epochs, stopped or early stopping): its epochs and a copy of the
    /// trained network. `stopReason` is empty when every epoch ran.
    void finished(const lenet::ui::EpochHistory& history, const lenet::ui::NetworkSnapshot& network,
                  const QString& stopReason);
    /// Training diverged (NaN/Inf or an exploding loss): the epochs before it, the last good
    /// weights, and a message that names the epoch and batch.
    void diverged(const lenet::ui::EpochHistory& history, const lenet::ui::NetworkSnapshot& network,
                  const QString& message);
    void failed(const QString& message);

private:
    void handleFinished(const EpochHistory& history, const NetworkSnapshot& network,
                        const QString& stopReason);
    void handleDiverged(const EpochHistory& history, const NetworkSnapshot& network,
                        const QString& message);
    void handleFailed(const QString& message);

    QThread m_thread;
    TrainingWorker* m_worker;  // lives on m_thread, deleted when the thread finishes
    std::stop_source m_stopSource;
    QString m_dataDir;
    bool m_running = false;
};

}  // namespace lenet::ui
