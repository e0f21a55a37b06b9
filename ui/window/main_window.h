// The studio's main window: dockable panels (the architecture and training sidebar, the loss
// and error plots, and whatever the app adds with addPanel), the menus and toolbar with their
// shortcuts, and the wiring between them, the TrainingController, the RunLedger (the plotted
// runs) and the ModelDocument (the current network, its file and its unsaved weights).
// Every run writes a checkpoint after every epoch; File > Resume training continues one.
#pragma once

#include <QByteArray>
#include <QMainWindow>
#include <QString>

#include "ui/training/training_types.h"

class QAction;
class QTimer;
class QCloseEvent;
class QResizeEvent;
class QDockWidget;
class QMenu;

namespace lenet::ui {

class ErrorPlot;
class InspectionPanels;
class EventLoopProbe;
class LossPlot;
class ModelDocument;
class PresetPanel;
class RunLedger;
class RunsTableView;
class RunStatusBar;
class TrainingControls;
class TrainingController;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);

    /// Adds `widget` as a dockable panel titled `title` in `area`, listed in the View menu.
    /// `id` names it in the saved layout (unique, stable across versions); add panels before
    /// restoreSettings() so that their saved place is restored.
    QDockWidget* addPanel(const QString& id, const QString& title, QWidget* widget,
                          Qt::DockWidgetArea area);

    /// Sizes and places the window inside the available area of the screen it is on: its present
    /// size made to fit when `keepSize` (a remembered geometry), else 90 % of that area; centred
    /// unless it fits where it is.
    void fitToScreen(bool keepSize);
    /// Restores the window geometry (made to fit the screen), the dark theme, the panels' layout
    /// and a data folder the user chose (File > Open data set) from QSettings.
    void restoreSettings();
    /// Saves what restoreSettings() restores.
    void saveSettings() const;

    /// Selects the preset `name`; false when there is no such preset.
    bool selectPreset(const QString& name);
    /// Sets the number of epochs and the training and test image limits of the next run (for
    /// quick runs from the command line); 0 leaves a value as it is.
    void setRunLimits(int epochs, int trainLimit, int testLimit);

    /// Opens a model file: its network becomes the current one, its history a run in the plots
    /// and its architecture the sidebar's. A file that cannot be used is explained (status bar
    /// and message box) and the current model stays. Does not ask about unsaved weights.
    bool openModel(const QString& path);
    /// Continues the run of the checkpoint file `path` (File > Resume training): the file is
    /// read on the training thread; once accepted, its architecture is shown, its history
    /// becomes a run in the plots and the run goes on to the checkpoint's epochs (a run that has
    /// done them all trains on to the Training panel's epochs when that is larger), writing its
    /// checkpoint to `path` again. A checkpoint that cannot be resumed is explained (status bar
    /// and message box) and the current model stays. False, doing nothing, while a run is in
    /// progress. Does not ask about unsaved weights.
    bool resumeTraining(const QString& path);
    /// Writes the current network and its history to `path`; errors are shown. True on success.
    bool saveModel(const QString& path);
    /// Uses the IDX folder `dir` for the next runs when it fits the selected architecture; says
    /// what it found, or why it cannot be used (then the data folder stays as it was).
    bool openDataset(const QString& dir);
    /// Opens the dialog that fetches MNIST into lenet::defaultFetchDir() (File > Fetch MNIST,
    /// and what Train does when the data folder holds no data set); once fetched, the next runs
    /// use it. `reason` (may be empty) says why it is offered. A fetch dialog already open is
    /// raised instead.
    void offerToFetchMnist(const QString& reason = {});

    TrainingController* controller() const { return m_controller; }
    LossPlot* lossPlot() const { return m_lossPlot; }
    ErrorPlot* errorPlot() const { return m_errorPlot; }
    RunStatusBar* runStatusBar() const { return m_status; }
    InspectionPanels* inspection() const { return m_inspection; }
    ModelDocument* document() const { return m_document; }
    RunLedger* runs() const { return m_runs; }
    RunsTableView* runsTable() const { return m_runsTable; }
    /// Measures the event loop's delays during every run (Help > Diagnostics shows them).
    const EventLoopProbe* latencyProbe() const { return m_probe; }
    /// The current network: a snapshot of the run in progress, the last trained or opened
    /// model, or freshly initialised weights; null before any.
    NetworkSnapshot network() const;
    /// File > Save model is available: there is a network and no run is in progress.
    bool canSaveModel() const;
    /// Weights were trained since they were last saved, opened or reset.
    bool hasUnsavedWeights() const;

public Q_SLOTS:
    /// Train when idle, pause when training, resume when paused (Space).
    void trainOrPause();
    /// Runs one batch and pauses; starts a paused run when idle (F10).
    void stepOneBatch();
    /// Stops the run after the current batch (Esc).
    void stopTraining();
    /// The learning rate from the next batch of the run in progress on (the schedule continues
    /// from it); ignored when idle.
    void setRunLearningRate(double rate);
    /// Re-initialises the selected architecture's weights (with the seed shown).
    void resetWeights();
    /// Removes every run from the plots except the one in progress (or the newest).
    void clearOldRuns();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    bool event(QEvent* event) override;
    void closeEvent(QCloseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    /// The menus' actions (one function per menu) and the toolbar.
    void createActions();
    void createFileActions();
    void createTrainingActions();
    void createViewActions();
    void createHelpActions();
    void createToolBar();
    /// The toolbar's buttons show their names when everything fits in the window's width, only
    /// their icons (names in the tool tips) when not, so that the network's name stays in view.
    void fitToolBar();
    void createPanels();
    void connectController();

    void showPreset(const QString& name);
    /// Tells the run ledger which preset is selected (for the paper's reference line).
    void updateReference();
    void startTraining(bool paused);
    void runProgressed(const lenet::Progress& progress);
    void runFinished(const EpochHistory& history, const NetworkSnapshot& network,
                     const QString& stopReason);
    void runDiverged(const EpochHistory& history, const NetworkSnapshot& network,
                     const QString& message);
    void runFailed(const QString& message, const EpochHistory& history,
                   const NetworkSnapshot& network);
    /// The checkpoint of resumeTraining() was accepted: shows it and begins the run's curves.
    void runResumed(const ResumedRun& run);
    /// The test images a run with `config` measures its test error on (the test set the views
    /// loaded, up to the limit); 0 when not known.
    int testImageCount(const lenet::TrainingConfig& config) const;
    /// What the views call `network` of the current run when it has trained `history` (or got
    /// into a later epoch).
    QString runNetworkName(const NetworkSnapshot& network, const EpochHistory& history) const;
    /// Common end of every run: the probe and the actions.
    void endRun();
    void showPaused(bool paused);
    /// Shows `message` in the status bar (red) and in a window-modal message box.
    void showProblem(const QString& title, const QString& message);
    /// True when nothing unsaved would be lost by `what`, or the user chose to save or discard.
    bool confirmDiscard(const QString& what);
    void chooseModelToOpen();
    void chooseCheckpointToResume();
    void chooseDataset();
    void exportAllPlots();
    void showDiagnostics();
    void showLayerProfile();
    /// The inspection views: every panel a dock, the bundled model until there is a network.
    void createInspectionPanels();
    /// Shows `network`, called `name`, in the inspection views and names it over them and in the
    /// status bar, at most once a second while a run streams snapshots (the gallery classifies
    /// the whole test set each time); the latest always lands.
    void inspectNetwork(const NetworkSnapshot& network, const QString& name);
    /// The test split of `dir` for the gallery and the confusion matrix (none when unreadable:
    /// the status bar then says how to get MNIST).
    void loadInspectionTestSet(const QString& dir);
    /// The IDX folder `dir` for the next runs and the inspection views.
    void useDataDir(const QString& dir);
    void updateActions();

    TrainingController* m_controller;
    EventLoopProbe* m_probe;
    PresetPanel* m_presets = nullptr;
    TrainingControls* m_controls = nullptr;
    LossPlot* m_lossPlot = nullptr;
    ErrorPlot* m_errorPlot = nullptr;
    RunStatusBar* m_status = nullptr;
    RunLedger* m_runs = nullptr;
    RunsTableView* m_runsTable = nullptr;
    ModelDocument* m_document = nullptr;
    InspectionPanels* m_inspection = nullptr;
    QTimer* m_inspectTimer = nullptr;
    NetworkSnapshot m_toInspect;  // the latest snapshot the inspection views have not shown
    QString m_toInspectName;      // what m_toInspect is called
    NetworkSnapshot m_bundled;    // what the views show until there is a current network
    QString m_bundledName;
    bool m_epochEnded = false;  // an epoch ended since the views last classified the test set
    QMenu* m_fileMenu;
    QMenu* m_trainingMenu;
    QMenu* m_viewMenu;  // lists the panels
    QMenu* m_helpMenu;
    QAction* m_trainAction = nullptr;
    QAction* m_stepAction = nullptr;
    QAction* m_stopAction = nullptr;
    QAction* m_resetAction = nullptr;
    QAction* m_openAction = nullptr;
    QAction* m_resumeAction = nullptr;
    QAction* m_saveAction = nullptr;
    QAction* m_exportOnnxAction = nullptr;
    QAction* m_exportAction = nullptr;
    QAction* m_openDataAction = nullptr;
    QAction* m_fetchDataAction = nullptr;
    QAction* m_clearRunsAction = nullptr;
    QAction* m_darkAction = nullptr;  // View > Dark theme, remembered in the settings
    QByteArray m_defaultLayout;       // the panels as built, for View > Reset layout
    QString m_resumingFrom;  // the checkpoint being loaded for a resume, until it is accepted
};

}  // namespace lenet::ui
