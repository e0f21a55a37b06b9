// The settings of the selected layer that the layer table has no column for: a conv's stride,
// padding and connection table, an fc's expected input size, an activation's slope or beta,
// batch norm's momentum and epsilon, the dropout rate, the rbf centres. Shows only the rows
// that the layer's kind uses.
#pragma once

#include <functional>

#include <QWidget>

#include "lenet/spec.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QSpinBox;

namespace lenet::ui {

class LayerOptionsForm : public QWidget {
    Q_OBJECT

public:
    explicit LayerOptionsForm(QWidget* parent = nullptr);

    /// Shows the settings of `layer`.
    void showLayer(const lenet::LayerSpec& layer);

Q_SIGNALS:
    /// The user changed a setting; `layer` is the shown layer with the change.
    void layerEdited(const lenet::LayerSpec& layer);

private:
    void edit(const std::function<void(lenet::LayerSpec&)>& change);

    lenet::LayerSpec m_layer;
    QLabel* m_none;
    QFormLayout* m_form;
    QSpinBox* m_stride;
    QSpinBox* m_padding;
    QComboBox* m_connections;
    QSpinBox* m_in;
    QDoubleSpinBox* m_slope;
    QDoubleSpinBox* m_beta;
    QDoubleSpinBox* m_momentum;
    QDoubleSpinBox* m_eps;
    QDoubleSpinBox* m_rate;
    QComboBox* m_prototypes;
    QCheckBox* m_trainable;
};

}  // namespace lenet::ui
