// The architecture chooser of the studio's sidebar: the presets with their parameter counts,
// and the layers of the selected one.
#pragma once

#include <vector>

#include <QString>
#include <QWidget>

#include "lenet/spec.h"

class QLabel;
class QListWidget;
class QTableView;

namespace lenet::ui {

class LayerTableModel;

class PresetPanel : public QWidget {
    Q_OBJECT

public:
    explicit PresetPanel(QWidget* parent = nullptr);

    /// Name of the selected preset (empty when none is).
    QString currentName() const;
    /// The selected preset's spec; requires a selection.
    const lenet::ArchitectureSpec& currentSpec() const;
    /// Selects the preset `name`; false when there is no such preset.
    bool selectPreset(const QString& name);
    /// Selects `name`, or the first preset when there is no such preset.
    void selectPresetOrFirst(const QString& name);

Q_SIGNALS:
    void presetSelected(const QString& name);

private:
    void showRow(int row);

    QListWidget* m_list;
    QTableView* m_layers;
    QLabel* m_total;
    LayerTableModel* m_model;
    std::vector<lenet::ArchitectureSpec> m_specs;  // one per list row
};

}  // namespace lenet::ui
