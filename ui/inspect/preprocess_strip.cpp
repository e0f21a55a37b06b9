// PreprocessStrip: five framed pictures with captions, arrows between them.
#include "ui/inspect/preprocess_strip.h"

#include <algorithm>
#include <array>

#include <QPainter>

#include "ui/inspect/map_images.h"

namespace lenet::ui {
namespace {

constexpr int kSteps = 5;
constexpr int kMargin = 4;
constexpr int kArrow = 14;

QImage inkToImage(const lenet::InkImage& ink) {
    return valuesToImage(ink.ink.data(), ink.cols, ink.rows, {0.0f, 1.0f}, Palette::Ink);
}

QString stepName(int step) {
    static const std::array<const char*, kSteps> names = {
        QT_TRANSLATE_NOOP("PreprocessStrip", "as drawn"),
        QT_TRANSLATE_NOOP("PreprocessStrip", "bounding box"),
        QT_TRANSLATE_NOOP("PreprocessStrip", "scaled"),
        QT_TRANSLATE_NOOP("PreprocessStrip", "centred"),
        QT_TRANSLATE_NOOP("PreprocessStrip", "padded"),
    };
    return PreprocessStrip::tr(names[std::size_t(step)]);
}

}  // namespace

PreprocessStrip::PreprocessStrip(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setToolTip(
        tr("What the network gets: the drawing is cropped to its bounding box, scaled so "
           "that the longer side is 20 pixels, placed in 28x28 with its centre of mass "
           "in the middle (as MNIST was made), and padded to the network's input."));
}

void PreprocessStrip::setSteps(const lenet::InkImage& drawing, const lenet::MnistStyleSteps& steps,
                               QSize inputSize) {
    lenet::InkImage padded{inputSize.height(), inputSize.width(), {}};
    padded.ink.resize(std::size_t(inputSize.width()) * inputSize.height());
    lenet::InputFormat unit;
    unit.height = inputSize.height();
    unit.width = inputSize.width();
    unit.normalization = lenet::Normalization::Unit;
    lenet::toInput(steps.centred, unit, padded.ink.data());
    m_images = {inkToImage(drawing), inkToImage(steps.cropped), inkToImage(steps.scaled),
                inkToImage(steps.centred), inkToImage(padded)};
    update();
}

void PreprocessStrip::clear() {
    m_images.clear();
    update();
}

QSize PreprocessStrip::sizeHint() const {
    return {kSteps * 80 + (kSteps - 1) * kArrow, 64 + fontMetrics().height() * 2 + 3 * kMargin};
}

QSize PreprocessStrip::minimumSizeHint() const {
    return {kSteps * 44 + (kSteps - 1) * kArrow, 40 + fontMetrics().height() * 2 + 3 * kMargin};
}

void PreprocessStrip::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const int captionH = fontMetrics().height() * 2;
    const int boxW = (width() - 2 * kMargin - (kSteps - 1) * kArrow) / kSteps;
    const int boxH = std::max(8, height() - captionH - 3 * kMargin);
    const int side = std::min(boxW, boxH);
    const QColor frame = palette().color(QPalette::Mid);
    for (int i = 0; i < kSteps; ++i) {
        const int x = kMargin + i * (boxW + kArrow);
        const QRect box(x + (boxW - side) / 2, kMargin, side, side);
        p.setPen(frame);
        p.setBrush(Qt::white);
        p.drawRect(box.adjusted(0, 0, -1, -1));
        QString caption = stepName(i);
        if (i < int(m_images.size())) {
            const QImage& im = m_images[std::size_t(i)];
            QSize s = im.size().scaled(box.size() - QSize(2, 2), Qt::KeepAspectRatio);
            s = s.expandedTo(QSize(1, 1));
            const QRect target(box.center() - QPoint(s.width() / 2, s.height() / 2), s);
            p.setRenderHint(QPainter::SmoothPixmapTransform, im.width() > side);
            p.drawImage(target, im);
            caption += QStringLiteral("\n%1×%2").arg(im.width()).arg(im.height());
        }
        p.setPen(palette().color(QPalette::Text));
        p.drawText(QRect(x - kArrow / 2, kMargin * 2 + side, boxW + kArrow, captionH),
                   Qt::AlignHCenter | Qt::AlignTop, caption);
        if (i + 1 < kSteps) {
            const int ay = kMargin + side / 2;
            const int ax = x + boxW + 2;
            p.setPen(QPen(frame, 1.5));
            p.drawLine(ax, ay, ax + kArrow - 4, ay);
            p.drawLine(ax + kArrow - 8, ay - 3, ax + kArrow - 4, ay);
            p.drawLine(ax + kArrow - 8, ay + 3, ax + kArrow - 4, ay);
        }
    }
}

}  // namespace lenet::ui
