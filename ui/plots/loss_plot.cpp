// LossPlot: per run five graphs ("batch_loss" hidden, "loss_p25" and "loss_p75" for the band,
// "smoothed_loss", "lr"); a logarithmic loss axis and a logarithmic learning-rate axis on the
// right.
#include "ui/plots/loss_plot.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <qcustomplot.h>
#include <QLabel>
#include <QSlider>

namespace lenet::ui {
namespace {

const QString kRaw = QStringLiteral("batch_loss");
const QString kBandLow = QStringLiteral("loss_p25");
const QString kBandHigh = QStringLiteral("loss_p75");
const QString kSmoothed = QStringLiteral("smoothed_loss");
const QString kRate = QStringLiteral("lr");
const QString kRawLayer = QStringLiteral("raw");

/// `colour` made faint: its alpha set to `alpha`.
QColor faint(QColor colour, int alpha) {
    colour.setAlpha(alpha);
    return colour;
}

/// The `q` quantile of `values` (reordered), the nearest rank.
double quantile(std::vector<double>& values, double q) {
    const auto k = std::size_t(std::lround(q * double(values.size() - 1)));
    std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(k), values.end());
    return values[k];
}

/// The slider's steps: the moving average's width in epochs.
constexpr std::array<double, 8> kSmoothingEpochs = {0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0};
constexpr int kDefaultSmoothing = 4;

}  // namespace

LossPlot::LossPlot(QWidget* parent)
    : RunPlot(QStringLiteral("loss"), parent),
      m_smoothing(new QSlider(Qt::Horizontal)),
      m_smoothingLabel(new QLabel),
      m_hint(nullptr) {
    QCustomPlot* p = plot();
    p->setObjectName(QStringLiteral("lossPlot"));
    p->setToolTip(
        tr("Moving average of the training loss of every batch (bold), the spread of the batch "
           "losses (faint band: the middle half of each stretch of batches) and the learning rate "
           "(dotted, right axis). Drag to pan, wheel to zoom."));
    p->xAxis->setLabel(tr("epoch"));
    p->yAxis->setLabel(tr("training loss"));
    setLogarithmic(p->yAxis, true);
    p->yAxis2->setLabel(tr("learning rate (dotted)"));
    setLogarithmic(p->yAxis2, true);

    p->addLayer(kRawLayer, p->layer(QStringLiteral("main")), QCustomPlot::limBelow);

    m_hint = new QCPItemText(p);
    m_hint->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_hint->position->setCoords(0.5, 0.5);
    m_hint->setText(
        tr("Press Train (Space)\nto watch the loss fall"));  // two lines fit a narrow plot
    m_hint->setColor(Qt::gray);
    m_hint->setFont(QFont(font().family(), 12));

    m_smoothing->setObjectName(QStringLiteral("smoothing"));
    m_smoothing->setRange(0, int(kSmoothingEpochs.size()) - 1);
    m_smoothing->setPageStep(1);
    m_smoothing->setValue(kDefaultSmoothing);
    m_smoothing->setFixedWidth(120);
    m_smoothing->setToolTip(tr("Width of the moving average drawn bold, in epochs (left: off)"));
    m_smoothingLabel->setToolTip(m_smoothing->toolTip());
    m_smoothingLabel->setMinimumWidth(
        m_smoothingLabel->fontMetrics().horizontalAdvance(tr("0.05 epoch")));
    auto* title = new QLabel(tr("Smoothing"));
    title->setToolTip(m_smoothing->toolTip());
    addHeaderWidget(title);
    addHeaderWidget(m_smoothing);
    addHeaderWidget(m_smoothingLabel);
    showSmoothingLabel();
    connect(m_smoothing, &QSlider::valueChanged, this, [this] {
        showSmoothingLabel();
        resmooth();
    });
    runsRemoved();
    dataChanged();
}

void LossPlot::beginRun(const RunStyle& run, int epochs) {
    addSeries(run, kRaw)->setVisible(false);  // the band draws it
    QCPGraph* low = addSeries(run, kBandLow);
    QCPGraph* high = addSeries(run, kBandHigh);
    for (QCPGraph* edge : {low, high}) {
        edge->setLayer(kRawLayer);  // below every run's bold average
        edge->setPen(QPen(faint(run.colour, 35), 1));
    }
    high->setBrush(faint(run.colour, 50));
    high->setChannelFillGraph(low);
    addSeries(run, kSmoothed)->setPen(QPen(run.colour, 2.5));
    QCPGraph* rate = addSeries(run, kRate, plot()->yAxis2);
    rate->setPen(QPen(run.colour, 1.2, Qt::DotLine));
    rate->setLineStyle(QCPGraph::lsStepLeft);
    m_state[run.id] = RunState{};
    setRunEpochs(run.id, epochs);
    nameGraphs(run);
    runsRemoved();  // the hint and the rate axis follow the runs
    dataChanged();
}

void LossPlot::appendProgress(const lenet::Progress& progress) {
    const int id = lastRunId();
    if (id == 0 || progress.batchLosses.empty()) return;
    RunState& state = m_state[id];
    state.batches = std::max(1, progress.batches);
    if (state.bucketSize == 0) {
        const long long batches = (long long)state.batches * std::max(1, progress.epochs);
        state.bucketSize = int(std::max(1LL, (batches + kBandPoints - 1) / kBandPoints));
    }
    setRunEpochs(id, progress.epochs);
    const long long first = progress.step - (long long)progress.batchLosses.size();
    long long step = first;
    for (const float loss : progress.batchLosses) {
        ++step;
        addLoss(id, state, double(step) / state.batches, loss);
    }
    QCPGraph* rate = series(id, kRate);
    rate->addData(double(first) / state.batches, progress.lr);
    rate->addData(double(step) / state.batches, progress.lr);
    plot()->yAxis2->setVisible(true);
    dataChanged();
}

void LossPlot::addHistoryRun(const RunStyle& run, const EpochHistory& history) {
    beginRun(run, int(history.size()));
    RunState& state = m_state[run.id];
    state.fromHistory = true;
    QCPGraph* smoothed = series(run.id, kSmoothed);
    smoothed->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, run.colour, 6));
    QCPGraph* rate = series(run.id, kRate);
    for (const lenet::EpochMetrics& m : history) {
        if (m.loss > 0 && std::isfinite(m.loss)) {
            smoothed->addData(m.epoch - 0.5, m.loss);
            state.minSmoothed =
                state.minSmoothed > 0 ? std::min(state.minSmoothed, m.loss) : m.loss;
            state.maxSmoothed = std::max(state.maxSmoothed, m.loss);
            state.maxRaw = std::max(state.maxRaw, m.loss);
        }
        if (m.lr > 0) {
            rate->addData(m.epoch - 1, m.lr);
            rate->addData(m.epoch, m.lr);
        }
    }
    plot()->yAxis2->setVisible(rate->dataCount() > 0);
    dataChanged();
}

double LossPlot::smoothingEpochs() const {
    return kSmoothingEpochs[std::size_t(m_smoothing->value())];
}

void LossPlot::setSmoothingEpochs(double epochs) {
    const auto nearest = std::min_element(
        kSmoothingEpochs.begin(), kSmoothingEpochs.end(),
        [epochs](double a, double b) { return std::abs(a - epochs) < std::abs(b - epochs); });
    m_smoothing->setValue(int(nearest - kSmoothingEpochs.begin()));
}

int LossPlot::pointCount() const {
    const QCPGraph* raw = series(lastRunId(), kRaw);
    return raw ? raw->dataCount() : 0;
}

void LossPlot::fitRanges() {
    double low = 0.0, high = 0.0;
    double rateLow = 0.0, rateHigh = 0.0;
    for (const auto& [id, state] : m_state) {
        if (state.minSmoothed > 0) {
            low = low > 0 ? std::min(low, state.minSmoothed) : state.minSmoothed;
            high = std::max(high, std::min(state.maxRaw, 10.0 * state.maxSmoothed));
        }
        if (const QCPGraph* rate = series(id, kRate)) {
            bool found = false;
            const QCPRange r = rate->getValueRange(found, QCP::sdPositive);
            if (found) {
                rateLow = rateLow > 0 ? std::min(rateLow, r.lower) : r.lower;
                rateHigh = std::max(rateHigh, r.upper);
            }
        }
    }
    QCustomPlot* p = plot();
    p->xAxis->setRange(0, epochsInView());
    if (low > 0) {
        // From the decade below the lowest average, so that a labelled power of ten is in view.
        p->yAxis->setRange(std::pow(10.0, std::floor(std::log10(low))),
                           std::max(high * 1.3, low * 10));
    } else {
        p->yAxis->setRange(0.01, 10);
    }
    if (rateLow > 0) p->yAxis2->setRange(rateLow / 3, rateHigh * 3);
}

void LossPlot::nameGraphs(const RunStyle& run) {
    QCPGraph* smoothed = series(run.id, kSmoothed);
    smoothed->setName(run.legendName());
    for (const QString& name : {kRaw, kBandLow, kBandHigh, kRate}) {
        series(run.id, name)->removeFromLegend();
    }
}

void LossPlot::runsRemoved() {
    for (auto it = m_state.begin(); it != m_state.end();) {
        it = series(it->first, kRaw) ? std::next(it) : m_state.erase(it);
    }
    m_hint->setVisible(m_state.empty());
    bool rates = false;
    for (const auto& [id, state] : m_state) rates = rates || series(id, kRate)->dataCount() > 0;
    plot()->yAxis2->setVisible(rates);
}

double LossPlot::decay(int batches) const {
    const double window = smoothingEpochs() * batches;
    return window <= 1.0 ? 0.0 : 1.0 - 1.0 / window;
}

void LossPlot::addLoss(int runId, RunState& state, double x, double loss) {
    series(runId, kRaw)->addData(x, loss);
    if (std::isfinite(loss)) {
        state.maxRaw = std::max(state.maxRaw, loss);
        addToBand(runId, state, x, loss);
    }
    smooth(runId, state, x, loss);
}

void LossPlot::addToBand(int runId, RunState& state, double x, double loss) {
    if (state.bucket.empty()) state.bucketStart = x;
    state.bucket.push_back(loss);
    if (int(state.bucket.size()) < state.bucketSize) return;
    const double middle = (state.bucketStart + x) / 2;
    series(runId, kBandLow)->addData(middle, quantile(state.bucket, 0.25));
    series(runId, kBandHigh)->addData(middle, quantile(state.bucket, 0.75));
    state.bucket.clear();
}

void LossPlot::smooth(int runId, RunState& state, double x, double loss) {
    const double d = decay(state.batches);
    state.average = d * state.average + (1.0 - d) * loss;
    state.decayPower *= d;
    const double smoothed = state.average / (1.0 - state.decayPower);
    series(runId, kSmoothed)->addData(x, smoothed);
    if (smoothed > 0 && std::isfinite(smoothed)) {
        state.minSmoothed =
            state.minSmoothed > 0 ? std::min(state.minSmoothed, smoothed) : smoothed;
        state.maxSmoothed = std::max(state.maxSmoothed, smoothed);
    }
}

void LossPlot::resmooth() {
    for (auto& [id, state] : m_state) {
        if (state.fromHistory) continue;
        series(id, kSmoothed)->data()->clear();
        state.average = 0.0;
        state.decayPower = 1.0;
        state.minSmoothed = state.maxSmoothed = 0.0;
        for (const QCPGraphData& point : *series(id, kRaw)->data()) {
            smooth(id, state, point.key, point.value);
        }
    }
    dataChanged();
}

void LossPlot::showSmoothingLabel() {
    const double epochs = smoothingEpochs();
    m_smoothingLabel->setText(epochs == 0.0 ? tr("off") : tr("%1 epoch").arg(epochs));
}

}  // namespace lenet::ui
