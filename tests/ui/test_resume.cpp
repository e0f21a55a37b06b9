// Qt Test of checkpoints and File > Resume training in the studio window, on a small synthetic
// IDX data set in a temporary folder: every run writes a checkpoint after every epoch; resuming
// the checkpoint of epoch 1 through the window ends with the same weights, bit for bit, as an
// uninterrupted run of the core Trainer; checkpoints that cannot be resumed (damaged, a plain
// model, another data set, trained with my digits, nothing left to train) are explained and
// keep the current model; a checkpoint that cannot be written stops the run and keeps its
// weights.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include <QAction>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "lenet/checkpoint.h"
#include "lenet/data/idx.h"
#include "lenet/model_io.h"
#include "lenet/network.h"
#include "lenet/trainer.h"
#include "support/message_boxes.h"
#include "support/synthetic_digits.h"
#include "support/time_scale.h"
#include "ui/plots/error_plot.h"
#include "ui/plots/loss_plot.h"
#include "ui/training/training_controller.h"
#include "ui/training/training_worker.h"
#include "ui/window/main_window.h"
#include "ui/window/run_status_bar.h"

using lenet::ui::EpochHistory;
using lenet::ui::MainWindow;
using lenet::ui::NetworkSnapshot;
using lenet::ui::TrainingController;

using lenet::test::scaledMs;
using lenet::ui::test::closeBoxes;
using lenet::ui::test::openBox;

namespace {

/// Writes the synthetic training and test sets to the folder `dir` (created).
void writeDataSet(const QString& dir, std::uint32_t seed) {
    QVERIFY(QDir().mkpath(dir));
    lenet::test::writeSyntheticDataSet(dir.toStdString(), seed);
}

/// True when both networks hold the same parameters, bit for bit.
bool sameWeights(const lenet::Network& a, const lenet::Network& b) {
    const auto pa = a.params(), pb = b.params();
    if (pa.size() != pb.size()) return false;
    for (std::size_t i = 0; i < pa.size(); ++i) {
        const std::vector<float>& va = pa[i]->value;
        const std::vector<float>& vb = pb[i]->value;
        if (va.size() != vb.size() ||
            std::memcmp(va.data(), vb.data(), va.size() * sizeof(float)) != 0)
            return false;
    }
    return true;
}

}  // namespace

class TestResume : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void everyRunWritesACheckpointAfterEveryEpoch();
    void resumeContinuesBitIdentically();
    void checkpointsThatCannotBeResumedAreExplained_data();
    void checkpointsThatCannotBeResumedAreExplained();
    void unwritableCheckpointStopsTheRunAndKeepsItsWeights();

private:
    /// Waits for the run in progress to end; fails the test on a failure signal.
    void waitForEnd(QSignalSpy& finished, QSignalSpy& failed);

    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_temp;
    QString m_data;           // the synthetic data set the runs train on
    QString m_epoch1;         // a copy of the first run's checkpoint after its epoch 1
    QString m_epoch2;         // the first run's checkpoint after its last epoch (2)
    NetworkSnapshot m_first;  // the first run's final network
};

void TestResume::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // settings and checkpoints go to test locations
    QCoreApplication::setOrganizationName(QStringLiteral("LeNet Studio"));
    QCoreApplication::setApplicationName(QStringLiteral("lenet-studio-resume-test"));
    QDir(TrainingController::checkpointDir()).removeRecursively();
    QVERIFY(m_temp.isValid());
    m_data = m_temp.filePath(QStringLiteral("data"));
    writeDataSet(m_data, 7);
    m_window = std::make_unique<MainWindow>();
    m_window->controller()->setDataDir(m_data);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QVERIFY(m_window->selectPreset(QStringLiteral("lenet1")));  // adam + cosine: state matters
    m_window->setRunLimits(2, 300, 100);                        // 10 batches of 32 per epoch
}

void TestResume::cleanupTestCase() {
    closeBoxes(*m_window);
    m_window.reset();
    QDir(TrainingController::checkpointDir()).removeRecursively();
}

void TestResume::waitForEnd(QSignalSpy& finished, QSignalSpy& failed) {
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty() || !failed.isEmpty(), scaledMs(60000));
    if (!failed.isEmpty()) QFAIL(qPrintable(failed.front().front().toString()));
}

void TestResume::everyRunWritesACheckpointAfterEveryEpoch() {
    TrainingController* controller = m_window->controller();
    QSignalSpy epochs(controller, &TrainingController::epochFinished);
    QSignalSpy status(controller, &TrainingController::statusChanged);
    QSignalSpy finished(controller, &TrainingController::finished);
    QSignalSpy failed(controller, &TrainingController::failed);

    // Step batch by batch through epoch 1: the run then waits, its checkpoint written.
    QTest::keyClick(m_window.get(), Qt::Key_F10);
    QVERIFY(controller->isRunning());
    const QString path = controller->checkpointPath();
    QCOMPARE(QFileInfo(path).absolutePath(), TrainingController::checkpointDir());
    QVERIFY(QFileInfo(path).fileName().startsWith(QStringLiteral("lenet1-")));
    QVERIFY(path.endsWith(QStringLiteral(".ckpt")));
    for (int batch = 1; batch <= 10; ++batch) {
        if (batch > 1) QTest::keyClick(m_window.get(), Qt::Key_F10);
        QTRY_COMPARE_WITH_TIMEOUT(m_window->lossPlot()->pointCount(), batch, scaledMs(30000));
    }
    QTRY_COMPARE_WITH_TIMEOUT(epochs.size(), 1, scaledMs(30000));
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(path), scaledMs(10000));
    const lenet::Checkpoint first = lenet::loadCheckpoint(path.toStdString());
    QCOMPARE(first.state.epochsDone, 1);
    QCOMPARE(first.config.epochs, 2);
    QVERIFY(controller->isPaused());
    m_epoch1 = m_temp.filePath(QStringLiteral("epoch1.ckpt"));
    QVERIFY(QFile::copy(path, m_epoch1));
    bool named = false;
    for (const QList<QVariant>& signal : status)
        named = named || signal.front().toString().contains(path);
    QVERIFY2(named, "no status message named the checkpoint");

    // Go on: epoch 2 rewrites the same file.
    QTest::keyClick(m_window.get(), Qt::Key_Space);
    waitForEnd(finished, failed);
    const lenet::Checkpoint last = lenet::loadCheckpoint(path.toStdString());
    QCOMPARE(last.state.epochsDone, 2);
    QCOMPARE(last.state.history.size(), std::size_t(2));
    QCOMPARE(QDir(TrainingController::checkpointDir()).entryList(QDir::Files).size(), 1);
    m_epoch2 = path;
    m_first = m_window->network();
    QVERIFY(m_first);
    QVERIFY(sameWeights(last.network, *m_first));
}

void TestResume::resumeContinuesBitIdentically() {
    QVERIFY(!m_epoch1.isEmpty());
    const QString path = m_temp.filePath(QStringLiteral("resumed.ckpt"));
    QVERIFY(QFile::copy(m_epoch1, path));
    TrainingController* controller = m_window->controller();
    QSignalSpy resumed(controller, &TrainingController::resumed);
    QSignalSpy finished(controller, &TrainingController::finished);
    QSignalSpy failed(controller, &TrainingController::failed);
    const int runsBefore = m_window->errorPlot()->runCount();

    QVERIFY(m_window->resumeTraining(path));
    QVERIFY(!m_window->resumeTraining(path));  // one run at a time
    QTRY_COMPARE_WITH_TIMEOUT(resumed.size(), 1, scaledMs(30000));
    // The checkpoint's epoch is a run in the plots, the continuation another beside it.
    QCOMPARE(m_window->errorPlot()->runCount(), runsBefore + 2);
    waitForEnd(finished, failed);
    QCOMPARE(m_window->lossPlot()->pointCount(), 10);  // epoch 2's batches only
    QCOMPARE(m_window->errorPlot()->epochCount(), 2);  // the checkpoint's, then epoch 2
    const auto history = qvariant_cast<EpochHistory>(finished.front().at(0));
    QCOMPARE(history.size(), std::size_t(2));
    QCOMPARE(history.front().epoch, 1);
    QCOMPARE(history.back().epoch, 2);

    // The same run, uninterrupted, through the core Trainer.
    const lenet::Checkpoint saved = lenet::loadCheckpoint(m_epoch1.toStdString());
    const lenet::Dataset train = lenet::loadSplit(m_data.toStdString(), lenet::Split::Train);
    const lenet::Dataset test = lenet::loadSplit(m_data.toStdString(), lenet::Split::Test);
    lenet::Network reference(saved.network.spec());
    reference.initialize(saved.config.seed);
    lenet::Trainer trainer(reference, train, &test, saved.config);
    lenet::TrainingObserver quiet;
    QCOMPARE(trainer.run(quiet).history.size(), std::size_t(2));

    QVERIFY(m_window->network());
    QVERIFY(sameWeights(*m_window->network(), reference));
    QVERIFY(sameWeights(*m_window->network(), *m_first));
    // The resumed run went on writing the checkpoint it came from.
    QCOMPARE(lenet::loadCheckpoint(path.toStdString()).state.epochsDone, 2);
    QVERIFY(m_window->hasUnsavedWeights());
}

void TestResume::checkpointsThatCannotBeResumedAreExplained_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("phrase");
    QTest::newRow("damaged") << "damaged"
                             << "broken.ckpt";
    QTest::newRow("plain model") << "model"
                                 << "model.lenet";
    QTest::newRow("other data") << "other data"
                                << "File > Open data set";
    QTest::newRow("my digits") << "my digits"
                               << "my digits";
    QTest::newRow("nothing left") << "nothing left"
                                  << "set more epochs";
}

void TestResume::checkpointsThatCannotBeResumedAreExplained() {
    QFETCH(QString, kind);
    QFETCH(QString, phrase);
    QVERIFY(!m_epoch2.isEmpty());
    TrainingController* controller = m_window->controller();
    controller->setDataDir(m_data);
    QString path = m_epoch2;  // all of its 2 epochs done; the form asks for 2
    if (kind == QLatin1String("damaged")) {
        path = m_temp.filePath(QStringLiteral("broken.ckpt"));
        QFile::remove(path);
        QVERIFY(QFile::copy(m_epoch1, path));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        file.seek(file.size() / 2);
        const char flipped = char(~file.peek(1).at(0));
        file.write(&flipped, 1);
    } else if (kind == QLatin1String("model")) {
        path = m_temp.filePath(QStringLiteral("model.lenet"));
        lenet::saveModel(path.toStdString(), *m_first, {});
    } else if (kind == QLatin1String("other data")) {
        const QString other = m_temp.filePath(QStringLiteral("other"));
        writeDataSet(other, 99);
        controller->setDataDir(other);
        path = m_epoch1;
    } else if (kind == QLatin1String("my digits")) {
        // A checkpoint of a run that trained on the data set and two of my digits.
        const lenet::Checkpoint c = lenet::loadCheckpoint(m_epoch1.toStdString());
        lenet::Dataset mine = lenet::test::syntheticDigits(2, 5);
        mine.source = "/home/user/my-digits/images-idx3-ubyte";
        const lenet::Dataset train = lenet::loadSplit(m_data.toStdString(), lenet::Split::Train);
        path = m_temp.filePath(QStringLiteral("mine.ckpt"));
        lenet::saveCheckpoint(path.toStdString(), c.network, c.config, c.state,
                              lenet::identify(lenet::ui::withExtraTrainingImages(train, mine, 0)),
                              c.test);
    }
    const NetworkSnapshot current = m_window->network();
    const int runs = m_window->errorPlot()->runCount();
    const bool unsaved = m_window->hasUnsavedWeights();
    QSignalSpy failed(controller, &TrainingController::failed);
    QSignalSpy resumed(controller, &TrainingController::resumed);

    QVERIFY(m_window->resumeTraining(path));
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, scaledMs(30000));
    QVERIFY(resumed.isEmpty());
    QVERIFY(!controller->isRunning());
    QMessageBox* box = openBox(*m_window, QStringLiteral("problemMessage"));
    QVERIFY(box);
    QCOMPARE(box->windowTitle(), QStringLiteral("Resume training"));
    QVERIFY2(box->text().contains(QStringLiteral("Could not resume")), qPrintable(box->text()));
    QVERIFY2(box->text().contains(phrase), qPrintable(box->text()));
    if (kind == QLatin1String("other data"))
        QVERIFY2(box->text().contains(m_data), qPrintable(box->text()));  // where it trained
    QVERIFY(m_window->runStatusBar()->showsError());
    // The current model stays, and the plots show no new run.
    QCOMPARE(m_window->network(), current);
    QCOMPARE(m_window->errorPlot()->runCount(), runs);
    QCOMPARE(m_window->hasUnsavedWeights(), unsaved);
    closeBoxes(*m_window);
    controller->setDataDir(m_data);
}

void TestResume::unwritableCheckpointStopsTheRunAndKeepsItsWeights() {
    // A file where the checkpoint folder should be: no checkpoint can be written.
    const QString dir = TrainingController::checkpointDir();
    QVERIFY(QDir(dir).removeRecursively());
    {
        QFile blocker(dir);
        QVERIFY(blocker.open(QIODevice::WriteOnly));
    }
    QVERIFY(m_window->saveModel(m_temp.filePath(QStringLiteral("saved.lenet"))));  // no prompt
    TrainingController* controller = m_window->controller();
    QSignalSpy finished(controller, &TrainingController::finished);
    QSignalSpy failed(controller, &TrainingController::failed);
    QTest::keyClick(m_window.get(), Qt::Key_Space);
    QVERIFY(controller->isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty() || !finished.isEmpty(), scaledMs(60000));
    QFile::remove(dir);
    QVERIFY(finished.isEmpty());
    QVERIFY(failed.front().at(0).toString().contains(QStringLiteral("checkpoint")));
    const auto history = qvariant_cast<EpochHistory>(failed.front().at(1));
    QCOMPARE(history.size(), std::size_t(1));  // stopped at the end of epoch 1
    const auto network = qvariant_cast<NetworkSnapshot>(failed.front().at(2));
    QVERIFY(network);
    QCOMPARE(m_window->network(), network);
    QVERIFY(m_window->hasUnsavedWeights());
    QVERIFY(m_window->canSaveModel());
    QMessageBox* box = openBox(*m_window, QStringLiteral("problemMessage"));
    QVERIFY(box);
    QVERIFY2(box->text().contains(QStringLiteral("weights kept")), qPrintable(box->text()));
    QVERIFY(m_window->grab().save(QStringLiteral(LENET_TEST_GRAB_PATH)));
    closeBoxes(*m_window);
}

QTEST_MAIN(TestResume)
#include "test_resume.moc"
