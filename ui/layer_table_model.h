// A read-only table of a network's layers: index, name, kind, output shape, trainable
// parameters. Holds plain rows, so it never refers to the network it was filled from.
#pragma once

#include <vector>

#include <QAbstractTableModel>
#include <QString>

#include "lenet/network.h"

namespace lenet::ui {

class LayerTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { Index, Name, Kind, Output, Params, ColumnCount };

    explicit LayerTableModel(QObject* parent = nullptr);

    /// Replaces the rows with the layers of `net`.
    void setNetwork(const lenet::Network& net);
    int totalParameters() const { return m_total; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Row {
        QString name;
        QString kind;
        QString output;
        QString details;
        int params = 0;
    };
    std::vector<Row> m_rows;
    int m_total = 0;
};

}  // namespace lenet::ui
