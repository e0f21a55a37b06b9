// Qt Test of "one network, named" in the studio window, on a small synthetic IDX data set in a
// temporary folder: the label over the inspection views and the status bar name the network the
// views use after the start (the bundled model), after choosing another preset (and the status
// bar says the views keep the bundled model), after Reset weights, after a short run and after
// opening a model file; opening the same model twice draws its history once; a click on a cell
// of the confusion matrix brings the gallery forward; a model file without a calibration is
// calibrated on the test set when it opens, the file left as it was.
#include <cstdint>
#include <memory>

#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabBar>
#include <QTemporaryDir>
#include <QtTest>

#include "lenet/data/idx.h"
#include "lenet/model_io.h"
#include "lenet/network.h"
#include "lenet/presets.h"
#include "support/message_boxes.h"
#include "support/synthetic_digits.h"
#include "support/time_scale.h"
#include "ui/inspect/confusion_matrix_view.h"
#include "ui/inspect/gallery_view.h"
#include "ui/inspect/inspection_panels.h"
#include "ui/plots/error_plot.h"
#include "ui/plots/loss_plot.h"
#include "ui/training/training_controller.h"
#include "ui/window/main_window.h"
#include "ui/window/model_document.h"
#include "ui/window/run_status_bar.h"

using lenet::ui::MainWindow;
using lenet::ui::TrainingController;

using lenet::test::scaledMs;
using lenet::ui::test::closeBoxes;

namespace {

/// Writes the synthetic training and test sets to the folder `dir` (created).
void writeDataSet(const QString& dir, std::uint32_t seed) {
    QVERIFY(QDir().mkpath(dir));
    lenet::test::writeSyntheticDataSet(dir.toStdString(), seed);
}

/// The title of the current tab of the tab bar of `window` that holds a tab titled `title`;
/// empty when no tab bar does.
QString currentTabBeside(const QMainWindow& window, const QString& title) {
    for (const QTabBar* bar : window.findChildren<QTabBar*>()) {
        for (int i = 0; i < bar->count(); ++i) {
            if (bar->tabText(i) == title) return bar->tabText(bar->currentIndex());
        }
    }
    return {};
}

}  // namespace

class TestNamedNetwork : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void startNamesTheBundledModel();
    void anotherPresetSaysWhatTheViewsKeepShowing();
    void resetWeightsNamesTheUntrainedArchitecture();
    void shortRunNamesTheRunAndItsEpoch();
    void openedModelIsNamedByItsFileAndDrawnOnce();
    void confusionMatrixClickBringsTheGalleryForward();
    void aModelSavedWithoutCalibrationIsCalibratedOnOpening();

private:
    /// The label over the views and the status bar's read-out both name `name`.
    void expectNamed(const QString& name);

    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_temp;
};

void TestNamedNetwork::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // settings and checkpoints go to test locations
    QCoreApplication::setOrganizationName(QStringLiteral("LeNet Studio"));
    QCoreApplication::setApplicationName(QStringLiteral("lenet-studio-named-test"));
    QVERIFY(m_temp.isValid());
    const QString data = m_temp.filePath(QStringLiteral("data"));
    writeDataSet(data, 11);
    m_window = std::make_unique<MainWindow>();
    m_window->controller()->setDataDir(data);
    m_window->inspection()->setTestSet(std::make_shared<const lenet::Dataset>(
        lenet::loadSplit(data.toStdString(), lenet::Split::Test)));
    m_window->show();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
}

void TestNamedNetwork::cleanupTestCase() {
    closeBoxes(*m_window);
    m_window.reset();
    QDir(TrainingController::checkpointDir()).removeRecursively();
}

void TestNamedNetwork::expectNamed(const QString& name) {
    const auto* label = m_window->findChild<QLabel*>(QStringLiteral("networkName"));
    const auto* readout = m_window->findChild<QLabel*>(QStringLiteral("networkReadout"));
    QVERIFY(label && readout);
    QVERIFY(label->isVisible() && readout->isVisible());
    QTRY_VERIFY2(label->text().contains(name), qPrintable(label->text()));
    QTRY_VERIFY2(readout->text().contains(name), qPrintable(readout->text()));
}

void TestNamedNetwork::startNamesTheBundledModel() {
    expectNamed(QStringLiteral("bundled model (lenet5-1998)"));
}

void TestNamedNetwork::anotherPresetSaysWhatTheViewsKeepShowing() {
    QVERIFY(m_window->selectPreset(QStringLiteral("lenet5-modern")));
    const QString message = m_window->runStatusBar()->message();
    QVERIFY2(message.contains(QStringLiteral("keep showing bundled model (lenet5-1998)")) &&
                 message.contains(QStringLiteral("lenet5-modern")),
             qPrintable(message));
    expectNamed(QStringLiteral("bundled model (lenet5-1998)"));
}

void TestNamedNetwork::resetWeightsNamesTheUntrainedArchitecture() {
    m_window->resetWeights();
    expectNamed(QStringLiteral("lenet5-modern, not trained yet"));
}

void TestNamedNetwork::shortRunNamesTheRunAndItsEpoch() {
    QVERIFY(m_window->selectPreset(QStringLiteral("lenet1")));
    m_window->setRunLimits(1, 300, 100);
    TrainingController* controller = m_window->controller();
    QSignalSpy finished(controller, &TrainingController::finished);
    QSignalSpy failed(controller, &TrainingController::failed);
    m_window->trainOrPause();
    QVERIFY(controller->isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty() || !failed.isEmpty(), scaledMs(60000));
    if (!failed.isEmpty()) QFAIL(qPrintable(failed.front().front().toString()));
    const int run = m_window->errorPlot()->runs().back().id;
    expectNamed(QStringLiteral("run %1 of lenet1 at epoch 1").arg(run));
}

void TestNamedNetwork::openedModelIsNamedByItsFileAndDrawnOnce() {
    const QString path = m_temp.filePath(QStringLiteral("digits.lenet"));
    QVERIFY(m_window->saveModel(path));
    const int runs = m_window->errorPlot()->runCount();
    QVERIFY(m_window->openModel(path));
    expectNamed(QStringLiteral("digits.lenet"));
    // The saved run is the model's run: relabelled, not drawn again; and so on a second opening.
    QCOMPARE(m_window->errorPlot()->runCount(), runs);
    QVERIFY(m_window->openModel(path));
    QCOMPARE(m_window->errorPlot()->runCount(), runs);
    QCOMPARE(m_window->lossPlot()->runCount(), runs);
    QCOMPARE(m_window->errorPlot()->runs().back().label, QStringLiteral("lenet1 (digits.lenet)"));
    expectNamed(QStringLiteral("digits.lenet"));
}

void TestNamedNetwork::confusionMatrixClickBringsTheGalleryForward() {
    lenet::ui::InspectionPanels* views = m_window->inspection();
    lenet::ui::ConfusionMatrixView* matrix = views->confusion();
    auto* matrixDock = m_window->findChild<QDockWidget*>(QStringLiteral("confusionPanel"));
    QVERIFY(matrix && matrixDock && views->gallery());
    matrixDock->show();
    matrixDock->raise();
    QTRY_VERIFY(matrix->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(matrix->count(0, 0) + matrix->count(0, 1) > 0, scaledMs(20000));
    QVERIFY2(matrix->networkLine().contains(QStringLiteral("digits.lenet")),
             qPrintable(matrix->networkLine()));
    QTRY_VERIFY2(matrix->title().contains(QStringLiteral("of 100 test images")),
                 qPrintable(matrix->title()));
    auto* galleryDock = m_window->findChild<QDockWidget*>(QStringLiteral("galleryPanel"));
    QVERIFY(galleryDock);
    QTRY_COMPARE(currentTabBeside(*m_window, galleryDock->windowTitle()),
                 matrixDock->windowTitle());  // the gallery tabbed behind the matrix
    QVERIFY(m_window->grab().save(QStringLiteral(LENET_TEST_GRAB_PATH)));
    const int predicted = matrix->count(0, 0) > 0 ? 0 : 1;
    QTest::mouseClick(matrix, Qt::LeftButton, {}, matrix->cellRect(0, predicted).center());
    QTRY_COMPARE(currentTabBeside(*m_window, galleryDock->windowTitle()),
                 galleryDock->windowTitle());
}

void TestNamedNetwork::aModelSavedWithoutCalibrationIsCalibratedOnOpening() {
    // As every file written before calibrations existed: weights, no calibration.
    const QString path = m_temp.filePath(QStringLiteral("old.lenet"));
    lenet::Network old(lenet::preset("lenet1"));
    QVERIFY(!old.calibration());
    lenet::saveModel(path.toStdString(), old, {});
    const QByteArray bytes = [&] {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }();
    QVERIFY(m_window->openModel(path));
    const auto& calibration = m_window->document()->network()->calibration();
    QVERIFY(calibration.has_value());
    QCOMPARE(calibration->images, 100);  // the synthetic test set
    QVERIFY2(m_window->runStatusBar()->message().contains(QStringLiteral("calibrated on")),
             qPrintable(m_window->runStatusBar()->message()));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), bytes);  // the file is left as it was
}

QTEST_MAIN(TestNamedNetwork)
#include "test_named_network.moc"
