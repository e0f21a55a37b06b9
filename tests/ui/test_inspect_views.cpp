// Qt Test of the views of one image and of the weights, on the bundled lenet5-1998 model and a
// drawn "7": feature maps (stages, image sizes, hover, click-to-enlarge, colour scales), the RBF
// centres and distances (and a softmax network's probabilities), the C3 kernel grid's 60
// connections, the invariance lab (transforms, sliders, live answer and maps), the backprop step
// view (the order in which nodes show outputs and gradients, the loss, keyboard stepping), and
// PNG export.
#include <algorithm>
#include <cmath>
#include <memory>

#include <QComboBox>
#include <QImageReader>
#include <QPainter>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

#include "lenet/data/preprocess.h"
#include "lenet/layers/conv.h"
#include "lenet/layers/rbf.h"
#include "lenet/loss.h"
#include "lenet/model_io.h"
#include "lenet/presets.h"
#include "ui/inspect/backprop_view.h"
#include "ui/inspect/bundled_model.h"
#include "ui/inspect/class_bars.h"
#include "ui/inspect/feature_maps_view.h"
#include "ui/inspect/image_grid.h"
#include "ui/inspect/invariance_lab.h"
#include "ui/inspect/kernels_view.h"
#include "ui/inspect/network_probe.h"
#include "ui/inspect/rbf_view.h"
#include "ui/inspect/selection_model.h"

using lenet::ui::BackpropView;
using lenet::ui::ClassBars;
using lenet::ui::FeatureMapsView;
using lenet::ui::InvarianceLab;
using lenet::ui::KernelsView;
using lenet::ui::LabTransform;
using lenet::ui::RbfView;
using lenet::ui::SelectionModel;

namespace {

/// A "7" drawn with QPainter on a 280x280 canvas, MNIST-style (28x28).
lenet::InkImage drawnSeven() {
    QImage canvas(280, 280, QImage::Format_Grayscale8);
    canvas.fill(0);
    {
        QPainter p(&canvas);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(QPen(Qt::white, 22, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        p.drawPolyline(QPolygonF{QPointF(80, 60), QPointF(200, 60), QPointF(132, 245)});
    }
    lenet::InkImage ink{280, 280, std::vector<float>(280 * 280)};
    for (int y = 0; y < 280; ++y)
        for (int x = 0; x < 280; ++x)
            ink.ink[std::size_t(y * 280 + x)] = canvas.constScanLine(y)[x] / 255.0f;
    return lenet::mnistStyle(ink);
}

/// LENET_TEST_GRAB_PATH with `suffix` before ".png".
QString grabPath(const char* suffix) {
    QString path = QStringLiteral(LENET_TEST_GRAB_PATH);
    return path.insert(path.size() - 4, QLatin1String(suffix));
}

float at(const lenet::InkImage& im, int r, int c) {
    return im.ink[std::size_t(r * im.cols + c)];
}

bool isWhite(QRgb c) {
    return qRed(c) > 240 && qGreen(c) > 240 && qBlue(c) > 240;
}

}  // namespace

class TestInspectViews : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void featureMapsHaveTheLayersShapes();
    void featureMapsHoverAndEnlarge();
    void featureMapsScaleModes();
    void featureMapsFollowTheSelection();
    void rbfViewShowsCentresAndDistances();
    void rbfViewShowsProbabilitiesForSoftmax();
    void kernelGridOfC3FollowsTableI();
    void viewsWithoutNetworkOrImage();
    void transformDigitMovesAndAddsNoise();
    void labFollowsTheSliders();
    void labFollowsTheSelection();
    void backpropStepsForwardThenBackward();
    void backpropLossAndTarget();

private:
    std::shared_ptr<const lenet::Network> m_net;
    lenet::InkImage m_seven;
    QTemporaryDir m_dir;
};

void TestInspectViews::initTestCase() {
    try {
        m_net = std::make_shared<const lenet::Network>(lenet::ui::loadBundledModel().network);
    } catch (const std::exception& e) {
        QFAIL(qPrintable(QStringLiteral("cannot load the bundled model: %1").arg(e.what())));
    }
    m_seven = drawnSeven();
    QVERIFY(m_dir.isValid());
}

void TestInspectViews::featureMapsHaveTheLayersShapes() {
    FeatureMapsView view;
    view.resize(760, 900);
    view.setNetwork(m_net);
    view.setImage(m_seven, QStringLiteral("a drawn 7"));
    QCOMPARE(view.stageNames(), (QStringList{"input", "C1", "S2", "C3", "S4", "C5", "F6"}));
    QCOMPARE(view.visibleStages(), (QStringList{"input", "C1", "C3"}));

    struct Expected {
        const char* stage;
        int maps;
        QSize size;
    };
    const Expected expected[] = {{"input", 1, {32, 32}}, {"C1", 6, {28, 28}}, {"S2", 6, {14, 14}},
                                 {"C3", 16, {10, 10}},   {"S4", 16, {5, 5}},  {"C5", 1, {12, 10}},
                                 {"F6", 1, {7, 12}}};
    for (const Expected& e : expected) {
        const QString stage = QString::fromLatin1(e.stage);
        QCOMPARE(view.mapCount(stage), e.maps);
        for (int m = 0; m < e.maps; ++m) QCOMPARE(view.mapImage(stage, m).size(), e.size);
        QVERIFY(view.mapImage(stage, e.maps).isNull());
    }

    for (const QString& s : view.stageNames()) view.setStageVisible(s, true);
    const auto& sections = view.grid()->sections();
    QCOMPARE(int(sections.size()), 7);
    int cells = 0;
    for (const auto& s : sections) cells += int(s.cells.size());
    QCOMPARE(cells, 1 + 6 + 6 + 16 + 16 + 1 + 1);
    QVERIFY(sections[1].title.startsWith(QStringLiteral("C1")));

    // The input map is the network input: background (-0.1) white, the most ink darkest.
    const QImage input = view.mapImage(QStringLiteral("input"), 0);
    const lenet::Tensor x = lenet::ui::NetworkProbe(*m_net).input(m_seven);
    const auto most = std::max_element(x.values().begin(), x.values().end()) - x.values().begin();
    QVERIFY(isWhite(input.pixel(0, 0)));
    QVERIFY(qRed(input.pixel(int(most % 32), int(most / 32))) < 40);

    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.renderImage().save(QStringLiteral(LENET_TEST_GRAB_PATH)));
    const QString png = m_dir.filePath(QStringLiteral("maps.png"));
    QCOMPARE(view.exportPng(png), QString());
    QCOMPARE(QImageReader(png).size(), view.renderImage().size());
    QVERIFY(!view.exportPng(m_dir.filePath(QStringLiteral("missing/dir/maps.png"))).isEmpty());
}

void TestInspectViews::featureMapsHoverAndEnlarge() {
    FeatureMapsView view;
    view.resize(760, 700);
    view.setNetwork(m_net);
    view.setImage(m_seven);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    lenet::ui::ImageGrid* grid = view.grid();
    const QRect c1map2 = grid->cellRect(1, 2);  // section 0 is the input
    QVERIFY(!c1map2.isEmpty());
    QCOMPARE(c1map2.size(), QSize(56, 56));  // 28x28 drawn twice as large

    QTest::mouseMove(grid, c1map2.center());
    QTRY_VERIFY(view.hoverText().startsWith(QStringLiteral("C1 map 2 (28×28): values")));

    QTest::mouseClick(grid, Qt::LeftButton, Qt::NoModifier, c1map2.center());
    QCOMPARE(view.zoomedStage(), QStringLiteral("C1"));
    QCOMPARE(view.zoomedMap(), 2);
    const QImage withZoom = view.renderImage();
    QVERIFY(withZoom.height() > grid->height());
    QVERIFY(withZoom.save(grabPath("_zoom")));

    QTest::mouseClick(grid, Qt::LeftButton, Qt::NoModifier, c1map2.center());
    QCOMPARE(view.zoomedStage(), QString());
}

void TestInspectViews::featureMapsScaleModes() {
    FeatureMapsView view;
    view.setNetwork(m_net);
    view.setImage(m_seven);
    const QString c3 = QStringLiteral("C3");
    // Per map, each map spans the whole palette: its smallest value white, its largest dark.
    view.setScaleMode(FeatureMapsView::ScaleMode::PerMap);
    bool differs = false;
    std::vector<QImage> perMap;
    for (int m = 0; m < 16; ++m) perMap.push_back(view.mapImage(c3, m));
    view.setScaleMode(FeatureMapsView::ScaleMode::SharedPerLayer);
    for (int m = 0; m < 16; ++m)
        differs = differs || perMap[std::size_t(m)] != view.mapImage(c3, m);
    QVERIFY(differs);
    for (const QImage& im : perMap) {
        bool white = false, dark = false;
        for (int y = 0; y < im.height(); ++y)
            for (int x = 0; x < im.width(); ++x) {
                white = white || isWhite(im.pixel(x, y));
                dark = dark || qRed(im.pixel(x, y)) < 40;
            }
        QVERIFY(white && dark);
    }
}

void TestInspectViews::featureMapsFollowTheSelection() {
    SelectionModel selection;
    FeatureMapsView view;
    view.setNetwork(m_net);
    view.setSelectionModel(&selection);
    QVERIFY(view.mapImage(QStringLiteral("C1"), 0).isNull());
    selection.select({m_seven, 7, 12, QStringLiteral("test image 12")});
    QCOMPARE(view.mapImage(QStringLiteral("C1"), 0).size(), QSize(28, 28));
}

void TestInspectViews::rbfViewShowsCentresAndDistances() {
    RbfView view;
    view.resize(520, 520);
    view.setNetwork(m_net);
    QVERIFY(view.showsRbf());
    const auto& centres = view.centreImages();
    QCOMPARE(int(centres.size()), 10);
    const std::vector<float>& bitmaps = lenet::lecun1998Bitmaps();
    for (int k = 0; k < 10; ++k) {
        QCOMPARE(centres[std::size_t(k)].size(), QSize(7, 12));
        for (int i = 0; i < 84; ++i) {
            const bool ink = bitmaps[std::size_t(k * 84 + i)] > 0;
            QCOMPARE(isWhite(centres[std::size_t(k)].pixel(i % 7, i / 7)), !ink);
        }
    }
    QVERIFY(view.f6Image().isNull());
    QCOMPARE(view.bars()->winner(), -1);

    view.setImage(m_seven, QStringLiteral("a drawn 7"));
    QCOMPARE(view.f6Image().size(), QSize(7, 12));
    QCOMPARE(view.bars()->mode(), ClassBars::Mode::Distance);
    QCOMPARE(int(view.bars()->values().size()), 10);
    QCOMPARE(view.bars()->winner(), 7);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.renderImage().save(grabPath("_rbf")));
}

void TestInspectViews::rbfViewShowsProbabilitiesForSoftmax() {
    auto modern = std::make_shared<lenet::Network>(lenet::preset("lenet5-modern"));
    modern->initialize(1);
    RbfView view;
    view.setNetwork(modern);
    view.setImage(m_seven);
    QVERIFY(!view.showsRbf());
    QVERIFY(view.centreImages().empty());
    QVERIFY(view.f6Image().isNull());
    QCOMPARE(view.bars()->mode(), ClassBars::Mode::Probability);
    float sum = 0.0f;
    for (float p : view.bars()->values()) sum += p;
    QVERIFY(std::abs(sum - 1.0f) < 1e-4f);
}

void TestInspectViews::kernelGridOfC3FollowsTableI() {
    KernelsView view;
    view.resize(760, 700);
    view.setNetwork(m_net);
    QCOMPARE(view.layerNames(), (QStringList{"C1", "C3", "C5"}));
    QCOMPARE(view.gridSize(QStringLiteral("C1")), QSize(6, 1));
    QCOMPARE(view.gridSize(QStringLiteral("C3")), QSize(16, 6));
    QCOMPARE(view.filledCells(QStringLiteral("C1")), 6);
    QCOMPARE(view.filledCells(QStringLiteral("C3")), 60);
    QCOMPARE(view.filledCells(QStringLiteral("C5")), 0);  // 1,920 kernels: shown on demand

    const std::vector<bool> table = lenet::lecun1998Table();
    for (int in = 0; in < 6; ++in)
        for (int out = 0; out < 16; ++out) {
            const QImage im = view.kernelImage(QStringLiteral("C3"), in, out);
            QCOMPARE(im.isNull(), !table[std::size_t(in * 16 + out)]);
            if (!im.isNull()) QCOMPARE(im.size(), QSize(5, 5));
        }
    // The grid's C3 section: an empty cell where Table I has no connection (S2 3 -> C3 0).
    const auto& c3 = view.grid()->sections()[1];
    QCOMPARE(c3.columns, 16);
    QCOMPARE(c3.rowLabels.first(), QStringLiteral("S2 0"));
    QVERIFY(c3.cells[3 * 16 + 0].isNull());
    QVERIFY(!c3.cells[0].isNull());

    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTest::mouseMove(view.grid(), view.grid()->cellRect(1, 3 * 16).center());
    QTRY_VERIFY(view.hoverText().contains(QStringLiteral("does not feed")));
    QTest::mouseMove(view.grid(), view.grid()->cellRect(1, 0).center());
    QTRY_VERIFY(view.hoverText().startsWith(QStringLiteral("S2 map 0 → C3 map 0 (5x5)")));
    QVERIFY(view.renderImage().save(grabPath("_kernels")));

    view.setLayerVisible(QStringLiteral("C5"), true);
    QCOMPARE(view.filledCells(QStringLiteral("C5")), 16 * 120);
}

void TestInspectViews::viewsWithoutNetworkOrImage() {
    FeatureMapsView maps;
    maps.setImage(m_seven);
    QVERIFY(maps.stageNames().isEmpty());
    QVERIFY(maps.mapImage(QStringLiteral("C1"), 0).isNull());
    RbfView rbf;
    QVERIFY(!rbf.showsRbf());
    KernelsView kernels;
    QVERIFY(kernels.layerNames().isEmpty());
    kernels.setNetwork(m_net);
    kernels.setNetwork(nullptr);
    QVERIFY(kernels.layerNames().isEmpty());
    QCOMPARE(kernels.filledCells(QStringLiteral("C3")), 0);
}

void TestInspectViews::transformDigitMovesAndAddsNoise() {
    const lenet::InkImage same = lenet::ui::transformDigit(m_seven, {});
    QCOMPARE(same.rows, 28);
    for (std::size_t i = 0; i < same.ink.size(); ++i)
        QVERIFY(std::abs(same.ink[i] - m_seven.ink[i]) < 1e-6f);

    LabTransform shift;
    shift.shiftX = 3.0f;
    shift.shiftY = -2.0f;
    const lenet::InkImage moved = lenet::ui::transformDigit(m_seven, shift);
    for (int r = 2; r < 28; ++r)
        for (int c = 0; c < 25; ++c)
            QVERIFY(std::abs(at(moved, r - 2, c + 3) - at(m_seven, r, c)) < 1e-5f);

    LabTransform noisy;
    noisy.noise = 0.3f;
    const lenet::InkImage a = lenet::ui::transformDigit(m_seven, noisy);
    const lenet::InkImage b = lenet::ui::transformDigit(m_seven, noisy);
    QCOMPARE(a.ink, b.ink);  // the same pattern every time
    QVERIFY(a.ink != same.ink);
    for (float v : a.ink) QVERIFY(v >= 0.0f && v <= 1.0f);
}

void TestInspectViews::labFollowsTheSliders() {
    InvarianceLab lab;
    lab.resize(760, 900);
    lab.setNetwork(m_net);
    QCOMPARE(lab.predictedClass(), -1);
    lab.setImage(m_seven, QStringLiteral("a drawn 7"));
    QCOMPARE(lab.predictedClass(), 7);
    const QImage before = lab.featureMaps()->mapImage(QStringLiteral("input"), 0);

    auto* shiftX = lab.findChild<QSlider*>(QStringLiteral("shiftx"));
    auto* rotate = lab.findChild<QSlider*>(QStringLiteral("rotate"));
    QVERIFY(shiftX && rotate);
    QVERIFY(!shiftX->toolTip().isEmpty());
    shiftX->setValue(2);
    rotate->setValue(10);
    QCOMPARE(lab.transform().shiftX, 2.0f);
    QCOMPARE(lab.transform().rotation, 10.0f);
    QCOMPARE(lab.transformedImage().ink, lenet::ui::transformDigit(m_seven, lab.transform()).ink);
    QCOMPARE(lab.predictedClass(), 7);  // small moves do not change a clear 7
    QCOMPARE(lab.bars()->winner(), 7);
    QVERIFY(lab.featureMaps()->mapImage(QStringLiteral("input"), 0) != before);

    lab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&lab));
    QVERIFY(lab.renderImage().save(grabPath("_lab")));

    lab.reset();
    QVERIFY(lab.transform() == LabTransform{});
    QCOMPARE(lab.featureMaps()->mapImage(QStringLiteral("input"), 0), before);
}

void TestInspectViews::labFollowsTheSelection() {
    SelectionModel selection;
    InvarianceLab lab;
    lab.setNetwork(m_net);
    lab.setSelectionModel(&selection);
    QVERIFY(lab.transformedImage().ink.empty());
    selection.select({m_seven, 7, 3, QStringLiteral("test image 3")});
    QCOMPARE(lab.transformedImage().rows, 28);
    QCOMPARE(lab.predictedClass(), 7);
}

void TestInspectViews::backpropStepsForwardThenBackward() {
    BackpropView view;
    view.resize(760, 900);
    view.setNetwork(m_net);
    view.setImage(m_seven, 7, QStringLiteral("a drawn 7"));
    const int layers = m_net->layerCount();  // 13 for lenet5-1998
    QCOMPARE(view.nodeCount(), layers + 2);
    QCOMPARE(view.stepCount(), 2 * layers + 1);
    QCOMPARE(view.step(), 0);
    QVERIFY(view.showsOutput(0));
    QVERIFY(!view.showsOutput(1));

    for (int s = 1; s <= layers; ++s) {
        view.stepForward();
        QVERIFY(view.showsOutput(s));
        QVERIFY(!view.showsOutput(s + 1));
        QVERIFY(view.stepText().startsWith(QStringLiteral("Forward %1/").arg(s)));
    }
    QVERIFY(!view.showsGradient(layers + 1));
    view.stepForward();  // the loss
    QVERIFY(view.showsOutput(layers + 1));
    QVERIFY(view.showsGradient(layers + 1));
    QVERIFY(!view.showsGradient(layers));
    QVERIFY(view.stepText().startsWith(QStringLiteral("Loss: E = ")));
    for (int node = layers; node >= 1; --node) {
        view.stepForward();
        QVERIFY(view.showsGradient(node));
        QVERIFY(!view.showsGradient(node - 1));
    }
    QCOMPARE(view.step(), view.stepCount());
    view.stepForward();  // past the end: stays
    QCOMPARE(view.step(), view.stepCount());
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.renderImage().save(grabPath("_backprop")));

    view.setFocus();
    QTest::keyClick(&view, Qt::Key_Home);
    QCOMPARE(view.step(), 0);
    QTest::keyClick(&view, Qt::Key_Right);
    QTest::keyClick(&view, Qt::Key_Right);
    QTest::keyClick(&view, Qt::Key_Left);
    QCOMPARE(view.step(), 1);
}

void TestInspectViews::backpropLossAndTarget() {
    BackpropView view;
    view.setNetwork(m_net);
    view.setImage(m_seven, 7);
    QCOMPARE(view.target(), 7);
    const lenet::ui::BackpropTrace& t = view.trace();
    const float expected = lenet::sampleLoss(m_net->spec().loss, m_net->spec().mapJ,
                                             t.forward.outputs.data(), 10, 7, nullptr);
    QCOMPARE(t.loss, expected);
    QCOMPARE(int(t.grads.size()), m_net->layerCount() + 1);
    QCOMPARE(t.paramGrads.size(), m_net->params().size());
    const float right = t.loss;
    auto* target = view.findChild<QComboBox*>(QStringLiteral("target"));
    QVERIFY(target);
    target->setCurrentIndex(3);
    QCOMPARE(view.trace().label, 3);
    QVERIFY(view.trace().loss > right);  // a wrong target costs more

    view.setTarget(7);
    QCOMPARE(target->currentIndex(), 7);
    QCOMPARE(view.trace().loss, right);

    // A drawing (no label): the network's answer is the target.
    view.setImage(m_seven, -1);
    QCOMPARE(view.target(), 7);
}

QTEST_MAIN(TestInspectViews)
#include "test_inspect_views.moc"
