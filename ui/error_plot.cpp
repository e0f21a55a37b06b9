// ErrorPlot: two QCustomPlot graphs over the epochs and a reference graph spanning the axis.
#include "ui/error_plot.h"

#include <algorithm>

#include <qcustomplot.h>
#include <QVBoxLayout>

namespace lenet::ui {
namespace {

const QColor kTrainColour(31, 119, 180);
const QColor kTestColour(214, 39, 40);

QCPGraph* addErrorGraph(QCustomPlot* plot, const QString& name, const QColor& colour) {
    QCPGraph* graph = plot->addGraph();
    graph->setName(name);
    graph->setPen(QPen(colour, 2));
    graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, colour, Qt::white, 7));
    return graph;
}

}  // namespace

ErrorPlot::ErrorPlot(QWidget* parent)
    : QWidget(parent),
      m_plot(new QCustomPlot(this)),
      m_train(nullptr),
      m_test(nullptr),
      m_reference(nullptr) {
    m_plot->setObjectName(QStringLiteral("errorPlot"));
    m_plot->setToolTip(tr("Share of misclassified images after each epoch"));
    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(0, 0,
                                     new QCPTextElement(m_plot, tr("Error rate per epoch"),
                                                        QFont(font().family(), 11, QFont::Bold)));
    m_plot->xAxis->setLabel(tr("epoch"));
    m_plot->yAxis->setLabel(tr("error (%)"));
    auto ticker = QSharedPointer<QCPAxisTickerFixed>(new QCPAxisTickerFixed);
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    m_plot->xAxis->setTicker(ticker);

    m_train = addErrorGraph(m_plot, tr("train error (during the epoch)"), kTrainColour);
    m_test = addErrorGraph(m_plot, tr("test error"), kTestColour);
    m_reference = m_plot->addGraph();
    QPen dashed(QColor(90, 90, 90), 1.5, Qt::DashLine);
    m_reference->setPen(dashed);
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    setReference(std::nullopt);
    clear(10);
}

void ErrorPlot::clear(int epochs) {
    m_epochs = std::max(1, epochs);
    m_train->data()->clear();
    m_test->data()->clear();
    m_maxPercent = 0.0;
    updateRanges();
}

void ErrorPlot::setReference(std::optional<double> percent, const QString& label) {
    m_referencePercent = percent;
    m_reference->setName(label);
    m_reference->setVisible(percent.has_value());
    if (percent) {
        m_reference->addToLegend();
    } else {
        m_reference->removeFromLegend();
    }
    updateRanges();
}

void ErrorPlot::appendEpoch(const lenet::EpochMetrics& metrics) {
    const auto add = [this, &metrics](QCPGraph* graph, double error) {
        if (error < 0) return;
        graph->addData(metrics.epoch, 100.0 * error);
        m_maxPercent = std::max(m_maxPercent, 100.0 * error);
    };
    add(m_train, metrics.trainError);
    add(m_test, metrics.testError);
    m_epochs = std::max(m_epochs, metrics.epoch);
    updateRanges();
}

int ErrorPlot::epochCount() const {
    return std::max(m_train->dataCount(), m_test->dataCount());
}

void ErrorPlot::updateRanges() {
    const double left = 0.5, right = m_epochs + 0.5;
    m_reference->data()->clear();
    if (m_referencePercent) {
        m_reference->addData(left, *m_referencePercent);
        m_reference->addData(right, *m_referencePercent);
    }
    const double top = std::max({m_maxPercent, 2.0 * m_referencePercent.value_or(0.0), 1.0});
    m_plot->xAxis->setRange(left, right);
    m_plot->yAxis->setRange(0.0, top * 1.15);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace lenet::ui
