// Qt Test of where exports go: the first starts in the home folder, the next in the folder the
// last one went to, and each says in the main window's status bar where it wrote, also from a
// view in a floating dock.
#include <QDir>
#include <QDockWidget>
#include <QLabel>
#include <QMainWindow>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QtTest>

#include "ui/inspect/export.h"

class TestExportFolder : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void remembersTheFolderAndSaysWhereItWrote();
};

void TestExportFolder::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // QSettings go to a test location
    QCoreApplication::setOrganizationName(QStringLiteral("LeNet Studio"));
    QCoreApplication::setApplicationName(QStringLiteral("lenet-studio-export-test"));
    QSettings().clear();
}

void TestExportFolder::remembersTheFolderAndSaysWhereItWrote() {
    QCOMPARE(lenet::ui::exportFolder(), QDir::homePath());
    QMainWindow window;
    auto* dock = new QDockWidget(QStringLiteral("view"), &window);
    auto* view = new QLabel(QStringLiteral("a view"));
    dock->setWidget(view);
    window.addDockWidget(Qt::RightDockWidgetArea, dock);
    dock->setFloating(true);
    const QString path = QDir::temp().filePath(QStringLiteral("exports/maps.png"));
    lenet::ui::confirmExport(view, path);
    QCOMPARE(lenet::ui::exportFolder(), QDir::temp().filePath(QStringLiteral("exports")));
    QVERIFY2(window.statusBar()->currentMessage().contains(QDir::toNativeSeparators(path)),
             qPrintable(window.statusBar()->currentMessage()));
    QSettings().clear();
}

QTEST_MAIN(TestExportFolder)
#include "test_export_folder.moc"
