// Qt Test of the drawing panel: mouse strokes become the same 32x32 input as the command line's
// `lenet predict` path (PNG -> readImageFile -> mnistStyle -> toInput), a vertical stroke is a 1
// for the bundled lenet5-1998 model, undo/clear, and the drawing becomes the selection.
#include <algorithm>
#include <cmath>
#include <memory>

#include <QPainter>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

#include "lenet/data/preprocess.h"
#include "lenet/model_io.h"
#include "support/histories.h"
#include "ui/inspect/bundled_model.h"
#include "ui/inspect/class_bars.h"
#include "ui/inspect/digit_canvas.h"
#include "ui/inspect/drawing_panel.h"
#include "ui/inspect/preprocess_strip.h"
#include "ui/inspect/selection_model.h"

using lenet::ui::ClassBars;
using lenet::ui::DigitCanvas;
using lenet::ui::DrawingPanel;
using lenet::ui::SelectionModel;
using lenet::ui::test::drawStroke;

namespace {

/// A vertical stroke from (140, 40) to (140, 240) in steps of 20 pixels.
std::vector<QPoint> verticalStroke() {
    std::vector<QPoint> points;
    for (int y = 40; y <= 240; y += 20) points.emplace_back(140, y);
    return points;
}

}  // namespace

class TestInspectCanvas : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void strokeBecomesTheCommandLinesInput();
    void verticalStrokeIsAOne();
    void drawnSevenIsASeven();
    void anXIsUnsure();
    void undoAndClear();
    void penWidthSliderSetsTheWidth();
    void drawingBecomesTheSelection();

private:
    std::shared_ptr<const lenet::Network> m_net;
    std::unique_ptr<DrawingPanel> m_panel;
    QTemporaryDir m_dir;
};

void TestInspectCanvas::initTestCase() {
    try {
        m_net = std::make_shared<const lenet::Network>(lenet::ui::loadBundledModel().network);
    } catch (const std::exception& e) {
        QFAIL(qPrintable(QStringLiteral("cannot load the bundled model: %1").arg(e.what())));
    }
    QVERIFY(m_dir.isValid());
}

void TestInspectCanvas::init() {
    m_panel = std::make_unique<DrawingPanel>();
    m_panel->resize(640, 520);
    m_panel->setNetwork(m_net);
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
    // Canvas pixels = widget pixels, so that the test's points are canvas points.
    m_panel->canvas()->setFixedSize(DigitCanvas::kSide, DigitCanvas::kSide);
    QTRY_COMPARE(m_panel->canvas()->size(), QSize(DigitCanvas::kSide, DigitCanvas::kSide));
}

void TestInspectCanvas::cleanup() {
    m_panel.reset();
}

void TestInspectCanvas::strokeBecomesTheCommandLinesInput() {
    drawStroke(m_panel->canvas(), verticalStroke());
    QCOMPARE(m_panel->canvas()->strokeCount(), 1);
    const lenet::Tensor& input = m_panel->input();
    QCOMPARE(input.shape(), (lenet::Shape{1, 32, 32}));
    const lenet::InputFormat format = m_net->spec().inputFormat();

    // The same canvas saved as PNG and read the way `lenet predict` reads it: identical input.
    const QString png = m_dir.filePath(QStringLiteral("stroke.png"));
    QVERIFY(m_panel->canvas()->inkImage().save(png));
    std::vector<float> cli(32 * 32);
    lenet::toInput(lenet::mnistStyle(lenet::readImageFile(png.toStdString())), format, cli.data());
    for (int i = 0; i < 32 * 32; ++i) QCOMPARE(input[std::size_t(i)], cli[std::size_t(i)]);

    // An independent rendering of the same line (one QPainter line, not the canvas's strokes).
    QImage line(DigitCanvas::kSide, DigitCanvas::kSide, QImage::Format_RGB32);
    line.fill(Qt::black);
    {
        QPainter p(&line);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(QPen(Qt::white, DigitCanvas::kDefaultPenWidth, Qt::SolidLine, Qt::RoundCap));
        p.drawLine(QPointF(140, 40), QPointF(140, 240));
    }
    const QString linePng = m_dir.filePath(QStringLiteral("line.png"));
    QVERIFY(line.save(linePng));
    std::vector<float> expected(32 * 32);
    lenet::toInput(lenet::mnistStyle(lenet::readImageFile(linePng.toStdString())), format,
                   expected.data());
    float maxDiff = 0.0f;
    for (int i = 0; i < 32 * 32; ++i)
        maxDiff = std::max(maxDiff, std::abs(input[std::size_t(i)] - expected[std::size_t(i)]));
    QVERIFY2(maxDiff < 0.05f, qPrintable(QStringLiteral("max difference %1").arg(maxDiff)));

    // MNIST geometry: a 20-pixel-high bar, centred, inside the 2-pixel padding of 28x28.
    const float background = -0.1f;  // LeCun normalisation of no ink
    int top = 32, bottom = -1, left = 32, right = -1;
    for (int r = 0; r < 32; ++r)
        for (int c = 0; c < 32; ++c)
            if (input[std::size_t(r * 32 + c)] > background + 0.3f) {
                top = std::min(top, r);
                bottom = std::max(bottom, r);
                left = std::min(left, c);
                right = std::max(right, c);
            }
    QCOMPARE(bottom - top + 1, 20);
    QVERIFY2(top >= 6 && bottom <= 25,
             qPrintable(QStringLiteral("rows %1..%2").arg(top).arg(bottom)));
    QVERIFY2(left >= 14 && right <= 17,
             qPrintable(QStringLiteral("columns %1..%2").arg(left).arg(right)));

    // The strip shows the five steps, the last one the padded input size.
    const auto& steps = m_panel->strip()->images();
    QCOMPARE(int(steps.size()), 5);
    QCOMPARE(steps[0].size(), QSize(DigitCanvas::kSide, DigitCanvas::kSide));
    QCOMPARE(std::max(steps[2].width(), steps[2].height()), 20);
    QCOMPARE(steps[3].size(), QSize(28, 28));
    QCOMPARE(steps[4].size(), QSize(32, 32));
}

void TestInspectCanvas::verticalStrokeIsAOne() {
    drawStroke(m_panel->canvas(), verticalStroke());
    QCOMPARE(m_panel->predictedClass(), 1);
    QVERIFY(m_panel->answerText().startsWith(QLatin1Char('1')));
    // lenet5-1998: an RBF head, shown as calibrated probabilities with its distance in the text.
    QCOMPARE(m_panel->bars()->mode(), ClassBars::Mode::Probability);
    QVERIFY(m_panel->answerText().contains(QStringLiteral("distance")));
    QVERIFY(!m_panel->answerText().contains(QStringLiteral("unsure")));
    QCOMPARE(m_panel->bars()->winner(), 1);
    QCOMPARE(int(m_panel->bars()->values().size()), 10);
}

void TestInspectCanvas::drawnSevenIsASeven() {
    drawStroke(m_panel->canvas(), {{80, 60},
                                   {120, 60},
                                   {160, 60},
                                   {200, 60},
                                   {185, 100},
                                   {170, 140},
                                   {155, 180},
                                   {140, 220},
                                   {132, 245}});
    QCOMPARE(m_panel->predictedClass(), 7);
    QVERIFY(m_panel->grab().save(QStringLiteral(LENET_TEST_GRAB_PATH)));
}

void TestInspectCanvas::anXIsUnsure() {
    // The bundled model is calibrated: an X reads as part 4, part 8 and is called unsure.
    drawStroke(m_panel->canvas(), {{70, 70}, {140, 140}, {210, 210}});
    drawStroke(m_panel->canvas(), {{210, 70}, {140, 140}, {70, 210}});
    QVERIFY2(
        m_panel->answerText().startsWith(QStringLiteral("?\nunsure — does not look like a digit")),
        qPrintable(m_panel->answerText()));
    QCOMPARE(m_panel->bars()->mode(), ClassBars::Mode::Probability);
}

void TestInspectCanvas::undoAndClear() {
    DigitCanvas* canvas = m_panel->canvas();
    QSignalSpy changed(canvas, &DigitCanvas::drawingChanged);
    drawStroke(canvas, verticalStroke());
    const std::vector<float> one(m_panel->input().values().begin(),
                                 m_panel->input().values().end());
    drawStroke(canvas, {{90, 60}, {190, 60}});
    QCOMPARE(canvas->strokeCount(), 2);
    QVERIFY(changed.count() >= 3);
    QVERIFY(!std::equal(one.begin(), one.end(), m_panel->input().values().begin()));

    canvas->setFocus();
    QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(canvas->strokeCount(), 1);
    QVERIFY(std::equal(one.begin(), one.end(), m_panel->input().values().begin()));

    QTest::keyClick(canvas, Qt::Key_Delete);
    QVERIFY(canvas->isEmpty());
    QCOMPARE(m_panel->input().size(), std::size_t(0));
    QCOMPARE(m_panel->predictedClass(), -1);
    QCOMPARE(m_panel->bars()->winner(), -1);
    QVERIFY(m_panel->strip()->images().empty());
}

void TestInspectCanvas::penWidthSliderSetsTheWidth() {
    auto* slider = m_panel->findChild<QSlider*>(QStringLiteral("penWidth"));
    QVERIFY(slider);
    QVERIFY(!slider->toolTip().isEmpty());
    slider->setValue(10);
    QCOMPARE(m_panel->canvas()->penWidth(), 10.0);
    drawStroke(m_panel->canvas(), verticalStroke());
    // A thinner pen leaves less ink on the canvas.
    const auto inkSum = [](const lenet::InkImage& im) {
        double s = 0.0;
        for (float v : im.ink) s += v;
        return s;
    };
    const double thin = inkSum(m_panel->canvas()->ink());
    m_panel->canvas()->clear();
    slider->setValue(30);
    drawStroke(m_panel->canvas(), verticalStroke());
    QVERIFY(inkSum(m_panel->canvas()->ink()) > 2.0 * thin);
}

void TestInspectCanvas::drawingBecomesTheSelection() {
    SelectionModel selection;
    m_panel->setSelectionModel(&selection);
    QSignalSpy changed(&selection, &SelectionModel::changed);
    drawStroke(m_panel->canvas(), verticalStroke());
    QVERIFY(changed.count() >= 1);
    QCOMPARE(selection.current().image.rows, 28);
    QCOMPARE(selection.current().image.cols, 28);
    QCOMPARE(selection.current().testIndex, -1);
}

QTEST_MAIN(TestInspectCanvas)
#include "test_inspect_canvas.moc"
