// KernelsView: weights read from each Conv layer's "weight" parameter (M, C, k, k).
#include "ui/inspect/kernels_view.h"

#include <algorithm>
#include <cmath>

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QToolButton>
#include <QVBoxLayout>

#include "lenet/kinds.h"
#include "lenet/layers/conv.h"
#include "ui/inspect/export.h"
#include "ui/inspect/image_grid.h"
#include "ui/inspect/layer_toggles.h"
#include "ui/inspect/map_images.h"
#include "ui/inspect/network_probe.h"

namespace lenet::ui {
namespace {

/// Grids with more kernels than this (C5: 16 x 120) are drawn small and shown on demand.
constexpr int kLargeGrid = 300;
/// The layer colour scale ends at this quantile of |w|.
constexpr double kScaleQuantile = 0.95;

}  // namespace

KernelsView::KernelsView(QWidget* parent)
    : QWidget(parent),
      m_toggles(new LayerToggles(this)),
      m_perKernelBox(new QCheckBox(tr("Scale each kernel"), this)),
      m_grid(new ImageGrid),
      m_hover(new QLabel(this)) {
    m_perKernelBox->setObjectName(QStringLiteral("perKernelScale"));
    m_perKernelBox->setToolTip(
        tr("Off: one colour scale per layer (white = 0), so kernels "
           "compare. On: each kernel over its own range."));
    connect(m_perKernelBox, &QCheckBox::toggled, this, &KernelsView::setPerKernelScale);
    connect(m_toggles, &LayerToggles::changed, this, &KernelsView::rebuild);
    QToolButton* exportButton =
        makeExportButton(this, QStringLiteral("kernels"),
                         {{tr("Image (PNG)…"), QStringLiteral("png"),
                           [this](const QString& path) { return exportPng(path); }}});

    auto* top = new QHBoxLayout;
    top->addWidget(m_toggles);
    top->addStretch(1);
    top->addWidget(m_perKernelBox);
    top->addWidget(exportButton);

    auto* scroll = new QScrollArea(this);
    scroll->setWidget(m_grid);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    connect(m_grid, &ImageGrid::cellHovered, this, &KernelsView::showHover);
    m_hover->setWordWrap(true);
    m_hover->setText(tr("Rows: input maps; columns: output maps. Blue is negative, red positive."));

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(scroll, 1);
    layout->addWidget(m_hover);
    rebuild();
}

KernelsView::~KernelsView() = default;

void KernelsView::setNetwork(NetworkSnapshot net) {
    m_convs.clear();
    if (net) {
        m_net.emplace(*net);
        const std::vector<Stage> stages = displayStages(*net);
        for (int l = 0; l < net->layerCount(); ++l) {
            const lenet::Layer& layer = net->layer(l);
            if (lenet::layerKind(layer.kind()).type != lenet::LayerType::Conv) continue;
            ConvInfo c;
            c.name = QString::fromStdString(layer.name());
            c.layer = l;
            c.inputs = layer.inputShape().c;
            c.outputs = layer.outputShape().c;
            c.k = static_cast<const lenet::Conv&>(layer).kernel();
            for (std::size_t s = 1; s < stages.size(); ++s) {
                if (stages[s].layer == l) c.inputName = QString::fromStdString(stages[s - 1].name);
            }
            m_convs.push_back(c);
        }
    } else {
        m_net.reset();
    }
    std::vector<LayerToggles::Item> items;
    for (const ConvInfo& c : m_convs) {
        items.push_back({c.name,
                         tr("Show the %1 kernels of %2 (%3 inputs x %4 outputs, %5x%5)")
                             .arg(c.inputs * c.outputs)
                             .arg(c.name)
                             .arg(c.inputs)
                             .arg(c.outputs)
                             .arg(c.k),
                         c.inputs * c.outputs <= kLargeGrid});
    }
    m_toggles->setItems(items);
    rebuild();
}

void KernelsView::setPerKernelScale(bool perKernel) {
    m_perKernel = perKernel;
    m_perKernelBox->setChecked(perKernel);
    rebuild();
}

void KernelsView::setLayerVisible(const QString& name, bool visible) {
    m_toggles->setOn(name, visible);
}

QStringList KernelsView::layerNames() const {
    QStringList names;
    for (const ConvInfo& c : m_convs) names << c.name;
    return names;
}

const KernelsView::ConvInfo* KernelsView::info(const QString& name) const {
    for (const ConvInfo& c : m_convs) {
        if (c.name == name) return &c;
    }
    return nullptr;
}

const float* KernelsView::kernel(const ConvInfo& c, int in, int out) const {
    const std::vector<float>& w = m_net->layer(c.layer).params()[0].value;
    return w.data() + (std::size_t(out) * c.inputs + in) * c.k * c.k;
}

bool KernelsView::connected(const ConvInfo& c, int in, int out) const {
    return static_cast<const lenet::Conv&>(m_net->layer(c.layer)).connected(in, out);
}

QSize KernelsView::gridSize(const QString& name) const {
    const ConvInfo* c = info(name);
    return c ? QSize(c->outputs, c->inputs) : QSize();
}

int KernelsView::filledCells(const QString& name) const {
    const auto& sections = m_grid->sections();
    for (std::size_t i = 0; i < m_sectionConv.size() && i < sections.size(); ++i) {
        if (m_convs[std::size_t(m_sectionConv[i])].name != name) continue;
        return int(std::count_if(sections[i].cells.begin(), sections[i].cells.end(),
                                 [](const QImage& im) { return !im.isNull(); }));
    }
    return 0;
}

std::vector<float> KernelsView::layerWeights(const ConvInfo& c) const {
    std::vector<float> weights;
    for (int in = 0; in < c.inputs; ++in)
        for (int out = 0; out < c.outputs; ++out) {
            if (!connected(c, in, out)) continue;
            const float* w = kernel(c, in, out);
            weights.insert(weights.end(), w, w + c.k * c.k);
        }
    return weights;
}

ValueRange KernelsView::layerScale(const ConvInfo& c) const {
    return ValueRange::robustSymmetric(layerWeights(c), kScaleQuantile);
}

QImage KernelsView::makeKernelImage(const ConvInfo& c, int in, int out,
                                    const ValueRange& layer) const {
    if (!connected(c, in, out)) return {};
    const float* w = kernel(c, in, out);
    const ValueRange range =
        m_perKernel ? ValueRange::of({w, std::size_t(c.k * c.k)}).symmetric() : layer;
    return valuesToImage(w, c.k, c.k, range, Palette::Signed);
}

QImage KernelsView::kernelImage(const QString& name, int in, int out) const {
    const ConvInfo* c = info(name);
    if (!c || in < 0 || out < 0 || in >= c->inputs || out >= c->outputs) return {};
    return makeKernelImage(*c, in, out, layerScale(*c));
}

void KernelsView::rebuild() {
    m_sectionConv.clear();
    std::vector<GridSection> sections;
    if (!m_net)
        m_grid->setPlaceholder(tr("No network yet: load a model or train one."));
    else if (m_convs.empty())
        m_grid->setPlaceholder(tr("This network has no convolution layer."));
    for (std::size_t i = 0; i < m_convs.size(); ++i) {
        const ConvInfo& c = m_convs[i];
        if (!m_toggles->isOn(c.name)) continue;
        GridSection sec;
        const ValueRange scale = layerScale(c);
        int filled = 0;
        for (int in = 0; in < c.inputs; ++in) {
            for (int out = 0; out < c.outputs; ++out) {
                sec.cells.push_back(makeKernelImage(c, in, out, scale));
                filled += !sec.cells.back().isNull();
            }
        }
        const int all = c.inputs * c.outputs;
        const QString colours =
            m_perKernel ? tr("each kernel on its own scale")
                        : tr("colours saturate at ±%1").arg(double(scale.hi), 0, 'f', 2);
        sec.title = tr("%1 kernels (%2x%2): %3 inputs x %4 outputs, %5 weights %6 (%7)")
                        .arg(c.name)
                        .arg(c.k)
                        .arg(c.inputs)
                        .arg(c.outputs)
                        .arg(filled < all ? tr("%1 of %2 connected,").arg(filled).arg(all)
                                          : tr("fully connected,"))
                        .arg(rangeText(ValueRange::of(layerWeights(c))), colours);
        sec.imageSize = QSize(c.k, c.k);
        sec.columns = c.outputs;
        const bool large = all > kLargeGrid;
        // About 40 pixels per kernel for a few, 30 for a table as wide as C3's, 15 for C5's.
        const double pixels = large ? 15.0 : c.outputs > 8 ? 30.0 : 40.0;
        sec.scale = std::clamp(int(std::lround(pixels / c.k)), 1, 12);
        for (int in = 0; in < c.inputs; ++in)
            sec.rowLabels << QStringLiteral("%1 %2").arg(c.inputName).arg(in);
        for (int out = 0; out < c.outputs; ++out)
            sec.columnLabels << (large && out % 10 ? QString() : QString::number(out));
        m_sectionConv.push_back(int(i));
        sections.push_back(std::move(sec));
    }
    m_grid->setSections(std::move(sections));
}

void KernelsView::showHover(int section, int cell, QPoint pixel) {
    if (section < 0 || section >= int(m_sectionConv.size())) {
        m_hover->setText(
            tr("Rows: input maps; columns: output maps. Blue is negative, red positive."));
        return;
    }
    const ConvInfo& c = m_convs[std::size_t(m_sectionConv[std::size_t(section)])];
    const int in = cell / c.outputs, out = cell % c.outputs;
    if (!connected(c, in, out)) {
        m_hover->setText(tr("%1 map %2 does not feed %3 map %4 (the connection table leaves "
                            "this kernel out)")
                             .arg(c.inputName)
                             .arg(in)
                             .arg(c.name)
                             .arg(out));
        return;
    }
    const float* w = kernel(c, in, out);
    const float bias = m_net->layer(c.layer).params()[1].value[std::size_t(out)];
    m_hover->setText(tr("%1 map %2 → %3 map %4 (%5x%5): weights %6, bias %7; at (%8, %9): %10")
                         .arg(c.inputName)
                         .arg(in)
                         .arg(c.name)
                         .arg(out)
                         .arg(c.k)
                         .arg(rangeText(ValueRange::of({w, std::size_t(c.k * c.k)})))
                         .arg(double(bias), 0, 'f', 3)
                         .arg(pixel.x())
                         .arg(pixel.y())
                         .arg(double(w[pixel.y() * c.k + pixel.x()]), 0, 'f', 3));
}

QString KernelsView::hoverText() const {
    return m_hover->text();
}

QImage KernelsView::renderImage() {
    return m_grid->grab().toImage();
}

QString KernelsView::exportPng(const QString& path) {
    return savePng(renderImage(), path);
}

}  // namespace lenet::ui
