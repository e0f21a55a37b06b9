// MainWindow: builds the widgets, connects them to the TrainingController and keeps the
// actions' enabled state in step with the run.
#include "ui/main_window.h"

#include <QAction>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QMenuBar>
#include <QMessageBox>
#include <QSplitter>
#include <QVBoxLayout>

#include "lenet/model_io.h"
#include "ui/error_plot.h"
#include "ui/loss_plot.h"
#include "ui/preset_panel.h"
#include "ui/run_status_bar.h"
#include "ui/training_controller.h"
#include "ui/training_controls.h"

namespace lenet::ui {
namespace {

/// LeCun et al. 1998, section III.C: LeNet-5's test error without distortions.
constexpr double kPaperTestErrorPercent = 0.95;
constexpr QLatin1String kPaperPreset("lenet5-1998");

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      // Created first so that it is destroyed first: its destructor stops and joins the
      // training thread while the widgets its signals reach still exist.
      m_controller(new TrainingController(this)) {
    setWindowTitle(tr("LeNet Studio"));
    createActions();
    createLayout();
    connectController();
    m_presets->selectPresetOrFirst(kPaperPreset);
    updateActions();
    resize(1280, 800);
}

bool MainWindow::selectPreset(const QString& name) {
    return m_presets->selectPreset(name);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    m_controller->stop();
    QMainWindow::closeEvent(event);
}

void MainWindow::createActions() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    m_saveAction = file->addAction(tr("&Save model…"), this, &MainWindow::saveModel);
    m_saveAction->setShortcut(QKeySequence::Save);
    m_saveAction->setStatusTip(tr("Save the trained network and its history to a model file"));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setStatusTip(tr("Quit LeNet Studio (a running training is stopped)"));

    QMenu* training = menuBar()->addMenu(tr("&Training"));
    m_trainAction = training->addAction(tr("&Train"), this, &MainWindow::startTraining);
    m_trainAction->setShortcut(QKeySequence(Qt::Key_Space));
    m_trainAction->setStatusTip(tr("Train the selected architecture with the settings shown"));
    m_stopAction = training->addAction(tr("&Stop"), this, &MainWindow::stopTraining);
    m_stopAction->setShortcut(QKeySequence(Qt::Key_Escape));
    m_stopAction->setStatusTip(tr("Stop the run after the current batch"));
}

void MainWindow::createLayout() {
    m_presets = new PresetPanel;
    m_controls = new TrainingControls;
    auto* sidebar = new QWidget;
    auto* sideLayout = new QVBoxLayout(sidebar);
    sideLayout->setContentsMargins(8, 8, 4, 8);
    sideLayout->addWidget(m_presets, 1);
    sideLayout->addSpacing(8);
    sideLayout->addWidget(m_controls);

    m_lossPlot = new LossPlot;
    m_errorPlot = new ErrorPlot;
    auto* plots = new QSplitter(Qt::Vertical);
    plots->addWidget(m_lossPlot);
    plots->addWidget(m_errorPlot);
    plots->setChildrenCollapsible(false);

    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(sidebar);
    split->addWidget(plots);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);
    split->setSizes({400, 880});
    setCentralWidget(split);

    m_status = new RunStatusBar;
    setStatusBar(m_status);

    connect(m_presets, &PresetPanel::presetSelected, this, &MainWindow::showPreset);
    connect(m_controls, &TrainingControls::epochsChanged, this, &MainWindow::previewEpochs);
    connect(m_controls, &TrainingControls::trainClicked, this, &MainWindow::startTraining);
    connect(m_controls, &TrainingControls::stopClicked, this, &MainWindow::stopTraining);
}

void MainWindow::connectController() {
    connect(m_controller, &TrainingController::statusChanged, m_status, &RunStatusBar::showStatus);
    connect(m_controller, &TrainingController::progressed, m_lossPlot, &LossPlot::appendProgress);
    connect(m_controller, &TrainingController::progressed, m_status, &RunStatusBar::showProgress);
    connect(m_controller, &TrainingController::epochFinished, m_errorPlot, &ErrorPlot::appendEpoch);
    connect(m_controller, &TrainingController::epochFinished, m_status, &RunStatusBar::showEpoch);
    connect(m_controller, &TrainingController::finished, this, &MainWindow::runFinished);
    connect(m_controller, &TrainingController::diverged, this, &MainWindow::runDiverged);
    connect(m_controller, &TrainingController::failed, this, &MainWindow::runFailed);
}

void MainWindow::showPreset(const QString& name) {
    m_controls->showConfig(m_presets->currentSpec().training);
    // The plots show the last run; until there is one they preview the selected preset.
    if (m_errorPlot->epochCount() == 0 && !m_controller->isRunning()) showReference(name);
}

void MainWindow::showReference(const QString& preset) {
    if (preset == kPaperPreset) {
        m_errorPlot->setReference(kPaperTestErrorPercent,
                                  tr("LeCun 1998: %1 % test error").arg(kPaperTestErrorPercent));
    } else {
        m_errorPlot->setReference(std::nullopt);
    }
}

void MainWindow::previewEpochs(int epochs) {
    if (!m_controller->isRunning() && m_errorPlot->epochCount() == 0) m_errorPlot->clear(epochs);
}

void MainWindow::startTraining() {
    if (m_controller->isRunning() || m_presets->currentName().isEmpty()) return;
    lenet::ArchitectureSpec spec = m_presets->currentSpec();
    spec.training = m_controls->applyTo(spec.training);
    m_runPreset = m_presets->currentName();
    m_lossPlot->clear();
    m_errorPlot->clear(spec.training.epochs);
    showReference(m_runPreset);
    m_status->runStarted(spec.training.epochs);
    m_controller->start(spec);
    updateActions();
}

void MainWindow::stopTraining() {
    if (!m_controller->isRunning()) return;
    m_controller->stop();
    m_status->showStatus(tr("Stopping after the current batch…"));
}

void MainWindow::runFinished(const EpochHistory& history, const NetworkSnapshot& network,
                             const QString& stopReason) {
    m_history = history;
    m_network = history.empty() ? nullptr : network;
    const int epochs = int(history.size());
    QString text = epochs == 1 ? tr("%1: 1 epoch trained").arg(m_runPreset)
                               : tr("%1: %2 epochs trained").arg(m_runPreset).arg(epochs);
    if (!history.empty() && history.back().testError >= 0) {
        text += tr(", test error %1 %").arg(100.0 * history.back().testError, 0, 'f', 2);
    }
    if (!stopReason.isEmpty()) text += QStringLiteral(" (%1)").arg(stopReason);
    m_status->runEnded(text);
    updateActions();
}

bool MainWindow::canSaveModel() const {
    return m_saveAction->isEnabled();
}

void MainWindow::runDiverged(const EpochHistory& history, const NetworkSnapshot& network,
                             const QString& message) {
    m_history = history;
    m_network = network;  // the last good weights, restored by the trainer: Save keeps them
    runFailed(message);
}

void MainWindow::runFailed(const QString& message) {
    m_status->showError(message);
    updateActions();
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Training failed"), message,
                                QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::saveModel() {
    if (!m_network) return;
    const QString suggested =
        QDir::home().filePath(QString::fromStdString(m_network->spec().name) + ".lenet");
    const QString path = QFileDialog::getSaveFileName(this, tr("Save model"), suggested,
                                                      tr("LeNet models (*.lenet);;All files (*)"));
    if (path.isEmpty()) return;
    try {
        lenet::saveModel(path.toStdString(), *m_network, m_history);
        m_status->showStatus(tr("Saved %1").arg(QDir::toNativeSeparators(path)));
    } catch (const std::exception& e) {
        const QString message = QString::fromStdString(e.what());
        m_status->showError(message);
        QMessageBox::warning(this, tr("Save model"), message);
    }
}

void MainWindow::updateActions() {
    const bool running = m_controller->isRunning();
    m_trainAction->setEnabled(!running);
    m_stopAction->setEnabled(running);
    m_saveAction->setEnabled(!running && m_network != nullptr);
    m_controls->setRunning(running);
    m_presets->setEnabled(!running);
}

}  // namespace lenet::ui
