// Qt Test of the studio window on a small screen: an offscreen screen of its own, 1024x768 or
// the size in $LENET_TEST_SCREEN (WxH; tests/ui/CMakeLists.txt runs it at 1280x720 too, and at
// 2560x1440 with QT_SCALE_FACTOR=2). The window and every control of the panels on show lie
// inside the available screen, at the first launch and with a geometry remembered from a
// 1440x900 window; no tab has its name elided; the Training form needs no sideways scrolling,
// with and without its preview of distorted samples, and shows each choice of its lists whole; a preset switch keeps the image limits the
// user chose; and the menus' shortcuts work while a spin box has the focus.
#include <memory>

#include <QAbstractButton>
#include <QAbstractScrollArea>
#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStyleOptionComboBox>
#include <QTabBar>
#include <QTemporaryDir>
#include <QtTest>

#include "ui/collapsible_section.h"
#include "ui/training/training_controller.h"
#include "ui/training/training_controls.h"
#include "ui/window/main_window.h"

using lenet::ui::MainWindow;

class TestScreenFit : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void firstLaunchFitsTheScreen();
    void rememberedLargerGeometryIsMadeToFit();
    void noTabNameIsElided();
    void trainingFormNeedsNoSidewaysScrolling_data();
    void trainingFormNeedsNoSidewaysScrolling();
    void presetSwitchKeepsTheUsersLimits();
    void shortcutsWorkWhileASpinBoxHasTheFocus();

private:
    /// A window shown as the app shows it (restoreSettings, then show).
    std::unique_ptr<MainWindow> showWindow();
    /// Fails unless `window`, each dock on show and each control in it (those in a scroll area
    /// excepted: they scroll into view) lie inside the available screen and their dock.
    void verifyInsideTheScreen(const MainWindow& window);
};

namespace {

QRect globalRect(const QWidget* widget) {
    return {widget->mapToGlobal(QPoint(0, 0)), widget->size()};
}

/// True when a scroll area lies between `widget` and `top`: it can be scrolled into view.
bool insideScrollArea(const QWidget* widget, const QWidget* top) {
    for (const QWidget* w = widget->parentWidget(); w && w != top; w = w->parentWidget()) {
        if (qobject_cast<const QAbstractScrollArea*>(w)) return true;
    }
    return false;
}

}  // namespace

void TestScreenFit::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // QSettings go to a test location
    QCoreApplication::setOrganizationName(QStringLiteral("LeNet Studio"));
    QCoreApplication::setApplicationName(QStringLiteral("lenet-studio-screen-test"));
    QSettings().clear();
    qInfo("screen %dx%d, available %dx%d", QGuiApplication::primaryScreen()->size().width(),
          QGuiApplication::primaryScreen()->size().height(),
          QGuiApplication::primaryScreen()->availableGeometry().width(),
          QGuiApplication::primaryScreen()->availableGeometry().height());
}

void TestScreenFit::cleanup() {
    QSettings().clear();
}

std::unique_ptr<MainWindow> TestScreenFit::showWindow() {
    auto window = std::make_unique<MainWindow>();
    window->restoreSettings();
    window->show();
    if (!QTest::qWaitForWindowExposed(window.get())) qWarning("the window did not show");
    QTest::qWait(50);  // the docks' layout settles
    return window;
}

void TestScreenFit::verifyInsideTheScreen(const MainWindow& window) {
    const QRect screen = window.screen()->availableGeometry();
    QVERIFY2(screen.contains(window.frameGeometry()),
             qPrintable(QStringLiteral("window %1x%2+%3+%4, screen %5x%6 (minimum %7x%8)")
                            .arg(window.frameGeometry().width())
                            .arg(window.frameGeometry().height())
                            .arg(window.frameGeometry().x())
                            .arg(window.frameGeometry().y())
                            .arg(screen.width())
                            .arg(screen.height())
                            .arg(window.minimumSizeHint().width())
                            .arg(window.minimumSizeHint().height())));
    const QRect inside = globalRect(&window);
    for (const QDockWidget* dock : window.findChildren<QDockWidget*>()) {
        if (!dock->isVisible() || dock->visibleRegion().isEmpty()) continue;  // a tab behind
        const QRect dockRect = globalRect(dock);
        QVERIFY2(inside.contains(dockRect), qPrintable(dock->objectName()));
        for (const QWidget* control : dock->findChildren<QWidget*>()) {
            const bool isControl = qobject_cast<const QAbstractButton*>(control) ||
                                   qobject_cast<const QAbstractSpinBox*>(control) ||
                                   qobject_cast<const QComboBox*>(control) ||
                                   qobject_cast<const QAbstractSlider*>(control);
            if (!isControl || !control->isVisible() || insideScrollArea(control, dock)) continue;
            QVERIFY2(
                dockRect.contains(globalRect(control)),
                qPrintable(QStringLiteral("%1 in %2: %3 wide at x %4 of %5")
                               .arg(control->objectName().isEmpty()
                                        ? QString::fromLatin1(control->metaObject()->className())
                                        : control->objectName(),
                                    dock->objectName())
                               .arg(control->width())
                               .arg(control->mapTo(dock, QPoint(0, 0)).x())
                               .arg(dock->width())));
        }
    }
}

void TestScreenFit::firstLaunchFitsTheScreen() {
    const auto window = showWindow();
    verifyInsideTheScreen(*window);
    // Most of the screen is used, not a small window in its middle.
    const QRect screen = window->screen()->availableGeometry();
    QVERIFY(window->width() >= screen.width() * 8 / 10);
    QVERIFY(window->height() >= screen.height() * 8 / 10);
}

void TestScreenFit::rememberedLargerGeometryIsMadeToFit() {
    {
        // A window that was 1440x900 on a larger screen, with the same layout of the docks.
        MainWindow large;
        large.setGeometry(QRect(100, 80, 1440, 900));
        large.saveSettings();
    }
    const auto window = showWindow();
    verifyInsideTheScreen(*window);
}

void TestScreenFit::noTabNameIsElided() {
    const auto window = showWindow();
    const QList<QTabBar*> bars = window->findChildren<QTabBar*>();
    int tabs = 0;
    for (const QTabBar* bar : bars) {
        if (!bar->isVisible()) continue;
        const int padding = bar->style()->pixelMetric(QStyle::PM_TabBarTabHSpace, nullptr, bar);
        for (int i = 0; i < bar->count(); ++i, ++tabs) {
            const int needed = bar->fontMetrics().horizontalAdvance(bar->tabText(i)) + padding;
            QVERIFY2(bar->tabRect(i).width() >= needed,
                     qPrintable(QStringLiteral("tab \"%1\" is %2 px wide, its name needs %3")
                                    .arg(bar->tabText(i))
                                    .arg(bar->tabRect(i).width())
                                    .arg(needed)));
        }
    }
    QVERIFY(tabs >= 11);  // Architecture and Training, and the nine views
}

void TestScreenFit::trainingFormNeedsNoSidewaysScrolling_data() {
    QTest::addColumn<QString>("preset");
    QTest::newRow("first launch") << QString();
    // Distortions on: the form shows its preview of distorted samples.
    QTest::newRow("distortions") << QStringLiteral("lenet5-1998-distorted");
}

void TestScreenFit::trainingFormNeedsNoSidewaysScrolling() {
    QFETCH(QString, preset);
    const auto window = showWindow();
    if (!preset.isEmpty()) QVERIFY(window->selectPreset(preset));
    window->findChild<QDockWidget*>(QStringLiteral("trainingPanel"))->raise();
    auto* form = window->findChild<lenet::ui::TrainingControls*>();
    QVERIFY(form);
    // Every section open, as a user who looks at every setting has it.
    for (auto* section : form->findChildren<lenet::ui::CollapsibleSection*>())
        section->setExpanded(true);
    QTRY_VERIFY(form->isVisible());
    auto* scroll = qobject_cast<QScrollArea*>(form->parentWidget()->parentWidget());
    QVERIFY(scroll);
    // The widest control on show, to name in a failure.
    const QWidget* widest = form;
    for (const QWidget* w : form->findChildren<QWidget*>()) {
        if (w->isVisible() && w->findChildren<QWidget*>().isEmpty() &&
            (widest == form || w->minimumSizeHint().width() > widest->minimumSizeHint().width()))
            widest = w;
    }
    QTRY_VERIFY2(!scroll->horizontalScrollBar()->isVisible(),
                 qPrintable(QStringLiteral("the form needs %1 px, the panel has %2; the widest "
                                           "control is '%3' (%4), %5 px")
                                .arg(form->minimumSizeHint().width())
                                .arg(scroll->viewport()->width())
                                .arg(widest->objectName(), widest->metaObject()->className())
                                .arg(widest->minimumSizeHint().width())));
    // Every field whole, its arrows and check box included.
    const QRect inside = globalRect(scroll->viewport());
    for (const QWidget* field : form->findChildren<QWidget*>()) {
        if (!field->isVisible() || !(qobject_cast<const QAbstractSpinBox*>(field) ||
                                     qobject_cast<const QAbstractButton*>(field) ||
                                     qobject_cast<const QComboBox*>(field))) {
            continue;
        }
        const QRect r = globalRect(field);
        QVERIFY2(r.left() >= inside.left() && r.right() <= inside.right(),
                 qPrintable(field->objectName()));
    }
    // Every choice of every list whole once chosen, as wide as the style draws its text.
    for (const QComboBox* combo : form->findChildren<QComboBox*>()) {
        if (!combo->isVisible()) continue;
        QStyleOptionComboBox option;
        option.initFrom(combo);
        for (int i = 0; i < combo->count(); ++i) {
            const QSize text(combo->fontMetrics().horizontalAdvance(combo->itemText(i)),
                             combo->fontMetrics().height());
            const int needed =
                combo->style()->sizeFromContents(QStyle::CT_ComboBox, &option, text, combo).width();
            QVERIFY2(combo->width() >= needed,
                     qPrintable(QStringLiteral("'%1' in %2 needs %3 px, the list is %4 px wide")
                                    .arg(combo->itemText(i), combo->objectName())
                                    .arg(needed)
                                    .arg(combo->width())));
        }
    }
}

void TestScreenFit::presetSwitchKeepsTheUsersLimits() {
    const auto window = showWindow();
    auto* limit = window->findChild<QSpinBox*>(QStringLiteral("trainLimit"));
    auto* epochs = window->findChild<QSpinBox*>(QStringLiteral("epochs"));
    QVERIFY(limit && epochs);
    QVERIFY(window->selectPreset(QStringLiteral("lenet5-1998")));
    limit->setFocus();
    limit->selectAll();
    QTest::keyClicks(limit, QStringLiteral("2000"));
    QTest::keyClick(limit, Qt::Key_Enter);
    QCOMPARE(limit->value(), 2000);
    const int epochsBefore = epochs->value();
    QVERIFY(window->selectPreset(QStringLiteral("lenet5-modern")));
    QCOMPARE(limit->value(), 2000);
    QVERIFY(window->selectPreset(QStringLiteral("lenet1")));
    QCOMPARE(limit->value(), 2000);
    // What the user did not touch follows the preset.
    QVERIFY(window->selectPreset(QStringLiteral("lenet5-1998")));
    QCOMPARE(epochs->value(), epochsBefore);
}

void TestScreenFit::shortcutsWorkWhileASpinBoxHasTheFocus() {
    const auto window = showWindow();
    window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window.get()));
    auto* epochs = window->findChild<QSpinBox*>(QStringLiteral("epochs"));
    QVERIFY(epochs);
    window->findChild<QDockWidget*>(QStringLiteral("trainingPanel"))->raise();
    QTRY_VERIFY(epochs->isVisible());
    epochs->setFocus();
    QTRY_VERIFY(epochs->hasFocus());
    QTimer closer;  // closes what the shortcuts open: the export dialog, the offer to fetch MNIST
    closer.setInterval(20);
    connect(&closer, &QTimer::timeout, [] {
        if (QWidget* modal = QApplication::activeModalWidget()) modal->close();
    });
    closer.start();
    const auto trigger = [&](const QKeySequence& keys) {
        QAction* found = nullptr;
        for (QAction* action : window->findChildren<QAction*>()) {
            if (action->shortcut() == keys) found = action;
        }
        if (!found) return -1;
        QSignalSpy triggered(found, &QAction::triggered);
        // The window active again after a dialog (a window manager does that, offscreen not).
        window->activateWindow();
        if (!QTest::qWaitForWindowActive(window.get())) qWarning("the window is not active");
        epochs->setFocus();
        QTest::keyClick(epochs, keys[0].key(), keys[0].keyboardModifiers());
        return int(triggered.count());
    };
    // Ctrl+E (File > Export plots), which a line edit takes as "end of line" under X11's keys.
    QCOMPARE(trigger(QKeySequence(Qt::CTRL | Qt::Key_E)), 1);
    // Space (Train), which a spin box would take as typed text.
    window->setRunLimits(1, 100, 100);
    QCOMPARE(trigger(QKeySequence(Qt::Key_Space)), 1);
    window->stopTraining();
    QTRY_VERIFY_WITH_TIMEOUT(!window->controller()->isRunning(), 30000);
    QTRY_VERIFY(!QApplication::activeModalWidget());  // without MNIST: the offer to fetch it
    closer.stop();
    // Ctrl+3 brings the third view (Maps) forward.
    auto* maps = window->findChild<QDockWidget*>(QStringLiteral("featureMapsPanel"));
    QVERIFY(maps);
    QCOMPARE(trigger(QKeySequence(Qt::CTRL | Qt::Key_3)), 1);
    QTRY_VERIFY(!maps->visibleRegion().isEmpty());
}

int main(int argc, char** argv) {
    // An offscreen screen of the size under test (the platform's configuration file).
    const QByteArray size = qEnvironmentVariableIsSet("LENET_TEST_SCREEN")
                                ? qgetenv("LENET_TEST_SCREEN")
                                : QByteArray("1024x768");
    const QList<QByteArray> wh = size.split('x');
    if (wh.size() != 2 || wh[0].toInt() <= 0 || wh[1].toInt() <= 0) {
        qCritical("LENET_TEST_SCREEN must be WIDTHxHEIGHT, not '%s'", size.constData());
        return 2;
    }
    QTemporaryDir dir;
    const QString config = dir.filePath(QStringLiteral("screens.json"));
    QFile file(config);
    if (!file.open(QIODevice::WriteOnly)) return 2;
    file.write(QByteArrayLiteral(R"({"screens": [{"name": "test", "x": 0, "y": 0, "width": )") +
               wh[0] + QByteArrayLiteral(R"(, "height": )") + wh[1] +
               QByteArrayLiteral(R"(, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]})"));
    file.close();
    qputenv("QT_QPA_PLATFORM", QByteArrayLiteral("offscreen:configfile=") + config.toLocal8Bit());
    QApplication app(argc, argv);
    TestScreenFit test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_screen_fit.moc"
