// Qt Test of the studio's rows of the bad-input table: an empty drawing and strokes outside the
// canvas give no answer but a hint, and a corrupt model file (flipped byte, newer version,
// truncated, a FIFO) opened in the window is explained while the current model stays.
#include <sys/stat.h>

#include <memory>

#include <QMessageBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "lenet/file_io.h"
#include "lenet/model_io.h"
#include "ui/inspect/bundled_model.h"
#include "ui/inspect/class_bars.h"
#include "ui/inspect/digit_canvas.h"
#include "ui/inspect/drawing_panel.h"
#include "ui/inspect/preprocess_strip.h"
#include "ui/window/main_window.h"
#include "ui/window/run_status_bar.h"

using lenet::ui::DigitCanvas;
using lenet::ui::DrawingPanel;
using lenet::ui::MainWindow;
using lenet::ui::NetworkSnapshot;

class TestBadInputUi : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void emptyCanvasShowsAHintAndNoAnswer();
    void strokeOutsideTheCanvasGivesNoAnswer();
    void corruptModelFileKeepsTheCurrentModel_data();
    void corruptModelFileKeepsTheCurrentModel();

private:
    /// A drawing panel classifying with the bundled lenet5-1998 model, canvas pixels = widget
    /// pixels.
    std::unique_ptr<DrawingPanel> makePanel();

    NetworkSnapshot m_bundled;
    QTemporaryDir m_dir;
};

void TestBadInputUi::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // the window's QSettings are not the user's
    try {
        m_bundled = std::make_shared<const lenet::Network>(lenet::ui::loadBundledModel().network);
    } catch (const std::exception& e) {
        QFAIL(qPrintable(QStringLiteral("cannot load the bundled model: %1").arg(e.what())));
    }
    QVERIFY(m_dir.isValid());
}

std::unique_ptr<DrawingPanel> TestBadInputUi::makePanel() {
    auto panel = std::make_unique<DrawingPanel>();
    panel->resize(640, 520);
    panel->setNetwork(m_bundled);
    panel->show();
    if (!QTest::qWaitForWindowExposed(panel.get())) qWarning("the panel was not exposed");
    panel->canvas()->setFixedSize(DigitCanvas::kSide, DigitCanvas::kSide);
    return panel;
}

void TestBadInputUi::emptyCanvasShowsAHintAndNoAnswer() {
    const std::unique_ptr<DrawingPanel> panel = makePanel();
    QVERIFY(panel->canvas()->isEmpty());
    QCOMPARE(panel->predictedClass(), -1);
    QCOMPARE(panel->input().size(), std::size_t(0));
    QCOMPARE(panel->bars()->winner(), -1);
    QVERIFY(panel->strip()->images().empty());
    QVERIFY2(panel->answerText().contains(QStringLiteral("Draw a digit on the canvas.")),
             qPrintable(panel->answerText()));
    QVERIFY(panel->grab().save(QStringLiteral(LENET_TEST_GRAB_PATH)));
}

void TestBadInputUi::strokeOutsideTheCanvasGivesNoAnswer() {
    const std::unique_ptr<DrawingPanel> panel = makePanel();
    DigitCanvas* canvas = panel->canvas();
    // A stroke that starts and stays left of the canvas, farther than the pen reaches.
    QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(-60, 40));
    QTest::mouseMove(canvas, QPoint(-60, 240));
    QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(-60, 240));
    QCOMPARE(canvas->strokeCount(), 1);
    QCOMPARE(panel->predictedClass(), -1);
    QCOMPARE(panel->input().size(), std::size_t(0));
    QCOMPARE(panel->bars()->winner(), -1);
    QVERIFY2(panel->answerText().contains(QStringLiteral("Nothing drawn inside the canvas.")),
             qPrintable(panel->answerText()));
}

void TestBadInputUi::corruptModelFileKeepsTheCurrentModel_data() {
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("message");
    QTest::newRow("flipped byte") << QStringLiteral("flip")
                                  << QStringLiteral("checksum mismatch: the file is corrupt");
    QTest::newRow("newer version")
        << QStringLiteral("version") << QStringLiteral("model file version 99 is not supported");
    QTest::newRow("truncated") << QStringLiteral("truncate")
                               << QStringLiteral(
                                      "checksum mismatch: the file is corrupt or "
                                      "truncated");
    QTest::newRow("FIFO") << QStringLiteral("fifo") << QStringLiteral("is a FIFO, not a file");
}

void TestBadInputUi::corruptModelFileKeepsTheCurrentModel() {
    QFETCH(QString, damage);
    QFETCH(QString, message);
    const std::string good = m_dir.filePath(QStringLiteral("good.lenet")).toStdString();
    lenet::saveModel(good, *m_bundled, {});
    std::string bytes = lenet::readFile(good);
    if (damage == QStringLiteral("flip")) {
        bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x01);
    } else if (damage == QStringLiteral("version")) {
        bytes[8] = char(99);  // the u32 version after the 8-byte magic
    } else {
        bytes.resize(bytes.size() - 100);
    }
    const QString path = m_dir.filePath(damage + QStringLiteral(".lenet"));
    if (damage == QStringLiteral("fifo"))
        QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0644), 0);
    else
        lenet::writeFileAtomically(path.toStdString(), bytes);

    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.resetWeights();  // a current model to keep
    const NetworkSnapshot current = window.network();
    QVERIFY(current);
    QVERIFY(!window.openModel(path));
    QCOMPARE(window.network(), current);
    QVERIFY(window.runStatusBar()->showsError());
    QMessageBox* box = nullptr;
    for (QMessageBox* candidate :
         window.findChildren<QMessageBox*>(QStringLiteral("problemMessage")))
        if (candidate->isVisible()) box = candidate;
    QVERIFY(box);
    QVERIFY2(box->text().contains(QStringLiteral("the current one stays")),
             qPrintable(box->text()));
    QVERIFY2(box->text().contains(path + QStringLiteral(": ") + message), qPrintable(box->text()));
    box->close();
}

QTEST_MAIN(TestBadInputUi)
#include "test_bad_input_ui.moc"
