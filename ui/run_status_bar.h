// The status bar of a training run: overall progress, speed, time left, epoch and the last
// test error on the right; messages and errors on the left.
#pragma once

#include <QStatusBar>

#include "lenet/trainer.h"

class QLabel;
class QProgressBar;

namespace lenet::ui {

class RunStatusBar : public QStatusBar {
    Q_OBJECT

public:
    explicit RunStatusBar(QWidget* parent = nullptr);

    void runStarted(int epochs);
    void showProgress(const lenet::Progress& progress);
    void showEpoch(const lenet::EpochMetrics& metrics);
    /// Freezes the read-outs and shows `text` (how the run ended).
    void runEnded(const QString& text);
    /// Shows the first line of `message` in red until the next message.
    void showError(const QString& message);
    /// Shows `text` until the next message.
    void showStatus(const QString& text);

private:
    QProgressBar* m_progress;
    QLabel* m_speed;
    QLabel* m_eta;
    QLabel* m_epoch;
    QLabel* m_testError;
    QLabel* m_message;
    int m_epochs = 0;
};

}  // namespace lenet::ui
