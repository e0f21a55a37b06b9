// Qt Test: the studio's window opens when a file it reads at start is no file to read. A FIFO or
// a link to /dev/zero in the my-digits folder once kept the window from ever showing (the read
// blocked, or never ended); now the set is refused with a message naming what the file is. A hang
// is caught by ctest's time limit, not by a timed assertion. The test runs with its own $HOME,
// so that the my-digits folder it damages is not one another test reads.
#include <sys/stat.h>

#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "ui/inspect/inspection_panels.h"
#include "ui/inspect/my_digits_store.h"
#include "ui/window/main_window.h"

using lenet::ui::MainWindow;
using lenet::ui::MyDigitsStore;

class TestUnreadableFiles : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void windowOpensWhenMyDigitsAreNoFiles_data();
    void windowOpensWhenMyDigitsAreNoFiles();

private:
    QTemporaryDir m_home;
};

void TestUnreadableFiles::initTestCase() {
    QVERIFY(m_home.isValid());
    qputenv("HOME", QFile::encodeName(m_home.path()));
    QStandardPaths::setTestModeEnabled(true);  // under the temporary $HOME
    QVERIFY(MyDigitsStore::defaultFolder().startsWith(m_home.path()));
}

void TestUnreadableFiles::windowOpensWhenMyDigitsAreNoFiles_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("message");
    QTest::newRow("FIFO") << QStringLiteral("fifo") << QStringLiteral("is a FIFO, not a file");
    QTest::newRow("link to /dev/zero")
        << QStringLiteral("zero") << QStringLiteral("is a character device, not a file");
}

void TestUnreadableFiles::windowOpensWhenMyDigitsAreNoFiles() {
    QFETCH(QString, kind);
    QFETCH(QString, message);
    const QString folder = MyDigitsStore::defaultFolder();
    QVERIFY(QDir(folder).removeRecursively());
    QVERIFY(QDir().mkpath(folder));
    const MyDigitsStore names(folder);
    for (const QString& path : {names.imagesPath(), names.labelsPath()}) {
        if (kind == QStringLiteral("fifo"))
            QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0644), 0);
        else
            QVERIFY(QFile::link(QStringLiteral("/dev/zero"), path));
    }

    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QString error = window.inspection()->myDigits()->loadError();
    QVERIFY2(error.contains(names.imagesPath() + QStringLiteral(": ") + message),
             qPrintable(error));
}

QTEST_MAIN(TestUnreadableFiles)
#include "test_unreadable_files.moc"
