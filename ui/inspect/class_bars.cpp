// ClassBars: rows of label, optional picture, bar and value.
#include "ui/inspect/class_bars.h"

#include <algorithm>

#include <QFontMetrics>
#include <QPainter>

namespace lenet::ui {
namespace {

constexpr int kMargin = 4;
constexpr int kDefaultClasses = 10;

}  // namespace

ClassBars::ClassBars(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
}

void ClassBars::setValues(std::vector<float> values, Mode mode, bool unsure) {
    m_values = std::move(values);
    m_mode = mode;
    m_unsure = unsure;
    m_note.clear();
    updateGeometry();
    update();
}

void ClassBars::setClassNames(QStringList names) {
    m_names = std::move(names);
    updateGeometry();
    update();
}

void ClassBars::clear(const QString& note) {
    m_values.clear();
    m_note = note;
    update();
}

void ClassBars::setRowImages(std::vector<QImage> images, int scale) {
    m_images = std::move(images);
    m_imageScale = std::max(1, scale);
    updateGeometry();
    update();
}

int ClassBars::winner() const {
    if (m_values.empty()) return -1;
    const auto it = m_mode == Mode::Probability
                        ? std::max_element(m_values.begin(), m_values.end())
                        : std::min_element(m_values.begin(), m_values.end());
    return int(it - m_values.begin());
}

int ClassBars::rowCount() const {
    if (!m_values.empty()) return int(m_values.size());
    return m_images.empty() ? kDefaultClasses : int(m_images.size());
}

int ClassBars::rowHeight() const {
    int h = fontMetrics().height() + 6;
    for (const QImage& im : m_images) h = std::max(h, im.height() * m_imageScale + 4);
    return h;
}

QSize ClassBars::sizeHint() const {
    return {260, 2 * kMargin + rowCount() * rowHeight()};
}

QSize ClassBars::minimumSizeHint() const {
    return {160, 2 * kMargin + rowCount() * std::min(rowHeight(), fontMetrics().height() + 2)};
}

void ClassBars::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, false);
    const QFontMetrics fm = fontMetrics();
    const int rows = rowCount();
    const int rowH = std::max(fm.height() + 2, (height() - 2 * kMargin) / std::max(1, rows));
    int labelW = fm.horizontalAdvance(QStringLiteral("00")) + 6;
    for (const QString& name : m_names) labelW = std::max(labelW, fm.horizontalAdvance(name) + 6);
    const auto label = [this](int r) {
        return r < m_names.size() ? m_names[r] : QString::number(r);
    };
    int imageW = 0;
    for (const QImage& im : m_images) imageW = std::max(imageW, im.width() * m_imageScale + 8);
    const int valueW = fm.horizontalAdvance(QStringLiteral("100.0%  ")) + 4;
    const int barX = kMargin + labelW + imageW;
    const int barW = std::max(10, width() - barX - valueW - kMargin);
    const int best = winner();
    float maxValue = 0.0f;
    for (float v : m_values) maxValue = std::max(maxValue, v);
    const QColor text = palette().color(QPalette::Text);
    const QColor track = palette().color(QPalette::AlternateBase);
    const QColor bar(120, 140, 170);
    // An unsure answer's winner is drawn in the plain bar colour, without the highlight.
    const QColor winBar = m_unsure ? QColor(150, 150, 150) : QColor(0, 120, 215);

    for (int r = 0; r < rows; ++r) {
        const int y = kMargin + r * rowH;
        if (r == best && !m_unsure)
            p.fillRect(QRect(0, y, width(), rowH),
                       palette().color(QPalette::Highlight).lighter(185));
        QFont f = font();
        f.setBold(r == best);
        p.setFont(f);
        p.setPen(r == best ? winBar : text);
        p.drawText(QRect(kMargin, y, labelW - 6, rowH), Qt::AlignRight | Qt::AlignVCenter,
                   label(r));
        if (r < int(m_images.size()) && !m_images[r].isNull()) {
            const QSize s = m_images[r].size() * m_imageScale;
            p.drawImage(QRect(QPoint(kMargin + labelW, y + (rowH - s.height()) / 2), s),
                        m_images[r]);
        }
        const int barH = std::max(4, std::min(rowH - 6, fm.height()));
        const QRect trackRect(barX, y + (rowH - barH) / 2, barW, barH);
        p.fillRect(trackRect, track);
        if (r >= int(m_values.size())) continue;
        const float v = m_values[r];
        const float fraction =
            m_mode == Mode::Probability ? v : (maxValue > 0.0f ? v / maxValue : 0.0f);
        QRect filled = trackRect;
        filled.setWidth(int(std::clamp(fraction, 0.0f, 1.0f) * float(barW)));
        p.fillRect(filled, r == best ? winBar : bar);
        const QString value = m_mode == Mode::Probability
                                  ? QString::number(double(v) * 100.0, 'f', 1) + QLatin1Char('%')
                                  : QString::number(double(v), 'f', 2);
        p.drawText(QRect(barX + barW + 4, y, valueW, rowH), Qt::AlignLeft | Qt::AlignVCenter,
                   value);
    }
    if (m_values.empty() && !m_note.isEmpty()) {
        p.setFont(font());
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(QRect(barX, kMargin, barW, rows * rowH), Qt::AlignCenter | Qt::TextWordWrap,
                   m_note);
    }
}

QStringList classNames(const lenet::Network& net) {
    QStringList names;
    for (int k = 0; k < net.classes(); ++k)
        names.push_back(QString::fromStdString(net.className(k)));
    return names;
}

}  // namespace lenet::ui
