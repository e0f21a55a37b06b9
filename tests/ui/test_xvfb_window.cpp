// The real application in a real X server: runs lenet-studio under xvfb-run, presses Train with a
// real X11 key event from xdotool, and has the app save a screenshot of itself mid-training into
// the build folder (test_xvfb_window.png); and draws a 7 on the canvas of a freshly started app
// with real mouse events, queued while the app is busy, which the bundled model must read as 7
// (test_xvfb_window_drawing.png).
// Skipped when xvfb-run or xdotool are missing (the training case also without MNIST).
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "lenet/data/idx.h"
#include "lenet/error.h"
#include "support/time_scale.h"

using lenet::test::scaledMs;

class TestXvfbWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void trainsInARealWindow();
    void readsADigitDrawnWithRealMouseEvents();

private:
    /// Runs `script` (bash; $1 = the app, $2 = the screenshot path) under xvfb-run and returns
    /// what it printed; fails the test when it does not end well within a minute (scaled).
    QString runUnderXvfb(const QString& script, const QString& screenshot);
};

namespace {

/// `ms` milliseconds stretched by the test time scale, in seconds for the shell's sleep and
/// timeout.
QString shellSeconds(int ms) {
    return QString::number(scaledMs(ms) / 1000.0);
}

void skipWithoutXTools() {
    for (const char* tool : {"xvfb-run", "xdotool", "bash"}) {
        if (QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty()) {
            QSKIP(qPrintable(QStringLiteral("%1 is not installed").arg(QLatin1String(tool))));
        }
    }
}

}  // namespace

QString TestXvfbWindow::runUnderXvfb(const QString& script, const QString& screenshot) {
    const QString app = QFileInfo(QStringLiteral(LENET_TEST_GRAB_PATH))
                            .dir()
                            .filePath(QStringLiteral("app/lenet-studio"));
    if (!QFileInfo(app).isExecutable()) {
        QTest::qFail(qPrintable(app + " is missing: build lenet-studio"), __FILE__, __LINE__);
        return {};
    }
    QFile::remove(screenshot);
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));  // the app must use the X server
    // A freshly installed studio: no saved layout, no "my digits" of the user's.
    const QTemporaryDir home;
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
    process.setProcessEnvironment(env);
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral("xvfb-run"),
                  {QStringLiteral("-a"), QStringLiteral("-s"),
                   QStringLiteral("-screen 0 1600x1000x24"), QStringLiteral("bash"),
                   QStringLiteral("-c"), script, QStringLiteral("xvfb-shot"), app, screenshot});
    if (!process.waitForStarted() || !process.waitForFinished(scaledMs(60000))) {
        QTest::qFail(qPrintable(QStringLiteral("the app under Xvfb did not finish within %1 s")
                                    .arg(shellSeconds(60000))),
                     __FILE__, __LINE__);
        return {};
    }
    const QString output = QString::fromLocal8Bit(process.readAll());
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        QTest::qFail(qPrintable(output), __FILE__, __LINE__);
    }
    return output;
}

void TestXvfbWindow::trainsInARealWindow() {
    skipWithoutXTools();
    try {
        lenet::loadSplit(lenet::defaultDataDir(), lenet::Split::Test);
    } catch (const lenet::Error&) {
        QSKIP("MNIST is not installed (scripts/setup.sh --no-run fetches it)");
    }
    // Start the app, wait for its window, focus it and press Space (Train) as a user would; the
    // app takes its screenshot 4 s after it shows and quits.
    const QString screenshot = QStringLiteral(LENET_TEST_GRAB_PATH);
    const QString output = runUnderXvfb(
        QStringLiteral("set -e\n"
                       "\"$1\" --preset lenet5-modern --epochs 3 "
                       "--test-limit 1000 --grab \"$2\" --grab-delay %1 &\n"
                       "pid=$!\n"
                       "wid=$(timeout %2 xdotool search --sync --onlyvisible --name 'LeNet "
                       "Studio' | head -1)\n"
                       "xdotool windowfocus --sync \"$wid\" || true\n"
                       "sleep %3\n"
                       "xdotool key space\n"
                       "wait $pid\n")
            .arg(scaledMs(4000))
            .arg(shellSeconds(20000), shellSeconds(300)),
        screenshot);
    if (QTest::currentTestFailed()) return;

    // The app reports what it saved: batches on the loss plot, so Space started a run (normally
    // still running; on a fast machine it may have ended before the screenshot).
    const QRegularExpression report(
        QStringLiteral("saved .*; training (running|paused|idle), (\\d+) batches plotted"));
    const QRegularExpressionMatch match = report.match(output);
    QVERIFY2(match.hasMatch(), qPrintable(output));
    QVERIFY2(match.captured(2).toInt() > 0, qPrintable(output));
    const QImage image(screenshot);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() >= 1000 && image.height() >= 600);
}

void TestXvfbWindow::readsADigitDrawnWithRealMouseEvents() {
    skipWithoutXTools();
    // The window at the top left in its default layout (1440x900): the canvas of the "Draw a
    // digit" panel covers about x 875-1200, y 230-555. A 7: the top bar, then the diagonal.
    // The app is stopped while the stroke is drawn, as if its GUI thread were busy: every move
    // is queued when it wakes up, and all of them must reach the canvas.
    QString strokes = QStringLiteral(
        "trap 'kill -CONT $pid 2>/dev/null || true' EXIT\n"
        "kill -STOP $pid\n"
        "xdotool mousemove 960 300 mousedown 1\n");
    for (int x = 960; x <= 1110; x += 10)
        strokes += QStringLiteral("xdotool mousemove %1 300\n").arg(x);
    for (int i = 0; i <= 200; i += 10) {
        strokes += QStringLiteral("xdotool mousemove %1 %2\n").arg(1110 - i / 2).arg(300 + i);
    }
    strokes += QStringLiteral("xdotool mouseup 1\nkill -CONT $pid\n");
    const QString screenshot = QFileInfo(QStringLiteral(LENET_TEST_GRAB_PATH))
                                   .dir()
                                   .filePath(QStringLiteral("test_xvfb_window_drawing.png"));
    const QString output = runUnderXvfb(
        QStringLiteral("set -e\n"
                       "\"$1\" --preset lenet5-1998 --grab \"$2\" --grab-delay %1 &\n"
                       "pid=$!\n"
                       "wid=$(timeout %2 xdotool search --sync --onlyvisible --name 'LeNet "
                       "Studio' | head -1)\n"
                       "xdotool windowmove --sync \"$wid\" 0 0 windowsize --sync \"$wid\" 1440 900 "
                       "|| true\n"
                       "sleep %3\n")
                .arg(scaledMs(9000))
                .arg(shellSeconds(20000), shellSeconds(1500)) +
            strokes + QStringLiteral("wait $pid\n"),
        screenshot);
    if (QTest::currentTestFailed()) return;
    QVERIFY2(output.contains(QStringLiteral("canvas reads 7")), qPrintable(output));
}

QTEST_MAIN(TestXvfbWindow)
#include "test_xvfb_window.moc"
