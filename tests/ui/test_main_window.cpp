// Qt Test of the studio window with real short training runs on MNIST (skipped when MNIST is not
// installed): train, pause, step, resume and stop from the shortcuts; the learning-rate override;
// two runs overlaid; unsaved weights; closing during a run; opening broken and good model files;
// opening data sets; the saved layout; the event loop's latency while training; and that the
// empty plots' hints fit them.
#include <cmath>
#include <functional>
#include <memory>

#include <QAbstractButton>
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <qcustomplot.h>

#include "lenet/data/idx.h"
#include "lenet/error.h"
#include "support/message_boxes.h"
#include "support/time_scale.h"
#include "ui/plots/error_plot.h"
#include "ui/plots/loss_plot.h"
#include "ui/training/training_controller.h"
#include "ui/window/event_loop_probe.h"
#include "ui/window/main_window.h"
#include "ui/window/model_document.h"
#include "ui/window/run_status_bar.h"

using lenet::ui::EpochHistory;
using lenet::ui::MainWindow;
using lenet::ui::ModelDocument;
using lenet::ui::NetworkSnapshot;
using lenet::ui::TrainingController;

using lenet::test::scaledMs;
using lenet::ui::test::closeBoxes;
using lenet::ui::test::openBox;

namespace {

/// Runs `trigger`; when it opens a modal message box named `name`, clicks the box's first button
/// of role `role`. Returns the box's text, empty when no such box opened. The window active
/// before is active again afterwards (a window manager does that; the offscreen platform not).
QString answerMessageBox(const QString& name, QMessageBox::ButtonRole role,
                         const std::function<void()>& trigger) {
    QString text;
    QTimer timer;
    timer.setInterval(10);
    QObject::connect(&timer, &QTimer::timeout, [&] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box || box->objectName() != name) return;
        text = box->text();
        for (QAbstractButton* button : box->buttons()) {
            if (box->buttonRole(button) == role) {
                button->click();
                break;
            }
        }
    });
    QWidget* active = QApplication::activeWindow();
    timer.start();
    trigger();
    if (active && active->isVisible() && !text.isEmpty()) {
        active->activateWindow();
        if (!QTest::qWaitForWindowActive(active)) qWarning("the window did not become active");
    }
    return text;
}

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void emptyPlotsShowTheirWholeHint();
    void trainsPausesStepsResumes();
    void stopsAPausedRunAtOnce();
    void learningRateOverrideAppliesAtTheNextBatch();
    void newRunAsksAboutUnsavedWeightsAndOverlaysTwoVariants();
    void savedModelOpensWithItsHistory();
    void brokenModelShowsAnErrorAndKeepsTheCurrentModel();
    void opensDataSetsAndExplainsUnusableOnes();
    void divergedRunKeepsTheLastGoodWeights();
    void eventLoopStaysResponsiveWhileTraining();
    void layoutIsSavedAndRestored();
    void closingDuringTrainingStopsWithinASecond();

private:
    bool haveMnist() const { return !m_mnistMissing; }
    /// Selects `preset` and limits the next run; batch 64 for lenet5-modern is its default.
    void setUpRun(const QString& preset, int epochs, int trainLimit, int testLimit);
    /// Waits for the run in progress to end; fails the test on a failure signal.
    void waitForEnd(QSignalSpy& finished, QSignalSpy& failed, int timeoutMs = 60000);

    std::unique_ptr<MainWindow> m_window;  // one window: later runs reuse the loaded data
    QTemporaryDir m_temp;
    bool m_mnistMissing = false;
};

void TestMainWindow::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // QSettings go to a test location
    QCoreApplication::setOrganizationName(QStringLiteral("LeNet Studio"));
    QCoreApplication::setApplicationName(QStringLiteral("lenet-studio-test"));
    try {
        lenet::loadSplit(lenet::defaultDataDir(), lenet::Split::Test);
    } catch (const lenet::Error&) {
        m_mnistMissing = true;
    }
    QVERIFY(m_temp.isValid());
    m_window = std::make_unique<MainWindow>();
    m_window->show();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
}

void TestMainWindow::cleanupTestCase() {
    closeBoxes(*m_window);
    m_window.reset();
    // Every run wrote a checkpoint into the test-mode data folder; leave nothing behind.
    QDir(lenet::ui::TrainingController::checkpointDir()).removeRecursively();
}

void TestMainWindow::setUpRun(const QString& preset, int epochs, int trainLimit, int testLimit) {
    QVERIFY(m_window->selectPreset(preset));
    m_window->setRunLimits(epochs, trainLimit, testLimit);
}

void TestMainWindow::waitForEnd(QSignalSpy& finished, QSignalSpy& failed, int timeoutMs) {
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty() || !failed.isEmpty(), scaledMs(timeoutMs));
    if (!failed.isEmpty()) QFAIL(qPrintable(failed.front().front().toString()));
}

void TestMainWindow::emptyPlotsShowTheirWholeHint() {
    // The size of the README's screenshot: the plots' docks are at their narrowest beside the
    // other panels. A hint wider than its plot's axes is cut off at both ends.
    m_window->resize(1440, 900);
    QApplication::processEvents();
    for (const lenet::ui::RunPlot* runPlot :
         {static_cast<lenet::ui::RunPlot*>(m_window->lossPlot()),
          static_cast<lenet::ui::RunPlot*>(m_window->errorPlot())}) {
        QCustomPlot* p = runPlot->plot();
        p->replot();
        int hints = 0;
        for (int i = 0; i < p->itemCount(); ++i) {
            const auto* text = qobject_cast<QCPItemText*>(p->item(i));
            if (!text || !text->visible()) continue;
            ++hints;
            const int width =
                QFontMetrics(text->font())
                    .boundingRect(QRect(0, 0, 10000, 10000), Qt::AlignCenter, text->text())
                    .width();
            QVERIFY2(width <= p->axisRect()->width(),
                     qPrintable(QStringLiteral("%1 (%2 px) in %3 px of %4")
                                    .arg(text->text())
                                    .arg(width)
                                    .arg(p->axisRect()->width())
                                    .arg(p->objectName())));
        }
        QCOMPARE(hints, 1);
    }
}

void TestMainWindow::trainsPausesStepsResumes() {
    if (!haveMnist()) QSKIP("MNIST is not installed (scripts/setup.sh --no-run fetches it)");
    setUpRun(QStringLiteral("lenet5-modern"), 2, 512, 256);  // 8 batches of 64 per epoch
    TrainingController* controller = m_window->controller();
    QSignalSpy finished(controller, &TrainingController::finished);
    QSignalSpy failed(controller, &TrainingController::failed);
    QSignalSpy networks(m_window->document(), &ModelDocument::networkChanged);

    // Train, and pause at once: the run waits before its first batch.
    QTest::keyClick(m_window.get(), Qt::Key_Space);
    QVERIFY(controller->isRunning());
    QTest::keyClick(m_window.get(), Qt::Key_Space);
    QVERIFY(controller->isPaused());
    QTest::qWait(scaledMs(400));
    QCOMPARE(m_window->lossPlot()->pointCount(), 0);
    QVERIFY(m_window->runStatusBar()->message().startsWith(QStringLiteral("Paused")));

    // Step: exactly one batch, then paused again.
    QTest::keyClick(m_window.get(), Qt::Key_F10);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->lossPlot()->pointCount(), 1, scaledMs(30000));
    QTest::qWait(scaledMs(300));
    QCOMPARE(m_window->lossPlot()->pointCount(), 1);
    QVERIFY(controller->isPaused());
    QTest::keyClick(m_window.get(), Qt::Key_F10);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->lossPlot()->pointCount(), 2, scaledMs(10000));
    QVERIFY(failed.isEmpty());

    // Resume: the run goes to its end.
    QTest::keyClick(m_window.get(), Qt::Key_Space);
    QVERIFY(!controller->isPaused());
    waitForEnd(finished, failed);
    QVERIFY(!controller->isRunning());
    const auto history = qvariant_cast<EpochHistory>(finished.front().at(0));
    QCOMPARE(history.size(), std::size_t(2));
    QVERIFY(history.back().testError >= 0.0 && history.back().testError < 0.9);
    QCOMPARE(finished.front().at(2).toString(), QString());
    QCOMPARE(m_window->lossPlot()->pointCount(), 16);  // every batch, each once
    QCOMPARE(m_window->errorPlot()->epochCount(), 2);
    QVERIFY(!networks.isEmpty());
    QVERIFY(m_window->network());
    QCOMPARE(m_window->network()->parameterCount(), 61750);
    QVERIFY(m_window->hasUnsavedWeights());
    QVERIFY(m_window->canSaveModel());
}

void TestMainWindow::stopsAPausedRunAtOnce() {
    if (!haveMnist()) QSKIP("MNIST is not installed");
    setUpRun(QStringLiteral("lenet5-modern"), 3, 20000, 500);
    TrainingController* controller = m_window->controller();
    QSignalSpy progressed(controller, &TrainingController::progressed);
    QSignalSpy finished(controller, &TrainingController::finished);
    QSignalSpy failed(controller, &TrainingController::failed);
    const QString prompt =
        answerMessageBox(QStringLiteral("confirmDiscard"), QMessageBox::DestructiveRole,
                         [this] { QTest::keyClick(m_window.get(), Qt::Key_Space); });
    QVERIFY2(prompt.contains(QStringLiteral("not saved")), qPrintable(prompt));
    QVERIFY(controller->isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(progressed.count() > 0 || !failed.isEmpty(), scaledMs(60000));
    QTest::keyClick(m_window.get(), Qt::Key_Space);
    QVERIFY(controller->isPaused());

    QElapsedTimer sinceStop;
    sinceStop.start();
    QTest::keyClick(m_window.get(), Qt::Key_Escape);
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), scaledMs(2000));
    QVERIFY2(sinceStop.elapsed() < scaledMs(1000),
             qPrintable(QString::number(sinceStop.elapsed())));
    QCOMPARE(finished.front().at(2).toString(), QStringLiteral("stopped"));
    QVERIFY(qvariant_cast<EpochHistory>(finished.front().at(0)).size() < 3);
    QVERIFY(!controller->isRunning() && !controller->isPaused());
}

void TestMainWindow::learningRateOverrideAppliesAtTheNextBatch() {
    if (!haveMnist()) QSKIP("MNIST is not installed");
    setUpRun(QStringLiteral("lenet5-modern"), 1, 2000, 256);
    TrainingController* controller = m_window->controller();
    QSignalSpy progressed(controller, &TrainingController::progressed);
    QSignalSpy finished(controller, &TrainingController::finished);
    // A paused run with one batch.
    answerMessageBox(QStringLiteral("confirmDiscard"), QMessageBox::DestructiveRole,
                     [this] { QTest::keyClick(m_window.get(), Qt::Key_F10); });
    QTRY_COMPARE_WITH_TIMEOUT(progressed.count(), 1, scaledMs(30000));
    const double scheduled = qvariant_cast<lenet::Progress>(progressed.back().front()).lr;
    QVERIFY(scheduled > 0.0);

    m_window->setRunLearningRate(scheduled / 4);
    QTest::keyClick(m_window.get(), Qt::Key_F10);
    QTRY_COMPARE_WITH_TIMEOUT(progressed.count(), 2, scaledMs(10000));
    const auto second = qvariant_cast<lenet::Progress>(progressed.back().front());
    QCOMPARE(second.step, 2LL);
    QCOMPARE(float(second.lr), float(scheduled / 4));
    QTest::keyClick(m_window.get(), Qt::Key_Escape);
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), scaledMs(5000));
}

void TestMainWindow::newRunAsksAboutUnsavedWeightsAndOverlaysTwoVariants() {
    if (!haveMnist()) QSKIP("MNIST is not installed");
    TrainingController* controller = m_window->controller();
    QVERIFY(m_window->hasUnsavedWeights());

    // Cancel keeps the weights and starts nothing.
    const QString prompt =
        answerMessageBox(QStringLiteral("confirmDiscard"), QMessageBox::RejectRole,
                         [this] { QTest::keyClick(m_window.get(), Qt::Key_Space); });
    QVERIFY2(prompt.contains(QStringLiteral("not saved")), qPrintable(prompt));
    QVERIFY(!controller->isRunning());
    QVERIFY(m_window->hasUnsavedWeights());

    m_window->clearOldRuns();
    QCOMPARE(m_window->errorPlot()->runCount(), 1);
    const QString presets[] = {QStringLiteral("lenet5-1998"), QStringLiteral("lenet5-modern")};
    for (const QString& preset : presets) {
        setUpRun(preset, 1, 600, 300);
        QSignalSpy finished(controller, &TrainingController::finished);
        QSignalSpy failed(controller, &TrainingController::failed);
        answerMessageBox(QStringLiteral("confirmDiscard"), QMessageBox::DestructiveRole,
                         [this] { QTest::keyClick(m_window.get(), Qt::Key_Space); });
        QVERIFY(controller->isRunning());
        waitForEnd(finished, failed);
    }
    m_window->clearOldRuns();  // keeps the newest run only
    QCOMPARE(m_window->errorPlot()->runCount(), 1);
    QCOMPARE(m_window->lossPlot()->runCount(), 1);

    for (const QString& preset : presets) {
        setUpRun(preset, 2, 600, 300);
        QSignalSpy finished(controller, &TrainingController::finished);
        QSignalSpy failed(controller, &TrainingController::failed);
        answerMessageBox(QStringLiteral("confirmDiscard"), QMessageBox::DestructiveRole,
                         [this] { QTest::keyClick(m_window.get(), Qt::Key_Space); });
        waitForEnd(finished, failed);
    }
    // The newest run of the clearing plus the two new ones, each with its curves and legend.
    const lenet::ui::ErrorPlot* errors = m_window->errorPlot();
    QCOMPARE(errors->runCount(), 3);
    QCOMPARE(m_window->lossPlot()->runCount(), 3);
    // Each run keeps its own label and colour: the kept lenet5-modern run and the new one differ.
    const QList<lenet::ui::RunStyle>& runs = errors->runs();
    QVERIFY(runs.at(1).label.startsWith(QStringLiteral("lenet5-1998")));
    QVERIFY(runs.at(2).label.startsWith(QStringLiteral("lenet5-modern #")));
    QVERIFY(runs.at(0).label != runs.at(2).label);
    QVERIFY(runs.at(1).colour != runs.at(2).colour && runs.at(0).colour != runs.at(2).colour);
    QVERIFY2(runs.at(2).summary.startsWith(QStringLiteral("test ")),
             qPrintable(runs.at(2).summary));
    QVERIFY(errors->reference().has_value());  // a lenet5-1998 run is plotted
    const QString csv = errors->csvRows();
    for (const int i : {1, 2}) {  // the two-epoch runs
        QVERIFY(csv.contains(
            QStringLiteral("error,%1,%2,test_error,2,").arg(runs.at(i).id).arg(runs.at(i).label)));
    }
    QVERIFY(m_window->grab().save(QStringLiteral(LENET_TEST_GRAB_PATH)));
}

void TestMainWindow::savedModelOpensWithItsHistory() {
    if (!haveMnist()) QSKIP("MNIST is not installed");
    const NetworkSnapshot trained = m_window->network();
    QVERIFY(trained && m_window->hasUnsavedWeights());
    const QString path = m_temp.filePath(QStringLiteral("modern.lenet"));
    QVERIFY(m_window->saveModel(path));
    QVERIFY(!m_window->hasUnsavedWeights());
    QVERIFY(!m_window->isWindowModified());

    const int runs = m_window->errorPlot()->runCount();
    QVERIFY(m_window->openModel(path));
    QVERIFY(m_window->network() != trained);
    QCOMPARE(m_window->network()->spec().name, trained->spec().name);
    for (std::size_t p = 0; p < trained->params().size(); ++p) {
        QCOMPARE(m_window->network()->params()[p]->value, trained->params()[p]->value);
    }
    QCOMPARE(m_window->errorPlot()->runCount(), runs);  // the saved run is the model's run
    QCOMPARE(m_window->errorPlot()->epochCount(), 2);
    QCOMPARE(m_window->errorPlot()->runs().back().label,
             QStringLiteral("lenet5-modern (modern.lenet)"));
    QVERIFY(!m_window->runStatusBar()->showsError());
}

void TestMainWindow::brokenModelShowsAnErrorAndKeepsTheCurrentModel() {
    m_window->resetWeights();  // a current model to keep (nothing unsaved: no question)
    const NetworkSnapshot current = m_window->network();
    QVERIFY(current);
    const int runs = m_window->errorPlot()->runCount();

    const QString garbage = m_temp.filePath(QStringLiteral("garbage.lenet"));
    QFile file(garbage);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("this is not a model file at all");
    file.close();
    QVERIFY(!m_window->openModel(garbage));
    QCOMPARE(m_window->network(), current);
    QCOMPARE(m_window->errorPlot()->runCount(), runs);
    QVERIFY(m_window->runStatusBar()->showsError());
    QVERIFY(m_window->runStatusBar()->message().contains(QStringLiteral("Could not open")));
    const QMessageBox* box = openBox(*m_window, QStringLiteral("problemMessage"));
    QVERIFY(box);
    QVERIFY2(box->text().contains(QStringLiteral("garbage.lenet")), qPrintable(box->text()));
    closeBoxes(*m_window);

    QVERIFY(!m_window->openModel(m_temp.filePath(QStringLiteral("missing.lenet"))));
    QCOMPARE(m_window->network(), current);
    QVERIFY(openBox(*m_window, QStringLiteral("problemMessage"))
                ->text()
                .contains(QStringLiteral("missing.lenet")));
    closeBoxes(*m_window);
}

void TestMainWindow::opensDataSetsAndExplainsUnusableOnes() {
    TrainingController* controller = m_window->controller();
    const QString before = controller->dataDir();
    QVERIFY(!m_window->openDataset(m_temp.path()));
    QCOMPARE(controller->dataDir(), before);
    const QMessageBox* box = openBox(*m_window, QStringLiteral("problemMessage"));
    QVERIFY(box);
    QVERIFY2(box->text().contains(QStringLiteral("cannot be used")), qPrintable(box->text()));
    closeBoxes(*m_window);

    if (!haveMnist()) QSKIP("MNIST is not installed");
    const QString mnist = QString::fromStdString(lenet::defaultDataDir());
    QVERIFY(m_window->openDataset(mnist));
    QCOMPARE(controller->dataDir(), mnist);
    box = openBox(*m_window, QStringLiteral("datasetReport"));
    QVERIFY(box);
    QVERIFY2(box->text().contains(QStringLiteral("60,000 images of 28x28")),
             qPrintable(box->text()));
    QVERIFY(box->text().contains(QStringLiteral("10,000 images of 28x28")));
    closeBoxes(*m_window);
}

void TestMainWindow::divergedRunKeepsTheLastGoodWeights() {
    if (!haveMnist()) QSKIP("MNIST is not installed");
    setUpRun(QStringLiteral("lenet5-modern"), 1, 2000, 500);
    auto* rate = m_window->findChild<QDoubleSpinBox*>(QStringLiteral("learningRate"));
    QVERIFY(rate);
    rate->setValue(10.0);  // Adam at 10 blows the loss up within two batches
    TrainingController* controller = m_window->controller();
    QSignalSpy diverged(controller, &TrainingController::diverged);
    QSignalSpy failed(controller, &TrainingController::failed);

    QTest::keyClick(m_window.get(), Qt::Key_Space);
    QTRY_VERIFY_WITH_TIMEOUT(!diverged.isEmpty() || !failed.isEmpty(), scaledMs(60000));
    QVERIFY2(failed.isEmpty(),
             qPrintable(failed.isEmpty() ? QString() : failed.front().front().toString()));
    QVERIFY(!controller->isRunning());
    const QString message = diverged.front().at(2).toString();
    QVERIFY2(message.contains(QStringLiteral("diverged")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("learning rate")), qPrintable(message));
    const auto network = qvariant_cast<NetworkSnapshot>(diverged.front().at(1));
    QVERIFY(network);
    for (const lenet::Param* p : network->params()) {
        for (float v : p->value) QVERIFY(std::isfinite(v));
    }
    QCOMPARE(m_window->network(), network);
    QVERIFY(m_window->canSaveModel());  // the restored weights can be saved
    QVERIFY(m_window->runStatusBar()->showsError());
    QVERIFY(openBox(*m_window, QStringLiteral("problemMessage")));
    closeBoxes(*m_window);
    m_window->selectPreset(QStringLiteral("lenet5-1998"));  // back to the preset's settings
}

void TestMainWindow::eventLoopStaysResponsiveWhileTraining() {
    if (!haveMnist()) QSKIP("MNIST is not installed");
    // Full speed on every core, evaluation of the whole test set included.
    setUpRun(QStringLiteral("lenet5-modern"), 1, 6000, 10000);
    TrainingController* controller = m_window->controller();
    QSignalSpy finished(controller, &TrainingController::finished);
    QSignalSpy failed(controller, &TrainingController::failed);
    answerMessageBox(QStringLiteral("confirmDiscard"), QMessageBox::DestructiveRole,
                     [this] { QTest::keyClick(m_window.get(), Qt::Key_Space); });
    QVERIFY(m_window->latencyProbe()->isActive());
    waitForEnd(finished, failed);
    const lenet::ui::EventLoopProbe* probe = m_window->latencyProbe();
    QVERIFY(!probe->isActive());
    QVERIFY(probe->ticks() > 10);
    qInfo(
        "worst event-loop delay while training lenet5-modern at full speed: %.1f ms over %d "
        "ticks of %d ms",
        probe->worstDelayMs(), probe->ticks(), probe->intervalMs());
    // The target is 50 ms; the bound leaves room for a busy shared test machine.
    QVERIFY2(probe->worstDelayMs() < scaledMs(150),
             qPrintable(QString::number(probe->worstDelayMs())));

    // Help > Diagnostics tells the same.
    QAction* diagnostics = nullptr;
    for (QAction* action : m_window->findChildren<QAction*>()) {
        if (action->text() == QStringLiteral("&Diagnostics…")) diagnostics = action;
    }
    QVERIFY(diagnostics);
    diagnostics->trigger();
    const QMessageBox* box = openBox(*m_window, QStringLiteral("diagnostics"));
    QVERIFY(box);
    const QString worst = QString::number(probe->worstDelayMs(), 'f', 1);
    QVERIFY2(box->text().contains(QStringLiteral("<b>%1 ms</b>").arg(worst)),
             qPrintable(box->text()));
    closeBoxes(*m_window);
}

void TestMainWindow::layoutIsSavedAndRestored() {
    QVERIFY(QSettings().fileName().contains(QStringLiteral("qttest")));  // not the user's
    // A panel added by the app is docked, listed in the View menu and part of the layout.
    auto* extra = new QLabel(QStringLiteral("extra"));
    QDockWidget* dock = m_window->addPanel(QStringLiteral("extraPanel"), QStringLiteral("Extra"),
                                           extra, Qt::BottomDockWidgetArea);
    QCOMPARE(m_window->dockWidgetArea(dock), Qt::BottomDockWidgetArea);
    QMenu* view = nullptr;
    for (QAction* menu : m_window->menuBar()->actions()) {
        if (menu->text() == QStringLiteral("&View")) view = menu->menu();
    }
    QVERIFY(view && view->actions().contains(dock->toggleViewAction()));
    QTRY_VERIFY(dock->isVisible());

    auto* loss = m_window->findChild<QDockWidget*>(QStringLiteral("lossPanel"));
    QVERIFY(loss && loss->isVisible());
    m_window->saveSettings();
    loss->hide();
    m_window->removeDockWidget(dock);
    QVERIFY(!loss->isVisible() && !dock->isVisible());
    m_window->restoreSettings();
    QVERIFY(loss->isVisible());
    QVERIFY(dock->isVisible());
    QCOMPARE(m_window->dockWidgetArea(dock), Qt::BottomDockWidgetArea);
    QVERIFY(QSettings().contains(QStringLiteral("window/state")));
    QSettings().clear();
    delete dock;
}

void TestMainWindow::closingDuringTrainingStopsWithinASecond() {
    if (!haveMnist()) QSKIP("MNIST is not installed");
    auto window = std::make_unique<MainWindow>();
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    QVERIFY(window->selectPreset(QStringLiteral("lenet5-modern")));
    window->setRunLimits(3, 20000, 200);
    QSignalSpy progressed(window->controller(), &TrainingController::progressed);
    QTest::keyClick(window.get(), Qt::Key_Space);
    QTRY_VERIFY_WITH_TIMEOUT(progressed.count() > 2, scaledMs(60000));

    QElapsedTimer sinceClose;
    sinceClose.start();
    bool closed = false;
    const QString question =
        answerMessageBox(QStringLiteral("confirmQuit"), QMessageBox::AcceptRole,
                         [&window, &closed] { closed = window->close(); });
    QVERIFY(closed);
    QVERIFY2(question.contains(QStringLiteral("still training")), qPrintable(question));
    window.reset();  // joins the training thread
    QVERIFY2(sinceClose.elapsed() < scaledMs(1000),
             qPrintable(QString::number(sinceClose.elapsed())));
}

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
