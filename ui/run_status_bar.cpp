// RunStatusBar: read-outs formatted from progress snapshots and epoch metrics.
#include "ui/run_status_bar.h"

#include <algorithm>
#include <cmath>

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

QLabel* makeReadout(const QString& toolTip) {
    auto* label = new QLabel;
    label->setToolTip(toolTip);
    label->setMinimumWidth(label->fontMetrics().horizontalAdvance(QStringLiteral("0000000 img/s")));
    label->setAlignment(Qt::AlignCenter);
    return label;
}

}  // namespace

RunStatusBar::RunStatusBar(QWidget* parent)
    : QStatusBar(parent),
      m_progress(new QProgressBar),
      m_speed(makeReadout(tr("Training speed in images per second"))),
      m_eta(makeReadout(tr("Time left for the training epochs (test evaluations excluded)"))),
      m_epoch(makeReadout(tr("Current epoch"))),
      m_testError(makeReadout(tr("Test error after the last finished epoch"))),
      m_message(new QLabel) {
    m_progress->setObjectName(QStringLiteral("runProgress"));
    m_progress->setToolTip(tr("Progress of the whole run"));
    m_progress->setRange(0, kProgressSteps);
    m_progress->setValue(0);
    m_progress->setFixedWidth(200);
    m_message->setObjectName(QStringLiteral("statusMessage"));
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // long text clips
    addWidget(m_message, 1);
    addPermanentWidget(m_epoch);
    addPermanentWidget(m_speed);
    addPermanentWidget(m_eta);
    addPermanentWidget(m_testError);
    addPermanentWidget(m_progress);
    runEnded(tr("Ready"));
}

void RunStatusBar::runStarted(int epochs) {
    m_epochs = epochs;
    m_progress->setValue(0);
    m_epoch->setText(tr("epoch 0/%1").arg(epochs));
    m_speed->setText(tr("— img/s"));
    m_eta->setText(tr("ETA —"));
    m_testError->setText(tr("test error —"));
}

void RunStatusBar::showProgress(const lenet::Progress& p) {
    const double done = p.epochs > 0 && p.batches > 0
                            ? (double(p.epoch - 1) + double(p.batch) / p.batches) / p.epochs
                            : 0.0;
    m_progress->setValue(int(std::lround(done * kProgressSteps)));
    m_epoch->setText(tr("epoch %1/%2").arg(p.epoch).arg(p.epochs));
    m_speed->setText(tr("%1 img/s").arg(QLocale().toString(std::lround(p.imagesPerSecond))));
    m_eta->setText(tr("ETA %1").arg(duration(p.eta)));
}

void RunStatusBar::showEpoch(const lenet::EpochMetrics& m) {
    if (m.testError >= 0) {
        m_testError->setText(tr("test error %1 %").arg(100.0 * m.testError, 0, 'f', 2));
    }
    if (m_epochs > 0) {
        m_progress->setValue(int(std::lround(double(m.epoch) / m_epochs * kProgressSteps)));
    }
}

void RunStatusBar::runEnded(const QString& text) {
    if (m_epoch->text().isEmpty()) {
        m_epoch->setText(tr("epoch —"));
        m_speed->setText(tr("— img/s"));
        m_eta->setText(tr("ETA —"));
        m_testError->setText(tr("test error —"));
    }
    showStatus(text);
}

void RunStatusBar::showError(const QString& message) {
    m_message->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_message->setText(message.section(QLatin1Char('\n'), 0, 0));
    m_message->setToolTip(message);
}

void RunStatusBar::showStatus(const QString& text) {
    m_message->setStyleSheet({});
    m_message->setText(text);
    m_message->setToolTip(text);
}

}  // namespace lenet::ui
