// LayerItemDelegate: a kind chosen in the combo box applies at once; numbers apply on Enter or
// when the editor loses focus.
#include "ui/architecture/layer_item_delegate.h"

#include <QComboBox>
#include <QSpinBox>

#include "lenet/kinds.h"
#include "ui/architecture/layer_kinds.h"
#include "ui/architecture/layer_table_model.h"

namespace lenet::ui {
namespace {

constexpr int kMaxUnits = 1024;  // keeps a mistyped width from allocating gigabytes per check
constexpr int kMaxKernel = 32;

void addKind(QComboBox* box, const std::string& kind) {
    const QString name = QString::fromStdString(kind);
    box->addItem(name, name);
    box->setItemData(box->count() - 1, describeKind(kind), Qt::ToolTipRole);
}

}  // namespace

QWidget* LayerItemDelegate::createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                                         const QModelIndex& index) const {
    switch (index.column()) {
        case LayerTableModel::Kind: {
            auto* box = new QComboBox(parent);
            box->setToolTip(tr("Layer kinds, then the activation functions"));
            for (const std::string& type : layerTypes()) addKind(box, type);
            box->insertSeparator(box->count());
            for (const std::string& fn : lenet::kindKeys(lenet::activationKinds()))
                addKind(box, fn);
            box->setMaxVisibleItems(box->count());
            auto* self = const_cast<LayerItemDelegate*>(this);
            connect(box, &QComboBox::activated, self, [self, box] {
                Q_EMIT self->commitData(box);
                Q_EMIT self->closeEditor(box);
            });
            return box;
        }
        case LayerTableModel::Units:
        case LayerTableModel::Kernel: {
            auto* box = new QSpinBox(parent);
            const bool units = index.column() == LayerTableModel::Units;
            box->setRange(1, units ? kMaxUnits : kMaxKernel);
            box->setToolTip(index.data(Qt::ToolTipRole).toString());
            return box;
        }
        default: return QStyledItemDelegate::createEditor(parent, option, index);
    }
}

void LayerItemDelegate::setEditorData(QWidget* editor, const QModelIndex& index) const {
    if (auto* box = qobject_cast<QComboBox*>(editor)) {
        box->setCurrentIndex(box->findData(index.data(Qt::EditRole)));
    } else if (auto* spin = qobject_cast<QSpinBox*>(editor)) {
        spin->setValue(index.data(Qt::EditRole).toInt());
    } else {
        QStyledItemDelegate::setEditorData(editor, index);
    }
}

void LayerItemDelegate::setModelData(QWidget* editor, QAbstractItemModel* model,
                                     const QModelIndex& index) const {
    if (auto* box = qobject_cast<QComboBox*>(editor)) {
        model->setData(index, box->currentData());
    } else if (auto* spin = qobject_cast<QSpinBox*>(editor)) {
        spin->interpretText();
        model->setData(index, spin->value());
    } else {
        QStyledItemDelegate::setModelData(editor, model, index);
    }
}

}  // namespace lenet::ui
