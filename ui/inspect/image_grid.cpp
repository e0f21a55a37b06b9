// ImageGrid: layout (titles, optional row/column labels, wrapped or fixed columns), painting
// without smoothing, and hit testing.
#include "ui/inspect/image_grid.h"

#include <algorithm>

#include <QFontMetrics>
#include <QMouseEvent>
#include <QPainter>

namespace lenet::ui {
namespace {

constexpr int kMargin = 6;
constexpr int kSectionGap = 10;

int cellGap(const GridSection& s) {
    return s.scale >= 4 ? 3 : 2;
}

QFont labelFont(const QFont& base) {
    QFont f = base;
    f.setPointSizeF(std::max(6.0, base.pointSizeF() * 0.8));
    return f;
}

QFont titleFont(const QFont& base) {
    QFont f = base;
    f.setBold(true);
    return f;
}

}  // namespace

ImageGrid::ImageGrid(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
}

void ImageGrid::setSections(std::vector<GridSection> sections) {
    m_sections = std::move(sections);
    m_hoverSection = m_hoverCell = -1;
    if (m_highlightSection >= int(m_sections.size()) ||
        (m_highlightSection >= 0 &&
         m_highlightCell >= int(m_sections[m_highlightSection].cells.size()))) {
        m_highlightSection = m_highlightCell = -1;
    }
    relayout();
}

void ImageGrid::setPlaceholder(const QString& text) {
    m_placeholder = text;
    update();
}

void ImageGrid::setHighlighted(int section, int cell) {
    m_highlightSection = section;
    m_highlightCell = cell;
    update();
}

void ImageGrid::relayout() {
    m_layout = layoutFor(width());
    updateGeometry();
    update();
}

ImageGrid::Layout ImageGrid::layoutFor(int width) const {
    Layout out;
    const QFontMetrics title(titleFont(font()));
    const QFontMetrics label(labelFont(font()));
    int y = kMargin;
    int maxRight = 0;
    for (const GridSection& s : m_sections) {
        SectionLayout sl;
        // Titles wrap to the width.
        const int titleWidth = std::max(40, width - 2 * kMargin);
        const int titleHeight =
            title.boundingRect(QRect(0, 0, titleWidth, 10000), Qt::TextWordWrap, s.title).height();
        sl.title = QRect(kMargin, y, titleWidth, titleHeight);
        y += titleHeight + 4;
        const int gap = cellGap(s);
        const QSize cell = s.imageSize * s.scale;
        int labelWidth = 0;
        for (const QString& t : s.rowLabels)
            labelWidth = std::max(labelWidth, label.horizontalAdvance(t));
        if (labelWidth) labelWidth += 6;
        const int x0 = kMargin + labelWidth;
        const int available = std::max(1, width - x0 - kMargin + gap);
        const int columns =
            s.columns > 0 ? s.columns : std::max(1, available / std::max(1, cell.width() + gap));
        if (!s.columnLabels.isEmpty()) {
            for (int c = 0; c < columns && c < s.columnLabels.size(); ++c)
                sl.columnLabels.emplace_back(x0 + c * (cell.width() + gap), y, cell.width(),
                                             label.height());
            y += label.height() + 2;
        }
        const int count = int(s.cells.size());
        const int rows = (count + columns - 1) / columns;
        for (int i = 0; i < count; ++i) {
            const int r = i / columns, c = i % columns;
            sl.cells.emplace_back(x0 + c * (cell.width() + gap), y + r * (cell.height() + gap),
                                  cell.width(), cell.height());
            maxRight = std::max(maxRight, sl.cells.back().right() + 1);
        }
        for (int r = 0; r < rows && r < s.rowLabels.size(); ++r)
            sl.rowLabels.emplace_back(kMargin, y + r * (cell.height() + gap), labelWidth - 6,
                                      cell.height());
        y += rows * (cell.height() + gap) - (rows ? gap : 0) + kSectionGap;
        out.sections.push_back(std::move(sl));
    }
    out.height = y - (m_sections.empty() ? 0 : kSectionGap) + kMargin;
    out.width = maxRight + kMargin;
    return out;
}

int ImageGrid::heightForWidth(int width) const {
    return std::max(layoutFor(width).height, m_sections.empty() ? 80 : 0);
}

QSize ImageGrid::sizeHint() const {
    // Wide enough for eight cells of the widest section, or its fixed columns.
    int width = 200;
    for (const GridSection& s : m_sections) {
        const int columns = s.columns > 0 ? s.columns : std::min<int>(8, int(s.cells.size()));
        width = std::max(width, 2 * kMargin + 60 + columns * (s.imageSize.width() * s.scale + 3));
    }
    return {width, heightForWidth(width)};
}

QSize ImageGrid::minimumSizeHint() const {
    // Sections with fixed columns (tables such as C3's) cannot wrap.
    int width = 80;
    for (const GridSection& s : m_sections) {
        if (s.columns > 0)
            width = std::max(width, layoutFor(1).width);
        else
            width = std::max(width, 2 * kMargin + s.imageSize.width() * s.scale);
    }
    return {width, 40};
}

QRect ImageGrid::cellRect(int section, int cell) const {
    if (section < 0 || section >= int(m_layout.sections.size())) return {};
    const auto& cells = m_layout.sections[section].cells;
    if (cell < 0 || cell >= int(cells.size())) return {};
    return cells[cell];
}

void ImageGrid::resizeEvent(QResizeEvent*) {
    m_layout = layoutFor(width());
}

void ImageGrid::paintEvent(QPaintEvent*) {
    QPainter p(this);
    if (m_sections.empty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect().adjusted(kMargin, kMargin, -kMargin, -kMargin),
                   Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        return;
    }
    const QColor text = palette().color(QPalette::Text);
    const QColor frame = palette().color(QPalette::Mid);
    for (std::size_t s = 0; s < m_sections.size() && s < m_layout.sections.size(); ++s) {
        const GridSection& sec = m_sections[s];
        const SectionLayout& sl = m_layout.sections[s];
        p.setPen(text);
        p.setFont(titleFont(font()));
        p.drawText(sl.title, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, sec.title);
        p.setFont(labelFont(font()));
        for (std::size_t i = 0; i < sl.rowLabels.size(); ++i)
            p.drawText(sl.rowLabels[i], Qt::AlignRight | Qt::AlignVCenter, sec.rowLabels[int(i)]);
        for (std::size_t i = 0; i < sl.columnLabels.size(); ++i)
            p.drawText(sl.columnLabels[i], Qt::AlignCenter, sec.columnLabels[int(i)]);
        for (std::size_t i = 0; i < sl.cells.size(); ++i) {
            const QRect r = sl.cells[i];
            if (sec.cells[i].isNull()) {
                // No image here (a connection the table leaves out): grey and hatched.
                p.fillRect(r, QColor(226, 226, 226));
                p.fillRect(r, QBrush(QColor(176, 176, 176), Qt::BDiagPattern));
            } else {
                p.drawImage(r, sec.cells[i]);
                p.setPen(frame);
                p.drawRect(r.adjusted(-1, -1, 0, 0));
            }
        }
    }
    auto frameCell = [&](int s, int c, const QColor& colour) {
        const QRect r = cellRect(s, c);
        if (r.isEmpty()) return;
        p.setPen(QPen(colour, 2));
        p.setBrush(Qt::NoBrush);
        p.drawRect(r.adjusted(-1, -1, 0, 0));
    };
    frameCell(m_highlightSection, m_highlightCell, QColor(0, 120, 215));
    frameCell(m_hoverSection, m_hoverCell, QColor(255, 140, 0));
}

void ImageGrid::hitTest(QPoint pos, int& section, int& cell, QPoint& pixel) const {
    section = cell = -1;
    for (std::size_t s = 0; s < m_layout.sections.size(); ++s) {
        const auto& cells = m_layout.sections[s].cells;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            if (!cells[i].contains(pos)) continue;
            section = int(s);
            cell = int(i);
            const int scale = std::max(1, m_sections[s].scale);
            pixel = (pos - cells[i].topLeft()) / scale;
            pixel.setX(std::min(pixel.x(), m_sections[s].imageSize.width() - 1));
            pixel.setY(std::min(pixel.y(), m_sections[s].imageSize.height() - 1));
            return;
        }
    }
}

void ImageGrid::mouseMoveEvent(QMouseEvent* event) {
    int section, cell;
    QPoint pixel;
    hitTest(event->position().toPoint(), section, cell, pixel);
    if (section != m_hoverSection || cell != m_hoverCell) {
        m_hoverSection = section;
        m_hoverCell = cell;
        update();
    }
    Q_EMIT cellHovered(section, cell, pixel);
}

void ImageGrid::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    int section, cell;
    QPoint pixel;
    hitTest(event->position().toPoint(), section, cell, pixel);
    if (section >= 0) Q_EMIT cellClicked(section, cell);
}

void ImageGrid::leaveEvent(QEvent*) {
    if (m_hoverSection >= 0) {
        m_hoverSection = m_hoverCell = -1;
        update();
    }
    Q_EMIT cellHovered(-1, -1, {});
}

}  // namespace lenet::ui
