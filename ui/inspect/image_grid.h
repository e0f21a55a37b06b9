// A widget that draws titled sections of small images (feature maps, kernels, bitmaps) enlarged
// pixel for pixel, wraps them to its width, and reports which image and pixel the mouse is on.
#pragma once

#include <vector>

#include <QImage>
#include <QPoint>
#include <QRect>
#include <QStringList>
#include <QWidget>

namespace lenet::ui {

/// One titled group of equally sized images.
struct GridSection {
    QString title;
    QSize imageSize;            // pixels of each image before enlarging
    std::vector<QImage> cells;  // a null image is an empty cell (drawn hatched)
    int columns = 0;            // 0: as many as fit the width
    int scale = 1;              // screen pixels per image pixel
    QStringList rowLabels;      // optional, left of each row (fixed columns only)
    QStringList columnLabels;   // optional, above each column (fixed columns only)
};

class ImageGrid : public QWidget {
    Q_OBJECT

public:
    explicit ImageGrid(QWidget* parent = nullptr);

    void setSections(std::vector<GridSection> sections);
    const std::vector<GridSection>& sections() const { return m_sections; }

    /// Where cell `cell` of section `section` is drawn, in widget coordinates (empty if none).
    QRect cellRect(int section, int cell) const;
    /// Frames one cell (e.g. the enlarged map); (-1, -1) for none.
    void setHighlighted(int section, int cell);
    /// Text drawn in the middle when there are no sections.
    void setPlaceholder(const QString& text);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;

Q_SIGNALS:
    /// The mouse is over `pixel` of cell `cell` of `section`; (-1, -1) when it left every cell.
    void cellHovered(int section, int cell, QPoint pixel);
    void cellClicked(int section, int cell);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    struct SectionLayout {
        QRect title;
        std::vector<QRect> cells;
        std::vector<QRect> rowLabels;
        std::vector<QRect> columnLabels;
    };
    struct Layout {
        std::vector<SectionLayout> sections;
        int height = 0;
        int width = 0;
    };
    Layout layoutFor(int width) const;
    /// Section, cell and image pixel under `pos`; section -1 when none.
    void hitTest(QPoint pos, int& section, int& cell, QPoint& pixel) const;
    void relayout();

    std::vector<GridSection> m_sections;
    Layout m_layout;
    QString m_placeholder;
    int m_hoverSection = -1;
    int m_hoverCell = -1;
    int m_highlightSection = -1;
    int m_highlightCell = -1;
};

}  // namespace lenet::ui
