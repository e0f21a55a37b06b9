// Qt Test of the studio's checkpoint folder housekeeping: a new run keeps only the newest
// checkpoints (by modification time) and leaves every other file alone.
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "lenet/presets.h"
#include "support/time_scale.h"
#include "ui/training/training_controller.h"

using lenet::test::scaledMs;
using lenet::ui::TrainingController;

class TestCheckpointFolder : public QObject {
    Q_OBJECT

private slots:
    void keepsTheNewestCheckpointsOnly() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QDateTime start = QDateTime::currentDateTime().addDays(-1);
        // Created newest first, so that neither the names nor the creation order give the age.
        for (int i = 0; i < 8; ++i) {
            QFile file(dir.filePath(QStringLiteral("run-%1.ckpt").arg(7 - i)));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("checkpoint");
            QVERIFY(file.flush());  // a write at close would set the time again
            QVERIFY(
                file.setFileTime(start.addSecs(3600 * (7 - i)), QFileDevice::FileModificationTime));
        }
        QFile other(dir.filePath(QStringLiteral("notes.txt")));
        QVERIFY(other.open(QIODevice::WriteOnly));
        other.close();

        TrainingController::pruneCheckpoints(dir.path(), 3);

        const QStringList left = QDir(dir.path()).entryList(QDir::Files, QDir::Name);
        QCOMPARE(left, (QStringList{QStringLiteral("notes.txt"), QStringLiteral("run-5.ckpt"),
                                    QStringLiteral("run-6.ckpt"), QStringLiteral("run-7.ckpt")}));
    }

    void aNewRunPrunesTheFolder() {
        QStandardPaths::setTestModeEnabled(true);
        const QString folder = TrainingController::checkpointDir();
        QDir(folder).removeRecursively();
        QVERIFY(QDir().mkpath(folder));
        const int old = TrainingController::kKeptCheckpoints + 5;
        for (int i = 0; i < old; ++i) {
            QFile file(folder + QStringLiteral("/old-%1.ckpt").arg(i));
            QVERIFY(file.open(QIODevice::WriteOnly));
        }
        QTemporaryDir noData;  // the run fails at once: no data set here
        TrainingController controller;
        controller.setDataDir(noData.path());
        QSignalSpy failed(&controller, &TrainingController::failed);
        QVERIFY(controller.start(lenet::preset("lenet1")));
        // Room for the new run's own checkpoint, which this run never writes.
        QCOMPARE(QDir(folder).entryList({QStringLiteral("*.ckpt")}, QDir::Files).size(),
                 TrainingController::kKeptCheckpoints - 1);
        QVERIFY(failed.wait(scaledMs(10000)));
        QDir(folder).removeRecursively();
    }
};

QTEST_MAIN(TestCheckpointFolder)
#include "test_checkpoint_folder.moc"
