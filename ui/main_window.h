// The studio's main window: layout and wiring only. The sidebar chooses an architecture and
// the run settings; the plots follow the run; the controller does the training.
#pragma once

#include <QMainWindow>
#include <QString>

#include "ui/training_types.h"

class QAction;
class QCloseEvent;

namespace lenet::ui {

class ErrorPlot;
class LossPlot;
class PresetPanel;
class RunStatusBar;
class TrainingControls;
class TrainingController;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);

    /// Selects the preset `name`; false when there is no such preset.
    bool selectPreset(const QString& name);

    TrainingController* controller() const { return m_controller; }
    LossPlot* lossPlot() const { return m_lossPlot; }
    ErrorPlot* errorPlot() const { return m_errorPlot; }
    /// File > Save model is available: a trained (or, after divergence, restored) network.
    bool canSaveModel() const;

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createActions();
    void createLayout();
    void connectController();

    void showPreset(const QString& name);
    /// Sizes the empty error plot's epoch axis for `epochs` (before a run).
    void previewEpochs(int epochs);
    /// The paper's 0.95 % line for lenet5-1998, no line for the others.
    void showReference(const QString& preset);
    void startTraining();
    void stopTraining();
    void runFinished(const EpochHistory& history, const NetworkSnapshot& network,
                     const QString& stopReason);
    void runDiverged(const EpochHistory& history, const NetworkSnapshot& network,
                     const QString& message);
    void runFailed(const QString& message);
    void saveModel();
    void updateActions();

    TrainingController* m_controller;
    PresetPanel* m_presets = nullptr;
    TrainingControls* m_controls = nullptr;
    LossPlot* m_lossPlot = nullptr;
    ErrorPlot* m_errorPlot = nullptr;
    RunStatusBar* m_status = nullptr;
    QAction* m_saveAction = nullptr;
    QAction* m_trainAction = nullptr;
    QAction* m_stopAction = nullptr;

    QString m_runPreset;        // the preset of the current or last run
    EpochHistory m_history;     // of the last finished run
    NetworkSnapshot m_network;  // its trained network, for Save model
};

}  // namespace lenet::ui
