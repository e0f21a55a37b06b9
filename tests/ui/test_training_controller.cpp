// Qt Test of the training controller on its own (no window): start, the stream of progress
// reports and network snapshots (each snapshot a copy that later training leaves unchanged),
// pause, a single step of exactly one batch, resume, stop (paused and running), a second run
// after the first, a data folder without data, and destroying the controller mid-run. Trains
// lenet1 on a few hundred synthetic images in a temporary folder; it links only
// lenet_ui_training, so ThreadSanitizer runs it too (scripts/test.sh).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "lenet/data/idx_writer.h"
#include "lenet/network.h"
#include "lenet/presets.h"
#include "support/synthetic_digits.h"
#include "support/time_scale.h"
#include "ui/training/training_controller.h"

using lenet::test::scaledMs;
using lenet::ui::EpochHistory;
using lenet::ui::NetworkSnapshot;
using lenet::ui::TrainingController;

namespace {

/// Every parameter value of `net`, to compare a snapshot before and after more training.
std::vector<std::vector<float>> weightsOf(const lenet::Network& net) {
    std::vector<std::vector<float>> weights;
    for (const lenet::Param* p : net.params()) weights.push_back(p->value);
    return weights;
}

/// The batches a run's progress reports carried, summed over every report of `progressed`.
std::size_t batchesReported(const QSignalSpy& progressed) {
    std::size_t batches = 0;
    for (const QList<QVariant>& report : progressed)
        batches += qvariant_cast<lenet::Progress>(report.front()).batchLosses.size();
    return batches;
}

}  // namespace

class TestTrainingController : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void streamsCopiesAndStepsExactlyOneBatch();
    void stopsAPausedRunAndARunningOne();
    void startsASecondRunAfterTheFirst();
    void reportsAFolderWithoutData();
    void destroyingTheControllerMidRunStopsTheRun();

private:
    /// lenet1 for `epochs` epochs of 16 batches of 16 images on one thread.
    static lenet::ArchitectureSpec tinySpec(int epochs);
    /// A controller that reads the synthetic data set.
    std::unique_ptr<TrainingController> newController() const;
    /// Waits for the run of `controller` to end with finished(); fails the test on failed().
    static void waitForFinished(const QSignalSpy& finished, const QSignalSpy& failed);

    QTemporaryDir m_temp;
    QString m_data;  // 256 training and 64 test images in MNIST's file names
};

void TestTrainingController::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // checkpoints go to a test location
    QCoreApplication::setOrganizationName(QStringLiteral("LeNet Studio"));
    QCoreApplication::setApplicationName(QStringLiteral("lenet-studio-controller-test"));
    QDir(TrainingController::checkpointDir()).removeRecursively();
    QVERIFY(m_temp.isValid());
    m_data = m_temp.filePath(QStringLiteral("data"));
    QVERIFY(QDir().mkpath(m_data));
    const std::string dir = m_data.toStdString();
    lenet::saveIdxPair(dir + "/train-images-idx3-ubyte", dir + "/train-labels-idx1-ubyte",
                       lenet::test::syntheticDigits(256, 1));
    lenet::saveIdxPair(dir + "/t10k-images-idx3-ubyte", dir + "/t10k-labels-idx1-ubyte",
                       lenet::test::syntheticDigits(64, 2));
}

void TestTrainingController::cleanupTestCase() {
    QDir(TrainingController::checkpointDir()).removeRecursively();
}

lenet::ArchitectureSpec TestTrainingController::tinySpec(int epochs) {
    lenet::ArchitectureSpec spec = lenet::preset("lenet1");
    spec.training.epochs = epochs;
    spec.training.batch = 16;
    spec.training.threads = 1;
    return spec;
}

std::unique_ptr<TrainingController> TestTrainingController::newController() const {
    auto controller = std::make_unique<TrainingController>();
    controller->setDataDir(m_data);
    return controller;
}

void TestTrainingController::waitForFinished(const QSignalSpy& finished, const QSignalSpy& failed) {
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty() || !failed.isEmpty(), scaledMs(60000));
    if (!failed.isEmpty()) QFAIL(qPrintable(failed.front().front().toString()));
}

void TestTrainingController::streamsCopiesAndStepsExactlyOneBatch() {
    const auto controller = newController();
    QSignalSpy started(controller.get(), &TrainingController::started);
    QSignalSpy paused(controller.get(), &TrainingController::pausedChanged);
    QSignalSpy progressed(controller.get(), &TrainingController::progressed);
    QSignalSpy networks(controller.get(), &TrainingController::networkUpdated);
    QSignalSpy epochs(controller.get(), &TrainingController::epochFinished);
    QSignalSpy finished(controller.get(), &TrainingController::finished);
    QSignalSpy failed(controller.get(), &TrainingController::failed);

    // Started paused: the run waits before its first batch.
    QVERIFY(controller->start(tinySpec(2), true));
    QCOMPARE(started.size(), 1);
    QCOMPARE(paused.size(), 1);
    QCOMPARE(paused.front().front().toBool(), true);
    QVERIFY(controller->isRunning() && controller->isPaused());
    QVERIFY(!controller->start(tinySpec(2)));  // one run at a time
    QTest::qWait(scaledMs(300));
    QVERIFY(progressed.isEmpty() && failed.isEmpty());

    // A step runs exactly one batch, reported with a copy of the network, then waits again.
    controller->step();
    QTRY_COMPARE_WITH_TIMEOUT(progressed.size(), 1, scaledMs(30000));
    QTRY_COMPARE_WITH_TIMEOUT(networks.size(), 1, scaledMs(10000));
    const auto first = qvariant_cast<lenet::Progress>(progressed.front().front());
    QCOMPARE(first.step, 1LL);
    QCOMPARE(first.batch, 1);
    QCOMPARE(first.batches, 16);
    QCOMPARE(first.batchLosses.size(), std::size_t(1));
    const auto kept = qvariant_cast<NetworkSnapshot>(networks.front().front());
    QVERIFY(kept);
    const std::vector<std::vector<float>> keptWeights = weightsOf(*kept);
    QTest::qWait(scaledMs(300));
    QCOMPARE(progressed.size(), 1);
    QVERIFY(controller->isPaused());
    QCOMPARE(paused.size(), 1);  // a step of a paused run does not change the state

    controller->step();
    QTRY_COMPARE_WITH_TIMEOUT(progressed.size(), 2, scaledMs(10000));
    QTRY_COMPARE_WITH_TIMEOUT(networks.size(), 2, scaledMs(10000));
    QCOMPARE(qvariant_cast<lenet::Progress>(progressed.back().front()).step, 2LL);
    const auto second = qvariant_cast<NetworkSnapshot>(networks.back().front());
    QVERIFY(second && second != kept);
    QVERIFY(weightsOf(*second) != keptWeights);  // the batch trained
    QVERIFY(weightsOf(*kept) == keptWeights);

    // Resume: the run goes to its end; the first snapshot still holds the weights it was sent
    // with, and every batch was reported exactly once.
    controller->resume();
    QCOMPARE(paused.size(), 2);
    QCOMPARE(paused.back().front().toBool(), false);
    QVERIFY(!controller->isPaused());
    waitForFinished(finished, failed);
    QVERIFY(!controller->isRunning());
    QCOMPARE(epochs.size(), 2);
    QCOMPARE(qvariant_cast<EpochHistory>(finished.front().at(0)).size(), std::size_t(2));
    QCOMPARE(finished.front().at(2).toString(), QString());
    QCOMPARE(batchesReported(progressed), std::size_t(32));
    QCOMPARE(networks.size(), progressed.size());
    const auto trained = qvariant_cast<NetworkSnapshot>(finished.front().at(1));
    QVERIFY(trained && weightsOf(*trained) != keptWeights);
    QVERIFY(weightsOf(*kept) == keptWeights);
    QVERIFY(QFileInfo::exists(controller->checkpointPath()));
}

void TestTrainingController::stopsAPausedRunAndARunningOne() {
    const auto controller = newController();
    QSignalSpy paused(controller.get(), &TrainingController::pausedChanged);
    QSignalSpy progressed(controller.get(), &TrainingController::progressed);
    QSignalSpy finished(controller.get(), &TrainingController::finished);
    QSignalSpy failed(controller.get(), &TrainingController::failed);

    // Pause a running run, then stop it: it ends at once, no longer paused.
    QVERIFY(controller->start(tinySpec(1000)));
    QTRY_VERIFY_WITH_TIMEOUT(!progressed.isEmpty() || !failed.isEmpty(), scaledMs(30000));
    QVERIFY(failed.isEmpty());
    controller->pause();
    QVERIFY(controller->isPaused());
    QCOMPARE(paused.size(), 1);
    controller->stop();
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), scaledMs(5000));
    QCOMPARE(finished.front().at(2).toString(), QStringLiteral("stopped"));
    QVERIFY(!controller->isRunning() && !controller->isPaused());
    QCOMPARE(paused.size(), 2);
    QCOMPARE(paused.back().front().toBool(), false);

    // Stop a running run: it ends after the batch in progress.
    finished.clear();
    progressed.clear();
    QVERIFY(controller->start(tinySpec(1000)));
    QTRY_VERIFY_WITH_TIMEOUT(progressed.size() > 1 || !failed.isEmpty(), scaledMs(30000));
    QVERIFY(failed.isEmpty());
    controller->stop();
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), scaledMs(5000));
    QCOMPARE(finished.front().at(2).toString(), QStringLiteral("stopped"));
    QVERIFY(qvariant_cast<EpochHistory>(finished.front().at(0)).size() < std::size_t(1000));
    QVERIFY(!controller->isRunning());
    QCOMPARE(paused.size(), 2);  // never paused
}

void TestTrainingController::startsASecondRunAfterTheFirst() {
    const auto controller = newController();
    QSignalSpy finished(controller.get(), &TrainingController::finished);
    QSignalSpy failed(controller.get(), &TrainingController::failed);
    QVERIFY(controller->start(tinySpec(1)));
    const QString firstCheckpoint = controller->checkpointPath();
    waitForFinished(finished, failed);
    QCOMPARE(qvariant_cast<EpochHistory>(finished.front().at(0)).size(), std::size_t(1));
    const auto firstNetwork = qvariant_cast<NetworkSnapshot>(finished.front().at(1));
    finished.clear();

    QVERIFY(controller->start(tinySpec(2)));
    QVERIFY(controller->isRunning());
    QVERIFY(controller->checkpointPath() != firstCheckpoint);
    waitForFinished(finished, failed);
    QCOMPARE(qvariant_cast<EpochHistory>(finished.front().at(0)).size(), std::size_t(2));
    QVERIFY(qvariant_cast<NetworkSnapshot>(finished.front().at(1)) != firstNetwork);
    QVERIFY(QFileInfo::exists(firstCheckpoint));
    QVERIFY(QFileInfo::exists(controller->checkpointPath()));
}

void TestTrainingController::reportsAFolderWithoutData() {
    const auto controller = newController();
    const QTemporaryDir empty;
    QVERIFY(empty.isValid());
    controller->setDataDir(empty.path());
    QSignalSpy failed(controller.get(), &TrainingController::failed);
    QVERIFY(controller->start(tinySpec(1)));
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, scaledMs(10000));
    const QString message = failed.front().front().toString();
    QVERIFY2(message.contains(QStringLiteral("No training data")), qPrintable(message));
    QVERIFY2(message.contains(empty.path()), qPrintable(message));
    QVERIFY(!qvariant_cast<NetworkSnapshot>(failed.front().at(2)));
    QVERIFY(!controller->isRunning());

    // The next run with a good folder starts as usual.
    controller->setDataDir(m_data);
    QSignalSpy finished(controller.get(), &TrainingController::finished);
    failed.clear();
    QVERIFY(controller->start(tinySpec(1)));
    waitForFinished(finished, failed);
}

void TestTrainingController::destroyingTheControllerMidRunStopsTheRun() {
    for (const bool pausedFirst : {false, true}) {
        auto controller = newController();
        QSignalSpy progressed(controller.get(), &TrainingController::progressed);
        QSignalSpy failed(controller.get(), &TrainingController::failed);
        QVERIFY(controller->start(tinySpec(1000)));
        QTRY_VERIFY_WITH_TIMEOUT(progressed.size() > 1 || !failed.isEmpty(), scaledMs(30000));
        QVERIFY(failed.isEmpty());
        if (pausedFirst) controller->pause();

        QElapsedTimer sinceDelete;
        sinceDelete.start();
        controller.reset();  // stops the run and joins the training thread
        QVERIFY2(sinceDelete.elapsed() < scaledMs(1000),
                 qPrintable(QString::number(sinceDelete.elapsed())));
        // Reports queued before the end reach no one: the event loop goes on undisturbed.
        QTest::qWait(scaledMs(100));
    }
}

QTEST_GUILESS_MAIN(TestTrainingController)
#include "test_training_controller.moc"
