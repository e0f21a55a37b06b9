// Qt Test of the trace the inspection views share (SelectionTrace) and of views drawing only while
// they can be seen (TraceFollower), on the bundled lenet5-1998 model. Counts the passes through
// the network per mouse move on the canvas: with every view in a dock side by side, one forward
// pass for all of them and one backward pass for the backprop view (plus one forward pass of the
// invariance lab's changed digit); with the docks closed, only the drawing panel's answer; in the
// studio's tabbed docks, only what the tab in front shows. A view brought into sight draws from
// the trace as it is then.
#include <algorithm>
#include <memory>
#include <vector>

#include <QDockWidget>
#include <QMainWindow>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest>

#include "ui/inspect/backprop_view.h"
#include "ui/inspect/bundled_model.h"
#include "ui/inspect/class_bars.h"
#include "ui/inspect/digit_canvas.h"
#include "ui/inspect/drawing_panel.h"
#include "ui/inspect/feature_maps_view.h"
#include "ui/inspect/inspection_panels.h"
#include "ui/inspect/invariance_lab.h"
#include "ui/inspect/network_probe.h"
#include "ui/inspect/rbf_view.h"
#include "ui/inspect/selection_model.h"
#include "ui/inspect/selection_trace.h"
#include "ui/window/main_window.h"

using lenet::ui::DigitCanvas;
using lenet::ui::InspectionPanels;
using lenet::ui::SelectionTrace;

namespace {

/// Passes through the network so far: the shared trace's forward passes and training steps, and
/// the forward passes of the invariance lab's changed digit.
struct Passes {
    int forward = 0;
    int backward = 0;
    int lab = 0;
    friend bool operator==(const Passes&, const Passes&) = default;
};

Passes passes(const InspectionPanels& panels) {
    return {panels.trace()->forwardPasses(), panels.trace()->backwardPasses(),
            panels.invariance()->transformedTrace()->forwardPasses()};
}

Passes operator-(const Passes& a, const Passes& b) {
    return {a.forward - b.forward, a.backward - b.backward, a.lab - b.lab};
}

char* toString(const Passes& p) {
    return QTest::toString(QStringLiteral("{forward %1, backward %2, lab %3}")
                               .arg(p.forward)
                               .arg(p.backward)
                               .arg(p.lab));
}

/// True when `w` is on screen: visible and not moved out of its window (a dock behind a tab).
bool inSight(const QWidget* w) {
    return w->isVisible() && !w->visibleRegion().isEmpty();
}

/// Draws a vertical stroke of `moves` mouse moves down the middle of `canvas` and checks that
/// every move costs `perMove` passes; prints the average under `what`.
void strokeCosts(const InspectionPanels& panels, const Passes& perMove, const char* what) {
    DigitCanvas* canvas = panels.drawing()->canvas();
    const QPoint centre = canvas->rect().center();
    const int side = std::min(canvas->width(), canvas->height());
    const int moves = 12;
    QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, centre - QPoint(0, side / 3));
    for (int k = 1; k <= moves; ++k) {
        const Passes before = passes(panels);
        QTest::mouseMove(canvas, centre + QPoint(0, side * (k - moves / 2) / (moves + 4)));
        QCOMPARE(passes(panels) - before, perMove);
    }
    QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, centre + QPoint(0, side / 3));
    qInfo(
        "%s: per canvas mouse move %d forward pass(es) and %d backward pass(es) of the "
        "selection, %d forward pass(es) of the invariance lab's digit",
        what, perMove.forward, perMove.backward, perMove.lab);
}

}  // namespace

class TestInspectTrace : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void traceRunsOncePerNetworkAndImage();
    void viewsSideBySideShareOneTrace();
    void closedDocksTraceNothingUntilShown();
    void studioTabsTraceOnlyTheViewInFront();

private:
    std::shared_ptr<const lenet::Network> m_net;
};

void TestInspectTrace::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // the studio's settings and digits go elsewhere
    try {
        m_net = std::make_shared<const lenet::Network>(lenet::ui::loadBundledModel().network);
    } catch (const std::exception& e) {
        QFAIL(qPrintable(QStringLiteral("cannot load the bundled model: %1").arg(e.what())));
    }
}

void TestInspectTrace::traceRunsOncePerNetworkAndImage() {
    // A vertical bar, MNIST-style.
    lenet::InkImage bar{28, 28, std::vector<float>(28 * 28, 0.0f)};
    for (int r = 4; r < 24; ++r)
        for (int c = 13; c < 16; ++c) bar.ink[std::size_t(r * 28 + c)] = 1.0f;
    lenet::InkImage shifted = bar;
    std::rotate(shifted.ink.begin(), shifted.ink.begin() + 2, shifted.ink.end());

    SelectionTrace trace;
    QSignalSpy imageChanged(&trace, &SelectionTrace::imageChanged);
    QSignalSpy traceChanged(&trace, &SelectionTrace::traceChanged);
    QVERIFY(trace.trace()->empty());
    QVERIFY(trace.backprop(1)->forward.empty());
    trace.setNetwork(m_net);
    QCOMPARE(traceChanged.count(), 1);
    QCOMPARE(imageChanged.count(), 0);
    trace.setImage({bar, 1, 0, QStringLiteral("a bar")});
    QCOMPARE(imageChanged.count(), 1);
    QCOMPARE(traceChanged.count(), 2);
    QCOMPARE(trace.forwardPasses(), 0);  // nothing runs until asked

    const std::shared_ptr<const lenet::ui::Trace> t = trace.trace();
    QCOMPARE(trace.trace(), t);  // asked again: the same trace
    QCOMPARE(trace.forwardPasses(), 1);
    const lenet::ui::Trace expected = lenet::ui::NetworkProbe(*m_net).run(bar);
    QCOMPARE(t->predicted, expected.predicted);
    QCOMPARE(t->outputs, expected.outputs);
    QCOMPARE(t->acts.size(), expected.acts.size());

    QCOMPARE(trace.backprop(1)->label, 1);
    QCOMPARE(trace.backprop(1), trace.backprop(1));
    QCOMPARE(trace.backwardPasses(), 1);
    QCOMPARE(trace.backprop(4)->label, 4);
    QCOMPARE(trace.backwardPasses(), 2);
    QCOMPARE(trace.forwardPasses(), 1);

    // Another image: not the selection's, and not kept.
    QCOMPARE(trace.run(shifted)->acts.size(), expected.acts.size());
    trace.run(shifted);
    QCOMPARE(trace.forwardPasses(), 3);
    QCOMPARE(trace.trace(), t);

    // A new network or image: traced anew at the next request only.
    trace.setNetwork(m_net);
    QCOMPARE(trace.forwardPasses(), 3);
    QVERIFY(trace.trace() != t);
    QCOMPARE(trace.forwardPasses(), 4);
    lenet::ui::SelectionModel selection;
    trace.setSelectionModel(&selection);
    selection.select({shifted, -1, -1, QStringLiteral("shifted")});
    QCOMPARE(trace.image().description, QStringLiteral("shifted"));
    QCOMPARE(trace.forwardPasses(), 4);
    trace.setNetwork(nullptr);
    QVERIFY(trace.trace()->empty());
    QVERIFY(trace.run(bar)->empty());
    QCOMPARE(trace.forwardPasses(), 4);
}

void TestInspectTrace::viewsSideBySideShareOneTrace() {
    QMainWindow window;
    window.resize(2400, 1800);
    auto* panels = new InspectionPanels(&window);
    const Qt::DockWidgetArea areas[] = {Qt::LeftDockWidgetArea, Qt::RightDockWidgetArea,
                                        Qt::BottomDockWidgetArea};
    int i = 0;
    for (const InspectionPanels::Panel& p : panels->panels()) {
        auto* dock = new QDockWidget(p.title, &window);
        dock->setWidget(p.widget);
        window.addDockWidget(areas[i++ % 3], dock);
    }
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    for (const InspectionPanels::Panel& p : panels->panels())
        QVERIFY2(inSight(p.widget), qPrintable(p.objectName));
    panels->setNetwork(m_net, false);

    // Every view draws the drawing: one forward pass for all, the backward pass for the backprop
    // view, and the lab's changed digit (its own image) once for the lab and its maps.
    strokeCosts(*panels, {1, 1, 1}, "all views in sight");
    const int answer = panels->drawing()->predictedClass();
    QVERIFY(answer >= 0);
    QCOMPARE(panels->rbf()->bars()->winner(), answer);
    QCOMPARE(panels->backprop()->target(), answer);
    QCOMPARE(panels->backprop()->trace().forward.predicted, answer);
    QCOMPARE(panels->invariance()->predictedClass(), answer);
    QCOMPARE(panels->featureMaps()->mapImage(QStringLiteral("C1"), 0).size(), QSize(28, 28));
    QVERIFY(window.grab().save(QStringLiteral(LENET_TEST_GRAB_PATH)));
}

void TestInspectTrace::closedDocksTraceNothingUntilShown() {
    QMainWindow window;
    window.resize(1600, 1200);
    auto* panels = new InspectionPanels(&window);
    std::vector<QDockWidget*> docks;
    for (const InspectionPanels::Panel& p : panels->panels()) {
        auto* dock = new QDockWidget(p.title, &window);
        dock->setObjectName(p.objectName);
        dock->setWidget(p.widget);
        window.addDockWidget(Qt::RightDockWidgetArea, dock);
        if (p.widget != panels->drawing()) dock->close();
        docks.push_back(dock);
    }
    auto dockOf = [&](QWidget* view) { return qobject_cast<QDockWidget*>(view->parentWidget()); };
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(inSight(panels->drawing()));
    panels->setNetwork(m_net, false);

    // Only the drawing panel's answer; the selection changes with every move all the same.
    strokeCosts(*panels, {1, 0, 0}, "only the drawing panel in sight");
    const int answer = panels->drawing()->predictedClass();
    QCOMPARE(panels->selection()->current().testIndex, -1);

    // No view in sight: neither a new image nor a new network runs anything.
    dockOf(panels->drawing())->close();
    const Passes before = passes(*panels);
    const lenet::InkImage drawing = panels->drawing()->centred();
    panels->selection()->select({drawing, 4, 12, QStringLiteral("test image 12")});
    panels->setNetwork(m_net, false);
    QCoreApplication::processEvents();
    QCOMPARE(passes(*panels) - before, Passes{});

    // A view brought into sight draws the trace as it is then; the others still run nothing.
    dockOf(panels->rbf())->show();
    QTRY_COMPARE(passes(*panels) - before, (Passes{1, 0, 0}));
    QCOMPARE(panels->rbf()->bars()->winner(), answer);  // the same image as the drawing
    dockOf(panels->backprop())->show();
    QTRY_COMPARE(passes(*panels) - before, (Passes{1, 1, 0}));
    QCOMPARE(panels->backprop()->target(), 4);  // the image's label
    QCOMPARE(panels->backprop()->trace().label, 4);
    dockOf(panels->invariance())->show();
    QTRY_COMPARE(passes(*panels) - before, (Passes{1, 1, 1}));
    QCOMPARE(panels->invariance()->predictedClass(), answer);
    dockOf(panels->featureMaps())->show();
    QTRY_VERIFY(!panels->featureMaps()->mapImage(QStringLiteral("C1"), 0).isNull());
    QCOMPARE(passes(*panels) - before, (Passes{1, 1, 1}));  // the trace it draws ran already
}

void TestInspectTrace::studioTabsTraceOnlyTheViewInFront() {
    lenet::ui::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    InspectionPanels* panels = window.inspection();
    DigitCanvas* canvas = panels->drawing()->canvas();
    QVERIFY(inSight(canvas));
    for (const InspectionPanels::Panel& p : panels->panels()) {
        if (p.widget != panels->drawing()) QVERIFY2(!inSight(p.widget), qPrintable(p.objectName));
    }

    strokeCosts(*panels, {1, 0, 0}, "the studio, drawing panel in front");

    // Bringing a tab to the front draws its view from the current trace.
    auto raise = [&](QWidget* view) {
        QWidget* dock = view;  // the view's dock holds it in a scroll area
        while (dock && !qobject_cast<QDockWidget*>(dock)) dock = dock->parentWidget();
        QVERIFY(dock);
        dock->raise();
        QTRY_VERIFY(inSight(view));
    };
    const Passes before = passes(*panels);
    raise(panels->backprop());
    QTRY_COMPARE(passes(*panels) - before, (Passes{0, 1, 0}));
    QCOMPARE(panels->backprop()->target(), panels->drawing()->predictedClass());
    raise(panels->featureMaps());
    QTRY_VERIFY(!panels->featureMaps()->mapImage(QStringLiteral("C1"), 0).isNull());
    raise(panels->invariance());
    QTRY_COMPARE(passes(*panels) - before, (Passes{0, 1, 1}));

    // Back to the drawing panel: the views behind it cost nothing again.
    raise(panels->drawing());
    QVERIFY(!inSight(panels->invariance()));
    strokeCosts(*panels, {1, 0, 0}, "the studio, drawing panel in front again");
}

QTEST_MAIN(TestInspectTrace)
#include "test_inspect_trace.moc"
