// RbfView: centres from the network's RBF layer, F6 from a forward pass of the selected image.
#include "ui/inspect/rbf_view.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/inspect/class_bars.h"
#include "ui/inspect/export.h"
#include "ui/inspect/image_grid.h"
#include "ui/inspect/map_images.h"
#include "ui/inspect/selection_trace.h"
#include "ui/inspect/trace_follower.h"

namespace lenet::ui {
namespace {

/// Centres are +1 (ink) / -1; F6 is drawn on the same scale so the two compare.
constexpr ValueRange kBitmapRange{-1.0f, 1.0f};
constexpr int kCentreScale = 3;
constexpr int kF6Scale = 12;

}  // namespace

RbfView::RbfView(QWidget* parent)
    : QWidget(parent),
      m_follower(new TraceFollower(this, [this] { draw(); })),
      m_header(new QLabel(this)),
      m_f6Grid(new ImageGrid),
      m_bars(new ClassBars),
      m_content(new QWidget(this)) {
    m_header->setWordWrap(true);
    m_f6Grid->setToolTip(
        tr("The 84 outputs of F6 for the selected image, drawn as a 7x12 "
           "picture: the RBF layer compares it with each class centre"));
    m_f6Grid->setSizePolicy(QSizePolicy::Minimum, QSizePolicy::Preferred);
    m_bars->setToolTip(
        tr("Per class: its centre and the squared distance of F6 to it (RBF "
           "head, the smallest wins) or its probability (softmax head)"));
    QToolButton* exportButton =
        makeExportButton(this, QStringLiteral("rbf-output"),
                         {{tr("Image (PNG)…"), QStringLiteral("png"),
                           [this](const QString& path) { return exportPng(path); }}});

    auto* content = new QHBoxLayout(m_content);
    content->setContentsMargins(0, 0, 0, 0);
    content->addWidget(m_f6Grid, 0, Qt::AlignTop);
    content->addWidget(m_bars, 1);
    auto* top = new QHBoxLayout;
    top->addWidget(m_header, 1);
    top->addWidget(exportButton, 0, Qt::AlignTop);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_content, 1);
    m_follower->requestDraw();
}

RbfView::~RbfView() = default;

void RbfView::setTrace(SelectionTrace* trace) {
    m_follower->follow(trace);
}

void RbfView::setNetwork(NetworkSnapshot net) {
    m_follower->trace()->setNetwork(std::move(net));
}

void RbfView::setImage(const lenet::InkImage& image, const QString& description) {
    m_follower->trace()->setImage({image, -1, -1, description});
}

void RbfView::setSelectionModel(SelectionModel* selection) {
    m_follower->trace()->setSelectionModel(selection);
}

bool RbfView::showsRbf() const {
    return m_net && hasRbfHead(*m_net);
}

void RbfView::draw() {
    SelectionTrace* source = m_follower->trace();
    m_net = source->network();
    m_centres.clear();
    m_f6 = QImage();
    if (!m_net) {
        m_header->setText(tr("Output layer: no network yet (load a model or train one)."));
        m_f6Grid->setSections({});
        m_f6Grid->hide();
        m_bars->setRowImages({}, 1);
        m_bars->clear(tr("no network"));
        return;
    }
    const lenet::Network& net = *m_net;
    const int last = net.layerCount() - 1;
    const lenet::Layer& out = net.layer(last);
    const bool rbf = showsRbf();
    const int units = out.inputShape().size();
    if (rbf) {
        const std::vector<float>& centres = out.params()[0].value;
        for (int k = 0; k < net.classes(); ++k) {
            m_centres.push_back(vectorToImage(centres.data() + std::size_t(k) * units, units,
                                              kBitmapRange, Palette::Ink));
        }
    }
    m_bars->setRowImages(m_centres, kCentreScale);
    const QString& description = source->image().description;
    const QString what = description.isEmpty() ? tr("the selected image") : description;
    if (rbf) {
        m_header->setText(tr("%1 (RBF): the squared distance of F6 to each class centre for %2; "
                             "the smallest wins.")
                              .arg(QString::fromStdString(out.name()), what));
    } else {
        m_header->setText(tr("%1 (softmax): the class probabilities for %2; the largest wins.")
                              .arg(QString::fromStdString(out.name()), what));
    }
    m_f6Grid->setVisible(rbf);
    if (!source->hasImage()) {
        m_f6Grid->setSections({});
        m_bars->clear(tr("select a test image or draw a digit"));
        return;
    }
    const std::shared_ptr<const Trace> t = source->trace();
    if (rbf) {
        const lenet::Tensor& f6 = t->acts[std::size_t(last)];
        m_f6 = vectorToImage(f6.sample(0), units, kBitmapRange, Palette::Ink);
        GridSection sec;
        sec.title = tr("F6 output");
        sec.imageSize = m_f6.size();
        sec.scale = kF6Scale;
        sec.cells.push_back(m_f6);
        m_f6Grid->setSections({sec});
        m_bars->setValues(t->outputs, ClassBars::Mode::Distance);
    } else {
        m_bars->setValues(t->scores, ClassBars::Mode::Probability);
    }
}

QImage RbfView::renderImage() {
    return m_content->grab().toImage();
}

QString RbfView::exportPng(const QString& path) {
    return savePng(renderImage(), path);
}

}  // namespace lenet::ui
