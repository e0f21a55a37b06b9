// Qt Test of the digits' map (issue 20): the test images of an opened model become points with
// their classes and predictions, a click selects an image for every view, the drawn digit is a
// point that moves as the drawing changes, and the export writes the points as CSV.
#include <cmath>
#include <memory>

#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest>

#include "lenet/data/idx.h"
#include "support/histories.h"
#include "support/synthetic_digits.h"
#include "support/time_scale.h"
#include "ui/inspect/bundled_model.h"
#include "ui/inspect/digit_canvas.h"
#include "ui/inspect/digits_map_view.h"
#include "ui/inspect/drawing_panel.h"
#include "ui/inspect/inspection_panels.h"
#include "ui/inspect/selection_model.h"

using lenet::ui::DigitsMapView;
using lenet::ui::InspectionPanels;
using lenet::ui::test::drawStroke;

namespace {

/// Waits until `map` has finished computing a map.
bool waitForMap(const DigitsMapView& map) {
    for (int i = 0; i < 200 && (map.isBusy() || !map.map()); ++i)
        QTest::qWait(lenet::test::scaledMs(50));
    return !map.isBusy() && map.map() != nullptr;
}

}  // namespace

class TestDigitsMap : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void mapsTheTestImagesOfAModel();
    void clickSelectsTheImage();
    void drawnDigitMovesAsYouDraw();
    void saysWhatItNeeds();

private:
    std::shared_ptr<const lenet::Network> m_net;
    std::shared_ptr<const lenet::Dataset> m_data;
};

void TestDigitsMap::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // the panels' "my digits" folder: not the user's
    try {
        m_net = std::make_shared<const lenet::Network>(lenet::ui::loadBundledModel().network);
    } catch (const std::exception& e) {
        QFAIL(qPrintable(QStringLiteral("cannot load the bundled model: %1").arg(e.what())));
    }
    m_data = std::make_shared<const lenet::Dataset>(lenet::test::syntheticDigits(300, 7));
}

void TestDigitsMap::mapsTheTestImagesOfAModel() {
    InspectionPanels panels;
    DigitsMapView* map = panels.digitsMap();
    QVERIFY(map);
    bool listed = false;
    for (const auto& panel : panels.panels()) listed = listed || panel.widget == map;
    QVERIFY(listed);
    panels.setTestSet(m_data);
    panels.setNetwork(m_net, true, QStringLiteral("bundled model"));
    QVERIFY(waitForMap(*map));
    QCOMPARE(map->map()->count(), 300);
    QCOMPARE(map->map()->pca.dims, 84);  // F6
    int wrong = 0;
    for (int i = 0; i < 300; ++i) {
        QCOMPARE(map->map()->labels[std::size_t(i)], int(m_data->labels[std::size_t(i)]));
        wrong += map->map()->predicted[std::size_t(i)] != map->map()->labels[std::size_t(i)];
    }
    QVERIFY(wrong < 300);
    QVERIFY2(map->title().startsWith(QStringLiteral("300 test images as F6")),
             qPrintable(map->title()));
    const QByteArray csv = map->toCsv();
    QVERIFY(csv.startsWith("index,x,y,label,predicted\n"));
    QCOMPARE(csv.count('\n'), 301);
    // The same network again: the same picture (the axes keep their signs).
    const std::vector<double> before = map->map()->xy;
    panels.setNetwork(m_net, true, QStringLiteral("bundled model"));
    QVERIFY(waitForMap(*map));
    QCOMPARE(map->map()->xy.size(), before.size());
    for (std::size_t k = 0; k < before.size(); ++k)
        QVERIFY(std::abs(map->map()->xy[k] - before[k]) < 1e-9 * (1.0 + std::abs(before[k])));
}

void TestDigitsMap::clickSelectsTheImage() {
    InspectionPanels panels;
    DigitsMapView* map = panels.digitsMap();
    map->resize(600, 500);
    panels.setTestSet(m_data);
    panels.setNetwork(m_net, true, QStringLiteral("bundled model"));
    QVERIFY(waitForMap(*map));
    const int i = 123;
    const QPointF at = map->pointPosition(i);
    const int picked = map->pointAt(at);
    QVERIFY(picked >= 0);
    QCOMPARE(map->pointPosition(picked), at);  // i, or a point drawn on top of it
    QTest::mouseClick(map, Qt::LeftButton, Qt::NoModifier, at.toPoint());
    const int selected = panels.selection()->current().testIndex;
    QVERIFY(selected >= 0);
    QVERIFY((map->pointPosition(selected) - at).manhattanLength() < 3.0);
    QCOMPARE(panels.selection()->current().label, int(m_data->labels[std::size_t(selected)]));
}

void TestDigitsMap::drawnDigitMovesAsYouDraw() {
    InspectionPanels panels;
    DigitsMapView* map = panels.digitsMap();
    panels.setTestSet(m_data);
    panels.setNetwork(m_net, true, QStringLiteral("bundled model"));
    QVERIFY(waitForMap(*map));
    QVERIFY(!map->drawnPoint());
    QWidget* canvas = panels.drawing()->canvas();
    canvas->resize(280, 280);
    drawStroke(canvas, {{140, 40}, {140, 140}, {140, 240}});  // a 1
    QVERIFY(map->drawnPoint());
    const QPointF one = *map->drawnPoint();
    drawStroke(canvas, {{60, 60}, {220, 60}, {120, 240}});  // and a bar and a slant: a 7
    QVERIFY(map->drawnPoint());
    QVERIFY(*map->drawnPoint() != one);
    QVERIFY(map->toCsv().contains("\ndrawing,"));
    panels.drawing()->canvas()->clear();
    QVERIFY(!map->drawnPoint());
}

void TestDigitsMap::saysWhatItNeeds() {
    DigitsMapView map;
    QVERIFY(map.title().contains(QStringLiteral("test set")));
    map.setTestSet(m_data);
    QVERIFY(map.title().contains(QStringLiteral("No network")));
    QVERIFY(!map.map());
}

QTEST_MAIN(TestDigitsMap)
#include "test_digits_map.moc"
