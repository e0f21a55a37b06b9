// The run settings a user edits before pressing Train: epochs, batch size, learning rate, data
// limits and threads, plus the Train and Stop buttons.
#pragma once

#include <QWidget>

#include "lenet/spec.h"

class QDoubleSpinBox;
class QPushButton;
class QSpinBox;

namespace lenet::ui {

class TrainingControls : public QWidget {
    Q_OBJECT

public:
    explicit TrainingControls(QWidget* parent = nullptr);

    /// Shows the settings of `config` (a preset's spec.training).
    void showConfig(const lenet::TrainingConfig& config);
    /// `config` with the fields these controls edit replaced by the user's values.
    lenet::TrainingConfig applyTo(lenet::TrainingConfig config) const;
    /// Locks the settings and swaps which button is enabled.
    void setRunning(bool running);

Q_SIGNALS:
    void epochsChanged(int epochs);
    void trainClicked();
    void stopClicked();

private:
    QSpinBox* m_epochs;
    QSpinBox* m_batch;
    QDoubleSpinBox* m_learningRate;
    QSpinBox* m_trainLimit;
    QSpinBox* m_testLimit;
    QSpinBox* m_threads;
    QPushButton* m_train;
    QPushButton* m_stop;
};

}  // namespace lenet::ui
