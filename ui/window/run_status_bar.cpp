// RunStatusBar: read-outs formatted from progress snapshots and epoch metrics.
#include "ui/window/run_status_bar.h"

#include <algorithm>
#include <cmath>

#include <QEvent>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>

namespace lenet::ui {
namespace {

constexpr int kProgressSteps = 1000;

QString duration(double seconds) {
    const long long s = std::llround(std::max(0.0, seconds));
    if (s >= 3600) {
        return QStringLiteral("%1:%2:%3")
            .arg(s / 3600)
            .arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
            .arg(s % 60, 2, 10, QLatin1Char('0'));
    }
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

/// A centred label at least as wide as `widest`, so that the bar does not jump as it changes.
QLabel* makeReadout(const char* objectName, const QString& widest, const QString& toolTip) {
    auto* label = new QLabel;
    label->setObjectName(QString::fromLatin1(objectName));
    label->setToolTip(toolTip);
    label->setMinimumWidth(label->fontMetrics().horizontalAdvance(widest) + 8);
    label->setAlignment(Qt::AlignCenter);
    return label;
}

QProgressBar* makeBar(const char* objectName, const QString& format, const QString& toolTip) {
    auto* bar = new QProgressBar;
    bar->setObjectName(QString::fromLatin1(objectName));
    bar->setRange(0, kProgressSteps);
    bar->setValue(0);
    bar->setFormat(format);
    bar->setToolTip(toolTip);
    bar->setFixedWidth(90);
    return bar;
}

int steps(double fraction) {
    return int(std::lround(std::clamp(fraction, 0.0, 1.0) * kProgressSteps));
}

}  // namespace

RunStatusBar::RunStatusBar(QWidget* parent)
    : QStatusBar(parent),
      m_network(makeReadout("networkReadout", {},
                            tr("The network the inspection views (canvas, feature maps, gallery, "
                               "confusion matrix…) use"))),
      m_paused(new QLabel(tr("Paused"))),
      m_epoch(makeReadout("epochReadout", tr("epoch 20/20 · batch 60,000/60,000"),
                          tr("Current epoch and the batches done in it"))),
      m_speed(makeReadout("speedReadout", tr("00,000 img/s"),
                          tr("Training speed in images per second"))),
      m_elapsed(makeReadout("elapsedReadout", tr("elapsed 00:00"),
                            tr("Training time so far (pauses and evaluations excluded)"))),
      m_eta(makeReadout("etaReadout", tr("ETA 00:00"),
                        tr("Time left for the training epochs (test evaluations excluded)"))),
      m_testError(makeReadout("testErrorReadout", tr("test error 00.00 %"),
                              tr("Test error after the last finished epoch"))),
      m_epochProgress(makeBar("epochProgress", tr("epoch %p%"), tr("Progress of this epoch"))),
      m_runProgress(makeBar("runProgress", tr("run %p%"), tr("Progress of the whole run"))),
      m_message(new QLabel) {
    m_message->setObjectName(QStringLiteral("statusMessage"));
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // long text elides
    m_message->installEventFilter(this);
    addWidget(m_message, 1);
    m_paused->setObjectName(QStringLiteral("pausedReadout"));
    m_paused->setToolTip(tr("The run waits: Space resumes, F10 trains one more batch, Esc stops"));
    m_paused->setStyleSheet(QStringLiteral("font-weight: bold;"));
    m_paused->hide();
    for (QWidget* w :
         std::initializer_list<QWidget*>{m_network, m_paused, m_epoch, m_speed, m_elapsed, m_eta,
                                         m_testError, m_epochProgress, m_runProgress}) {
        addPermanentWidget(w);
    }
    runStarted(0);
    showStatus(tr("Ready: choose an architecture and press Train (Space)"));
}

void RunStatusBar::runStarted(int epochs) {
    m_epochs = epochs;
    m_epochProgress->setValue(0);
    m_runProgress->setValue(0);
    m_epoch->setText(epochs > 0 ? tr("epoch 0/%1").arg(epochs) : tr("epoch —"));
    m_speed->setText(tr("— img/s"));
    m_elapsed->setText(tr("elapsed —"));
    m_eta->setText(tr("ETA —"));
    m_testError->setText(tr("test error —"));
}

void RunStatusBar::showProgress(const lenet::Progress& p) {
    const double epochDone = p.batches > 0 ? double(p.batch) / p.batches : 0.0;
    m_epochProgress->setValue(steps(epochDone));
    if (p.epochs > 0) m_runProgress->setValue(steps((p.epoch - 1 + epochDone) / p.epochs));
    const QLocale locale;
    m_epoch->setText(tr("epoch %1/%2 · batch %3/%4")
                         .arg(p.epoch)
                         .arg(p.epochs)
                         .arg(locale.toString(p.batch), locale.toString(p.batches)));
    m_speed->setText(tr("%1 img/s").arg(locale.toString(std::lround(p.imagesPerSecond))));
    m_elapsed->setText(tr("elapsed %1").arg(duration(p.elapsed)));
    m_eta->setText(tr("ETA %1").arg(duration(p.eta)));
}

void RunStatusBar::showEpoch(const lenet::EpochMetrics& m) {
    if (m_epochs > 0) m_epoch->setText(tr("epoch %1/%2").arg(m.epoch).arg(m_epochs));
    if (m.testError >= 0) {
        m_testError->setText(tr("test error %1 %").arg(100.0 * m.testError, 0, 'f', 2));
    }
    if (m_epochs > 0) m_runProgress->setValue(steps(double(m.epoch) / m_epochs));
}

void RunStatusBar::runEnded(const QString& text) {
    m_eta->setText(tr("ETA —"));
    showStatus(text);
}

void RunStatusBar::showError(const QString& message) {
    m_error = true;
    m_message->setStyleSheet(QStringLiteral("color: #c62828; font-weight: bold;"));
    m_text = message.section(QLatin1Char('\n'), 0, 0);
    m_message->setToolTip(message);
    elideMessage();
}

void RunStatusBar::showStatus(const QString& text) {
    m_error = false;
    m_message->setStyleSheet({});
    m_text = text;
    m_message->setToolTip(text);
    elideMessage();
}

QString RunStatusBar::message() const {
    return m_text;
}

void RunStatusBar::showPaused(bool paused) {
    m_paused->setVisible(paused);
    fitReadouts();
}

bool RunStatusBar::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_message && event->type() == QEvent::Resize) elideMessage();
    return QStatusBar::eventFilter(watched, event);
}

void RunStatusBar::resizeEvent(QResizeEvent* event) {
    fitReadouts();
    QStatusBar::resizeEvent(event);
}

void RunStatusBar::fitReadouts() {
    const int sentence = m_message->fontMetrics().horizontalAdvance(QLatin1Char('x')) * 40;
    const std::initializer_list<QWidget*> optional{m_elapsed, m_epochProgress, m_speed, m_eta};
    int needed = sentence;
    for (QWidget* w : std::initializer_list<QWidget*>{m_network, m_paused, m_epoch, m_testError,
                                                      m_runProgress}) {
        if (w->isVisibleTo(this)) needed += w->sizeHint().width() + 8;
    }
    for (QWidget* w : optional) needed += w->sizeHint().width() + 8;
    for (QWidget* w : optional) {
        w->setVisible(needed <= width());
        if (needed > width()) needed -= w->sizeHint().width() + 8;
    }
}

void RunStatusBar::elideMessage() {
    // In the middle, so that a path keeps its file name (the tool tip has it all).
    m_message->setText(m_message->fontMetrics().elidedText(m_text, Qt::ElideMiddle,
                                                           std::max(0, m_message->width())));
}

void RunStatusBar::showNetwork(const QString& name) {
    m_network->setText(tr("Views: %1").arg(name));
    fitReadouts();
}

QString RunStatusBar::network() const {
    return m_network->text();
}

void RunStatusBar::showLatency(double worstMs) {
    m_speed->setToolTip(tr("Training speed in images per second.\nThe window's slowest response "
                           "during this run: %1 ms (Help > Diagnostics).")
                            .arg(worstMs, 0, 'f', 1));
}

}  // namespace lenet::ui
