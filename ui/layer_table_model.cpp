// LayerTableModel: rows computed once from a Network when it is set.
#include "ui/layer_table_model.h"

#include <QLocale>

namespace lenet::ui {
namespace {

/// What distinguishes the layer beyond its kind, e.g. "5x5, table lecun1998" or "relu".
QString layerDetails(const lenet::LayerSpec& s) {
    if (s.type == "conv") {
        QString text = QStringLiteral("%1x%1 kernel").arg(s.kernel);
        if (s.stride != 1) text += QStringLiteral(", stride %1").arg(s.stride);
        if (s.padding) text += QStringLiteral(", padding %1").arg(s.padding);
        if (s.connections != "full") {
            text += QStringLiteral(", connections %1").arg(QString::fromStdString(s.connections));
        }
        return text;
    }
    if (s.type == "activation") return QString::fromStdString(s.fn);
    if (s.type == "subsample" || s.type == "avgpool" || s.type == "maxpool") {
        return QStringLiteral("%1x%1 window").arg(s.size);
    }
    if (s.type == "dropout") return QStringLiteral("rate %1").arg(double(s.rate));
    if (s.type == "rbf") {
        return QStringLiteral("%1 centres, %2")
            .arg(QString::fromStdString(s.prototypes), s.trainable ? "trainable" : "fixed");
    }
    return {};
}

}  // namespace

LayerTableModel::LayerTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void LayerTableModel::setNetwork(const lenet::Network& net) {
    beginResetModel();
    m_rows.clear();
    for (int i = 0; i < net.layerCount(); ++i) {
        const lenet::Layer& layer = net.layer(i);
        Row row;
        row.name = QString::fromStdString(layer.name());
        row.kind = QString::fromStdString(layer.kind());
        row.output = QString::fromStdString(layer.outputShape().str());
        row.details = layerDetails(net.spec().layers[i]);
        for (const lenet::Param& p : layer.params()) row.params += p.trainable ? p.count() : 0;
        if (layer.kind() == "activation" && !row.details.isEmpty()) row.kind = row.details;
        m_rows.push_back(row);
    }
    m_total = net.parameterCount();
    endResetModel();
}

int LayerTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LayerTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LayerTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= int(m_rows.size())) return {};
    const Row& row = m_rows[index.row()];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
            case Index: return index.row() + 1;
            case Name: return row.name;
            case Kind: return row.kind;
            case Output: return row.output;
            case Params: return QLocale().toString(row.params);
            default: return {};
        }
    }
    if (role == Qt::TextAlignmentRole && (index.column() == Index || index.column() == Params)) {
        return int(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role == Qt::ToolTipRole && !row.details.isEmpty()) return row.details;
    return {};
}

QVariant LayerTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
        case Index: return QStringLiteral("#");
        case Name: return tr("Layer");
        case Kind: return tr("Kind");
        case Output: return tr("Output");
        case Params: return tr("Params");
        default: return {};
    }
}

}  // namespace lenet::ui
