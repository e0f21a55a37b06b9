// Qt Test of Training > Profile layers: a measurement fills one row per layer with real times
// and a summary, off the GUI thread (the event loop keeps running), and closing the dialog in the
// middle of a measurement waits for it instead of crashing.
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QtTest>

#include "lenet/network.h"
#include "lenet/presets.h"
#include "support/time_scale.h"
#include "ui/window/profile_dialog.h"

using lenet::test::scaledMs;
using lenet::ui::ProfileDialog;

class TestProfileDialog : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void measuresEveryLayer();
    void closingDuringAMeasurementIsSafe();
};

void TestProfileDialog::measuresEveryLayer() {
    const lenet::ArchitectureSpec spec = lenet::preset("lenet5-1998");
    ProfileDialog dialog(spec);
    dialog.show();
    QSignalSpy measured(&dialog, &ProfileDialog::measured);
    int ticks = 0;
    QTimer ticker;  // counts event-loop turns during the measurement
    QObject::connect(&ticker, &QTimer::timeout, [&] { ++ticks; });
    ticker.start(5);
    dialog.measure();
    QVERIFY(measured.wait(scaledMs(60000)));
    ticker.stop();
    QVERIFY2(ticks > 0, "the event loop did not run while measuring");

    auto* table = dialog.findChild<QTableWidget*>();
    QVERIFY(table);
    const lenet::Network net(spec);
    QCOMPARE(table->rowCount(), net.layerCount());
    for (int r = 0; r < table->rowCount(); ++r) {
        QCOMPARE(table->item(r, 0)->text(), QString::fromStdString(net.layer(r).name()));
        QVERIFY2(table->item(r, 3)->text().toDouble() > 0, "a forward time is zero");
    }
    QVERIFY(dialog.tableText().contains(QStringLiteral("C3")));
    QCOMPARE(table->item(0, 5)->text().toDouble(), lenet::trainingFlops(net, 0) / 1e3);
    bool summarised = false;
    for (QLabel* label : dialog.findChildren<QLabel*>()) {
        summarised |= label->text().contains(QStringLiteral("images/s")) &&
                      label->text().contains(QStringLiteral("of the peak"));
    }
    QVERIFY(summarised);
    dialog.grab().save(QStringLiteral(LENET_TEST_GRAB_PATH));
}

void TestProfileDialog::closingDuringAMeasurementIsSafe() {
    auto* dialog = new ProfileDialog(lenet::preset("lenet5-modern"));
    dialog->measure();
    delete dialog;  // waits for the worker; its queued result must not reach a dead dialog
    QTest::qWait(scaledMs(50));
}

QTEST_MAIN(TestProfileDialog)
#include "test_profile_dialog.moc"
