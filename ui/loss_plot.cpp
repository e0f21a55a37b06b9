// LossPlot: QCustomPlot with a logarithmic loss axis; the x axis spans the whole run from the
// first report on, so the curve grows from left to right.
#include "ui/loss_plot.h"

#include <algorithm>
#include <cmath>

#include <qcustomplot.h>
#include <QVBoxLayout>

namespace lenet::ui {
namespace {

const QColor kLossColour(31, 119, 180);

/// Batches averaged by the smoothed curve: about a tenth of an epoch, within [5, 1000].
double smoothingWindow(int batchesPerEpoch) {
    return std::clamp(batchesPerEpoch / 10.0, 5.0, 1000.0);
}

}  // namespace

LossPlot::LossPlot(QWidget* parent)
    : QWidget(parent),
      m_plot(new QCustomPlot(this)),
      m_raw(nullptr),
      m_smoothed(nullptr),
      m_hint(nullptr) {
    m_plot->setObjectName(QStringLiteral("lossPlot"));
    m_plot->setToolTip(tr("Mean training loss of every batch (faint) and its moving average"));
    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(0, 0,
                                     new QCPTextElement(m_plot, tr("Training loss per batch"),
                                                        QFont(font().family(), 11, QFont::Bold)));
    m_plot->xAxis->setLabel(tr("batch"));
    m_plot->yAxis->setLabel(tr("loss"));
    m_plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
    m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    m_plot->yAxis->setNumberFormat(QStringLiteral("gb"));
    m_plot->yAxis->setNumberPrecision(3);

    QColor faint = kLossColour;
    faint.setAlpha(70);
    m_raw = m_plot->addGraph();
    m_raw->setName(tr("batch loss"));
    m_raw->setPen(QPen(faint, 1));
    m_smoothed = m_plot->addGraph();
    m_smoothed->setName(tr("moving average"));
    m_smoothed->setPen(QPen(kLossColour, 2.5));
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);

    m_hint = new QCPItemText(m_plot);
    m_hint->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_hint->position->setCoords(0.5, 0.5);
    m_hint->setText(tr("Press Train (Space) to watch the loss fall"));
    m_hint->setColor(Qt::gray);
    m_hint->setFont(QFont(font().family(), 12));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    clear();
}

void LossPlot::clear() {
    m_raw->data()->clear();
    m_smoothed->data()->clear();
    m_average = 0.0;
    m_decayPower = 1.0;
    m_minLoss = m_maxLoss = 0.0;
    m_hint->setVisible(true);
    m_plot->xAxis->setRange(0, 100);
    m_plot->yAxis->setRange(0.01, 10);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LossPlot::appendProgress(const lenet::Progress& progress) {
    if (progress.batchLosses.empty()) return;
    const double decay = 1.0 - 1.0 / smoothingWindow(progress.batches);
    double step = double(progress.step - (long long)progress.batchLosses.size());
    for (const float loss : progress.batchLosses) {
        step += 1.0;
        m_raw->addData(step, loss);
        m_average = decay * m_average + (1.0 - decay) * loss;
        m_decayPower *= decay;
        m_smoothed->addData(step, m_average / (1.0 - m_decayPower));
        if (loss > 0 && std::isfinite(loss)) {
            m_minLoss = m_minLoss > 0 ? std::min(m_minLoss, double(loss)) : loss;
            m_maxLoss = std::max(m_maxLoss, double(loss));
        }
    }
    m_hint->setVisible(false);
    m_plot->xAxis->setRange(0, std::max(1.0, double(progress.epochs) * progress.batches));
    if (m_minLoss > 0) {
        // From the decade below the lowest loss, so that a labelled power of ten is in view.
        m_plot->yAxis->setRange(std::pow(10.0, std::floor(std::log10(m_minLoss))), m_maxLoss * 1.5);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

int LossPlot::pointCount() const {
    return m_raw->dataCount();
}

}  // namespace lenet::ui
