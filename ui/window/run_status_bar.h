// The status bar of a training run: on the right the network the views use, the epoch and batch,
// speed, elapsed time, time left, last test error and progress bars for the epoch and the whole
// run; on the left messages and errors (an error stays until the next message, with the whole text
// as tool tip).
#pragma once

#include <QStatusBar>

#include "lenet/trainer.h"

class QLabel;
class QProgressBar;
class QResizeEvent;

namespace lenet::ui {

class RunStatusBar : public QStatusBar {
    Q_OBJECT

public:
    explicit RunStatusBar(QWidget* parent = nullptr);

    /// Resets the read-outs for a run of `epochs` epochs.
    void runStarted(int epochs);
    void showProgress(const lenet::Progress& progress);
    void showEpoch(const lenet::EpochMetrics& metrics);
    /// Freezes the read-outs and shows `text` (how the run ended).
    void runEnded(const QString& text);
    /// Shows the first line of `message` in red until the next message; the whole message is
    /// the tool tip.
    void showError(const QString& message);
    /// Shows `text` until the next message.
    void showStatus(const QString& text);
    /// The message shown now (the first line of an error).
    QString message() const;
    /// Whether the message shown is an error.
    bool showsError() const { return m_error; }
    /// Names the network the inspection views use ("bundled model (lenet5-1998)").
    void showNetwork(const QString& name);
    /// The network named by showNetwork().
    QString network() const;
    /// Shows or hides the "Paused" read-out.
    void showPaused(bool paused);
    /// Notes the worst event-loop delay of the run in the speed read-out's tool tip.
    void showLatency(double worstMs);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    /// Shows m_text in the message label, elided in the middle when it does not fit.
    void elideMessage();
    /// Hides the read-outs that say least (elapsed, epoch progress, speed, ETA, in that order)
    /// while the message would get less than room for a sentence, and shows them again when the
    /// bar is wide enough; the network, epoch, test error and run progress always show.
    void fitReadouts();

    QLabel* m_network;
    QLabel* m_paused;
    QLabel* m_epoch;
    QLabel* m_speed;
    QLabel* m_elapsed;
    QLabel* m_eta;
    QLabel* m_testError;
    QProgressBar* m_epochProgress;
    QProgressBar* m_runProgress;
    QLabel* m_message;
    QString m_text;  // the message, whole (the label may show it elided)
    int m_epochs = 0;
    bool m_error = false;
};

}  // namespace lenet::ui
