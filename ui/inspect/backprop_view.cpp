// BackpropView: the step state, the controls, and BackpropGraph, which draws the nodes.
#include "ui/inspect/backprop_view.h"

#include <algorithm>
#include <cmath>
#include <span>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QShortcut>
#include <QToolButton>
#include <QVBoxLayout>

#include "lenet/spec_json.h"
#include "ui/inspect/export.h"
#include "ui/inspect/map_images.h"
#include "ui/inspect/selection_trace.h"
#include "ui/inspect/trace_follower.h"

namespace lenet::ui {
namespace {

constexpr int kMargin = 8;
constexpr int kRowHeight = 84;
constexpr int kBoxWidth = 150;
constexpr int kThumbHeight = 44;
constexpr int kMaxMaps = 16;

double norm(std::span<const float> v) {
    double s = 0.0;
    for (float x : v) s += double(x) * x;
    return std::sqrt(s);
}

/// Sample 0 of `t` as one picture: the maps side by side (at most kMaxMaps, in two rows when
/// there are more than 8), or a vector of units as its vectorGrid picture.
QImage tensorPicture(const lenet::Tensor& t, const ValueRange& range, Palette palette) {
    const lenet::Shape s = t.shape();
    const float* v = t.sample(0);
    if (s.h == 1 && s.w == 1) return vectorToImage(v, s.c, range, palette);
    const int maps = std::min(s.c, kMaxMaps);
    const int rows = maps > 8 ? 2 : 1;
    const int columns = (maps + rows - 1) / rows;
    QImage out(columns * (s.w + 1) - 1, rows * (s.h + 1) - 1, QImage::Format_RGB32);
    out.fill(Qt::white);
    QPainter p(&out);
    for (int m = 0; m < maps; ++m)
        p.drawImage((m % columns) * (s.w + 1), (m / columns) * (s.h + 1),
                    valuesToImage(v + std::size_t(m) * s.h * s.w, s.w, s.h, range, palette));
    return out;
}

}  // namespace

/// The graph: one row per node with its box, its output and the gradient flowing into it.
class BackpropGraph : public QWidget {
public:
    explicit BackpropGraph(const BackpropView* view) : m_view(view) {
        setBackgroundRole(QPalette::Base);
        setAutoFillBackground(true);
    }

    int headerHeight() const { return fontMetrics().height() + 2 * kMargin; }
    int rowTop(int node) const { return headerHeight() + node * kRowHeight; }
    QSize sizeHint() const override {
        return {680, rowTop(std::max(1, m_view->nodeCount())) + kMargin};
    }
    /// Wide enough for the box and the two columns' headings: narrower, the view scrolls.
    QSize minimumSizeHint() const override {
        QFont bold = font();
        bold.setBold(true);
        const QFontMetrics fm(bold);
        const int heading = std::max(fm.horizontalAdvance(forwardHeading()),
                                     fm.horizontalAdvance(backwardHeading()));
        return {kBoxWidth + 4 * kMargin + 8 + 2 * heading, sizeHint().height()};
    }
    static QString forwardHeading() { return BackpropView::tr("forward: output"); }
    static QString backwardHeading() { return BackpropView::tr("backward: gradient in"); }

protected:
    void paintEvent(QPaintEvent*) override;

private:
    void drawPicture(QPainter& p, const QRect& area, const QImage& picture) const;
    void drawNode(QPainter& p, int node) const;

    const BackpropView* m_view;
};

void BackpropGraph::drawPicture(QPainter& p, const QRect& area, const QImage& picture) const {
    if (picture.isNull()) return;
    const double scale =
        std::min(double(area.height()) / picture.height(), double(area.width()) / picture.width());
    const double s = scale >= 1.0 ? std::floor(scale) : scale;
    const QSize size(std::max(1, int(picture.width() * s)), std::max(1, int(picture.height() * s)));
    const QRect target(area.topLeft(), size);
    p.drawImage(target, picture);
    p.setPen(palette().color(QPalette::Mid));
    p.setBrush(Qt::NoBrush);
    p.drawRect(target.adjusted(-1, -1, 0, 0));
}

void BackpropGraph::drawNode(QPainter& p, int node) const {
    const BackpropTrace& t = m_view->trace();
    const lenet::Network& net = *m_view->m_net;
    const int layers = net.layerCount();
    const bool isLoss = node == layers + 1;
    const int top = rowTop(node);
    const QRect box(kMargin, top + 6, kBoxWidth, kRowHeight - 18);
    const int columnWidth = (width() - box.right() - 3 * kMargin) / 2;
    const QRect forward(box.right() + kMargin + 4, top + 6, columnWidth, kThumbHeight);
    const QRect backward(forward.right() + kMargin + 4, top + 6, columnWidth, kThumbHeight);
    const QFontMetrics fm = fontMetrics();
    QFont small = font();
    small.setPointSizeF(std::max(6.0, font().pointSizeF() * 0.85));
    const int textTop = top + 6 + kThumbHeight + 3;

    // Which node the current step is at: forward steps 1..L reach nodes 1..L, the loss step
    // node L+1, backward step L+1+j node L+1-j.
    const int step = m_view->step();
    const int current = step <= layers + 1 ? step : 2 * layers + 2 - step;
    const QColor highlight(0, 120, 215);
    p.setPen(QPen(node == current ? highlight : palette().color(QPalette::Mid),
                  node == current ? 2.0 : 1.0));
    p.setBrush(isLoss ? QColor(255, 244, 230) : QColor(240, 244, 250));
    p.drawRoundedRect(box, 6, 6);
    QString title, detail;
    if (node == 0) {
        title = BackpropView::tr("input");
        detail = shapeText(net.inputShape());
    } else if (isLoss) {
        title = BackpropView::tr("loss (%1)")
                    .arg(QString::fromStdString(lenet::toString(net.spec().loss)));
        detail = BackpropView::tr("target class %1").arg(t.label);
    } else {
        const lenet::Layer& l = net.layer(node - 1);
        title = QStringLiteral("%1 · %2").arg(QString::fromStdString(l.name()),
                                              QString::fromStdString(l.kind()));
        detail = shapeText(l.outputShape());
    }
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(QColor(30, 30, 30));  // on the box's own light fill, whatever the palette
    p.drawText(box.adjusted(8, 6, -6, 0), Qt::AlignLeft | Qt::AlignTop, title);
    p.setFont(small);
    p.drawText(box.adjusted(8, 6 + fm.height(), -6, 0), Qt::AlignLeft | Qt::AlignTop, detail);

    // Arrows to the next node: forward (down, grey) and backward (up, red).
    if (!isLoss) {
        const int y0 = box.bottom() + 1, y1 = rowTop(node + 1) + 6;
        auto arrow = [&](int x, bool down, const QColor& c) {
            p.setPen(QPen(c, 1.5));
            p.drawLine(x, y0, x, y1);
            const int tip = down ? y1 : y0, back = down ? -4 : 4;
            p.drawLine(x, tip, x - 3, tip + back);
            p.drawLine(x, tip, x + 3, tip + back);
        };
        arrow(box.left() + box.width() / 3, true, palette().color(QPalette::Mid));
        if (m_view->showsGradient(node + 1))
            arrow(box.left() + 2 * box.width() / 3, false, QColor(200, 40, 40));
    }

    if (t.forward.empty()) return;
    p.setFont(small);
    if (isLoss) {
        if (m_view->showsOutput(node)) {
            p.setPen(palette().color(QPalette::Text));
            p.drawText(forward, Qt::AlignLeft | Qt::AlignVCenter,
                       BackpropView::tr("E = %1\npredicted %2")
                           .arg(double(t.loss), 0, 'f', 4)
                           .arg(t.forward.predicted));
        }
        if (m_view->showsGradient(node)) {
            const lenet::Tensor& g = t.grads[std::size_t(layers)];
            const ValueRange r = ValueRange::of(g.values()).symmetric();
            drawPicture(p, backward, tensorPicture(g, r, Palette::Signed));
            p.setPen(palette().color(QPalette::Text));
            p.drawText(QPoint(backward.left(), textTop + fm.ascent()),
                       BackpropView::tr("dE/d output, |·| = %1").arg(norm(g.values()), 0, 'g', 3));
        }
        return;
    }
    if (m_view->showsOutput(node)) {
        const lenet::Tensor& y = t.forward.acts[std::size_t(node)];
        const ValueRange r = ValueRange::of(y.values());
        drawPicture(p, forward, tensorPicture(y, r, Palette::Ink));
        p.setPen(palette().color(QPalette::Text));
        QString text = BackpropView::tr("output %1").arg(rangeText(r));
        if (y.shape().c > kMaxMaps && !(y.shape().h == 1 && y.shape().w == 1))
            text += BackpropView::tr(" (first %1 maps)").arg(kMaxMaps);
        p.drawText(QPoint(forward.left(), textTop + fm.ascent()), text);
    }
    if (node == 0) {
        if (m_view->step() > layers + 1) {
            p.setPen(palette().color(QPalette::PlaceholderText));
            p.drawText(backward, Qt::AlignLeft | Qt::AlignVCenter,
                       BackpropView::tr("(no gradient: the input is not learned)"));
        }
        return;
    }
    if (m_view->showsGradient(node)) {
        const lenet::Tensor& g = t.grads[std::size_t(node)];
        const ValueRange r = ValueRange::of(g.values()).symmetric();
        drawPicture(p, backward, tensorPicture(g, r, Palette::Signed));
        QString text = BackpropView::tr("dE/dy |·| = %1").arg(norm(g.values()), 0, 'g', 3);
        const lenet::Layer& l = net.layer(node - 1);
        int index = 0;
        for (int k = 0; k < node - 1; ++k) index += int(net.layer(k).params().size());
        for (const lenet::Param& param : l.params()) {
            if (param.trainable)
                text += QStringLiteral("; d%1 |·| = %2")
                            .arg(QString::fromStdString(param.name))
                            .arg(norm(t.paramGrads[std::size_t(index)]), 0, 'g', 3);
            ++index;
        }
        p.setPen(palette().color(QPalette::Text));
        p.drawText(QRect(backward.left(), textTop, backward.width(), fm.height() * 2),
                   Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, text);
    }
}

void BackpropGraph::paintEvent(QPaintEvent*) {
    QPainter p(this);
    if (!m_view->m_net) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter,
                   BackpropView::tr("No network yet: load a model or train one."));
        return;
    }
    const int columnWidth = (width() - kBoxWidth - 4 * kMargin) / 2;
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(palette().color(QPalette::Text));
    const int x1 = kMargin + kBoxWidth + kMargin + 4;
    p.drawText(QRect(kMargin, kMargin, kBoxWidth, fontMetrics().height()), Qt::AlignLeft,
               BackpropView::tr("layer"));
    p.drawText(QRect(x1, kMargin, columnWidth, fontMetrics().height()), Qt::AlignLeft,
               forwardHeading());
    p.drawText(QRect(x1 + columnWidth + kMargin + 4, kMargin, columnWidth, fontMetrics().height()),
               Qt::AlignLeft, backwardHeading());
    p.setFont(font());
    for (int node = 0; node < m_view->nodeCount(); ++node) drawNode(p, node);
}

BackpropView::BackpropView(QWidget* parent)
    : QWidget(parent),
      m_follower(new TraceFollower(this, [this] { draw(); })),
      m_trace(std::make_shared<const BackpropTrace>()),
      m_header(new QLabel(this)),
      m_target(new QComboBox(this)),
      m_back(new QPushButton(tr("◀ Back"), this)),
      m_forward(new QPushButton(tr("Step ▶"), this)),
      m_stepLabel(new QLabel(this)),
      m_scroll(new QScrollArea(this)),
      m_graph(new BackpropGraph(this)) {
    m_header->setWordWrap(true);
    m_target->setObjectName(QStringLiteral("target"));
    m_target->setToolTip(
        tr("The class the loss is computed for (by default the image's true "
           "class, or the network's answer for a drawing)"));
    for (int k = 0; k < 10; ++k) m_target->addItem(tr("target %1").arg(k), k);
    connect(m_target, &QComboBox::currentIndexChanged, m_follower, &TraceFollower::requestDraw);
    connect(m_follower, &TraceFollower::imageChanged, this, [this] { m_retarget = true; });
    auto* reset = new QPushButton(tr("Reset"), this);
    reset->setToolTip(tr("Back to the start: only the input (Home)"));
    m_back->setToolTip(tr("Undo the last step (Left arrow)"));
    m_forward->setToolTip(
        tr("Take the next step: forward through a layer, the loss, or "
           "backward through a layer (Right arrow)"));
    auto* all = new QPushButton(tr("Run all"), this);
    all->setToolTip(tr("Take every step up to the end of the backward pass (End)"));
    connect(reset, &QPushButton::clicked, this, [this] { setStep(0); });
    connect(m_back, &QPushButton::clicked, this, &BackpropView::stepBack);
    connect(m_forward, &QPushButton::clicked, this, &BackpropView::stepForward);
    connect(all, &QPushButton::clicked, this, [this] { setStep(stepCount()); });
    auto shortcut = [this](QKeySequence key, auto slot) {
        auto* s = new QShortcut(key, this);
        s->setContext(Qt::WidgetWithChildrenShortcut);
        connect(s, &QShortcut::activated, this, slot);
    };
    shortcut(QKeySequence(Qt::Key_Right), [this] { stepForward(); });
    shortcut(QKeySequence(Qt::Key_Left), [this] { stepBack(); });
    shortcut(QKeySequence(Qt::Key_Home), [this] { setStep(0); });
    shortcut(QKeySequence(Qt::Key_End), [this] { setStep(stepCount()); });
    QToolButton* exportButton =
        makeExportButton(this, QStringLiteral("backprop-step"),
                         {{tr("Image (PNG)…"), QStringLiteral("png"),
                           [this](const QString& path) { return exportPng(path); }}});

    m_stepLabel->setWordWrap(true);
    m_scroll->setWidget(m_graph);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);

    auto* controls = new QHBoxLayout;
    controls->addWidget(m_target);
    controls->addWidget(reset);
    controls->addWidget(m_back);
    controls->addWidget(m_forward);
    controls->addWidget(all);
    controls->addStretch(1);
    controls->addWidget(exportButton);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_header);
    layout->addLayout(controls);
    layout->addWidget(m_stepLabel);
    layout->addWidget(m_scroll, 1);
    m_follower->requestDraw();
}

BackpropView::~BackpropView() = default;

void BackpropView::setTrace(SelectionTrace* trace) {
    m_follower->follow(trace);
}

void BackpropView::setNetwork(NetworkSnapshot net) {
    m_follower->trace()->setNetwork(std::move(net));
}

void BackpropView::setImage(const lenet::InkImage& image, int label, const QString& description) {
    m_follower->trace()->setImage({image, label, -1, description});
}

void BackpropView::setSelectionModel(SelectionModel* selection) {
    m_follower->trace()->setSelectionModel(selection);
}

void BackpropView::setTarget(int label) {
    m_target->setCurrentIndex(std::clamp(label, 0, m_target->count() - 1));
}

int BackpropView::target() const {
    return m_target->currentIndex();
}

int BackpropView::stepCount() const {
    return m_net ? 2 * m_net->layerCount() + 1 : 0;
}

int BackpropView::nodeCount() const {
    return m_net ? m_net->layerCount() + 2 : 0;
}

void BackpropView::setStep(int step) {
    m_step = std::clamp(step, 0, stepCount());
    refresh();
}

bool BackpropView::showsOutput(int node) const {
    if (m_trace->forward.empty() || node < 0 || node >= nodeCount()) return false;
    return node <= m_step;
}

bool BackpropView::showsGradient(int node) const {
    if (m_trace->forward.empty() || node < 1 || node >= nodeCount()) return false;
    // The loss node (L + 1) gets its gradient at step L + 1, layer node k at step 2L + 2 - k.
    const int layers = nodeCount() - 2;
    const int at = node == layers + 1 ? layers + 1 : 2 * layers + 2 - node;
    return m_step >= at;
}

void BackpropView::draw() {
    SelectionTrace* source = m_follower->trace();
    m_net = source->network();
    m_description = source->image().description;
    if (m_retarget) {
        // The image's true class is the target, or for a drawing the network's own answer.
        m_retarget = false;
        const QSignalBlocker block(m_target);
        const int label = source->image().label;
        if (label >= 0 && label < m_target->count())
            m_target->setCurrentIndex(label);
        else if (m_net && source->hasImage())
            m_target->setCurrentIndex(
                std::clamp(source->trace()->predicted, 0, m_target->count() - 1));
    }
    m_trace = m_net && source->hasImage()
                  ? source->backprop(std::clamp(target(), 0, m_net->classes() - 1))
                  : std::make_shared<const BackpropTrace>();
    m_step = std::clamp(m_step, 0, stepCount());
    refresh();
}

QString BackpropView::stepText() const {
    if (!m_net) return tr("No network yet.");
    if (m_trace->forward.empty()) return tr("Select a test image or draw a digit.");
    const lenet::Network& net = *m_net;
    const int layers = net.layerCount();
    if (m_step == 0) return tr("Start: the input image. Step forward through the layers (→).");
    if (m_step <= layers) {
        const lenet::Layer& l = net.layer(m_step - 1);
        const ValueRange r = ValueRange::of(m_trace->forward.acts[std::size_t(m_step)].values());
        return tr("Forward %1/%2: %3 (%4) computes %5, values %6.")
            .arg(m_step)
            .arg(layers)
            .arg(QString::fromStdString(l.name()), QString::fromStdString(l.kind()),
                 shapeText(l.outputShape()), rangeText(r));
    }
    if (m_step == layers + 1) {
        return tr("Loss: E = %1 for target %2 (the network answers %3). Its gradient with "
                  "respect to the output starts the backward pass.")
            .arg(double(m_trace->loss), 0, 'f', 4)
            .arg(m_trace->label)
            .arg(m_trace->forward.predicted);
    }
    const int l = 2 * layers + 1 - m_step;
    return tr("Backward %1/%2: the gradient flows into %3 (%4) from above; its parameters' "
              "gradients follow from it and its input.")
        .arg(m_step - layers - 1)
        .arg(layers)
        .arg(QString::fromStdString(net.layer(l).name()),
             QString::fromStdString(net.layer(l).kind()));
}

void BackpropView::refresh() {
    m_header->setText(m_description.isEmpty() ? tr("One training step, layer by layer")
                                              : tr("One training step for %1").arg(m_description));
    m_back->setEnabled(m_step > 0);
    m_forward->setEnabled(m_step < stepCount() && !m_trace->forward.empty());
    m_stepLabel->setText(stepText());
    m_graph->updateGeometry();
    m_graph->update();
    if (m_net) {
        const int layers = m_net->layerCount();
        const int current = m_step <= layers + 1 ? m_step : 2 * layers + 2 - m_step;
        auto* graph = static_cast<BackpropGraph*>(m_graph);
        m_scroll->ensureVisible(0, graph->rowTop(current) + kRowHeight / 2, 0, kRowHeight);
    }
}

QImage BackpropView::renderImage() {
    return m_graph->grab().toImage();
}

QString BackpropView::exportPng(const QString& path) {
    return savePng(renderImage(), path);
}

}  // namespace lenet::ui
