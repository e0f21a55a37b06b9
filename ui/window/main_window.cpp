// MainWindow: builds the panels, actions and menus, connects them to the TrainingController and
// keeps the actions' state in step with the run (idle, training, paused).
#include "ui/window/main_window.h"

#include <utility>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QStyle>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include "lenet/data/idx.h"
#include "lenet/error.h"
#include "lenet/model_io.h"
#include "lenet/parallel.h"
#include "ui/architecture/preset_panel.h"
#include "ui/inspect/bundled_model.h"
#include "ui/inspect/inspection_panels.h"
#include "ui/plots/error_plot.h"
#include "ui/plots/loss_plot.h"
#include "ui/plots/plot_export.h"
#include "ui/training/training_controller.h"
#include "ui/training/training_controls.h"
#include "ui/window/dataset_check.h"
#include "ui/window/event_loop_probe.h"
#include "ui/window/profile_dialog.h"
#include "ui/window/run_status_bar.h"

namespace lenet::ui {
namespace {

/// LeCun et al. 1998, section III.C: LeNet-5's test error without distortions.
constexpr double kPaperTestErrorPercent = 0.95;
const QString kPaperPreset = QStringLiteral("lenet5-1998");
const QString kModelFilter = QStringLiteral("LeNet models (*.lenet);;All files (*)");
const QString kCheckpointFilter = QStringLiteral("LeNet checkpoints (*.ckpt);;All files (*)");

QString fromStd(const std::string& text) {
    return QString::fromStdString(text);
}

/// "test 1.23 %" from the last epoch that measured the test error; empty when none did.
QString testErrorSummary(const EpochHistory& history) {
    for (auto it = history.rbegin(); it != history.rend(); ++it) {
        if (it->testError >= 0) {
            return MainWindow::tr("test %1 %").arg(100.0 * it->testError, 0, 'f', 2);
        }
    }
    return {};
}

/// `widget` in a frameless scroll area that scrolls when the panel is smaller than the widget.
QScrollArea* scrollable(QWidget* widget) {
    auto* scroll = new QScrollArea;
    scroll->setWidget(widget);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setContentsMargins(0, 0, 0, 0);
    widget->setContentsMargins(8, 4, 8, 4);
    return scroll;
}

/// Sets the tool tip and status tip of `action` to `tip`, with the shortcut in brackets.
void describe(QAction* action, const QString& tip) {
    const QString keys = action->shortcut().toString(QKeySequence::NativeText);
    action->setToolTip(keys.isEmpty() ? tip : QStringLiteral("%1 (%2)").arg(tip, keys));
    action->setStatusTip(tip);
}

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      // Created first so that it is destroyed first: its destructor stops and joins the
      // training thread while the widgets its signals reach still exist.
      m_controller(new TrainingController(this)),
      m_probe(new EventLoopProbe(20, this)) {
    setWindowTitle(tr("LeNet Studio[*]"));
    setDockOptions(AnimatedDocks | AllowNestedDocks | AllowTabbedDocks);
    m_fileMenu = menuBar()->addMenu(tr("&File"));
    m_trainingMenu = menuBar()->addMenu(tr("&Training"));
    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_helpMenu = menuBar()->addMenu(tr("&Help"));
    createPanels();
    createActions();
    connectController();
    createInspectionPanels();
    m_controls->setMyDigits(m_inspection->myDigits());
    m_presets->selectPresetOrFirst(kPaperPreset);
    updateActions();
    resize(1440, 900);
    m_defaultLayout = saveState();
}

QDockWidget* MainWindow::addPanel(const QString& id, const QString& title, QWidget* widget,
                                  Qt::DockWidgetArea area) {
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(id);
    dock->setWidget(widget);
    addDockWidget(area, dock);
    QAction* toggle = dock->toggleViewAction();
    toggle->setToolTip(tr("Show or hide the %1 panel").arg(title));
    toggle->setStatusTip(toggle->toolTip());
    m_viewMenu->addAction(toggle);
    return dock;
}

void MainWindow::restoreSettings() {
    const QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    const QString dataDir = settings.value(QStringLiteral("dataDir")).toString();
    if (!dataDir.isEmpty() && QFileInfo(dataDir).isDir()) m_controller->setDataDir(dataDir);
}

void MainWindow::saveSettings() const {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    // Only a folder the user chose: the default follows $LENET_DATA and the set-up script.
    const QString dataDir = m_controller->dataDir();
    if (dataDir == QString::fromStdString(lenet::defaultDataDir())) {
        settings.remove(QStringLiteral("dataDir"));
    } else {
        settings.setValue(QStringLiteral("dataDir"), dataDir);
    }
}

bool MainWindow::selectPreset(const QString& name) {
    return m_presets->selectPreset(name);
}

void MainWindow::setRunLimits(int epochs, int trainLimit, int testLimit) {
    lenet::TrainingConfig config = m_controls->applyTo(m_presets->currentSpec().training);
    if (epochs > 0) config.epochs = epochs;
    if (trainLimit > 0) config.trainLimit = trainLimit;
    if (testLimit > 0) config.testLimit = testLimit;
    m_controls->showConfig(config);
    previewEpochs(config.epochs);
}

void MainWindow::previewEpochs(int epochs) {
    m_lossPlot->previewEpochs(epochs);
    m_errorPlot->previewEpochs(epochs);
}

void MainWindow::createPanels() {
    // The docks fill the window; the central widget is an empty placeholder.
    auto* centre = new QWidget;
    centre->hide();
    setCentralWidget(centre);

    m_presets = new PresetPanel;
    m_controls = new TrainingControls;
    m_lossPlot = new LossPlot;
    m_errorPlot = new ErrorPlot;
    m_status = new RunStatusBar;
    setStatusBar(m_status);

    QDockWidget* architecture = addPanel(QStringLiteral("architecturePanel"), tr("Architecture"),
                                         scrollable(m_presets), Qt::LeftDockWidgetArea);
    QDockWidget* training = addPanel(QStringLiteral("trainingPanel"), tr("Training"),
                                     scrollable(m_controls), Qt::LeftDockWidgetArea);
    // The architecture editor and the training form each need the panel's full height: tabs.
    tabifyDockWidget(architecture, training);
    setTabPosition(Qt::LeftDockWidgetArea, QTabWidget::North);
    architecture->raise();
    QDockWidget* loss = addPanel(QStringLiteral("lossPanel"), tr("Training loss"), m_lossPlot,
                                 Qt::RightDockWidgetArea);
    QDockWidget* error = addPanel(QStringLiteral("errorPanel"), tr("Error rate"), m_errorPlot,
                                  Qt::RightDockWidgetArea);
    splitDockWidget(loss, error, Qt::Vertical);
    resizeDocks({architecture, loss}, {420, 1020}, Qt::Horizontal);

    connect(m_presets, &PresetPanel::presetSelected, this, &MainWindow::showPreset);
    connect(m_controls, &TrainingControls::epochsChanged, this, &MainWindow::previewEpochs);
    connect(m_controls, &TrainingControls::trainClicked, this, [this] { startTraining(false); });
    connect(m_controls, &TrainingControls::stopClicked, this, &MainWindow::stopTraining);
    connect(m_probe, &EventLoopProbe::worstDelayChanged, m_status, &RunStatusBar::showLatency);
    connect(m_presets, &PresetPanel::specChanged, this, [this](bool valid) {
        m_controls->setTrainEnabled(valid, m_presets->specProblem());
        updateReference();
        updateActions();
    });
    connect(m_controls, &TrainingControls::learningRateChanged, this,
            &MainWindow::setRunLearningRate);
}

void MainWindow::createInspectionPanels() {
    m_inspection = new InspectionPanels(this);
    QDockWidget* first = nullptr;
    QDockWidget* loss = findChild<QDockWidget*>(QStringLiteral("lossPanel"));
    for (const auto& panel : m_inspection->panels()) {
        QDockWidget* dock =
            addPanel(panel.objectName, panel.title, panel.widget, Qt::RightDockWidgetArea);
        if (!first) {
            splitDockWidget(loss, dock, Qt::Horizontal);
            first = dock;
        } else {
            tabifyDockWidget(first, dock);
        }
    }
    if (first) {
        // Plots stacked on the left of the right-hand area, the views tabbed beside them.
        QDockWidget* error = findChild<QDockWidget*>(QStringLiteral("errorPanel"));
        splitDockWidget(loss, error, Qt::Vertical);
        resizeDocks({loss, first}, {520, 500}, Qt::Horizontal);
        first->raise();
    }
    m_inspectTimer = new QTimer(this);
    m_inspectTimer->setSingleShot(true);
    connect(m_inspectTimer, &QTimer::timeout, this, [this] {
        // The test set is classified once per epoch of a run, and for any other network.
        const bool classify = !m_controller->isRunning() || std::exchange(m_epochEnded, false);
        m_inspection->setNetwork(std::exchange(m_toInspect, nullptr), classify);
    });
    connect(m_controller, &TrainingController::epochFinished, this,
            [this] { m_epochEnded = true; });
    connect(this, &MainWindow::networkChanged, this, &MainWindow::inspectNetwork);
    loadInspectionTestSet(m_controller->dataDir());
    try {
        m_inspection->setNetwork(
            std::make_shared<const lenet::Network>(loadBundledModel().network));
    } catch (const lenet::Error& e) {
        m_status->showError(
            tr("The bundled model is missing: %1").arg(QString::fromStdString(e.what())));
    }
}

void MainWindow::inspectNetwork(const NetworkSnapshot& network) {
    m_toInspect = network;
    if (!m_inspectTimer->isActive()) m_inspectTimer->start(m_controller->isRunning() ? 1000 : 0);
}

void MainWindow::loadInspectionTestSet(const QString& dir) {
    try {
        m_inspection->setTestSet(std::make_shared<const lenet::Dataset>(
            lenet::loadSplit(dir.toStdString(), lenet::Split::Test)));
    } catch (const lenet::Error&) {
        m_inspection->setTestSet(nullptr);  // the views work on drawings; Open data set explains
    }
}

void MainWindow::createActions() {
    QStyle* s = style();
    QMenu* file = m_fileMenu;
    QMenu* training = m_trainingMenu;
    QMenu* view = m_viewMenu;
    QMenu* help = m_helpMenu;

    m_openAction = file->addAction(s->standardIcon(QStyle::SP_DialogOpenButton), tr("&Open model…"),
                                   this, &MainWindow::chooseModelToOpen);
    m_openAction->setShortcut(QKeySequence::Open);
    describe(m_openAction, tr("Open a model file: its weights, architecture and training history"));
    m_resumeAction =
        file->addAction(tr("&Resume training…"), this, &MainWindow::chooseCheckpointToResume);
    m_resumeAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    describe(m_resumeAction,
             tr("Continue a run from its checkpoint (every run writes one after every epoch), "
                "with the run's own architecture and settings"));
    m_saveAction = file->addAction(s->standardIcon(QStyle::SP_DialogSaveButton), tr("&Save model…"),
                                   this, &MainWindow::chooseModelFile);
    m_saveAction->setShortcut(QKeySequence::Save);
    describe(m_saveAction, tr("Save the current network and its training history to a model file"));
    file->addSeparator();
    QAction* openSpec =
        file->addAction(tr("Open a&rchitecture…"), m_presets, &PresetPanel::openSpec);
    describe(openSpec, tr("Load an architecture (JSON spec) into the editor"));
    QAction* saveSpec =
        file->addAction(tr("Save architecture &as…"), m_presets, &PresetPanel::saveSpecAs);
    describe(saveSpec,
             tr("Save the architecture in the editor, with the training settings, as JSON"));
    file->addSeparator();
    m_openDataAction = file->addAction(s->standardIcon(QStyle::SP_DirOpenIcon),
                                       tr("Open &data set…"), this, &MainWindow::chooseDataset);
    m_openDataAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    describe(m_openDataAction,
             tr("Train on another folder of IDX files (raw or .gz) from the next run on"));
    m_exportAction = file->addAction(s->standardIcon(QStyle::SP_FileDialogDetailedView),
                                     tr("&Export plots…"), this, &MainWindow::exportAllPlots);
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    describe(m_exportAction, tr("Write both plots to a PNG image, a PDF or a CSV table"));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    describe(quit, tr("Quit LeNet Studio (asks first when trained weights are not saved)"));

    m_trainAction = training->addAction(tr("&Train"), this, &MainWindow::trainOrPause);
    m_trainAction->setObjectName(QStringLiteral("trainAction"));
    m_trainAction->setShortcut(QKeySequence(Qt::Key_Space));
    m_stepAction = training->addAction(s->standardIcon(QStyle::SP_MediaSeekForward),
                                       tr("Step &one batch"), this, &MainWindow::stepOneBatch);
    m_stepAction->setShortcut(QKeySequence(Qt::Key_F10));
    describe(m_stepAction, tr("Train exactly one batch, then pause (starts a paused run when "
                              "idle)"));
    m_stopAction = training->addAction(s->standardIcon(QStyle::SP_MediaStop), tr("&Stop"), this,
                                       &MainWindow::stopTraining);
    m_stopAction->setShortcut(QKeySequence(Qt::Key_Escape));
    describe(m_stopAction, tr("Stop the run after the current batch and keep what it learnt"));
    training->addSeparator();
    m_resetAction = training->addAction(s->standardIcon(QStyle::SP_BrowserReload),
                                        tr("&Reset weights"), this, &MainWindow::resetWeights);
    m_resetAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    describe(m_resetAction,
             tr("Forget the trained weights: initialise the selected architecture afresh"));
    training->addSeparator();
    QAction* profile =
        training->addAction(tr("&Profile layers…"), this, &MainWindow::showLayerProfile);
    profile->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    describe(profile, tr("Time each layer's forward and backward pass for the selected "
                         "architecture: where a training step spends its time"));

    view->addSeparator();
    m_clearRunsAction = view->addAction(tr("&Clear old runs"), this, &MainWindow::clearOldRuns);
    m_clearRunsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    describe(m_clearRunsAction,
             tr("Remove every run from the plots but the one in progress (or the newest)"));
    QAction* resetLayout =
        view->addAction(tr("Reset &layout"), this, [this] { restoreState(m_defaultLayout); });
    describe(resetLayout, tr("Put every panel back where it was at the first start"));
    view->setToolTipsVisible(true);
    for (RunPlot* plot : std::initializer_list<RunPlot*>{m_lossPlot, m_errorPlot}) {
        plot->addMenuAction(m_clearRunsAction);
    }

    QAction* diagnostics = help->addAction(tr("&Diagnostics…"), this, &MainWindow::showDiagnostics);
    describe(diagnostics, tr("How responsive the window stayed during the last run, and where "
                             "the data comes from"));
    QAction* about = help->addAction(tr("&About LeNet Studio"), this, [this] {
        QMessageBox::about(
            this, tr("About LeNet Studio"),
            tr("<b>LeNet Studio</b><p>Trains LeNet-5 (LeCun, Bottou, Bengio &amp; Haffner, 1998) "
               "and its variants on MNIST-style digits and lets you watch them learn.</p>"
               "<p>Licence: GPL-3.0-or-later.</p>"));
    });
    describe(about, tr("What LeNet Studio is"));
    for (QMenu* menu : {file, training, help}) menu->setToolTipsVisible(true);

    QToolBar* bar = addToolBar(tr("Training"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->setMovable(false);
    bar->addAction(m_trainAction);
    bar->addAction(m_stepAction);
    bar->addAction(m_stopAction);
    bar->addSeparator();
    bar->addAction(m_resetAction);
    bar->addSeparator();
    bar->addAction(m_openAction);
    bar->addAction(m_saveAction);
    bar->addAction(m_exportAction);
    bar->addAction(m_openDataAction);
}

void MainWindow::connectController() {
    connect(m_controller, &TrainingController::statusChanged, this, [this](const QString& text) {
        // While paused, where the run waits is what matters.
        if (m_controller->isPaused()) {
            showPaused(true);
        } else {
            m_status->showStatus(text);
        }
    });
    connect(m_controller, &TrainingController::progressed, this, &MainWindow::runProgressed);
    connect(m_controller, &TrainingController::networkUpdated, this,
            [this](const NetworkSnapshot& network) {
                m_network = network;
                Q_EMIT networkChanged(network);
            });
    connect(m_controller, &TrainingController::epochFinished, m_errorPlot, &ErrorPlot::appendEpoch);
    connect(m_controller, &TrainingController::epochFinished, m_status, &RunStatusBar::showEpoch);
    connect(m_controller, &TrainingController::pausedChanged, this, &MainWindow::showPaused);
    connect(m_controller, &TrainingController::finished, this, &MainWindow::runFinished);
    connect(m_controller, &TrainingController::diverged, this, &MainWindow::runDiverged);
    connect(m_controller, &TrainingController::failed, this, &MainWindow::runFailed);
    connect(m_controller, &TrainingController::resumed, this, &MainWindow::runResumed);
}

void MainWindow::showPreset(const QString&) {
    m_controls->showConfig(m_presets->currentSpec().training);
    previewEpochs(m_presets->currentSpec().training.epochs);
    updateReference();
}

void MainWindow::updateReference() {
    bool paper = m_presets->currentName() == kPaperPreset && m_presets->isPreset() &&
                 !m_presets->isModified();
    for (const QString& name : m_runArchitectures) paper = paper || name == kPaperPreset;
    if (paper) {
        m_errorPlot->setReference(kPaperTestErrorPercent,
                                  tr("LeCun 1998: %1 % test error").arg(kPaperTestErrorPercent));
    } else {
        m_errorPlot->setReference(std::nullopt);
    }
}

void MainWindow::trainOrPause() {
    if (!m_controller->isRunning()) {
        startTraining(false);
    } else if (m_controller->isPaused()) {
        m_controller->resume();
    } else {
        m_controller->pause();
    }
}

void MainWindow::stepOneBatch() {
    if (m_controller->isRunning()) {
        m_controller->step();
    } else {
        startTraining(true);
        m_controller->step();
    }
}

void MainWindow::stopTraining() {
    if (!m_controller->isRunning()) return;
    m_controller->stop();
    m_status->showStatus(tr("Stopping after the current batch…"));
}

void MainWindow::setRunLearningRate(double rate) {
    if (!m_controller->isRunning()) return;
    m_controller->setLearningRate(rate);
    m_status->showStatus(tr("Learning rate %1 from the next batch on").arg(rate));
}

void MainWindow::resetWeights() {
    if (m_controller->isRunning() || m_presets->currentName().isEmpty()) return;
    if (!confirmDiscard(tr("resetting the weights"))) return;
    lenet::ArchitectureSpec spec = m_presets->currentSpec();
    spec.training = m_controls->applyTo(spec.training);
    try {
        auto network = std::make_shared<lenet::Network>(spec);
        network->initialize(spec.training.seed);
        setCurrentNetwork(network, {}, false);
        m_status->showStatus(tr("%1: weights initialised afresh (seed %2)")
                                 .arg(fromStd(spec.name))
                                 .arg(spec.training.seed));
    } catch (const std::exception& e) {
        showProblem(tr("Reset weights"), fromStd(e.what()));
    }
}

void MainWindow::clearOldRuns() {
    const int keep = m_run.id;
    m_lossPlot->removeRunsExcept(keep);
    m_errorPlot->removeRunsExcept(keep);
    for (auto it = m_runArchitectures.begin(); it != m_runArchitectures.end();) {
        it = it.key() == keep ? std::next(it) : m_runArchitectures.erase(it);
    }
    updateReference();
    updateActions();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (m_controller->isRunning()) {
        QMessageBox box(QMessageBox::Question, tr("Quit LeNet Studio"),
                        tr("%1 is still training. Stop the run and quit? Its weights will be "
                           "lost.")
                            .arg(m_run.label),
                        QMessageBox::Cancel, this);
        box.setObjectName(QStringLiteral("confirmQuit"));
        QPushButton* stop = box.addButton(tr("Stop and quit"), QMessageBox::AcceptRole);
        box.setDefaultButton(stop);
        box.exec();
        if (box.clickedButton() != stop) {
            event->ignore();
            return;
        }
    } else if (!confirmDiscard(tr("quitting"))) {
        event->ignore();
        return;
    }
    m_controller->stop();
    m_probe->stop();
    QMainWindow::closeEvent(event);
}

void MainWindow::startTraining(bool paused) {
    if (m_controller->isRunning() || m_presets->currentName().isEmpty()) return;
    if (!m_presets->specIsValid()) {
        showProblem(tr("Train"),
                    tr("The architecture does not fit together: %1").arg(m_presets->specProblem()));
        return;
    }
    if (!confirmDiscard(tr("starting a new run"))) return;
    lenet::ArchitectureSpec spec = m_presets->currentSpec();
    spec.training = m_controls->applyTo(spec.training);
    m_run = nextRunStyle(fromStd(spec.name));
    m_runArchitectures.insert(m_run.id, fromStd(spec.name));
    m_lossPlot->beginRun(m_run, spec.training.epochs);
    m_errorPlot->beginRun(m_run, spec.training.epochs);
    updateReference();
    m_lastProgress = lenet::Progress{};
    m_status->runStarted(spec.training.epochs);
    m_probe->start();
    m_controller->start(spec, paused, m_controls->extraTrainingData());
    updateActions();
}

void MainWindow::runProgressed(const lenet::Progress& progress) {
    m_lastProgress = progress;
    m_lossPlot->appendProgress(progress);
    m_status->showProgress(progress);
    if (m_controller->isPaused()) showPaused(true);
}

void MainWindow::runFinished(const EpochHistory& history, const NetworkSnapshot& network,
                             const QString& stopReason) {
    const bool trained = m_lastProgress.step > 0;
    if (trained) setCurrentNetwork(network, history, true);
    QString summary = testErrorSummary(history);
    if (!stopReason.isEmpty()) {
        summary = summary.isEmpty() ? stopReason : tr("%1, %2").arg(summary, stopReason);
    }
    endRun(summary);
    const int epochs = int(history.size());
    QString text = epochs == 1 ? tr("%1: 1 epoch trained").arg(m_run.label)
                               : tr("%1: %2 epochs trained").arg(m_run.label).arg(epochs);
    if (const QString error = testErrorSummary(history); !error.isEmpty()) {
        text += tr(", %1").arg(error);
    }
    if (!stopReason.isEmpty()) text += QStringLiteral(" (%1)").arg(stopReason);
    m_status->runEnded(text);
}

void MainWindow::runDiverged(const EpochHistory& history, const NetworkSnapshot& network,
                             const QString& message) {
    // The trainer restored the last good weights: they stay current and can be saved.
    setCurrentNetwork(network, history, true);
    endRun(tr("diverged"));
    showProblem(tr("Training diverged"), message);
}

void MainWindow::runFailed(const QString& message, const EpochHistory& history,
                           const NetworkSnapshot& network) {
    if (!m_resumingFrom.isEmpty()) {
        // Refused before anything changed: no run in the plots, the current model stays.
        const QString path = std::exchange(m_resumingFrom, {});
        m_probe->stop();
        updateActions();
        showProblem(tr("Resume training"),
                    tr("Could not resume from %1; the current model stays.\n\n%2")
                        .arg(QFileInfo(path).fileName(), message));
        return;
    }
    if (network) {
        // The run stopped at an epoch's end (its checkpoint could not be written): keep it all.
        setCurrentNetwork(network, history, true);
    } else if (m_lastProgress.step > 0) {
        // The weights of the last report stay current; they were trained, so they can be saved.
        setCurrentNetwork(m_network, {}, true);
    } else {
        // Nothing was drawn: the run's empty curves would only crowd the legend.
        m_lossPlot->removeRun(m_run.id);
        m_errorPlot->removeRun(m_run.id);
        m_runArchitectures.remove(m_run.id);
        updateReference();
    }
    endRun(tr("failed"));
    showProblem(tr("Training failed"), message);
}

void MainWindow::endRun(const QString& summary) {
    m_probe->stop();
    m_status->showLatency(m_probe->worstDelayMs());
    m_lossPlot->setRunSummary(m_run.id, summary);
    m_errorPlot->setRunSummary(m_run.id, summary);
    updateActions();
}

void MainWindow::showPaused(bool paused) {
    updateActions();
    if (!paused || !m_controller->isRunning()) return;
    const lenet::Progress& p = m_lastProgress;
    const QString where = p.batches > 0
                              ? tr("Paused in epoch %1 after batch %2 of %3")
                                    .arg(p.epoch)
                                    .arg(QLocale().toString(p.batch), QLocale().toString(p.batches))
                              : tr("Paused before the first batch");
    m_status->showStatus(tr("%1. Space resumes, F10 trains one more batch, Esc stops.").arg(where));
}

void MainWindow::showProblem(const QString& title, const QString& message) {
    m_status->showError(message);
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("problemMessage"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::setCurrentNetwork(const NetworkSnapshot& network, const EpochHistory& history,
                                   bool unsaved) {
    m_network = network;
    m_history = history;
    m_unsaved = unsaved;
    setWindowModified(unsaved);
    updateActions();
    Q_EMIT networkChanged(network);
}

bool MainWindow::confirmDiscard(const QString& what) {
    if (!m_unsaved || !m_network) return true;
    QMessageBox box(
        QMessageBox::Question, tr("Unsaved weights"),
        tr("The weights %1 learnt are not saved. Save them before %2?")
            .arg(m_run.label.isEmpty() ? fromStd(m_network->spec().name) : m_run.label, what),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("confirmDiscard"));
    box.setDefaultButton(QMessageBox::Save);
    switch (box.exec()) {
        case QMessageBox::Save: chooseModelFile(); return !m_unsaved;
        case QMessageBox::Discard: return true;
        default: return false;
    }
}

RunStyle MainWindow::addHistoryRun(const QString& label, const QString& architecture,
                                   const EpochHistory& history) {
    const RunStyle run = nextRunStyle(label);
    m_runArchitectures.insert(run.id, architecture);
    m_lossPlot->addHistoryRun(run, history);
    m_errorPlot->addHistoryRun(run, history);
    m_lossPlot->setRunSummary(run.id, testErrorSummary(history));
    m_errorPlot->setRunSummary(run.id, testErrorSummary(history));
    return run;
}

bool MainWindow::resumeTraining(const QString& path) {
    if (m_controller->isRunning()) return false;
    const int epochs = m_controls->applyTo(m_presets->currentSpec().training).epochs;
    m_resumingFrom = path;
    m_probe->start();
    m_controller->resumeFrom(path, epochs);
    updateActions();
    return true;
}

void MainWindow::runResumed(const ResumedRun& run) {
    const QString path = std::exchange(m_resumingFrom, {});
    const QString name = fromStd(run.spec.name);
    m_presets->showSpec(run.spec);
    const RunStyle before =
        addHistoryRun(tr("%1 (%2)").arg(name, QFileInfo(path).fileName()), name, run.history);
    setCurrentNetwork(run.network, run.history, false);
    // The continuation in the colour of the epochs before it: one run in two parts.
    m_run = nextRunStyle(tr("%1 resumed").arg(name));
    m_run.colour = before.colour;
    m_runArchitectures.insert(m_run.id, name);
    m_lossPlot->beginRun(m_run, run.spec.training.epochs);
    m_errorPlot->beginRun(m_run, run.spec.training.epochs);
    // The error curve goes on from the checkpoint's epochs (the loss plot has no batches there).
    for (const lenet::EpochMetrics& metrics : run.history) m_errorPlot->appendEpoch(metrics);
    updateReference();
    m_lastProgress = lenet::Progress{};
    m_status->runStarted(run.spec.training.epochs);
    updateActions();
}

bool MainWindow::openModel(const QString& path) {
    try {
        lenet::Model model = lenet::loadModel(path.toStdString());
        auto network = std::make_shared<const lenet::Network>(std::move(model.network));
        const lenet::ArchitectureSpec& spec = network->spec();
        m_presets->showSpec(spec);
        m_run = addHistoryRun(tr("%1 (%2)").arg(fromStd(spec.name), QFileInfo(path).fileName()),
                              fromStd(spec.name), model.history);
        updateReference();
        setCurrentNetwork(network, model.history, false);
        const int epochs = int(model.history.size());
        QString text = tr("Opened %1: %2, %n epoch(s) trained", nullptr, epochs)
                           .arg(QDir::toNativeSeparators(path), fromStd(spec.name));
        if (const QString error = testErrorSummary(model.history); !error.isEmpty()) {
            text += tr(", %1").arg(error);
        }
        m_status->showStatus(text);
        return true;
    } catch (const std::exception& e) {
        showProblem(
            tr("Open model"),
            tr("Could not open the model; the current one stays.\n\n%1").arg(fromStd(e.what())));
        return false;
    }
}

bool MainWindow::saveModel(const QString& path) {
    if (!m_network) return false;
    try {
        lenet::saveModel(path.toStdString(), *m_network, m_history);
    } catch (const std::exception& e) {
        showProblem(tr("Save model"), fromStd(e.what()));
        return false;
    }
    m_unsaved = false;
    setWindowModified(false);
    m_status->showStatus(tr("Saved %1").arg(QDir::toNativeSeparators(path)));
    return true;
}

bool MainWindow::openDataset(const QString& dir) {
    QApplication::setOverrideCursor(Qt::WaitCursor);
    const DatasetReport report = inspectDataset(dir, m_presets->currentSpec());
    QApplication::restoreOverrideCursor();
    if (!report.usable) {
        showProblem(tr("Open data set"), report.text);
        return false;
    }
    m_controller->setDataDir(dir);
    loadInspectionTestSet(dir);
    m_status->showStatus(
        tr("Data set: %1 (used from the next run on)").arg(QDir::toNativeSeparators(dir)));
    auto* box = new QMessageBox(QMessageBox::Information, tr("Open data set"), report.text,
                                QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("datasetReport"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    return true;
}

void MainWindow::chooseModelToOpen() {
    if (m_controller->isRunning() || !confirmDiscard(tr("opening another model"))) return;
    QSettings settings;
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open model"),
        settings.value(QStringLiteral("modelDir"), QDir::homePath()).toString(), kModelFilter);
    if (path.isEmpty()) return;
    settings.setValue(QStringLiteral("modelDir"), QFileInfo(path).absolutePath());
    openModel(path);
}

void MainWindow::chooseCheckpointToResume() {
    if (m_controller->isRunning() || !confirmDiscard(tr("resuming a run"))) return;
    const QString dir = TrainingController::checkpointDir();
    QDir().mkpath(dir);  // the dialog starts there even before the first run
    const QString path = QFileDialog::getOpenFileName(this, tr("Resume training from a checkpoint"),
                                                      dir, kCheckpointFilter);
    if (!path.isEmpty()) resumeTraining(path);
}

void MainWindow::chooseModelFile() {
    if (!m_network) return;
    QSettings settings;
    const QString dir = settings.value(QStringLiteral("modelDir"), QDir::homePath()).toString();
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save model"), QDir(dir).filePath(fromStd(m_network->spec().name) + ".lenet"),
        kModelFilter);
    if (path.isEmpty()) return;
    settings.setValue(QStringLiteral("modelDir"), QFileInfo(path).absolutePath());
    saveModel(path);
}

void MainWindow::chooseDataset() {
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Open data set: a folder with IDX files"), m_controller->dataDir());
    if (!dir.isEmpty()) openDataset(dir);
}

void MainWindow::exportAllPlots() {
    exportPlotsWithDialog(this, {m_lossPlot, m_errorPlot}, QStringLiteral("lenet-studio-plots"),
                          QStringLiteral("png"));
}

void MainWindow::showLayerProfile() {
    auto* dialog = new ProfileDialog(m_presets->currentSpec(), this);
    dialog->setObjectName(QStringLiteral("profileDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void MainWindow::showDiagnostics() {
    const QString latency =
        m_probe->ticks() == 0
            ? tr("No run measured yet: the window measures its responsiveness while training.")
            : tr("Slowest response of the window during the last run: <b>%1 ms</b> (a timer "
                 "due every %2 ms, %3 ticks measured; below 50 ms feels smooth).")
                  .arg(m_probe->worstDelayMs(), 0, 'f', 1)
                  .arg(m_probe->intervalMs())
                  .arg(m_probe->ticks());
    auto* box = new QMessageBox(
        QMessageBox::Information, tr("Diagnostics"),
        tr("<p>%1</p><p>Data folder: %2<br>Cores: %3<br>Qt %4</p>")
            .arg(latency, QDir::toNativeSeparators(m_controller->dataDir()).toHtmlEscaped())
            .arg(lenet::hardwareThreads())
            .arg(QString::fromLatin1(qVersion())),
        QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("diagnostics"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

RunStyle MainWindow::nextRunStyle(const QString& name) {
    const int count = ++m_runsNamed[name];
    RunStyle run;
    run.id = ++m_runCount;
    run.colour = runColour(run.id - 1);
    run.label = count == 1 ? name : tr("%1 #%2").arg(name).arg(count);
    return run;
}

bool MainWindow::canSaveModel() const {
    return m_saveAction->isEnabled();
}

void MainWindow::updateActions() {
    const bool running = m_controller->isRunning();
    const bool paused = m_controller->isPaused();
    QStyle* s = style();
    if (!running) {
        m_trainAction->setText(tr("&Train"));
        m_trainAction->setIcon(s->standardIcon(QStyle::SP_MediaPlay));
        describe(m_trainAction, tr("Train the selected architecture with the settings shown"));
    } else if (paused) {
        m_trainAction->setText(tr("&Resume"));
        m_trainAction->setIcon(s->standardIcon(QStyle::SP_MediaPlay));
        describe(m_trainAction, tr("Go on training"));
    } else {
        m_trainAction->setText(tr("&Pause"));
        m_trainAction->setIcon(s->standardIcon(QStyle::SP_MediaPause));
        describe(m_trainAction, tr("Pause after the current batch"));
    }
    m_trainAction->setEnabled(running || m_presets->specIsValid());
    m_stopAction->setEnabled(running);
    m_saveAction->setEnabled(!running && m_network != nullptr);
    m_resetAction->setEnabled(!running);
    m_openAction->setEnabled(!running);
    m_resumeAction->setEnabled(!running);
    m_openDataAction->setEnabled(!running);
    m_clearRunsAction->setEnabled(m_lossPlot->runCount() > 1 || m_errorPlot->runCount() > 1);
    m_controls->setRunning(running);
    m_presets->setEnabled(!running);
}

}  // namespace lenet::ui
