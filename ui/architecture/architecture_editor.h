// The architecture editor: a spec's layers in an editable table (kind, units, kernel in place;
// the other settings of the selected layer below it), buttons to insert, remove and move layers,
// the output head and the input size. Every edit is checked at once by building the network:
// a layer that does not fit is marked red and the error is shown under the table.
#pragma once

#include <QString>
#include <QWidget>

#include "lenet/spec.h"

class QComboBox;
class QLabel;
class QSpinBox;
class QTableView;
class QToolButton;

namespace lenet::ui {

class CollapsibleSection;
class LayerOptionsForm;
class LayerTableModel;

class ArchitectureEditor : public QWidget {
    Q_OBJECT

public:
    explicit ArchitectureEditor(QWidget* parent = nullptr);

    /// Shows `spec` for editing (not an edit: edited() is not emitted).
    void setSpec(const lenet::ArchitectureSpec& spec);
    /// The spec with the user's edits.
    const lenet::ArchitectureSpec& spec() const;
    /// The network builds: every layer fits and the head matches the loss.
    bool isValid() const;
    /// Why the spec does not fit (the network's ConfigError); empty when it does.
    QString problem() const;
    /// Trainable parameters of the network; 0 when the spec does not fit.
    int parameterCount() const;

Q_SIGNALS:
    /// The user changed the spec; isValid() and problem() describe the new one.
    void edited();

private:
    /// The Insert button: a menu of the layer kinds and activation functions (Ins).
    QToolButton* makeInsertButton();
    /// A button for an action on the selected layer, with `shortcut` while the table has focus.
    QToolButton* makeButton(const char* objectName, const QString& text, const QString& toolTip,
                            const QKeySequence& shortcut);
    int currentRow() const;
    void selectRow(int row);
    void insertLayer(const std::string& kind);
    void removeLayer();
    void moveLayer(int delta);
    void setHead(int index);
    void setInputSize(int size);
    /// Lets the kind of a layer without units or kernel (activations: "scaled_tanh") use the
    /// width of those empty cells.
    void updateSpans();
    /// Shows the spec-wide settings, the selected layer's options and the check's verdict.
    void refresh();

    LayerTableModel* m_model;
    QTableView* m_table;
    LayerOptionsForm* m_options;
    CollapsibleSection* m_optionsSection;
    QComboBox* m_head;
    QSpinBox* m_inputSize;
    QLabel* m_problem;
    QToolButton* m_remove = nullptr;
    QToolButton* m_up = nullptr;
    QToolButton* m_down = nullptr;
};

}  // namespace lenet::ui
