// Qt Test of the Stats view (layer statistics, issue 20): a short run draws a line per layer
// while the view is shown, a hidden view asks for nothing, an opened model is measured on test
// images, and the CSV export has a row per layer and epoch. Trains lenet5-maxpool on synthetic
// digits in a temporary folder.
#include <memory>
#include <string>

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "lenet/network.h"
#include "lenet/presets.h"
#include "support/synthetic_digits.h"
#include "support/time_scale.h"
#include "ui/inspect/stats_view.h"
#include "ui/training/training_controller.h"

using lenet::test::scaledMs;
using lenet::ui::StatsView;
using lenet::ui::TrainingController;

class TestStatsView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void drawsALinePerLayerDuringARun();
    void aHiddenViewRecordsNothing();
    void measuresAnOpenedModel();

private:
    /// lenet5-maxpool for one epoch of 19 batches of 16 images.
    static lenet::ArchitectureSpec tinySpec();
    /// Runs tinySpec() with `controller` until it finishes.
    static void train(TrainingController& controller);

    QTemporaryDir m_temp;
    QString m_data;
};

void TestStatsView::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("LeNet Studio"));
    QCoreApplication::setApplicationName(QStringLiteral("lenet-studio-stats-test"));
    QVERIFY(m_temp.isValid());
    m_data = m_temp.filePath(QStringLiteral("data"));
    QVERIFY(QDir().mkpath(m_data));
    lenet::test::writeSyntheticDataSet(m_data.toStdString(), 1);
}

void TestStatsView::cleanupTestCase() {
    QDir(TrainingController::checkpointDir()).removeRecursively();
}

lenet::ArchitectureSpec TestStatsView::tinySpec() {
    lenet::ArchitectureSpec spec = lenet::preset("lenet5-maxpool");
    spec.training.epochs = 1;
    spec.training.batch = 16;
    spec.training.threads = 1;
    return spec;
}

void TestStatsView::train(TrainingController& controller) {
    QSignalSpy finished(&controller, &TrainingController::finished);
    QSignalSpy failed(&controller, &TrainingController::failed);
    QVERIFY(controller.start(tinySpec()));
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty() || !failed.isEmpty(), scaledMs(60000));
    if (!failed.isEmpty()) QFAIL(qPrintable(failed.front().front().toString()));
}

void TestStatsView::drawsALinePerLayerDuringARun() {
    TrainingController controller;
    controller.setDataDir(m_data);
    StatsView view;
    view.attach(&controller);
    view.resize(700, 900);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy updates(&controller, &TrainingController::layerStatsUpdated);
    train(controller);
    QVERIFY(!updates.isEmpty());
    // C1, C3, F5, F6 and OUTPUT have weights
    QTRY_COMPARE(view.gradientLines(), 5);
    QVERIFY2(view.caption().contains(QStringLiteral("This run")), qPrintable(view.caption()));
    const QString csv = m_temp.filePath(QStringLiteral("stats.csv"));
    QCOMPARE(view.exportCsv(csv), QString());
    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 1 + lenet::Network(tinySpec()).layerCount());
    QVERIFY(lines.front().startsWith("epoch,layer,name,kind,grad_norm"));
    view.renderImage().save(QStringLiteral(LENET_TEST_GRAB_PATH));
}

void TestStatsView::aHiddenViewRecordsNothing() {
    TrainingController controller;
    controller.setDataDir(m_data);
    StatsView view;
    view.attach(&controller);  // never shown
    QSignalSpy updates(&controller, &TrainingController::layerStatsUpdated);
    train(controller);
    QVERIFY(updates.isEmpty());
}

void TestStatsView::measuresAnOpenedModel() {
    StatsView view;
    view.setTestSet(std::make_shared<const lenet::Dataset>(lenet::test::syntheticDigits(40, 3)));
    auto net = std::make_shared<lenet::Network>(lenet::preset("lenet5-maxpool"));
    net->initialize(1);
    view.setNetwork(net);
    QCOMPARE(view.gradientLines(), 0);  // measured when shown
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCOMPARE(view.gradientLines(), 5);
    QVERIFY2(view.caption().contains(QStringLiteral("40 test images")), qPrintable(view.caption()));
}

QTEST_MAIN(TestStatsView)
#include "test_stats_view.moc"
