// Draws an entry of the architecture chooser on two lines: the name (marked when edited) with
// its parameter count on the right, and below it the one-line description, elided to fit.
#pragma once

#include <QStyledItemDelegate>

namespace lenet::ui {

class PresetItemDelegate : public QStyledItemDelegate {
    Q_OBJECT

public:
    /// The item data the delegate draws (Qt::UserRole holds the entry's name).
    enum Role {
        LabelRole = Qt::UserRole + 1,  // QString: the name as shown, e.g. "lenet5-1998 *"
        CountRole,                     // QString: right-aligned, e.g. "60,000 params"
        DescriptionRole,               // QString: the second line
        FitsRole,                      // bool: false draws the count in red
        CustomRole,                    // bool: not a preset; the label is drawn in italics
    };

    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

}  // namespace lenet::ui
