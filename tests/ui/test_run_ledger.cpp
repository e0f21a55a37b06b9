// Qt Test of the run ledger without training: runs get colours and numbered names of their own,
// the paper's reference line follows the selected preset and the plotted runs, a run that drew
// nothing is removed, old runs are cleared, and a finished or resumed run tells the plots and
// the status bar what they show.
#include <QLocale>
#include <QSet>
#include <QSignalSpy>
#include <QtTest>

#include "support/histories.h"
#include "ui/plots/error_plot.h"
#include "ui/plots/loss_plot.h"
#include "ui/window/run_ledger.h"
#include "ui/window/run_status_bar.h"

using lenet::ui::EpochHistory;
using lenet::ui::ErrorPlot;
using lenet::ui::LossPlot;
using lenet::ui::RunLedger;
using lenet::ui::RunStatusBar;
using lenet::ui::test::history;

class TestRunLedger : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void givesEveryRunAColourAndANumberedName();
    void showsThePaperLineForTheSelectedPresetOrAPlottedRun();
    void removesARunThatDrewNothingAndClearsOldRuns();
    void finishesARunWithItsSummary();
    void continuesAResumedRunInItsColour();
    void testErrorSaysOnHowManyImages();
    void openingTheSameHistoryTwiceDrawsItOnce();

private:
    LossPlot* m_loss = nullptr;
    ErrorPlot* m_error = nullptr;
    RunStatusBar* m_status = nullptr;
    RunLedger* m_ledger = nullptr;
};

void TestRunLedger::init() {
    m_loss = new LossPlot;
    m_error = new ErrorPlot;
    m_status = new RunStatusBar;
    m_ledger = new RunLedger(m_loss, m_error, m_status);
}

void TestRunLedger::cleanup() {
    delete m_ledger;
    delete m_status;
    delete m_error;
    delete m_loss;
}

void TestRunLedger::givesEveryRunAColourAndANumberedName() {
    QSignalSpy changed(m_ledger, &RunLedger::runsChanged);
    m_ledger->beginRun(QStringLiteral("lenet5-1998"), 2);
    m_ledger->endRun(QStringLiteral("stopped"));
    m_ledger->beginRun(QStringLiteral("lenet5-1998"), 2);
    m_ledger->beginRun(QStringLiteral("lenet1"), 2);
    QCOMPARE(changed.count(), 3);
    QCOMPARE(m_ledger->currentRun().label, QStringLiteral("lenet1"));
    QCOMPARE(m_error->runCount(), 3);
    QCOMPARE(m_loss->runCount(), 3);
    QStringList labels;
    QSet<QRgb> colours;
    QSet<int> ids;
    for (const lenet::ui::RunStyle& run : m_error->runs()) {
        labels << run.label;
        colours.insert(run.colour.rgb());
        ids.insert(run.id);
    }
    QCOMPARE(labels, (QStringList{QStringLiteral("lenet5-1998"), QStringLiteral("lenet5-1998 #2"),
                                  QStringLiteral("lenet1")}));
    QCOMPARE(colours.size(), 3);
    QCOMPARE(ids.size(), 3);
    QCOMPARE(m_error->runs().front().summary, QStringLiteral("stopped"));
    QVERIFY(m_ledger->hasOldRuns());
}

void TestRunLedger::showsThePaperLineForTheSelectedPresetOrAPlottedRun() {
    QVERIFY(!m_error->reference());
    m_ledger->setSelectedPreset(QStringLiteral("lenet5-1998"));
    QCOMPARE(m_error->reference().value_or(0.0), 0.95);
    m_ledger->setSelectedPreset(QStringLiteral("lenet1"));
    QVERIFY(!m_error->reference());
    m_ledger->addOpenedRun(QStringLiteral("lenet5-1998 (a.lenet)"), QStringLiteral("lenet5-1998"),
                           history(2, 0.01));
    QVERIFY(m_error->reference());  // a plotted run of the paper's architecture
    m_ledger->beginRun(QStringLiteral("lenet1"), 2);
    m_ledger->clearOldRuns();
    QVERIFY(!m_error->reference());
}

void TestRunLedger::removesARunThatDrewNothingAndClearsOldRuns() {
    m_ledger->beginRun(QStringLiteral("lenet1"), 2);
    m_ledger->beginRun(QStringLiteral("lenet5-1998"), 2);
    QVERIFY(m_error->reference());
    QSignalSpy changed(m_ledger, &RunLedger::runsChanged);
    m_ledger->removeCurrentRun();
    QCOMPARE(changed.count(), 1);
    QCOMPARE(m_error->runCount(), 1);
    QCOMPARE(m_loss->runCount(), 1);
    QCOMPARE(m_error->runs().front().label, QStringLiteral("lenet1"));
    QVERIFY(!m_error->reference());  // the removed run was the paper's architecture
    QVERIFY(!m_ledger->hasOldRuns());

    m_ledger->beginRun(QStringLiteral("lenet1"), 2);
    m_ledger->beginRun(QStringLiteral("lenet1"), 2);
    QCOMPARE(m_error->runCount(), 3);
    m_ledger->clearOldRuns();
    QCOMPARE(m_error->runCount(), 1);
    QCOMPARE(m_loss->runCount(), 1);
    QCOMPARE(m_error->runs().front().label, QStringLiteral("lenet1 #3"));
    QVERIFY(!m_ledger->hasOldRuns());
}

void TestRunLedger::finishesARunWithItsSummary() {
    m_ledger->beginRun(QStringLiteral("lenet1"), 2);
    lenet::Progress progress;
    progress.epoch = 1;
    progress.epochs = 2;
    progress.step = 5;
    progress.batch = 5;
    progress.batches = 10;
    progress.batchLosses = {0.5f};
    m_ledger->appendProgress(progress);
    QCOMPARE(m_ledger->lastProgress().step, 5);
    QCOMPARE(m_loss->pointCount(), 1);
    const EpochHistory epochs = history(2, 0.0123);
    for (const lenet::EpochMetrics& m : epochs) m_ledger->appendEpoch(m);
    QCOMPARE(m_error->epochCount(), 2);
    m_ledger->finishRun(epochs, QStringLiteral("stopped by the user"));
    QCOMPARE(m_error->runs().back().summary, QStringLiteral("test 1.23 %, stopped by the user"));
    QCOMPARE(m_loss->runs().back().summary, QStringLiteral("test 1.23 %, stopped by the user"));
    QCOMPARE(m_status->message(),
             QStringLiteral("lenet1: 2 epochs trained, test 1.23 % (stopped by the user)"));
    m_ledger->beginRun(QStringLiteral("lenet1"), 2);
    QCOMPARE(m_ledger->lastProgress().step, 0);  // a new run starts from nothing
}

void TestRunLedger::continuesAResumedRunInItsColour() {
    m_ledger->beginResumedRun(QStringLiteral("lenet1 (run.ckpt)"), QStringLiteral("lenet1"),
                              history(2, 0.02), 4);
    QCOMPARE(m_error->runCount(), 2);
    const lenet::ui::RunStyle& before = m_error->runs().front();
    const lenet::ui::RunStyle& after = m_error->runs().back();
    QCOMPARE(before.label, QStringLiteral("lenet1 (run.ckpt)"));
    QCOMPARE(before.summary, QStringLiteral("test 2.00 %"));
    QCOMPARE(after.label, QStringLiteral("lenet1 resumed"));
    QCOMPARE(after.colour, before.colour);
    QVERIFY(after.id != before.id);
    QCOMPARE(m_ledger->currentRun().id, after.id);
    QCOMPARE(m_error->epochCount(), 2);  // the error curve goes on from the checkpoint's epochs
}

void TestRunLedger::testErrorSaysOnHowManyImages() {
    m_ledger->beginRun(QStringLiteral("lenet5-1998"), 1, 2000);
    m_ledger->finishRun(history(1, 0.043), {});
    const QString images = QStringLiteral("(%1 images)").arg(QLocale().toString(2000));
    QVERIFY2(m_error->runs().back().summary.contains(images),
             qPrintable(m_error->runs().back().summary));
    QVERIFY2(m_status->message().contains(images), qPrintable(m_status->message()));
    m_ledger->addOpenedRun(QStringLiteral("lenet1 (b.lenet)"), QStringLiteral("lenet1"),
                           history(2, 0.0352), 10000);
    QCOMPARE(m_error->runs().back().summary,
             QStringLiteral("test 3.52 % (%1 images)").arg(QLocale().toString(10000)));
}

void TestRunLedger::openingTheSameHistoryTwiceDrawsItOnce() {
    // A run that ended, then saved and opened: its curves are the model's.
    m_ledger->beginRun(QStringLiteral("lenet1"), 2);
    m_ledger->finishRun(history(2, 0.02), {});
    const int trained = m_ledger->currentRun().id;
    m_ledger->addOpenedRun(QStringLiteral("lenet1 (a.lenet)"), QStringLiteral("lenet1"),
                           history(2, 0.02));
    QCOMPARE(m_error->runCount(), 1);
    QCOMPARE(m_loss->runCount(), 1);
    QCOMPARE(m_ledger->currentRun().id, trained);
    QCOMPARE(m_error->runs().back().label, QStringLiteral("lenet1 (a.lenet)"));
    // A model opened twice; another history is another run.
    m_ledger->addOpenedRun(QStringLiteral("lenet1 (b.lenet)"), QStringLiteral("lenet1"),
                           history(3, 0.01));
    m_ledger->addOpenedRun(QStringLiteral("lenet1 (b.lenet)"), QStringLiteral("lenet1"),
                           history(3, 0.01));
    QCOMPARE(m_error->runCount(), 2);
    QCOMPARE(m_loss->runCount(), 2);
}

QTEST_MAIN(TestRunLedger)
#include "test_run_ledger.moc"
