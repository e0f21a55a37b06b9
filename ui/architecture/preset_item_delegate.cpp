// PresetItemDelegate: the item panel from the style, then two lines of text.
#include "ui/architecture/preset_item_delegate.h"

#include <QApplication>
#include <QPainter>

namespace lenet::ui {
namespace {

constexpr int kMarginX = 6;
constexpr int kMarginY = 3;
constexpr int kGap = 8;  // between the label and the count

}  // namespace

void PresetItemDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                               const QModelIndex& index) const {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    const QStyle* style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);

    const bool selected = opt.state & QStyle::State_Selected;
    const QPalette::ColorGroup group =
        opt.state & QStyle::State_Enabled ? QPalette::Normal : QPalette::Disabled;
    const QColor text =
        opt.palette.color(group, selected ? QPalette::HighlightedText : QPalette::Text);
    const QColor muted = selected ? text : opt.palette.color(group, QPalette::PlaceholderText);
    const QRect area = opt.rect.adjusted(kMarginX, kMarginY, -kMarginX, -kMarginY);
    const int lineHeight = opt.fontMetrics.height();

    painter->save();
    const QString count = index.data(CountRole).toString();
    const bool fits = index.data(FitsRole).toBool();
    painter->setFont(opt.font);
    painter->setPen(fits || selected ? muted : QColor(176, 0, 32));
    const int countWidth = opt.fontMetrics.horizontalAdvance(count);
    const QRect firstLine(area.left(), area.top(), area.width(), lineHeight);
    painter->drawText(firstLine, Qt::AlignRight | Qt::AlignVCenter, count);

    QFont labelFont = opt.font;
    labelFont.setBold(true);
    labelFont.setItalic(index.data(CustomRole).toBool());
    painter->setFont(labelFont);
    painter->setPen(text);
    const QFontMetrics labelMetrics(labelFont);
    const QRect labelRect = firstLine.adjusted(0, 0, -(countWidth + kGap), 0);
    painter->drawText(labelRect, Qt::AlignLeft | Qt::AlignVCenter,
                      labelMetrics.elidedText(index.data(LabelRole).toString(), Qt::ElideRight,
                                              labelRect.width()));

    painter->setFont(opt.font);
    painter->setPen(muted);
    const QRect secondLine(area.left(), area.top() + lineHeight, area.width(), lineHeight);
    painter->drawText(secondLine, Qt::AlignLeft | Qt::AlignVCenter,
                      opt.fontMetrics.elidedText(index.data(DescriptionRole).toString(),
                                                 Qt::ElideRight, secondLine.width()));
    painter->restore();
}

QSize PresetItemDelegate::sizeHint(const QStyleOptionViewItem& option,
                                   const QModelIndex& index) const {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    return {opt.fontMetrics.horizontalAdvance(index.data(LabelRole).toString()) + 2 * kMarginX,
            2 * opt.fontMetrics.height() + 2 * kMarginY};
}

}  // namespace lenet::ui
