// FeatureMapsView: stage toggles, the grid of maps, the enlarged map and the hover line.
#include "ui/inspect/feature_maps_view.h"

#include <algorithm>
#include <cmath>

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QScrollArea>
#include <QShortcut>
#include <QToolButton>
#include <QVBoxLayout>

#include "lenet/kinds.h"
#include "ui/inspect/export.h"
#include "ui/inspect/image_grid.h"
#include "ui/inspect/layer_toggles.h"
#include "ui/inspect/selection_trace.h"
#include "ui/inspect/trace_follower.h"

namespace lenet::ui {
namespace {

constexpr int kCellPixels = 64;    // about how large each map is drawn
constexpr int kVectorPixels = 96;  // a vector stage (C5, F6) is one picture, drawn larger
constexpr int kZoomPixels = 240;   // the enlarged map

}  // namespace

FeatureMapsView::FeatureMapsView(QWidget* parent)
    : QWidget(parent),
      m_follower(new TraceFollower(this, [this] { draw(); })),
      m_trace(std::make_shared<const Trace>()),
      m_header(new QLabel(this)),
      m_toggles(new LayerToggles(this)),
      m_perMap(new QCheckBox(tr("Scale each map"), this)),
      m_scroll(new QScrollArea(this)),
      m_grid(new ImageGrid),
      m_zoomBox(new QWidget(this)),
      m_zoomGrid(new ImageGrid(m_zoomBox)),
      m_hover(new QLabel(this)) {
    m_header->setWordWrap(true);
    m_perMap->setObjectName(QStringLiteral("perMapScale"));
    m_perMap->setToolTip(
        tr("Off: all maps of a layer share one colour scale, so their strengths "
           "compare. On: each map is stretched over its own range, which shows "
           "the pattern of weak maps too."));
    connect(m_perMap, &QCheckBox::toggled, this,
            [this](bool on) { setScaleMode(on ? ScaleMode::PerMap : ScaleMode::SharedPerLayer); });
    QToolButton* exportButton =
        makeExportButton(this, QStringLiteral("feature-maps"),
                         {{tr("Image (PNG)…"), QStringLiteral("png"),
                           [this](const QString& path) { return exportPng(path); }}});

    auto* top = new QHBoxLayout;
    top->addWidget(m_toggles);
    top->addStretch(1);
    top->addWidget(m_perMap);
    top->addWidget(exportButton);

    m_grid->setPlaceholder(tr("No network yet: load a model or train one."));
    m_scroll->setWidget(m_grid);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    connect(m_grid, &ImageGrid::cellHovered, this, &FeatureMapsView::showHover);
    connect(m_grid, &ImageGrid::cellClicked, this, [this](int section, int cell) {
        const Stage& s = m_stages[std::size_t(m_sectionStage[std::size_t(section)])];
        const QString name = QString::fromStdString(s.name);
        if (name == m_zoomStage && cell == m_zoomMap)
            zoom({}, -1);
        else
            zoom(name, cell);
    });

    auto* close = new QToolButton(m_zoomBox);
    close->setText(tr("Close"));
    close->setToolTip(tr("Close the enlarged map (Esc)"));
    connect(close, &QToolButton::clicked, this, [this] { zoom({}, -1); });
    auto* zoomLayout = new QHBoxLayout(m_zoomBox);
    zoomLayout->setContentsMargins(0, 0, 0, 0);
    zoomLayout->addWidget(m_zoomGrid, 1);
    zoomLayout->addWidget(close, 0, Qt::AlignTop);
    connect(m_zoomGrid, &ImageGrid::cellClicked, this, [this] { zoom({}, -1); });
    m_zoomBox->hide();
    auto* escape = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    escape->setContext(Qt::WidgetWithChildrenShortcut);
    connect(escape, &QShortcut::activated, this, [this] { zoom({}, -1); });

    connect(m_toggles, &LayerToggles::changed, this, &FeatureMapsView::rebuild);
    m_hover->setText(tr("Hover over a map to see its values; click it to enlarge it."));
    m_hover->setWordWrap(true);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_header);
    layout->addLayout(top);
    layout->addWidget(m_scroll, 1);
    layout->addWidget(m_zoomBox);
    layout->addWidget(m_hover);
    m_follower->requestDraw();
}

FeatureMapsView::~FeatureMapsView() = default;

void FeatureMapsView::setTrace(SelectionTrace* trace) {
    m_follower->follow(trace);
}

void FeatureMapsView::setNetwork(NetworkSnapshot net) {
    m_follower->trace()->setNetwork(std::move(net));
}

void FeatureMapsView::setImage(const lenet::InkImage& image, const QString& description) {
    m_follower->trace()->setImage({image, -1, -1, description});
}

void FeatureMapsView::setSelectionModel(SelectionModel* selection) {
    m_follower->trace()->setSelectionModel(selection);
}

void FeatureMapsView::draw() {
    SelectionTrace* source = m_follower->trace();
    const NetworkSnapshot& net = source->network();
    m_stages = net ? displayStages(*net) : std::vector<Stage>();
    m_description = source->image().description;
    m_trace = source->trace();
    std::vector<LayerToggles::Item> items;
    int convs = 0;
    for (const Stage& s : m_stages) {
        // The input and the first two convolution stages are shown unless the user chose.
        const bool show = s.layer < 0 ||
                          (lenet::layerKind(s.kind).type == lenet::LayerType::Conv && ++convs <= 2);
        const QString name = QString::fromStdString(s.name);
        items.push_back({name,
                         tr("Show the output of %1 (%2, %3)")
                             .arg(name, QString::fromStdString(s.kind), shapeText(s.shape)),
                         show});
    }
    m_toggles->setItems(items);
    rebuild();
}

void FeatureMapsView::setScaleMode(ScaleMode mode) {
    m_scaleMode = mode;
    m_perMap->setChecked(mode == ScaleMode::PerMap);
    rebuild();
}

void FeatureMapsView::setStageVisible(const QString& name, bool visible) {
    m_toggles->setOn(name, visible);
}

QStringList FeatureMapsView::stageNames() const {
    QStringList names;
    for (const Stage& s : m_stages) names << QString::fromStdString(s.name);
    return names;
}

QStringList FeatureMapsView::visibleStages() const {
    return m_toggles->checked();
}

const Stage* FeatureMapsView::stage(const QString& name) const {
    for (const Stage& s : m_stages) {
        if (QString::fromStdString(s.name) == name) return &s;
    }
    return nullptr;
}

int FeatureMapsView::mapCount(const QString& name) const {
    const Stage* s = stage(name);
    if (!s) return 0;
    return s->isVector() ? 1 : s->shape.c;
}

const float* FeatureMapsView::mapValues(const Stage& s, int map) const {
    const lenet::Tensor& t = m_trace->acts[std::size_t(s.act)];
    return t.sample(0) + std::size_t(map) * s.shape.h * s.shape.w;
}

QSize FeatureMapsView::mapSize(const Stage& s) const {
    return s.isVector() ? vectorGrid(s.shape.c) : QSize(s.shape.w, s.shape.h);
}

ValueRange FeatureMapsView::stageRange(const Stage& s) const {
    return ValueRange::of(m_trace->acts[std::size_t(s.act)].values());
}

ValueRange FeatureMapsView::mapRange(const Stage& s, int map) const {
    if (s.isVector()) return stageRange(s);
    const int n = s.shape.h * s.shape.w;
    return ValueRange::of({mapValues(s, map), std::size_t(n)});
}

QImage FeatureMapsView::mapImage(const QString& name, int map) const {
    const Stage* s = stage(name);
    if (!s || m_trace->empty() || map < 0 || map >= mapCount(name)) return {};
    const ValueRange range = m_scaleMode == ScaleMode::PerMap ? mapRange(*s, map) : stageRange(*s);
    if (s->isVector()) return vectorToImage(mapValues(*s, 0), s->shape.c, range, Palette::Ink);
    return valuesToImage(mapValues(*s, map), s->shape.w, s->shape.h, range, Palette::Ink);
}

int FeatureMapsView::displayScale(const Stage& s, int target) const {
    const QSize size = mapSize(s);
    const int longest = std::max(1, std::max(size.width(), size.height()));
    return std::clamp(int(std::lround(double(target) / longest)), 1, 12);
}

void FeatureMapsView::zoom(const QString& name, int map) {
    m_zoomStage = stage(name) ? name : QString();
    m_zoomMap = m_zoomStage.isEmpty() ? -1 : map;
    rebuild();
}

void FeatureMapsView::rebuild() {
    m_header->setText(m_description.isEmpty() ? tr("Feature maps")
                                              : tr("Feature maps of %1").arg(m_description));
    m_sectionStage.clear();
    if (m_stages.empty()) {
        m_grid->setPlaceholder(tr("No network yet: load a model or train one."));
    } else if (m_trace->empty()) {
        m_grid->setPlaceholder(
            tr("Select a test image or draw a digit to see what each layer "
               "makes of it."));
    }
    std::vector<GridSection> sections;
    int highlightSection = -1;
    for (std::size_t i = 0; i < m_stages.size() && !m_trace->empty(); ++i) {
        const Stage& s = m_stages[i];
        const QString name = QString::fromStdString(s.name);
        if (!m_toggles->isOn(name)) continue;
        GridSection sec;
        const QString kind = QString::fromStdString(s.kind);
        if (s.kind == "input") {
            sec.title = tr("input · %1 · %2").arg(shapeText(s.shape), rangeText(stageRange(s)));
        } else {
            sec.title = tr("%1 · %2 · %3 · %4")
                            .arg(name, kind, shapeText(s.shape), rangeText(stageRange(s)));
        }
        sec.imageSize = mapSize(s);
        sec.scale = displayScale(s, s.isVector() ? kVectorPixels : kCellPixels);
        for (int m = 0; m < mapCount(name); ++m) sec.cells.push_back(mapImage(name, m));
        if (name == m_zoomStage) highlightSection = int(sections.size());
        m_sectionStage.push_back(int(i));
        sections.push_back(std::move(sec));
    }
    m_grid->setSections(std::move(sections));
    m_grid->setHighlighted(highlightSection, highlightSection >= 0 ? m_zoomMap : -1);

    const Stage* z = stage(m_zoomStage);
    if (z && !m_trace->empty()) {
        GridSection sec;
        sec.title = z->isVector() ? tr("%1, all %2 units: %3")
                                        .arg(m_zoomStage)
                                        .arg(z->shape.c)
                                        .arg(rangeText(stageRange(*z)))
                                  : tr("%1 map %2 (%3×%4): %5")
                                        .arg(m_zoomStage)
                                        .arg(m_zoomMap)
                                        .arg(z->shape.h)
                                        .arg(z->shape.w)
                                        .arg(rangeText(mapRange(*z, m_zoomMap)));
        sec.imageSize = mapSize(*z);
        sec.scale = displayScale(*z, kZoomPixels);
        sec.cells.push_back(mapImage(m_zoomStage, m_zoomMap));
        m_zoomGrid->setSections({sec});
        m_zoomGrid->setMinimumHeight(
            m_zoomGrid->heightForWidth(std::max(m_zoomGrid->width(), 300)));
        m_zoomBox->show();
    } else {
        m_zoomGrid->setSections({});
        m_zoomBox->hide();
    }
}

void FeatureMapsView::showHover(int section, int cell, QPoint pixel) {
    if (section < 0 || section >= int(m_sectionStage.size())) {
        m_hover->setText(tr("Hover over a map to see its values; click it to enlarge it."));
        return;
    }
    const Stage& s = m_stages[std::size_t(m_sectionStage[std::size_t(section)])];
    const QString name = QString::fromStdString(s.name);
    if (s.isVector()) {
        const QSize grid = vectorGrid(s.shape.c);
        const int unit = pixel.y() * grid.width() + pixel.x();
        if (unit >= s.shape.c) return;
        m_hover->setText(tr("%1 unit %2 of %3: %4 (all units %5)")
                             .arg(name)
                             .arg(unit)
                             .arg(s.shape.c)
                             .arg(double(mapValues(s, 0)[unit]), 0, 'f', 3)
                             .arg(rangeText(stageRange(s))));
        return;
    }
    const float v = mapValues(s, cell)[pixel.y() * s.shape.w + pixel.x()];
    m_hover->setText(tr("%1 map %2 (%3×%4): values %5; at (%6, %7): %8")
                         .arg(name)
                         .arg(cell)
                         .arg(s.shape.h)
                         .arg(s.shape.w)
                         .arg(rangeText(mapRange(s, cell)))
                         .arg(pixel.x())
                         .arg(pixel.y())
                         .arg(double(v), 0, 'f', 3));
}

QString FeatureMapsView::hoverText() const {
    return m_hover->text();
}

QImage FeatureMapsView::renderImage() {
    const QImage grid = m_grid->grab().toImage();
    if (m_zoomStage.isEmpty()) return grid;
    const QImage zoomed = m_zoomGrid->grab().toImage();
    QImage out(std::max(grid.width(), zoomed.width()), grid.height() + zoomed.height(),
               QImage::Format_RGB32);
    out.fill(palette().color(QPalette::Base));
    QPainter p(&out);
    p.drawImage(0, 0, grid);
    p.drawImage(0, grid.height(), zoomed);
    return out;
}

QString FeatureMapsView::exportPng(const QString& path) {
    return savePng(renderImage(), path);
}

}  // namespace lenet::ui
