// DigitCanvas: strokes in canvas coordinates, re-rendered as a whole after every change (a few
// hundred points at 280x280 take well under a millisecond), shown dark on light paper.
#include "ui/inspect/digit_canvas.h"

#include <algorithm>

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

namespace lenet::ui {

DigitCanvas::DigitCanvas(QWidget* parent)
    : QWidget(parent), m_ink(kSide, kSide, QImage::Format_Grayscale8) {
    m_ink.fill(0);
    setFocusPolicy(Qt::StrongFocus);
    setCursor(Qt::CrossCursor);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setToolTip(
        tr("Draw a digit with the mouse or a pen. Ctrl+Z undoes the last stroke, "
           "Delete clears."));
}

void DigitCanvas::setPenWidth(double width) {
    m_penWidth = std::clamp(width, 1.0, double(kSide) / 4);
}

void DigitCanvas::undo() {
    if (m_strokes.empty()) return;
    m_strokes.pop_back();
    m_drawing = false;
    render();
}

void DigitCanvas::clear() {
    if (m_strokes.empty()) return;
    m_strokes.clear();
    m_drawing = false;
    render();
}

lenet::InkImage DigitCanvas::ink() const {
    lenet::InkImage out{kSide, kSide, std::vector<float>(std::size_t(kSide) * kSide)};
    for (int y = 0; y < kSide; ++y) {
        const uchar* line = m_ink.constScanLine(y);
        for (int x = 0; x < kSide; ++x) out.ink[std::size_t(y) * kSide + x] = line[x] / 255.0f;
    }
    return out;
}

QRectF DigitCanvas::drawingRect() const {
    const double side = std::max(1, std::min(width(), height()));
    return {(width() - side) / 2.0, (height() - side) / 2.0, side, side};
}

QPointF DigitCanvas::toCanvas(QPointF widgetPos) const {
    const QRectF r = drawingRect();
    return (widgetPos - r.topLeft()) * (kSide / r.width());
}

void DigitCanvas::render() {
    QImage target(kSide, kSide, QImage::Format_RGB32);
    target.fill(Qt::black);
    {
        QPainter p(&target);
        p.setRenderHint(QPainter::Antialiasing);
        for (const Stroke& s : m_strokes) {
            p.setPen(QPen(Qt::white, s.width, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
            if (s.points.size() == 1) {
                p.drawPoint(s.points.front());
            } else {
                QPainterPath path(s.points.front());
                for (qsizetype i = 1; i < s.points.size(); ++i) path.lineTo(s.points[i]);
                p.drawPath(path);
            }
        }
    }
    m_ink = target.convertToFormat(QImage::Format_Grayscale8);
    update();
    Q_EMIT drawingChanged();
}

bool DigitCanvas::event(QEvent* event) {
    // Undo and clear belong to the canvas while it has the focus, before any window shortcut.
    if (event->type() == QEvent::ShortcutOverride) {
        auto* key = static_cast<QKeyEvent*>(event);
        if (key->matches(QKeySequence::Undo) || key->key() == Qt::Key_Delete ||
            key->key() == Qt::Key_Backspace) {
            event->accept();
            return true;
        }
    }
    return QWidget::event(event);
}

void DigitCanvas::keyPressEvent(QKeyEvent* event) {
    if (event->matches(QKeySequence::Undo)) {
        undo();
    } else if (event->key() == Qt::Key_Delete || event->key() == Qt::Key_Backspace) {
        clear();
    } else {
        QWidget::keyPressEvent(event);
    }
}

void DigitCanvas::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    m_drawing = true;
    m_strokes.push_back({QPolygonF{toCanvas(event->position())}, m_penWidth});
    render();
}

void DigitCanvas::mouseMoveEvent(QMouseEvent* event) {
    if (!m_drawing) return;
    const QPointF p = toCanvas(event->position());
    QPolygonF& points = m_strokes.back().points;
    if (!points.isEmpty() && points.back() == p) return;
    points.append(p);
    render();
}

void DigitCanvas::mouseReleaseEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton) m_drawing = false;
}

void DigitCanvas::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Window));
    const QRectF r = drawingRect();
    QImage paper = m_ink.convertToFormat(QImage::Format_RGB32);
    paper.invertPixels();
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.drawImage(r, paper);
    p.setPen(QPen(palette().color(QPalette::Mid), 1));
    p.drawRect(r.adjusted(0, 0, -1, -1));
    if (m_strokes.empty()) {
        p.setPen(QColor(150, 150, 150));
        p.drawText(r, Qt::AlignCenter, tr("Draw a digit here"));
    }
    if (hasFocus()) {
        p.setPen(QPen(palette().color(QPalette::Highlight), 2));
        p.drawRect(r.adjusted(1, 1, -1, -1));
    }
}

}  // namespace lenet::ui
