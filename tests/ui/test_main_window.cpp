// Qt Test of the studio window: preset list and layer table, and real short training runs on
// MNIST through the TrainingController (skipped when MNIST is not installed).
#include <memory>

#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QtTest>

#include "lenet/data/idx.h"
#include "lenet/error.h"
#include "lenet/presets.h"
#include "ui/error_plot.h"
#include "ui/loss_plot.h"
#include "ui/main_window.h"
#include "ui/training_controller.h"

using lenet::ui::EpochHistory;
using lenet::ui::MainWindow;
using lenet::ui::NetworkSnapshot;
using lenet::ui::TrainingController;

class TestMainWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void listsAllPresets();
    void showsTheLayersOfLenet1998();
    void trainsAShortRun();
    void stopEndsARunQuickly();
    void divergedRunKeepsTheLastGoodWeights();

private:
    template <class T>
    T* child(const char* name) const {
        return m_window->findChild<T*>(QString::fromLatin1(name));
    }
    bool haveMnist() const;
    void setUpRun(int epochs, int trainLimit, int testLimit);

    std::unique_ptr<MainWindow> m_window;  // one window: the second run reuses the loaded data
};

void TestMainWindow::initTestCase() {
    m_window = std::make_unique<MainWindow>();
    m_window->show();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
}

void TestMainWindow::cleanupTestCase() {
    m_window.reset();
}

bool TestMainWindow::haveMnist() const {
    try {
        lenet::loadSplit(lenet::defaultDataDir(), lenet::Split::Test);
        return true;
    } catch (const lenet::Error&) {
        return false;
    }
}

void TestMainWindow::setUpRun(int epochs, int trainLimit, int testLimit) {
    QVERIFY(m_window->selectPreset(QStringLiteral("lenet5-modern")));
    auto* epochsBox = child<QSpinBox>("epochs");
    auto* trainBox = child<QSpinBox>("trainLimit");
    auto* testBox = child<QSpinBox>("testLimit");
    QVERIFY(epochsBox && trainBox && testBox);
    epochsBox->setValue(epochs);
    trainBox->setValue(trainLimit);
    testBox->setValue(testLimit);
}

void TestMainWindow::listsAllPresets() {
    auto* list = child<QListWidget>("presetList");
    QVERIFY(list);
    const std::vector<std::string> names = lenet::presetNames();
    QCOMPARE(list->count(), int(names.size()));
    for (int row = 0; row < list->count(); ++row) {
        const QListWidgetItem* item = list->item(row);
        QCOMPARE(item->data(Qt::UserRole).toString(), QString::fromStdString(names[row]));
        QVERIFY(item->text().contains(QStringLiteral("parameters")));
        QCOMPARE(item->toolTip(), QString::fromStdString(lenet::preset(names[row]).description));
    }
}

void TestMainWindow::showsTheLayersOfLenet1998() {
    auto* list = child<QListWidget>("presetList");
    auto* table = child<QTableView>("layerTable");
    auto* total = child<QLabel>("totalParameters");
    QVERIFY(list && table && total);
    QVERIFY(m_window->selectPreset(QStringLiteral("lenet5-modern")));
    const QList<QListWidgetItem*> items =
        list->findItems(QStringLiteral("lenet5-1998 "), Qt::MatchStartsWith);
    QCOMPARE(items.size(), 1);
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {},
                      list->visualItemRect(items.front()).center());
    QCOMPARE(list->currentItem(), items.front());

    QCOMPARE(table->model()->rowCount(), 13);
    QCOMPARE(table->model()->index(0, 1).data().toString(), QStringLiteral("C1"));
    QCOMPARE(table->model()->index(12, 1).data().toString(), QStringLiteral("OUTPUT"));
    QCOMPARE(table->model()->index(4, 3).data().toString(), QStringLiteral("16x10x10"));
    QString digits = total->text();
    digits.remove(QRegularExpression(QStringLiteral("<[^>]*>|[^0-9]")));
    QCOMPARE(digits, QStringLiteral("60000"));
    QCOMPARE(child<QSpinBox>("epochs")->value(), lenet::preset("lenet5-1998").training.epochs);
}

void TestMainWindow::trainsAShortRun() {
    if (!haveMnist()) QSKIP("MNIST is not installed (scripts/setup.sh --no-run fetches it)");
    setUpRun(1, 2000, 500);
    TrainingController* controller = m_window->controller();
    QSignalSpy progressed(controller, &TrainingController::progressed);
    QSignalSpy finished(controller, &TrainingController::finished);
    QSignalSpy failed(controller, &TrainingController::failed);
    auto* train = child<QPushButton>("train");
    QVERIFY(train && train->isEnabled());

    QTest::mouseClick(train, Qt::LeftButton);
    QVERIFY(controller->isRunning());
    QVERIFY(!train->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(progressed.count() > 0 || !failed.isEmpty(), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty() || !failed.isEmpty(), 60000);
    if (!failed.isEmpty()) QFAIL(qPrintable(failed.front().front().toString()));
    QCOMPARE(finished.count(), 1);
    QVERIFY(!controller->isRunning());
    QVERIFY(train->isEnabled());

    const auto history = qvariant_cast<EpochHistory>(finished.front().at(0));
    const auto network = qvariant_cast<NetworkSnapshot>(finished.front().at(1));
    QCOMPARE(history.size(), std::size_t(1));
    QVERIFY(history.front().testError >= 0.0 && history.front().testError < 0.5);
    QVERIFY(network);
    QCOMPARE(network->parameterCount(), 61750);
    QCOMPARE(finished.front().at(2).toString(), QString());

    QCOMPARE(m_window->lossPlot()->pointCount(), (2000 + 63) / 64);  // every batch
    QCOMPARE(m_window->errorPlot()->epochCount(), 1);
    QVERIFY(m_window->grab().save(QStringLiteral(LENET_TEST_GRAB_PATH)));
}

void TestMainWindow::stopEndsARunQuickly() {
    if (!haveMnist()) QSKIP("MNIST is not installed (scripts/setup.sh --no-run fetches it)");
    setUpRun(3, 20000, 500);
    TrainingController* controller = m_window->controller();
    QSignalSpy progressed(controller, &TrainingController::progressed);
    QSignalSpy finished(controller, &TrainingController::finished);
    QSignalSpy failed(controller, &TrainingController::failed);

    QTest::keyClick(m_window.get(), Qt::Key_Space);  // the Train shortcut
    QVERIFY(controller->isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(progressed.count() > 0 || !failed.isEmpty(), 60000);
    QVERIFY(failed.isEmpty());

    QElapsedTimer sinceStop;
    sinceStop.start();
    QTest::keyClick(m_window.get(), Qt::Key_Escape);  // the Stop shortcut
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 2000);
    QVERIFY2(sinceStop.elapsed() < 2000, qPrintable(QString::number(sinceStop.elapsed())));
    QCOMPARE(finished.front().at(2).toString(), QStringLiteral("stopped"));
    QVERIFY(qvariant_cast<EpochHistory>(finished.front().at(0)).size() < 3);
    QVERIFY(!controller->isRunning());
    QVERIFY(child<QPushButton>("train")->isEnabled());
}

QTEST_MAIN(TestMainWindow)
void TestMainWindow::divergedRunKeepsTheLastGoodWeights() {
    if (!haveMnist()) QSKIP("MNIST is not installed (scripts/setup.sh --no-run fetches it)");
    setUpRun(1, 2000, 500);
    auto* rate = child<QDoubleSpinBox>("learningRate");
    QVERIFY(rate);
    rate->setValue(10.0);  // Adam at 10 blows the loss up within two batches
    TrainingController* controller = m_window->controller();
    QSignalSpy diverged(controller, &TrainingController::diverged);
    QSignalSpy failed(controller, &TrainingController::failed);

    QTest::keyClick(m_window.get(), Qt::Key_Space);
    QTRY_VERIFY_WITH_TIMEOUT(!diverged.isEmpty() || !failed.isEmpty(), 60000);
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
    QVERIFY(m_window->canSaveModel());  // the restored weights can be saved
}

#include "test_main_window.moc"
