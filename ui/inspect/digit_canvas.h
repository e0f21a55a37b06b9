// A square canvas to draw a digit on with the mouse or a tablet (Qt turns tablet input into
// mouse events): anti-aliased round strokes of adjustable width, undo of the last stroke, clear.
// The drawing is kept as strokes and rendered white on black (ink = 1) at a fixed 280x280, so
// that the result does not depend on the widget's size.
#pragma once

#include <vector>

#include <QImage>
#include <QPolygonF>
#include <QWidget>

#include "lenet/data/preprocess.h"

namespace lenet::ui {

class DigitCanvas : public QWidget {
    Q_OBJECT

public:
    /// Side of the drawing in canvas pixels (ten times MNIST's 28).
    static constexpr int kSide = 280;
    static constexpr double kDefaultPenWidth = 22.0;

    explicit DigitCanvas(QWidget* parent = nullptr);

    /// Width of the strokes drawn from now on, in canvas pixels.
    void setPenWidth(double width);
    double penWidth() const { return m_penWidth; }

    bool isEmpty() const { return m_strokes.empty(); }
    int strokeCount() const { return int(m_strokes.size()); }
    /// Removes the last stroke.
    void undo();
    /// Removes every stroke.
    void clear();

    /// The drawing, white ink on black, kSide x kSide (Format_Grayscale8).
    const QImage& inkImage() const { return m_ink; }
    /// The drawing as ink in [0, 1], kSide x kSide.
    lenet::InkImage ink() const;
    /// Maps a widget position to canvas pixels.
    QPointF toCanvas(QPointF widgetPos) const;

    QSize sizeHint() const override { return {kSide, kSide}; }
    QSize minimumSizeHint() const override { return {140, 140}; }
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override { return width; }

Q_SIGNALS:
    /// After every change of the drawing: each point of a stroke, undo and clear.
    void drawingChanged();

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    struct Stroke {
        QPolygonF points;
        double width;
    };
    /// The square the drawing occupies in the widget.
    QRectF drawingRect() const;
    void render();

    std::vector<Stroke> m_strokes;
    bool m_drawing = false;
    double m_penWidth = kDefaultPenWidth;
    QImage m_ink;
};

}  // namespace lenet::ui
