// The architecture editor's table: one row per layer of an ArchitectureSpec, with the name, kind,
// units and kernel editable in place and each layer's output shape and parameter count. Every
// edit re-checks the spec (checkSpec); a layer that does not fit gets a red row whose tool tip
// is the error.
#pragma once

#include <QAbstractTableModel>
#include <QString>

#include "lenet/spec.h"
#include "ui/architecture/spec_check.h"

namespace lenet::ui {

class LayerTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { Name, Kind, Units, Kernel, Output, Params, ColumnCount };

    explicit LayerTableModel(QObject* parent = nullptr);

    /// Shows `spec` (not an edit: edited() is not emitted).
    void setSpec(const lenet::ArchitectureSpec& spec);
    const lenet::ArchitectureSpec& spec() const { return m_spec; }
    /// The result of checking spec(): shapes, parameter counts, the problem if any.
    const SpecCheck& check() const { return m_check; }
    int totalParameters() const { return m_check.parameterCount; }

    /// Edits; each re-checks the spec and emits edited().
    void setLayer(int row, const lenet::LayerSpec& layer);
    void insertLayer(int row, const lenet::LayerSpec& layer);
    void removeLayer(int row);
    /// Moves the layer at `row` to `to` (both valid rows).
    void moveLayer(int row, int to);
    /// Replaces the whole spec (head or input changes), as an edit.
    void editSpec(const lenet::ArchitectureSpec& spec);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    /// The spec was edited and re-checked.
    void edited();

private:
    /// Re-checks the spec, repaints every row (shapes downstream change) and emits edited().
    void afterEdit();
    QVariant displayData(int row, int column) const;
    QString toolTip(int row, int column) const;

    lenet::ArchitectureSpec m_spec;
    SpecCheck m_check;
};

}  // namespace lenet::ui
