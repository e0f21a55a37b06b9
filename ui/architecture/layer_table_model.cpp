// LayerTableModel: the spec's layers as rows; checkSpec after every edit.
#include "ui/architecture/layer_table_model.h"

#include <algorithm>

#include <QColor>
#include <QFont>
#include <QLocale>

#include "lenet/kinds.h"
#include "ui/architecture/layer_kinds.h"

namespace lenet::ui {
namespace {

const QColor kProblemBackground(255, 200, 200);
const QColor kProblemText(0, 0, 0);

/// What a layer's kernel cell means, e.g. "5x5 kernel, stride 1, padding 0, connections full".
QString kernelDetails(const lenet::LayerSpec& s) {
    if (!lenet::usesField(s, "kernel")) return LayerTableModel::tr("%1x%1 window").arg(s.size);
    return LayerTableModel::tr("%1x%1 kernel, stride %2, padding %3, connections %4")
        .arg(s.kernel)
        .arg(s.stride)
        .arg(s.padding)
        .arg(QString::fromStdString(s.connections));
}

QString unitsMeaning(const lenet::LayerSpec& s) {
    if (lenet::usesField(s, "maps")) return LayerTableModel::tr("Output maps (channels)");
    if (lenet::usesField(s, "units")) return LayerTableModel::tr("Units");
    return LayerTableModel::tr("Classes (one centre each)");
}

}  // namespace

LayerTableModel::LayerTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void LayerTableModel::setSpec(const lenet::ArchitectureSpec& spec) {
    beginResetModel();
    m_spec = spec;
    m_check = checkSpec(m_spec);
    endResetModel();
}

void LayerTableModel::setLayer(int row, const lenet::LayerSpec& layer) {
    if (row < 0 || row >= rowCount() || m_spec.layers[std::size_t(row)] == layer) return;
    m_spec.layers[std::size_t(row)] = layer;
    afterEdit();
}

void LayerTableModel::insertLayer(int row, const lenet::LayerSpec& layer) {
    row = std::clamp(row, 0, rowCount());
    beginInsertRows({}, row, row);
    m_spec.layers.insert(m_spec.layers.begin() + row, layer);
    endInsertRows();
    afterEdit();
}

void LayerTableModel::removeLayer(int row) {
    if (row < 0 || row >= rowCount()) return;
    beginRemoveRows({}, row, row);
    m_spec.layers.erase(m_spec.layers.begin() + row);
    endRemoveRows();
    afterEdit();
}

void LayerTableModel::moveLayer(int row, int to) {
    if (row == to || row < 0 || to < 0 || row >= rowCount() || to >= rowCount()) return;
    // Qt's destination is the row before which the moved row lands, counted before the move.
    beginMoveRows({}, row, row, {}, to > row ? to + 1 : to);
    const lenet::LayerSpec layer = m_spec.layers[std::size_t(row)];
    m_spec.layers.erase(m_spec.layers.begin() + row);
    m_spec.layers.insert(m_spec.layers.begin() + to, layer);
    endMoveRows();
    afterEdit();
}

void LayerTableModel::editSpec(const lenet::ArchitectureSpec& spec) {
    setSpec(spec);
    Q_EMIT edited();
}

void LayerTableModel::afterEdit() {
    m_check = checkSpec(m_spec);
    if (rowCount() > 0) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    Q_EMIT edited();
}

int LayerTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_spec.layers.size());
}

int LayerTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LayerTableModel::displayData(int row, int column) const {
    const lenet::LayerSpec& s = m_spec.layers[std::size_t(row)];
    const bool known = row < int(m_check.layers.size());
    switch (column) {
        case Name:
            if (!s.name.empty()) return QString::fromStdString(s.name);
            return known ? QString::fromStdString(m_check.layers[std::size_t(row)].name)
                         : QString();
        case Kind: return QString::fromStdString(kindOf(s));
        case Units: return hasUnits(s) ? QVariant(unitsOf(s)) : QVariant();
        case Kernel:
            return hasKernel(s) ? QVariant(QStringLiteral("%1x%1").arg(kernelOf(s))) : QVariant();
        case Output:
            return known ? QString::fromStdString(m_check.layers[std::size_t(row)].output.str())
                         : QStringLiteral("?");
        case Params:
            return known ? QLocale().toString(m_check.layers[std::size_t(row)].params) : QString();
        default: return {};
    }
}

QString LayerTableModel::toolTip(int row, int column) const {
    if (row == m_check.problemRow) return QString::fromStdString(m_check.problem);
    const lenet::LayerSpec& s = m_spec.layers[std::size_t(row)];
    if (row >= int(m_check.layers.size()) && (column == Output || column == Params)) {
        return tr("Unknown until layer %1 fits").arg(m_check.problemRow + 1);
    }
    switch (column) {
        case Name: return tr("Layer %1; its name is optional (double-click to edit)").arg(row + 1);
        case Kind: return describeKind(kindOf(s)) + tr(" (double-click to change)");
        case Units: return hasUnits(s) ? unitsMeaning(s) : QString();
        case Kernel: return hasKernel(s) ? kernelDetails(s) : QString();
        case Output: return tr("Output shape: channels x height x width");
        case Params: return tr("Trainable parameters of this layer");
        default: return {};
    }
}

QVariant LayerTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const int row = index.row();
    const int column = index.column();
    const lenet::LayerSpec& s = m_spec.layers[std::size_t(row)];
    switch (role) {
        case Qt::DisplayRole: return displayData(row, column);
        case Qt::EditRole:
            switch (column) {
                case Name: return QString::fromStdString(s.name);
                case Kind: return QString::fromStdString(kindOf(s));
                case Units: return hasUnits(s) ? QVariant(unitsOf(s)) : QVariant();
                case Kernel: return hasKernel(s) ? QVariant(kernelOf(s)) : QVariant();
                default: return displayData(row, column);
            }
        case Qt::ToolTipRole: return toolTip(row, column);
        case Qt::BackgroundRole:
            return row == m_check.problemRow ? QVariant(kProblemBackground) : QVariant();
        case Qt::ForegroundRole:
            if (row == m_check.problemRow) return kProblemText;
            if (column == Name && s.name.empty()) return QColor(Qt::gray);
            return {};
        case Qt::FontRole:
            if (column == Name && s.name.empty()) {
                QFont font;
                font.setItalic(true);
                return font;
            }
            return {};
        case Qt::TextAlignmentRole:
            if (column == Units || column == Params) {
                return int(Qt::AlignRight | Qt::AlignVCenter);
            }
            return {};
        default: return {};
    }
}

bool LayerTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (role != Qt::EditRole || !index.isValid() || !(flags(index) & Qt::ItemIsEditable)) {
        return false;
    }
    lenet::LayerSpec layer = m_spec.layers[std::size_t(index.row())];
    switch (index.column()) {
        case Name: layer.name = value.toString().trimmed().toStdString(); break;
        case Kind: layer = withKind(layer, value.toString().toStdString()); break;
        case Units: setUnits(layer, value.toInt()); break;
        case Kernel: setKernel(layer, value.toInt()); break;
        default: return false;
    }
    setLayer(index.row(), layer);
    return true;
}

Qt::ItemFlags LayerTableModel::flags(const QModelIndex& index) const {
    if (!index.isValid()) return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    const lenet::LayerSpec& s = m_spec.layers[std::size_t(index.row())];
    const int column = index.column();
    if (column == Name || column == Kind || (column == Units && hasUnits(s)) ||
        (column == Kernel && hasKernel(s))) {
        f |= Qt::ItemIsEditable;
    }
    return f;
}

QVariant LayerTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
            case Name: return tr("Layer");
            case Kind: return tr("Kind");
            case Units: return tr("Units");
            case Kernel: return tr("Kernel");
            case Output: return tr("Output");
            case Params: return tr("Params");
            default: return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
            case Name: return tr("Layer name (optional)");
            case Kind: return tr("Layer kind, or the function of an activation layer");
            case Units: return tr("Output maps of a conv, units of an fc, classes of an rbf layer");
            case Kernel: return tr("Kernel of a conv, window of a pooling layer");
            case Output: return tr("Output shape: channels x height x width");
            case Params: return tr("Trainable parameters");
            default: return {};
        }
    }
    return {};
}

}  // namespace lenet::ui
