// Qt Test of the run's status bar: a message too long for it (a checkpoint path) is elided in
// the middle, keeping the file name, with the whole text as tool tip and from message(); the
// "Paused" read-out shows only while paused; on a narrow bar the least telling read-outs give way
// to the message.
#include <QLabel>
#include <QtTest>

#include "ui/window/run_status_bar.h"

using lenet::ui::RunStatusBar;

class TestRunStatusBar : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void longMessageKeepsItsEndAndWholeToolTip();
    void pausedReadoutShowsWhilePaused();
    void narrowBarKeepsRoomForTheMessage();
};

void TestRunStatusBar::longMessageKeepsItsEndAndWholeToolTip() {
    RunStatusBar bar;
    bar.resize(1200, bar.sizeHint().height());
    bar.show();
    QVERIFY(QTest::qWaitForWindowExposed(&bar));
    const QString text = QStringLiteral(
        "Epoch 1 done. Checkpoint (rewritten after every epoch): /home/someone/.local/share/"
        "LeNet Studio/lenet-studio/checkpoints/lenet5-1998-20261207-070024.ckpt");
    bar.showStatus(text);
    auto* label = bar.findChild<QLabel*>(QStringLiteral("statusMessage"));
    QVERIFY(label);
    QTRY_VERIFY(label->fontMetrics().horizontalAdvance(label->text()) <= label->width());
    QVERIFY(label->text() != text);
    QVERIFY(label->text().endsWith(QStringLiteral(".ckpt")));
    QVERIFY(label->text().startsWith(QStringLiteral("Epoch 1")));
    QCOMPARE(label->toolTip(), text);
    QCOMPARE(bar.message(), text);
    // Wider, the message shows whole again.
    bar.resize(4000, bar.height());
    QTRY_COMPARE(label->text(), text);
}

void TestRunStatusBar::pausedReadoutShowsWhilePaused() {
    RunStatusBar bar;
    bar.show();
    QVERIFY(QTest::qWaitForWindowExposed(&bar));
    auto* paused = bar.findChild<QLabel*>(QStringLiteral("pausedReadout"));
    QVERIFY(paused);
    QVERIFY(!paused->isVisible());
    bar.showPaused(true);
    QVERIFY(paused->isVisible());
    QCOMPARE(paused->text(), QStringLiteral("Paused"));
    bar.showPaused(false);
    QVERIFY(!paused->isVisible());
}

void TestRunStatusBar::narrowBarKeepsRoomForTheMessage() {
    RunStatusBar bar;
    bar.showNetwork(QStringLiteral("bundled model (lenet5-1998)"));
    bar.showStatus(QStringLiteral("Ready: choose an architecture and press Train (Space)"));
    auto* label = bar.findChild<QLabel*>(QStringLiteral("statusMessage"));
    auto* elapsed = bar.findChild<QLabel*>(QStringLiteral("elapsedReadout"));
    auto* network = bar.findChild<QLabel*>(QStringLiteral("networkReadout"));
    QVERIFY(label && elapsed && network);
    bar.resize(1000, bar.sizeHint().height());  // a 1024x768 screen's window
    bar.show();
    QVERIFY(QTest::qWaitForWindowExposed(&bar));
    QTRY_VERIFY2(label->width() >= label->fontMetrics().horizontalAdvance(QLatin1Char('x')) * 30,
                 qPrintable(QString::number(label->width())));
    QVERIFY(!elapsed->isVisible());
    QVERIFY(network->isVisible());
    bar.resize(2400, bar.height());  // room for everything again
    QTRY_VERIFY(elapsed->isVisible());
    QCOMPARE(label->text(), bar.message());
}

QTEST_MAIN(TestRunStatusBar)
#include "test_run_status_bar.moc"
