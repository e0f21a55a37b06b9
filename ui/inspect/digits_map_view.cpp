// DigitsMapView: the background computation (features, PCA), layout, painting, hit testing,
// tool tips and export.
#include "ui/inspect/digits_map_view.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <numbers>

#include <QBuffer>
#include <QHelpEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolButton>
#include <QToolTip>

#include "lenet/evaluate.h"
#include "ui/inspect/digit_canvas.h"
#include "ui/inspect/drawing_panel.h"
#include "ui/inspect/export.h"
#include "ui/inspect/map_images.h"
#include "ui/inspect/network_probe.h"
#include "ui/inspect/selection_model.h"
#include "ui/plots/run_plot.h"

namespace lenet::ui {
namespace {

constexpr int kMargin = 6;
constexpr double kRadius = 3.0;
constexpr double kPickDistance = 6.0;  // pixels

/// The map of the samples `ev` classified (with their features) from the start of `data`.
std::shared_ptr<const DigitsMap> mapOf(const lenet::Network& net, const lenet::Evaluation& ev,
                                       const lenet::Dataset& data, const lenet::Pca2* previous) {
    auto map = std::make_shared<DigitsMap>();
    // The last stage drawn (e.g. F6 with its activation) ends where the output layer begins.
    const std::vector<Stage> stages = displayStages(net);
    if (!stages.empty() && stages.back().act == net.layerCount() - 1)
        map->layer = QString::fromStdString(stages.back().name);
    map->pca = lenet::fitPca2(ev.features, ev.featureDims, previous);
    map->xy = lenet::projectAll(map->pca, ev.features);
    map->labels.assign(data.labels.begin(), data.labels.begin() + ev.count);
    map->predicted = ev.predictions;
    for (int k = 0; k < ev.classes; ++k) {
        map->classNames << (std::size_t(k) < ev.classNames.size()
                                ? QString::fromStdString(ev.classNames[std::size_t(k)])
                                : QString::number(k));
    }
    return map;
}

QString percentOf(double part, double whole) {
    return QStringLiteral("%1 %").arg(whole > 0 ? 100.0 * part / whole : 0.0, 0, 'f', 0);
}

/// A five-pointed star of outer radius `r` around `c`.
QPainterPath star(QPointF c, double r) {
    QPainterPath path;
    for (int k = 0; k < 10; ++k) {
        const double a = -std::numbers::pi / 2 + k * std::numbers::pi / 5;
        const double rk = k % 2 == 0 ? r : r * 0.45;
        const QPointF p(c.x() + rk * std::cos(a), c.y() + rk * std::sin(a));
        if (k == 0)
            path.moveTo(p);
        else
            path.lineTo(p);
    }
    path.closeSubpath();
    return path;
}

}  // namespace

DigitsMapView::DigitsMapView(QWidget* parent)
    : QWidget(parent),
      m_export(makeExportButton(this, QStringLiteral("digits-map"),
                                {{tr("Image (PNG)…"), QStringLiteral("png"),
                                  [this](const QString& path) { return exportPng(path); }},
                                 {tr("Points (CSV)…"), QStringLiteral("csv"),
                                  [this](const QString& path) { return exportCsv(path); }}})) {
    setMouseTracking(true);
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
}

DigitsMapView::~DigitsMapView() = default;  // m_worker stops and joins its run

void DigitsMapView::setTestSet(std::shared_ptr<const lenet::Dataset> data) {
    m_data = std::move(data);
    m_map.reset();
    m_drawn.reset();
    ++m_generation;
    m_busy = m_pending = false;
    m_worker.stop();
    if (m_net && m_data) start();
    update();
}

void DigitsMapView::setNetwork(NetworkSnapshot net) {
    m_net = std::move(net);
    if (!m_net || !m_data) {
        ++m_generation;
        m_busy = m_pending = false;
        m_worker.stop();
        m_map.reset();
        m_drawn.reset();
        update();
        return;
    }
    if (m_busy) {
        m_pending = true;
        return;
    }
    start();
}

void DigitsMapView::start() {
    const unsigned generation = ++m_generation;
    m_busy = true;
    m_pending = false;
    m_error.clear();
    std::optional<lenet::Pca2> previous;
    if (m_map) previous = m_map->pca;
    m_worker.start([this, generation, net = m_net, data = m_data,
                    previous = std::move(previous)](std::stop_token stop) {
        std::shared_ptr<const DigitsMap> map;
        QString error;
        try {
            lenet::Network copy(*net);
            const lenet::Evaluation ev =
                lenet::evaluate(copy, *data, 0, {0, std::min(kImages, data->size())}, stop, true);
            if (!stop.stop_requested() && ev.count > 0)
                map = mapOf(copy, ev, *data, previous ? &*previous : nullptr);
        } catch (const std::exception& e) {
            error = tr("Cannot map the test set: %1").arg(QString::fromUtf8(e.what()));
        }
        if (stop.stop_requested()) return;
        m_worker.post([this, generation, map, error] { finished(generation, map, error); });
    });
    update();
}

void DigitsMapView::finished(unsigned generation, std::shared_ptr<const DigitsMap> map,
                             const QString& error) {
    if (generation != m_generation) return;
    m_busy = false;
    m_error = error;
    if (map && map->count() > 0) {
        m_map = std::move(map);
        double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
        for (int i = 0; i < m_map->count(); ++i) {
            const double x = m_map->xy[std::size_t(2 * i)], y = m_map->xy[std::size_t(2 * i + 1)];
            x0 = std::min(x0, x);
            x1 = std::max(x1, x);
            y0 = std::min(y0, y);
            y1 = std::max(y1, y);
        }
        const double mx = std::max(1e-6, (x1 - x0) * 0.04), my = std::max(1e-6, (y1 - y0) * 0.04);
        m_bounds = QRectF(QPointF(x0 - mx, y0 - my), QPointF(x1 + mx, y1 + my));
    }
    if (m_pending) start();
    updateDrawnPoint();
    update();
}

void DigitsMapView::setSelectionModel(SelectionModel* selection) {
    if (m_selection) disconnect(m_selection, nullptr, this, nullptr);
    m_selection = selection;
    if (selection)
        connect(selection, &SelectionModel::changed, this, qOverload<>(&QWidget::update));
    update();
}

void DigitsMapView::setDrawingPanel(DrawingPanel* panel) {
    if (m_drawing) disconnect(m_drawing->canvas(), nullptr, this, nullptr);
    m_drawing = panel;
    // Connected after the panel's own handler: the panel's trace is the new drawing's.
    if (panel)
        connect(panel->canvas(), &DigitCanvas::drawingChanged, this,
                &DigitsMapView::updateDrawnPoint);
    updateDrawnPoint();
}

void DigitsMapView::updateDrawnPoint() {
    const std::optional<QPointF> before = m_drawn;
    m_drawn.reset();
    if (m_drawing && m_map && !m_drawing->centred().ink.empty()) {
        const Trace& trace = m_drawing->trace();
        // acts[l + 1] is layer l's output: the last but one is the last layer's input.
        if (trace.acts.size() >= 2) {
            const lenet::Tensor& f = trace.acts[trace.acts.size() - 2];
            if (int(f.size()) == m_map->pca.dims) {
                const auto xy = m_map->pca.project(f.sample(0));
                m_drawn = QPointF(xy[0], xy[1]);
            }
        }
    }
    if (m_drawn != before) update();
}

QString DigitsMapView::title() const {
    if (!m_data) return tr("No test set loaded: the map needs MNIST (File > Fetch MNIST).");
    if (!m_error.isEmpty()) return m_error;
    if (!m_net) return tr("No network: load a model or train one to see its map.");
    if (!m_map) return tr("Mapping the test images…");
    const lenet::Pca2& pca = m_map->pca;
    const QString layer = m_map->layer.isEmpty() ? tr("the penultimate layer") : m_map->layer;
    return tr("%1 test images as %2 sees them (%3 values) in 2-D: %4 + %5 of the variance%6")
        .arg(QLocale().toString(m_map->count()), layer)
        .arg(pca.dims)
        .arg(percentOf(pca.variance[0], pca.totalVariance),
             percentOf(pca.variance[1], pca.totalVariance),
             m_busy ? tr(" (updating…)") : QString());
}

int DigitsMapView::titleHeight() const {
    return std::max(fontMetrics().height(), m_export->sizeHint().height()) + kMargin;
}

QRect DigitsMapView::legendRect() const {
    const QFontMetrics fm = fontMetrics();
    const int text = std::max(fm.horizontalAdvance(tr("misclassified")),
                              fm.horizontalAdvance(tr("your drawing")));
    const int w = text + fm.height() + 3 * kMargin;
    return {width() - w - kMargin, titleHeight() + kMargin, w, height() - titleHeight() - kMargin};
}

QRect DigitsMapView::plotRect() const {
    const int top = titleHeight() + kMargin;
    return {kMargin, top, std::max(10, legendRect().left() - 2 * kMargin),
            std::max(10, height() - top - kMargin)};
}

QPointF DigitsMapView::pointPosition(int i) const {
    if (!m_map || i < 0 || i >= m_map->count()) return {};
    const QRectF r = plotRect();
    const double x = m_map->xy[std::size_t(2 * i)], y = m_map->xy[std::size_t(2 * i + 1)];
    return {r.left() + (x - m_bounds.left()) / m_bounds.width() * r.width(),
            r.bottom() - (y - m_bounds.top()) / m_bounds.height() * r.height()};
}

int DigitsMapView::pointAt(QPointF pos) const {
    if (!m_map) return -1;
    int best = -1;
    double bestDistance = kPickDistance * kPickDistance;
    for (int i = 0; i < m_map->count(); ++i) {
        const QPointF d = pointPosition(i) - pos;
        const double distance = QPointF::dotProduct(d, d);
        if (distance <= bestDistance) {
            bestDistance = distance;
            best = i;
        }
    }
    return best;
}

void DigitsMapView::selectPoint(int i) {
    if (!m_map || !m_data || !m_selection || i < 0 || i >= m_map->count()) return;
    const int label = m_map->labels[std::size_t(i)];
    m_selection->select({lenet::toInk(m_data->image(i), m_data->rows, m_data->cols), label, i,
                         tr("test image %1 (a %2)").arg(i).arg(label)});
}

QString DigitsMapView::toolTipFor(int i) const {
    const QImage image = pixelsToImage(m_data->image(i), m_data->rows, m_data->cols)
                             .scaled(m_data->cols * 3, m_data->rows * 3);
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    const int label = m_map->labels[std::size_t(i)], predicted = m_map->predicted[std::size_t(i)];
    const QString& trueName = m_map->classNames.value(label, QString::number(label));
    const QString& predictedName = m_map->classNames.value(predicted, QString::number(predicted));
    return QStringLiteral("<img src=\"data:image/png;base64,%1\"><br>%2")
        .arg(QString::fromLatin1(png.toBase64()),
             tr("test image %1: true %2, predicted %3%4")
                 .arg(i)
                 .arg(trueName, predictedName, label == predicted ? QString() : tr(" (wrong)")));
}

bool DigitsMapView::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        const auto* help = static_cast<QHelpEvent*>(event);
        const int i = pointAt(help->pos());
        if (i >= 0) {
            QToolTip::showText(help->globalPos(), toolTipFor(i), this);
        } else {
            QToolTip::showText(
                help->globalPos(),
                QStringLiteral("<p>%1</p>")
                    .arg(tr(
                        "Each point is a test image, placed by what the penultimate layer makes of "
                        "it; colour: true class, black ring: misclassified, star: your drawing, "
                        "blue ring: the selected image. Click a point to select its image.")),
                this);
        }
        return true;
    }
    return QWidget::event(event);
}

void DigitsMapView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QFontMetrics fm = fontMetrics();
    const QRect titleRect(kMargin, 0, m_export->x() - 2 * kMargin, titleHeight());
    p.setPen(palette().color(QPalette::Text));
    p.drawText(titleRect, Qt::AlignVCenter | Qt::AlignLeft | Qt::TextWordWrap, title());
    const QRect plot = plotRect();
    p.setPen(palette().color(QPalette::Mid));
    p.drawRect(plot.adjusted(0, 0, -1, -1));
    if (!m_map) return;

    const int classes = int(m_map->classNames.size());
    // Right answers first, mistakes on top of them.
    for (const bool wrong : {false, true}) {
        for (int i = 0; i < m_map->count(); ++i) {
            const int label = m_map->labels[std::size_t(i)];
            if ((m_map->predicted[std::size_t(i)] != label) != wrong) continue;
            const QPointF c = pointPosition(i);
            p.setPen(wrong ? QPen(Qt::black, 1.5) : Qt::NoPen);
            p.setBrush(runColour(label));
            p.drawEllipse(c, wrong ? kRadius + 1 : kRadius, wrong ? kRadius + 1 : kRadius);
        }
    }
    if (m_selection && !m_selection->isEmpty()) {
        const int selected = m_selection->current().testIndex;
        if (selected >= 0 && selected < m_map->count()) {
            p.setPen(QPen(palette().color(QPalette::Highlight), 2.5));
            p.setBrush(Qt::NoBrush);
            p.drawEllipse(pointPosition(selected), 9.0, 9.0);
        }
    }
    if (m_drawn) {
        const QRectF r = plot;
        const QPointF c(
            std::clamp(r.left() + (m_drawn->x() - m_bounds.left()) / m_bounds.width() * r.width(),
                       r.left(), r.right()),
            std::clamp(
                r.bottom() - (m_drawn->y() - m_bounds.top()) / m_bounds.height() * r.height(),
                r.top(), r.bottom()));
        p.setPen(QPen(Qt::black, 1.5));
        p.setBrush(QColor(255, 215, 0));
        p.drawPath(star(c, 11.0));
    }

    // The legend: a swatch per class, then the marks.
    const QRect legend = legendRect();
    const int row = fm.height() + 2;
    int y = legend.top();
    p.setPen(palette().color(QPalette::Text));
    p.drawText(QPoint(legend.left(), y + fm.ascent()), tr("true class"));
    y += row;
    for (int k = 0; k < classes; ++k, y += row) {
        p.setPen(Qt::NoPen);
        p.setBrush(runColour(k));
        p.drawEllipse(QPointF(legend.left() + fm.height() / 2.0, y + fm.height() / 2.0), 5, 5);
        p.setPen(palette().color(QPalette::Text));
        p.drawText(QPoint(legend.left() + fm.height() + kMargin, y + fm.ascent()),
                   m_map->classNames[k]);
    }
    y += row / 2;
    p.setPen(QPen(Qt::black, 1.5));
    p.setBrush(palette().color(QPalette::Base));
    p.drawEllipse(QPointF(legend.left() + fm.height() / 2.0, y + fm.height() / 2.0), 5, 5);
    p.setPen(palette().color(QPalette::Text));
    p.drawText(QPoint(legend.left() + fm.height() + kMargin, y + fm.ascent()), tr("misclassified"));
    y += row;
    p.setPen(QPen(Qt::black, 1.0));
    p.setBrush(QColor(255, 215, 0));
    p.drawPath(star(QPointF(legend.left() + fm.height() / 2.0, y + fm.height() / 2.0), 7.0));
    p.setPen(palette().color(QPalette::Text));
    p.drawText(QPoint(legend.left() + fm.height() + kMargin, y + fm.ascent()), tr("your drawing"));
    y += row;
    p.setPen(QPen(palette().color(QPalette::Highlight), 2.0));
    p.setBrush(Qt::NoBrush);
    p.drawEllipse(QPointF(legend.left() + fm.height() / 2.0, y + fm.height() / 2.0), 6, 6);
    p.setPen(palette().color(QPalette::Text));
    p.drawText(QPoint(legend.left() + fm.height() + kMargin, y + fm.ascent()), tr("selected"));
}

void DigitsMapView::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton) selectPoint(pointAt(event->position()));
    QWidget::mousePressEvent(event);
}

void DigitsMapView::resizeEvent(QResizeEvent* event) {
    const QSize s = m_export->sizeHint();
    m_export->setGeometry(width() - s.width() - kMargin, kMargin / 2, s.width(), s.height());
    QWidget::resizeEvent(event);
}

QSize DigitsMapView::sizeHint() const {
    return {520, 440};
}

QSize DigitsMapView::minimumSizeHint() const {
    return {300, 260};
}

QImage DigitsMapView::renderImage() {
    return grab().toImage();
}

QString DigitsMapView::exportPng(const QString& path) {
    return savePng(renderImage(), path);
}

QByteArray DigitsMapView::toCsv() const {
    QByteArray csv("index,x,y,label,predicted\n");
    if (!m_map) return csv;
    for (int i = 0; i < m_map->count(); ++i) {
        csv += QStringLiteral("%1,%2,%3,%4,%5\n")
                   .arg(i)
                   .arg(m_map->xy[std::size_t(2 * i)], 0, 'g', 7)
                   .arg(m_map->xy[std::size_t(2 * i + 1)], 0, 'g', 7)
                   .arg(m_map->labels[std::size_t(i)])
                   .arg(m_map->predicted[std::size_t(i)])
                   .toUtf8();
    }
    if (m_drawn) {
        const int predicted = m_drawing ? m_drawing->predictedClass() : -1;
        csv += QStringLiteral("drawing,%1,%2,,%3\n")
                   .arg(m_drawn->x(), 0, 'g', 7)
                   .arg(m_drawn->y(), 0, 'g', 7)
                   .arg(predicted)
                   .toUtf8();
    }
    return csv;
}

QString DigitsMapView::exportCsv(const QString& path) {
    return saveBytes(toCsv(), path);
}

}  // namespace lenet::ui
