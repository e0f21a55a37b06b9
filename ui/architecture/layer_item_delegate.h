// The in-place editors of the layer table: a combo box of the layer kinds and activation
// functions for the Kind column, spin boxes for units and kernels, a line edit for names.
#pragma once

#include <QStyledItemDelegate>

namespace lenet::ui {

class LayerItemDelegate : public QStyledItemDelegate {
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                          const QModelIndex& index) const override;
    void setEditorData(QWidget* editor, const QModelIndex& index) const override;
    void setModelData(QWidget* editor, QAbstractItemModel* model,
                      const QModelIndex& index) const override;
};

}  // namespace lenet::ui
