// ErrorPlot: per run the graphs "train_error" (dashed, open circles) and "test_error" (solid,
// filled circles) in percent over the epochs; the reference level is a straight line across
// the plot, with an empty graph of the same pen for its legend entry (neither is exported).
#include "ui/plots/error_plot.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <qcustomplot.h>
#include <QCheckBox>
#include <QMenu>

namespace lenet::ui {
namespace {

const QString kTrain = QStringLiteral("train_error");
const QString kTest = QStringLiteral("test_error");

}  // namespace

ErrorPlot::ErrorPlot(QWidget* parent)
    : RunPlot(QStringLiteral("error"), parent),
      m_reference(nullptr),
      m_referenceLine(nullptr),
      m_hint(nullptr),
      m_log(new QCheckBox) {
    QCustomPlot* p = plot();
    p->setObjectName(QStringLiteral("errorPlot"));
    p->setToolTip(
        tr("Share of misclassified images after each epoch: on the test set (solid) and "
           "on the fly over the epoch's training batches (dashed)"));
    p->xAxis->setLabel(tr("epoch"));
    p->yAxis->setLabel(tr("error (%): test solid, train dashed"));
    auto ticker = QSharedPointer<QCPAxisTickerFixed>(new QCPAxisTickerFixed);
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    p->xAxis->setTicker(ticker);

    const QPen dashed(QColor(90, 90, 90), 1.5, Qt::DashLine);
    m_reference = p->addGraph();
    m_reference->setPen(dashed);
    m_referenceLine = new QCPItemStraightLine(p);
    m_referenceLine->setPen(dashed);

    m_hint = new QCPItemText(p);
    m_hint->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_hint->position->setCoords(0.5, 0.3);
    m_hint->setText(tr("The train and test error\nappear after each epoch"));
    m_hint->setColor(Qt::gray);
    m_hint->setFont(QFont(font().family(), 12));

    m_log->setObjectName(QStringLiteral("logScale"));
    m_log->setText(tr("Log scale"));
    m_log->setToolTip(tr("A logarithmic error axis, to compare runs below 2 %"));
    addHeaderWidget(m_log);
    connect(m_log, &QCheckBox::toggled, this, &ErrorPlot::setLogScale);
    setReference(std::nullopt);
}

void ErrorPlot::beginRun(const RunStyle& run, int epochs) {
    QCPGraph* train = addSeries(run, kTrain);
    QPen dashed(run.colour, 1.5, Qt::DashLine);
    train->setPen(dashed);
    train->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, run.colour, Qt::white, 6));
    QCPGraph* test = addSeries(run, kTest);
    test->setPen(QPen(run.colour, 2.2));
    test->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, run.colour, 7));
    setRunEpochs(run.id, epochs);
    nameGraphs(run);
    dataChanged();
}

void ErrorPlot::appendEpoch(const lenet::EpochMetrics& metrics) {
    const int id = lastRunId();
    if (id == 0) return;
    if (metrics.trainError >= 0)
        series(id, kTrain)->addData(metrics.epoch, 100.0 * metrics.trainError);
    if (metrics.testError >= 0)
        series(id, kTest)->addData(metrics.epoch, 100.0 * metrics.testError);
    dataChanged();
}

void ErrorPlot::addHistoryRun(const RunStyle& run, const EpochHistory& history) {
    beginRun(run, int(history.size()));
    for (const lenet::EpochMetrics& m : history) appendEpoch(m);
}

int ErrorPlot::epochCount() const {
    const int id = lastRunId();
    if (id == 0) return 0;
    return std::max(series(id, kTrain)->dataCount(), series(id, kTest)->dataCount());
}

void ErrorPlot::setReference(std::optional<double> percent, const QString& label) {
    m_referencePercent = percent;
    m_reference->setName(label);
    m_referenceLine->setVisible(percent.has_value());
    m_reference->removeFromLegend();  // and back at the end, after every run
    if (percent) {
        m_referenceLine->point1->setCoords(0, *percent);
        m_referenceLine->point2->setCoords(1, *percent);
        m_reference->addToLegend();
    }
    dataChanged();
}

void ErrorPlot::setLogScale(bool log) {
    if (m_log->isChecked() != log) m_log->setChecked(log);  // comes back here through toggled
    if ((plot()->yAxis->scaleType() == QCPAxis::stLogarithmic) == log) return;
    setLogarithmic(plot()->yAxis, log);
    setFollowing(true);
    dataChanged();
}

bool ErrorPlot::logScale() const {
    return m_log->isChecked();
}

void ErrorPlot::fitRanges() {
    m_hint->setVisible(epochCount() == 0);
    int epochs = epochsInView();
    double low = std::numeric_limits<double>::max(), high = 0.0;
    for (const RunStyle& run : runs()) {
        for (const QString& name : {kTrain, kTest}) {
            const QCPGraph* graph = series(run.id, name);
            bool found = false;
            const QCPRange keys = graph->getKeyRange(found);
            if (found) epochs = std::max(epochs, int(std::ceil(keys.upper)));
            const QCPRange values = graph->getValueRange(found, QCP::sdPositive);
            if (found) {
                low = std::min(low, values.lower);
                high = std::max(high, values.upper);
            }
        }
    }
    if (m_referencePercent) {
        low = std::min(low, *m_referencePercent);
        high = std::max(high, 2.0 * *m_referencePercent);
    }
    QCustomPlot* p = plot();
    p->xAxis->setRange(0.5, epochs + 0.5);
    if (logScale()) {
        const double bottom = low < std::numeric_limits<double>::max() ? low : 0.1;
        p->yAxis->setRange(std::pow(10.0, std::floor(std::log10(bottom * 0.9))),
                           std::max(high, bottom * 10) * 1.5);
    } else {
        p->yAxis->setRange(0.0, std::max(high, 1.0) * 1.15);
    }
}

void ErrorPlot::nameGraphs(const RunStyle& run) {
    series(run.id, kTest)->setName(run.legendName());
    QCPGraph* train = series(run.id, kTrain);
    train->setName(tr("%1 — train").arg(run.label));
    train->removeFromLegend();  // the axis label tells dashed from solid
}

void ErrorPlot::addMenuEntries(QMenu& menu) {
    QAction* log = menu.addAction(tr("Logarithmic error axis"), this, &ErrorPlot::setLogScale);
    log->setCheckable(true);
    log->setChecked(logScale());
}

}  // namespace lenet::ui
