// RunPlot: the QCustomPlot under a row of controls, the runs' graphs by series name, the
// follow mode (ranges fitted by the subclass until the user moves an axis) and the context menu.
#include "ui/plots/run_plot.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <qcustomplot.h>
#include <QHBoxLayout>
#include <QMenu>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/plots/plot_export.h"

namespace lenet::ui {
namespace {

/// Ticks at 1, 2 and 5 times the powers of ten in view, so that a range of one or two decades
/// has labels too (QCPAxisTickerLog labels only the powers of ten).
class LogTicker : public QCPAxisTicker {
protected:
    int getSubTickCount(double) override { return 0; }
    QVector<double> createTickVector(double, const QCPRange& range) override {
        QVector<double> ticks;
        if (range.lower <= 0 || range.upper <= range.lower) return ticks;
        const bool decadesOnly = range.upper / range.lower > 1e3;
        for (double decade = std::pow(10.0, std::floor(std::log10(range.lower)));
             decade <= range.upper; decade *= 10) {
            for (const double m : {1.0, 2.0, 5.0}) {
                if (decadesOnly && m != 1.0) continue;
                ticks << decade * m;
            }
        }
        return ticks;
    }
};

QString csvField(const QString& text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"'))) return text;
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

}  // namespace

QString RunStyle::legendName() const {
    return summary.isEmpty() ? label : QStringLiteral("%1 — %2").arg(label, summary);
}

QColor runColour(int n) {
    // Tableau 10.
    static const std::array<QColor, 10> palette = {
        QColor(31, 119, 180),  QColor(255, 127, 14), QColor(44, 160, 44),   QColor(214, 39, 40),
        QColor(148, 103, 189), QColor(140, 86, 75),  QColor(227, 119, 194), QColor(127, 127, 127),
        QColor(188, 189, 34),  QColor(23, 190, 207)};
    return palette[std::size_t(std::max(0, n)) % palette.size()];
}

void setLogarithmic(QCPAxis* axis, bool log) {
    if (log) {
        if (axis->range().lower <= 0) axis->setRange(0.1, 100);  // positive before turning log
        axis->setScaleType(QCPAxis::stLogarithmic);
        axis->setTicker(QSharedPointer<QCPAxisTicker>(new LogTicker));
        axis->setNumberFormat(QStringLiteral("gb"));
        axis->setNumberPrecision(3);
    } else {
        axis->setScaleType(QCPAxis::stLinear);
        axis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        axis->setNumberFormat(QStringLiteral("g"));
        axis->setNumberPrecision(6);
    }
}

RunPlot::RunPlot(const QString& csvName, QWidget* parent)
    : QWidget(parent),
      m_plot(new QCustomPlot(this)),
      m_header(new QHBoxLayout),
      m_follow(new QToolButton),
      m_csvName(csvName) {
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    // One polyline per graph: replots stay short while a run adds points ten times a second.
    m_plot->setPlottingHint(QCP::phFastPolylines, true);
    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->setContextMenuPolicy(Qt::CustomContextMenu);
    // The legend in a row of its own under the axes: wherever it sat inside them, some run's
    // curve would pass under it (the curves fill the whole range as they follow the runs).
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(QFont(font().family(), 8));
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setBrush(Qt::NoBrush);
    m_plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    m_plot->legend->setMargins(QMargins(4, 0, 4, 2));
    auto* legendRow = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(1, 0, legendRow);
    m_plot->plotLayout()->setRowStretchFactor(1, 0.001);
    legendRow->addElement(0, 0, m_plot->legend);
    // An empty element beside it: alone, a legend without entries would narrow the axes to its
    // own (tiny) maximum width.
    legendRow->addElement(0, 1, new QCPLayoutElement(m_plot));
    // Zooming (wheel) or panning (drag) is the user taking over the axes.
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this] { setFollowing(false); });
    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) {
        if (event->buttons() & Qt::LeftButton) setFollowing(false);
    });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] { setFollowing(true); });
    connect(m_plot, &QCustomPlot::customContextMenuRequested, this, &RunPlot::showContextMenu);

    m_follow->setObjectName(QStringLiteral("follow"));
    m_follow->setText(tr("Follow"));
    m_follow->setCheckable(true);
    m_follow->setChecked(true);
    m_follow->setToolTip(
        tr("Keep every run in view and follow the one in progress.\nDragging or zooming with the "
           "mouse stops following; a double-click on the plot starts it again."));
    connect(m_follow, &QToolButton::toggled, this, &RunPlot::setFollowing);

    m_header->setContentsMargins(6, 2, 6, 0);
    m_header->addStretch(1);
    m_header->addWidget(m_follow);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(m_header);
    layout->addWidget(m_plot, 1);
}

void RunPlot::setRunSummary(int runId, const QString& summary) {
    restyleRun(runId, [&summary](RunStyle& run) { run.summary = summary; });
}

void RunPlot::setRunLabel(int runId, const QString& label) {
    restyleRun(runId, [&label](RunStyle& run) { run.label = label; });
}

void RunPlot::restyleRun(int runId, const std::function<void(RunStyle& run)>& change) {
    for (RunStyle& run : m_runs) {
        if (run.id != runId) continue;
        change(run);
        nameGraphs(run);
        fitLegendColumns();
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

void RunPlot::removeRunsExcept(int keepId) {
    removeRunsIf([keepId](int id) { return id != keepId; });
}

void RunPlot::removeRun(int runId) {
    removeRunsIf([runId](int id) { return id == runId; });
}

void RunPlot::setHighlightedRuns(const QSet<int>& runIds) {
    m_highlighted = runIds;
    for (Series& s : m_series) applyHighlight(s);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void RunPlot::applyHighlight(Series& s) const {
    QCPScatterStyle markers = s.graph->scatterStyle();
    if (!s.look) {
        s.look = Look{s.graph->pen(), s.graph->brush(), std::nullopt, markers.brush()};
        if (markers.isPenDefined()) s.look->markerPen = markers.pen();
    }
    Look look = *s.look;
    if (m_highlighted.contains(s.run)) {
        look.pen.setWidthF(look.pen.widthF() + 1.5);
    } else if (!m_highlighted.isEmpty()) {
        auto faded = [](QColor colour) {
            colour.setAlphaF(colour.alphaF() * 0.2f);
            return colour;
        };
        look.pen.setColor(faded(look.pen.color()));
        look.brush.setColor(faded(look.brush.color()));
        if (look.markerPen) look.markerPen->setColor(faded(look.markerPen->color()));
        look.markerBrush.setColor(faded(look.markerBrush.color()));
    }
    s.graph->setPen(look.pen);
    s.graph->setBrush(look.brush);
    // Markers without a pen of their own draw with the line's.
    if (look.markerPen) markers.setPen(*look.markerPen);
    markers.setBrush(look.markerBrush);
    s.graph->setScatterStyle(markers);
}

void RunPlot::removeRunsIf(const std::function<bool(int runId)>& remove) {
    for (auto it = m_series.begin(); it != m_series.end();) {
        if (remove(it->run)) {
            m_plot->removeGraph(it->graph);
            it = m_series.erase(it);
        } else {
            ++it;
        }
    }
    m_runs.removeIf([&remove](const RunStyle& run) { return remove(run.id); });
    if (m_highlighted.removeIf([&remove](int id) { return remove(id); }) > 0) {
        for (Series& s : m_series) applyHighlight(s);
    }
    m_runEpochs.removeIf(
        [&remove](const QHash<int, int>::iterator it) { return remove(it.key()); });
    runsRemoved();
    dataChanged();
}

void RunPlot::setFollowing(bool follow) {
    if (follow == m_following) return;
    m_following = follow;
    m_follow->setChecked(follow);
    if (follow) dataChanged();
    Q_EMIT followingChanged(follow);
}

void RunPlot::addMenuAction(QAction* action) {
    m_menuActions << action;
}

QString RunPlot::csvRows() const {
    QString out;
    for (const Series& s : m_series) {
        const RunStyle* run = findRun(s.run);
        const QString prefix = QStringLiteral("%1,%2,%3,%4,")
                                   .arg(m_csvName)
                                   .arg(s.run)
                                   .arg(csvField(run ? run->label : QString()), csvField(s.name));
        for (const QCPGraphData& point : *s.graph->data()) {
            out += prefix + QString::number(point.key, 'g', 8) + QLatin1Char(',') +
                   QString::number(point.value, 'g', 8) + QLatin1Char('\n');
        }
    }
    return out;
}

void RunPlot::addHeaderWidget(QWidget* widget) {
    m_header->insertWidget(m_header->count() - 2, widget);
}

QCPGraph* RunPlot::addSeries(const RunStyle& run, const QString& name, QCPAxis* valueAxis) {
    if (!findRun(run.id)) m_runs << run;
    QCPGraph* graph = m_plot->addGraph(m_plot->xAxis, valueAxis ? valueAxis : m_plot->yAxis);
    m_series.push_back({run.id, name, graph, std::nullopt});
    return graph;
}

QCPGraph* RunPlot::series(int runId, const QString& name) const {
    for (const Series& s : m_series) {
        if (s.run == runId && s.name == name) return s.graph;
    }
    return nullptr;
}

void RunPlot::fitLegendColumns() {
    // As many columns as the widest entry fits in the plot's width, rows as needed.
    QCPLegend* legend = m_plot->legend;
    int widest = 1, entries = 0;
    for (int i = 0; i < legend->itemCount(); ++i) {
        if (const QCPAbstractLegendItem* item = legend->item(i)) {
            widest = std::max(widest, item->minimumOuterSizeHint().width());
            ++entries;
        }
    }
    const int columns =
        std::clamp(m_plot->width() / (widest + legend->columnSpacing()), 1, std::max(1, entries));
    if (columns == legend->wrap()) return;
    legend->setWrap(columns);
    legend->setFillOrder(QCPLegend::foColumnsFirst, true);  // lays the entries out again
}

void RunPlot::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    fitLegendColumns();
}

void RunPlot::dataChanged() {
    m_plot->legend->setVisible(m_plot->legend->itemCount() > 0);
    fitLegendColumns();
    if (m_following) fitRanges();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void RunPlot::previewEpochs(int epochs) {
    m_previewEpochs = std::max(1, epochs);
    if (m_runs.isEmpty()) dataChanged();
}

int RunPlot::epochsInView() const {
    if (m_runs.isEmpty()) return m_previewEpochs;
    int epochs = 1;
    for (const int e : m_runEpochs) epochs = std::max(epochs, e);
    return epochs;
}

void RunPlot::setRunEpochs(int runId, int epochs) {
    m_runEpochs[runId] = std::max(1, epochs);
}

void RunPlot::addMenuEntries(QMenu&) {}

void RunPlot::showContextMenu(const QPoint& pos) {
    QMenu menu(this);
    QAction* follow = menu.addAction(tr("Follow the run"), this, &RunPlot::setFollowing);
    follow->setCheckable(true);
    follow->setChecked(m_following);
    follow->setToolTip(tr("Keep every run in view (double-click the plot)"));
    menu.addSeparator();
    addMenuEntries(menu);
    menu.addSeparator();
    menu.addAction(tr("Export as PNG…"), this, [this] { exportAs(QStringLiteral("png")); });
    menu.addAction(tr("Export as PDF…"), this, [this] { exportAs(QStringLiteral("pdf")); });
    menu.addAction(tr("Export as CSV…"), this, [this] { exportAs(QStringLiteral("csv")); });
    if (!m_menuActions.isEmpty()) {
        menu.addSeparator();
        menu.addActions(m_menuActions);
    }
    menu.setToolTipsVisible(true);
    menu.exec(m_plot->mapToGlobal(pos));
}

void RunPlot::exportAs(const QString& suffix) {
    exportPlotsWithDialog(this, {this}, m_csvName, suffix);
}

const RunStyle* RunPlot::findRun(int runId) const {
    for (const RunStyle& run : m_runs) {
        if (run.id == runId) return &run;
    }
    return nullptr;
}

}  // namespace lenet::ui
