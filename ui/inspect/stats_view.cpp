// StatsView: the plots of lenet::LayerStatsHistory, and when it is recorded or measured.
#include "ui/inspect/stats_view.h"

#include <algorithm>
#include <cmath>

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include "lenet/layer_stats.h"
#include "ui/inspect/export.h"
#include "ui/plots/run_plot.h"
#include "ui/training/training_controller.h"

namespace lenet::ui {
namespace {

/// The smallest ratio of the top to the bottom of a log-scale axis.
constexpr double kLogSpan = 100.0;

QCustomPlot* makePlot(const QString& title, bool logScale, QWidget* parent) {
    auto* plot = new QCustomPlot(parent);
    plot->setMinimumSize(200, 130);
    plot->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    plot->plotLayout()->insertRow(0);
    auto* text = new QCPTextElement(plot, title);
    text->setFont(QFont(plot->font().family(), 8, QFont::Bold));
    plot->plotLayout()->addElement(0, 0, text);
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis}) {
        axis->setTickLabelFont(QFont(plot->font().family(), 7));
        axis->setLabelFont(QFont(plot->font().family(), 7));
    }
    if (logScale) {
        plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
        plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
        plot->yAxis->setNumberFormat(QStringLiteral("eb"));
        plot->yAxis->setNumberPrecision(0);
    }
    plot->legend->setFont(QFont(plot->font().family(), 7));
    plot->legend->setRowSpacing(0);
    return plot;
}

/// Layers for which `field` holds a number somewhere in `h`.
std::vector<int> layersWith(const lenet::LayerStatsHistory& h, double lenet::LayerSample::*field) {
    std::vector<int> layers;
    for (std::size_t l = 0; l < h.names.size(); ++l) {
        const auto has = [&](const std::vector<lenet::LayerSample>& s) {
            return l < s.size() && !std::isnan(s[l].*field);
        };
        const bool any = std::any_of(h.points.begin(), h.points.end(),
                                     [&](const lenet::StatsPoint& p) { return has(p.layers); }) ||
                         std::any_of(h.epochs.begin(), h.epochs.end(),
                                     [&](const lenet::EpochStats& e) { return has(e.layers); });
        if (any) layers.push_back(int(l));
    }
    return layers;
}

/// Draws the histograms of one layer over the epochs into `plot` (x: epoch, y: value).
void drawMap(QCustomPlot* plot, const std::vector<const lenet::Histogram*>& epochs) {
    plot->clearPlottables();
    std::vector<const lenet::Histogram*> drawn;
    for (const lenet::Histogram* h : epochs)
        if (!h->counts.empty()) drawn.push_back(h);
    if (!drawn.empty()) {
        // every histogram of a layer has the same range (fixed when first seen)
        const lenet::Histogram& first = *drawn.front();
        auto* map = new QCPColorMap(plot->xAxis, plot->yAxis);
        const int bins = int(first.counts.size());
        // The key range spans the centres of the first and last columns: one epoch is drawn as
        // two half-width columns.
        const int columns = std::max(2, int(drawn.size()));
        map->data()->setSize(columns, bins);
        map->data()->setRange(
            drawn.size() > 1 ? QCPRange(1, double(drawn.size())) : QCPRange(0.75, 1.25),
            QCPRange(first.lo, first.hi));
        for (int e = 0; e < columns; ++e) {
            const lenet::Histogram& h = *drawn[std::min(std::size_t(e), drawn.size() - 1)];
            for (int b = 0; b < bins; ++b)
                map->data()->setCell(e, b, std::sqrt(h.counts[std::size_t(b)]));
        }
        map->setGradient(QCPColorGradient(QCPColorGradient::gpThermal));
        map->setInterpolate(false);
        map->rescaleDataRange(true);
        plot->rescaleAxes();
        plot->xAxis->setRange(0.5, double(drawn.size()) + 0.5);
    }
    plot->replot();
}

}  // namespace

StatsView::StatsView(QWidget* parent)
    : QWidget(parent),
      m_caption(new QLabel(this)),
      m_layer(new QComboBox(this)),
      m_plots(new QWidget(this)),
      m_grad(makePlot(tr("Gradient norm |dE/dw|"), true, m_plots)),
      m_update(makePlot(tr("Update / weight size"), true, m_plots)),
      m_mean(makePlot(tr("Activation mean"), false, m_plots)),
      m_spread(makePlot(tr("Activation spread (std)"), false, m_plots)),
      m_saturation(makePlot(tr("Saturated (sigmoid, tanh) / dead (ReLU) share"), false, m_plots)),
      m_steps(makePlot(tr("SDLM step size η/(μ+h), median"), true, m_plots)),
      m_weightMap(makePlot(tr("Weights of the layer, per epoch"), false, m_plots)),
      m_gradMap(makePlot(tr("Gradients of the layer, per epoch"), false, m_plots)) {
    m_caption->setObjectName(QStringLiteral("statsCaption"));
    m_caption->setWordWrap(true);
    m_layer->setObjectName(QStringLiteral("statsLayer"));
    m_layer->setToolTip(tr("The layer whose weight and gradient histograms are drawn"));
    m_layer->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_layer, &QComboBox::currentIndexChanged, this, [this] { drawHistograms(); });
    QToolButton* exportButton =
        makeExportButton(this, QStringLiteral("layer-stats"),
                         {{tr("Image (PNG)…"), QStringLiteral("png"),
                           [this](const QString& path) { return exportPng(path); }},
                          {tr("Per layer and epoch (CSV)…"), QStringLiteral("csv"),
                           [this](const QString& path) { return exportCsv(path); }}});
    setToolTip(
        tr("Per layer: gradient norm and update size (log scales), activations and their "
           "saturation, sampled every 10th batch of a run (at most one per 640 images) while "
           "this view is open"));

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Histograms of"), this));
    top->addWidget(m_layer);
    top->addStretch(1);
    top->addWidget(exportButton);

    auto* grid = new QGridLayout(m_plots);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(2);
    int cell = 0;
    for (QCustomPlot* plot :
         {m_grad, m_update, m_mean, m_spread, m_saturation, m_steps, m_weightMap, m_gradMap}) {
        grid->addWidget(plot, cell / 2, cell % 2);
        ++cell;
    }
    for (QCustomPlot* map : {m_weightMap, m_gradMap}) {
        map->xAxis->setLabel(tr("epoch"));
        map->yAxis->setLabel(tr("value"));
    }

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_caption);
    layout->addLayout(top);
    layout->addWidget(m_plots, 1);
    redraw();
}

StatsView::~StatsView() = default;

void StatsView::attach(TrainingController* controller) {
    m_controller = controller;
    connect(this, &StatsView::wantedChanged, controller, &TrainingController::setLayerStatsWanted);
    controller->setLayerStatsWanted(isVisible());
    connect(controller, &TrainingController::started, this, [this] {
        m_history = nullptr;
        m_fromRun = true;
        m_runNetwork = nullptr;
        redraw();
    });
    connect(controller, &TrainingController::layerStatsUpdated, this, &StatsView::setHistory);
    const auto ended = [this](const EpochHistory&, const NetworkSnapshot& network) {
        m_runNetwork = network;
        // Not recorded (the view was closed): measure what the run ended with instead.
        if (!m_history && network) setNetwork(network);
    };
    connect(controller, &TrainingController::finished, this, ended);
    connect(controller, &TrainingController::diverged, this, ended);
}

void StatsView::setHistory(LayerStatsSnapshot stats) {
    m_history = std::move(stats);
    m_fromRun = true;
    m_model = nullptr;
    redraw();
}

void StatsView::setNetwork(NetworkSnapshot net) {
    if (m_controller && m_controller->isRunning()) return;
    if (m_fromRun && m_history && net == m_runNetwork) return;
    m_model = std::move(net);
    m_fromRun = false;
    m_history = nullptr;
    if (isVisible()) measureModel();
    redraw();
}

void StatsView::setTestSet(std::shared_ptr<const lenet::Dataset> data) {
    m_testSet = std::move(data);
}

void StatsView::measureModel() {
    if (!m_model) return;
    const lenet::Dataset* data = m_testSet && m_testSet->size() > 0 ? m_testSet.get() : nullptr;
    m_history = std::make_shared<const lenet::LayerStatsHistory>(
        lenet::inspectModel(*m_model, data, kModelImages));
}

void StatsView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    Q_EMIT wantedChanged(true);
    if (m_model && !m_history) {
        measureModel();
        redraw();
    }
}

void StatsView::hideEvent(QHideEvent* event) {
    QWidget::hideEvent(event);
    Q_EMIT wantedChanged(false);
}

int StatsView::gradientLines() const {
    int lines = 0;
    for (int i = 0; i < m_grad->graphCount(); ++i) lines += !m_grad->graph(i)->data()->isEmpty();
    return lines;
}

QString StatsView::caption() const {
    return m_caption->text();
}

void StatsView::redraw() {
    const bool empty = !m_history || (m_history->points.empty() && m_history->epochs.empty());
    if (empty) {
        m_caption->setText(
            m_fromRun ? tr("Recording: the statistics of every 10th batch (at most one per 640 "
                           "images) appear here, only while this view is open.")
                      : tr("No statistics yet. Train a network to see its gradients, updates, "
                           "activations and histograms per layer, live; for an opened model this "
                           "view measures its weights and, with a test set, its activations and "
                           "gradients on %1 test images.")
                            .arg(kModelImages));
    } else if (m_fromRun) {
        m_caption->setText(
            tr("This run, every 10th batch (at most one per 640 images; recorded while this "
               "view is open); x: batches."));
    } else {
        const bool measured = !m_history->points.empty();
        m_caption->setText(
            measured ? tr("The opened model on %1 test images (no training: no update sizes); "
                          "histograms of its weights and gradients.")
                           .arg(std::min(kModelImages, m_testSet ? m_testSet->size() : 0))
                     : tr("The opened model's weights only: open a data set (File > Open data "
                          "set) to measure its activations and gradients."));
    }
    m_plots->setVisible(!empty);
    if (empty) return;
    const lenet::LayerStatsHistory& h = *m_history;
    using S = lenet::LayerSample;
    drawLines(m_grad, &S::gradNorm, layersWith(h, &S::gradNorm));
    drawLines(m_update, &S::updateRatio, layersWith(h, &S::updateRatio));
    std::vector<int> activations = layersWith(h, &S::saturated);
    for (int l : layersWith(h, &S::dead)) activations.push_back(l);
    std::sort(activations.begin(), activations.end());
    if (activations.empty()) activations = layersWith(h, &S::actMean);
    drawLines(m_mean, &S::actMean, activations);
    drawLines(m_spread, &S::actStd, activations);
    drawLines(m_saturation, &S::saturated, activations);
    // The dead share of ReLU-like layers on the same plot, dashed.
    for (int l : layersWith(h, &S::dead)) {
        QCPGraph* g = m_saturation->addGraph();
        const auto rank =
            std::find(activations.begin(), activations.end(), l) - activations.begin();
        g->setPen(QPen(runColour(int(rank)), 1.5, Qt::DashLine));
        g->setName(QString::fromStdString(h.names[std::size_t(l)]) + tr(" dead"));
        for (const lenet::StatsPoint& p : h.points)
            if (!std::isnan(p.layers[std::size_t(l)].dead))
                g->addData(double(p.step), p.layers[std::size_t(l)].dead);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 3));
    }
    m_saturation->rescaleAxes();
    m_saturation->yAxis->setRange(0, 1);
    m_saturation->replot();
    const std::vector<int> sdlm = layersWith(h, &S::stepP50);
    m_steps->setVisible(!sdlm.empty());
    drawLines(m_steps, &S::stepP50, sdlm);
    m_grad->legend->setVisible(m_grad->graphCount() > 0);
    m_mean->legend->setVisible(m_mean->graphCount() > 0);
    for (QCustomPlot* p : {m_grad, m_mean}) p->replot();

    const QString current = m_layer->currentText();
    m_layer->blockSignals(true);
    m_layer->clear();
    if (!h.epochs.empty()) {
        for (std::size_t l = 0; l < h.names.size(); ++l)
            if (!h.epochs.back().weights[l].counts.empty())
                m_layer->addItem(QString::fromStdString(h.names[l]), int(l));
    }
    m_layer->setCurrentIndex(std::max(0, m_layer->findText(current)));
    m_layer->blockSignals(false);
    drawHistograms();
}

void StatsView::drawLines(QCustomPlot* plot, double lenet::LayerSample::*field,
                          const std::vector<int>& layers) {
    plot->clearGraphs();
    const lenet::LayerStatsHistory& h = *m_history;
    const bool logScale = plot->yAxis->scaleType() == QCPAxis::stLogarithmic;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const int l = layers[i];
        QCPGraph* g = plot->addGraph();
        g->setPen(QPen(runColour(int(i)), 1.5));
        g->setName(QString::fromStdString(h.names[std::size_t(l)]));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 3));
        // Step sizes exist per epoch only (its curvature pass), at the epoch's first batch.
        if (field == &lenet::LayerSample::stepP50) {
            for (const lenet::EpochStats& e : h.epochs) {
                const double v = e.layers[std::size_t(l)].*field;
                const auto first = std::find_if(h.points.begin(), h.points.end(),
                                                [&](const auto& p) { return p.epoch == e.epoch; });
                if (!std::isnan(v)) g->addData(first != h.points.end() ? first->step : e.epoch, v);
            }
            continue;
        }
        for (const lenet::StatsPoint& p : h.points) {
            const double v = p.layers[std::size_t(l)].*field;
            if (!std::isnan(v) && (!logScale || v > 0)) g->addData(double(p.step), v);
        }
    }
    plot->rescaleAxes();
    if (h.points.size() <= 1) plot->xAxis->setRange(0, 2);
    if (logScale) {
        // At least kLogSpan decades, so that layers within a factor of a few of each other look
        // close, and the axis is labelled at powers of ten.
        const QCPRange r = plot->yAxis->range();
        const double widen = std::sqrt(std::max(1.0, kLogSpan / (r.upper / r.lower)));
        if (r.lower > 0) plot->yAxis->setRange(r.lower / widen, r.upper * widen);
    }
    plot->replot();
}

void StatsView::drawHistograms() {
    if (!m_history || m_layer->currentIndex() < 0) {
        for (QCustomPlot* map : {m_weightMap, m_gradMap}) {
            map->clearPlottables();
            map->replot();
        }
        return;
    }
    const std::size_t l = std::size_t(m_layer->currentData().toInt());
    std::vector<const lenet::Histogram*> weights, gradients;
    for (const lenet::EpochStats& e : m_history->epochs) {
        weights.push_back(&e.weights[l]);
        gradients.push_back(&e.gradients[l]);
    }
    drawMap(m_weightMap, weights);
    drawMap(m_gradMap, gradients);
}

QImage StatsView::renderImage() {
    return m_plots->grab().toImage();
}

QByteArray StatsView::toCsv() const {
    return m_history ? QByteArray::fromStdString(lenet::layerStatsCsv(*m_history)) : QByteArray();
}

QString StatsView::exportPng(const QString& path) {
    if (!m_history) return tr("Nothing to export to %1: there are no statistics").arg(path);
    return savePng(renderImage(), path);
}

QString StatsView::exportCsv(const QString& path) {
    if (!m_history) return tr("Nothing to export to %1: there are no statistics").arg(path);
    return saveBytes(toCsv(), path);
}

}  // namespace lenet::ui
