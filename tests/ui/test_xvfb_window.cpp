// The real application in a real X server: runs lenet-studio under xvfb-run, presses Train with a
// real X11 key event from xdotool, and has the app save a screenshot of itself mid-training into
// the build folder (test_xvfb_window.png). Skipped when xvfb-run, xdotool or MNIST are missing.
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QtTest>

#include "lenet/data/idx.h"
#include "lenet/error.h"

class TestXvfbWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void trainsInARealWindow();
};

void TestXvfbWindow::trainsInARealWindow() {
    for (const char* tool : {"xvfb-run", "xdotool", "bash"}) {
        if (QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty()) {
            QSKIP(qPrintable(QStringLiteral("%1 is not installed").arg(QLatin1String(tool))));
        }
    }
    try {
        lenet::loadSplit(lenet::defaultDataDir(), lenet::Split::Test);
    } catch (const lenet::Error&) {
        QSKIP("MNIST is not installed (scripts/setup.sh --no-run fetches it)");
    }
    const QString screenshot = QStringLiteral(LENET_TEST_GRAB_PATH);
    const QString app = QFileInfo(screenshot).dir().filePath(QStringLiteral("app/lenet-studio"));
    QVERIFY2(QFileInfo(app).isExecutable(), qPrintable(app + " is missing: build lenet-studio"));
    QFile::remove(screenshot);

    // Start the app, wait for its window, focus it and press Space (Train) as a user would; the
    // app takes its screenshot 4 s after it shows and quits.
    const QString script = QStringLiteral(
        "set -e\n"
        "\"$1\" --preset lenet5-modern --epochs 2 --train-limit 20000 --test-limit 1000 "
        "--grab \"$2\" --grab-delay 4000 &\n"
        "pid=$!\n"
        "wid=$(timeout 20 xdotool search --sync --onlyvisible --name 'LeNet Studio' | head -1)\n"
        "xdotool windowfocus --sync \"$wid\" || true\n"
        "sleep 0.3\n"
        "xdotool key space\n"
        "wait $pid\n");
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));  // the app must use the X server
    process.setProcessEnvironment(env);
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral("xvfb-run"),
                  {QStringLiteral("-a"), QStringLiteral("-s"),
                   QStringLiteral("-screen 0 1600x1000x24"), QStringLiteral("bash"),
                   QStringLiteral("-c"), script, QStringLiteral("xvfb-shot"), app, screenshot});
    QVERIFY(process.waitForStarted());
    QVERIFY2(process.waitForFinished(60000), "the app under Xvfb did not finish within 60 s");
    const QString output = QString::fromLocal8Bit(process.readAll());
    QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0,
             qPrintable(output));

    // The app reports what it saved: a run in progress with batches on the loss plot.
    const QRegularExpression report(
        QStringLiteral("saved .*; training (running|paused), (\\d+) batches plotted"));
    const QRegularExpressionMatch match = report.match(output);
    QVERIFY2(match.hasMatch(), qPrintable(output));
    QVERIFY2(match.captured(2).toInt() > 0, qPrintable(output));
    const QImage image(screenshot);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() >= 1000 && image.height() >= 600);
}

QTEST_MAIN(TestXvfbWindow)
#include "test_xvfb_window.moc"
