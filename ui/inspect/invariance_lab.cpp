// InvarianceLab: sliders -> transformDigit -> the network and an embedded feature-map view.
#include "ui/inspect/invariance_lab.h"

#include <algorithm>
#include <cmath>
#include <random>

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/inspect/class_bars.h"
#include "ui/inspect/export.h"
#include "ui/inspect/feature_maps_view.h"
#include "ui/inspect/image_grid.h"
#include "ui/inspect/map_images.h"
#include "ui/inspect/selection_trace.h"
#include "ui/inspect/trace_follower.h"

namespace lenet::ui {
namespace {

constexpr unsigned kNoiseSeed = 1993;
constexpr int kImageScale = 3;

QImage inkImage(const lenet::InkImage& ink) {
    return valuesToImage(ink.ink.data(), ink.cols, ink.rows, {0.0f, 1.0f}, Palette::Ink);
}

}  // namespace

lenet::InkImage transformDigit(const lenet::InkImage& image, const LabTransform& t) {
    lenet::InkImage out =
        lenet::affine(image, t.shiftX, t.shiftY, t.rotation, t.scale, t.scale, 0.0f);
    if (t.noise > 0.0f) {
        std::mt19937 rng(kNoiseSeed);
        std::normal_distribution<float> gauss(0.0f, 1.0f);
        for (float& v : out.ink) v = std::clamp(v + t.noise * gauss(rng), 0.0f, 1.0f);
    }
    return out;
}

InvarianceLab::InvarianceLab(QWidget* parent)
    : QWidget(parent),
      m_follower(new TraceFollower(this, [this] { draw(); })),
      m_transformedTrace(new SelectionTrace(this)),
      m_trace(std::make_shared<const Trace>()),
      m_header(new QLabel(this)),
      m_sliderBox(new QWidget(this)),
      m_images(new ImageGrid(this)),
      m_answer(new QLabel(this)),
      m_bars(new ClassBars(this)),
      m_maps(new FeatureMapsView(this)) {
    auto* sliders = new QGridLayout(m_sliderBox);
    sliders->setContentsMargins(0, 0, 0, 0);
    m_shiftX = addSlider(tr("Shift x"),
                         tr("Move the digit right (+) or left (-), in pixels of "
                            "the 28x28 image"),
                         -10, 10, 0, tr("px"));
    m_shiftY = addSlider(tr("Shift y"), tr("Move the digit down (+) or up (-), in pixels"), -10, 10,
                         0, tr("px"));
    m_rotation = addSlider(tr("Rotate"),
                           tr("Rotate the digit about its centre, in degrees "
                              "(clockwise is positive)"),
                           -180, 180, 0, QStringLiteral("°"));
    m_scale = addSlider(tr("Scale"), tr("Enlarge or shrink the digit about its centre, in %"), 40,
                        200, 100, QStringLiteral("%"));
    m_noise = addSlider(tr("Noise"),
                        tr("Add Gaussian noise to the ink: its standard deviation "
                           "in % of full ink (the same pattern at every strength)"),
                        0, 100, 0, QStringLiteral("%"));
    auto* reset = new QPushButton(tr("Reset"), this);
    reset->setObjectName(QStringLiteral("reset"));
    reset->setToolTip(tr("Back to the digit as it is"));
    connect(reset, &QPushButton::clicked, this, &InvarianceLab::reset);
    QToolButton* exportButton =
        makeExportButton(this, QStringLiteral("invariance-lab"),
                         {{tr("Image (PNG)…"), QStringLiteral("png"),
                           [this](const QString& path) { return exportPng(path); }}});

    m_header->setWordWrap(true);
    QFont big = m_answer->font();
    big.setPointSizeF(big.pointSizeF() * 2.2);
    big.setBold(true);
    m_answer->setFont(big);
    m_answer->setAlignment(Qt::AlignCenter);
    m_answer->setToolTip(tr("The network's answer for the changed digit"));
    m_images->setToolTip(tr("The digit as selected and as the sliders change it"));
    m_bars->setToolTip(tr("The network's output per class for the changed digit"));
    m_maps->setToolTip(tr("What each layer makes of the changed digit"));
    m_maps->setTrace(m_transformedTrace);
    // Room for the input, C1 and C3 at least: on a low screen the lab scrolls (its dock is a
    // scroll area) rather than squeezing the maps to a sliver.
    m_maps->setMinimumHeight(22 * fontMetrics().height());

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(reset);
    buttons->addStretch(1);
    buttons->addWidget(exportButton);
    auto* left = new QVBoxLayout;
    left->addWidget(m_sliderBox);
    left->addLayout(buttons);
    left->addWidget(m_images, 1);
    auto* right = new QVBoxLayout;
    right->addWidget(m_answer);
    right->addWidget(m_bars, 1);
    auto* top = new QHBoxLayout;
    top->addLayout(left, 3);
    top->addLayout(right, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_header);
    layout->addLayout(top);
    layout->addWidget(m_maps, 1);
    m_follower->requestDraw();
}

InvarianceLab::~InvarianceLab() = default;

QSlider* InvarianceLab::addSlider(const QString& name, const QString& toolTip, int min, int max,
                                  int value, const QString& unit) {
    auto* grid = static_cast<QGridLayout*>(m_sliderBox->layout());
    const int row = grid->rowCount();
    auto* slider = new QSlider(Qt::Horizontal, m_sliderBox);
    slider->setRange(min, max);
    slider->setValue(value);
    slider->setToolTip(toolTip);
    slider->setObjectName(name.toLower().remove(QLatin1Char(' ')));
    auto* label = new QLabel(name, m_sliderBox);
    label->setToolTip(toolTip);
    auto* shown = new QLabel(m_sliderBox);
    shown->setMinimumWidth(shown->fontMetrics().horizontalAdvance(QStringLiteral("-180°")) + 4);
    shown->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    auto showValue = [shown, unit](int v) { shown->setText(QString::number(v) + unit); };
    showValue(value);
    connect(slider, &QSlider::valueChanged, shown, showValue);
    connect(slider, &QSlider::valueChanged, m_follower, &TraceFollower::requestDraw);
    grid->addWidget(label, row, 0);
    grid->addWidget(slider, row, 1);
    grid->addWidget(shown, row, 2);
    return slider;
}

void InvarianceLab::setTrace(SelectionTrace* trace) {
    m_follower->follow(trace);
}

void InvarianceLab::setNetwork(NetworkSnapshot net) {
    m_follower->trace()->setNetwork(std::move(net));
}

void InvarianceLab::setImage(const lenet::InkImage& image, const QString& description) {
    m_follower->trace()->setImage({image, -1, -1, description});
}

void InvarianceLab::setSelectionModel(SelectionModel* selection) {
    m_follower->trace()->setSelectionModel(selection);
}

LabTransform InvarianceLab::transform() const {
    return {float(m_shiftX->value()), float(m_shiftY->value()), float(m_rotation->value()),
            float(m_scale->value()) / 100.0f, float(m_noise->value()) / 100.0f};
}

void InvarianceLab::setTransform(const LabTransform& t) {
    m_shiftX->setValue(int(std::lround(t.shiftX)));
    m_shiftY->setValue(int(std::lround(t.shiftY)));
    m_rotation->setValue(int(std::lround(t.rotation)));
    m_scale->setValue(int(std::lround(t.scale * 100.0f)));
    m_noise->setValue(int(std::lround(t.noise * 100.0f)));
}

void InvarianceLab::reset() {
    setTransform({});
}

void InvarianceLab::draw() {
    SelectionTrace* source = m_follower->trace();
    const SelectedImage& selected = source->image();
    m_header->setText(selected.description.isEmpty()
                          ? tr("Invariance lab: change the digit and watch the answer.")
                          : tr("Invariance lab: %1").arg(selected.description));
    m_transformed = lenet::InkImage();
    if (!source->hasImage()) {
        m_images->setSections({});
        m_images->setPlaceholder(tr("Select a test image or draw a digit."));
    } else {
        m_transformed = transformDigit(selected.image, transform());
        GridSection sec;
        sec.title = tr("as selected → changed");
        sec.imageSize = QSize(selected.image.cols, selected.image.rows);
        sec.scale = kImageScale;
        sec.cells = {inkImage(selected.image), inkImage(m_transformed)};
        m_images->setSections({sec});
        m_images->setMinimumHeight(m_images->heightForWidth(m_images->sizeHint().width()));
    }
    if (m_transformedTrace->network() != source->network()) {
        // The image is set next: the feature maps draw once, for the new network and image.
        const QSignalBlocker quiet(m_transformedTrace);
        m_transformedTrace->setNetwork(source->network());
    }
    m_transformedTrace->setImage({m_transformed, -1, -1, {}});
    m_trace = m_transformedTrace->trace();
    const NetworkSnapshot& net = source->network();
    if (m_trace->empty()) {
        m_answer->setText(QStringLiteral("–"));
        m_bars->clear(net ? tr("select or draw a digit") : tr("no network"));
    } else if (hasRbfHead(*net)) {
        m_answer->setText(QString::number(m_trace->predicted));
        m_bars->setValues(m_trace->outputs, ClassBars::Mode::Distance);
    } else {
        m_answer->setText(QString::number(m_trace->predicted));
        m_bars->setValues(m_trace->scores, ClassBars::Mode::Probability);
    }
}

QImage InvarianceLab::renderImage() {
    return grab().toImage();
}

QString InvarianceLab::exportPng(const QString& path) {
    return savePng(renderImage(), path);
}

}  // namespace lenet::ui
