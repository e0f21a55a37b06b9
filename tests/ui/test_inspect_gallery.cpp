// Qt Test of the test gallery and the confusion matrix: predictions computed off the GUI thread
// agree with lenet::evaluate, a click on a matrix cell filters the gallery to that cell, the
// filters and the confidence order, selecting an image, CSV export, and (when MNIST is there)
// the full test set; a new evaluation keeps the scroll position and the selection. Also the set
// of all inspection panels and how they are wired together.
#include <algorithm>
#include <memory>

#include <QCheckBox>
#include <QListView>
#include <QPainter>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "lenet/data/idx.h"
#include "lenet/error.h"
#include "lenet/model_io.h"
#include "lenet/presets.h"
#include "lenet/trainer.h"
#include "support/time_scale.h"
#include "ui/inspect/backprop_view.h"
#include "ui/inspect/bundled_model.h"
#include "ui/inspect/class_bars.h"
#include "ui/inspect/confusion_matrix_view.h"
#include "ui/inspect/digit_canvas.h"
#include "ui/inspect/drawing_panel.h"
#include "ui/inspect/evaluation_model.h"
#include "ui/inspect/feature_maps_view.h"
#include "ui/inspect/gallery_model.h"
#include "ui/inspect/gallery_view.h"
#include "ui/inspect/inspection_panels.h"
#include "ui/inspect/invariance_lab.h"
#include "ui/inspect/kernels_view.h"
#include "ui/inspect/rbf_view.h"
#include "ui/inspect/selection_model.h"

using lenet::test::scaledMs;
using lenet::ui::ConfusionMatrixView;
using lenet::ui::EvaluationModel;
using lenet::ui::GalleryModel;
using lenet::ui::GalleryView;
using lenet::ui::SelectionModel;

namespace {

/// A polyline drawn on a 280x280 canvas, MNIST-style, as 28x28 bytes appended to `data`.
void addDigit(lenet::Dataset& data, const QPolygonF& stroke, int label) {
    QImage canvas(280, 280, QImage::Format_Grayscale8);
    canvas.fill(0);
    {
        QPainter p(&canvas);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(QPen(Qt::white, 22, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        p.drawPolyline(stroke);
    }
    lenet::InkImage ink{280, 280, std::vector<float>(280 * 280)};
    for (int y = 0; y < 280; ++y)
        for (int x = 0; x < 280; ++x)
            ink.ink[std::size_t(y * 280 + x)] = canvas.constScanLine(y)[x] / 255.0f;
    for (float v : lenet::mnistStyle(ink).ink)
        data.images.push_back(std::uint8_t(v * 255.0f + 0.5f));
    data.labels.push_back(std::uint8_t(label));
}

/// Ten 1s, ten 7s and five 1s labelled 4 (so that true 4 / predicted 1 has five images).
std::shared_ptr<const lenet::Dataset> syntheticSet() {
    auto data = std::make_shared<lenet::Dataset>();
    data->rows = data->cols = 28;
    data->classes = 10;
    data->source = "synthetic digits";
    for (int i = 0; i < 10; ++i) {
        const double lean = (i - 5) * 4.0;
        addDigit(*data, {QPointF(140 + lean, 40), QPointF(140 - lean, 240)}, 1);
        addDigit(*data, {QPointF(80, 60 + i), QPointF(200, 60), QPointF(130 + 2 * i, 245)}, 7);
    }
    for (int i = 0; i < 5; ++i)
        addDigit(*data, {QPointF(130 + 5 * i, 50), QPointF(150 - 5 * i, 230)}, 4);
    return data;
}

/// LENET_TEST_GRAB_PATH with `suffix` before ".png".
QString grabPath(const char* suffix) {
    QString path = QStringLiteral(LENET_TEST_GRAB_PATH);
    return path.insert(path.size() - 4, QLatin1String(suffix));
}

}  // namespace

class TestInspectGallery : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void predictionsAgreeWithEvaluate();
    void clickingAMatrixCellFiltersTheGallery();
    void filtersAndOrder();
    void clickingAnImageSelectsIt();
    void reEvaluationKeepsScrollAndSelection();
    void exportsCsv();
    void latestNetworkRunsLast();
    void wholeMnistTestSet();
    void panelsWireTheViewsTogether();

private:
    /// Waits until `results` has finished its runs and has predictions.
    static bool waitForPredictions(EvaluationModel& results);

    std::shared_ptr<const lenet::Network> m_net;
    std::shared_ptr<const lenet::Dataset> m_data;
    QTemporaryDir m_dir;
};

bool TestInspectGallery::waitForPredictions(EvaluationModel& results) {
    QSignalSpy spy(&results, &EvaluationModel::predictionsChanged);
    for (int i = 0; i < 100 && (results.isBusy() || !results.predictions()); ++i)
        spy.wait(scaledMs(100));
    return !results.isBusy() && results.predictions() != nullptr;
}

void TestInspectGallery::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // the panels' "my digits" folder: not the user's
    try {
        m_net = std::make_shared<const lenet::Network>(lenet::ui::loadBundledModel().network);
    } catch (const std::exception& e) {
        QFAIL(qPrintable(QStringLiteral("cannot load the bundled model: %1").arg(e.what())));
    }
    m_data = syntheticSet();
    QVERIFY(m_dir.isValid());
}

void TestInspectGallery::predictionsAgreeWithEvaluate() {
    EvaluationModel results;
    results.setTestSet(m_data);
    results.setNetwork(m_net);
    QVERIFY(results.isBusy());
    QVERIFY(waitForPredictions(results));
    QVERIFY(!results.isBusy());
    const lenet::Evaluation& p = *results.predictions();
    lenet::Network copy(*m_net);
    const lenet::Evaluation ev = lenet::evaluate(copy, *m_data, 1);
    QCOMPARE(p.count, 25);
    QCOMPARE(p.predictions, ev.predictions);
    QCOMPARE(p.confusion, ev.confusion);
    QCOMPARE(p.errors, ev.errors);
    QCOMPARE(p.at(4, 1), 5);
    QCOMPARE(p.at(1, 1), 10);
    QCOMPARE(p.at(7, 7), 10);
    for (float c : p.confidence) QVERIFY(c > 0.0f && c <= 1.0f);
}

void TestInspectGallery::clickingAMatrixCellFiltersTheGallery() {
    EvaluationModel results;
    ConfusionMatrixView matrix;
    GalleryView gallery;
    matrix.setEvaluationModel(&results);
    gallery.setEvaluationModel(&results);
    connect(&matrix, &ConfusionMatrixView::cellClicked, &gallery, &GalleryView::showCell);
    results.setTestSet(m_data);
    results.setNetwork(m_net);
    QVERIFY(waitForPredictions(results));
    QCOMPARE(gallery.model()->rowCount(), 25);
    matrix.resize(420, 440);
    gallery.resize(480, 400);
    matrix.show();
    gallery.show();
    QVERIFY(QTest::qWaitForWindowExposed(&matrix));
    QCOMPARE(matrix.count(4, 1), 5);
    QVERIFY(matrix.title().startsWith(QStringLiteral("Test error 20.00%")));

    QSignalSpy clicked(&matrix, &ConfusionMatrixView::cellClicked);
    QTest::mouseClick(&matrix, Qt::LeftButton, Qt::NoModifier, matrix.cellRect(4, 1).center());
    QCOMPARE(clicked.count(), 1);
    GalleryModel* model = gallery.model();
    QCOMPARE(model->rowCount(), 5);
    for (int r = 0; r < model->rowCount(); ++r) {
        const QModelIndex i = model->index(r);
        QCOMPARE(i.data(GalleryModel::TrueRole).toInt(), 4);
        QCOMPARE(i.data(GalleryModel::PredictedRole).toInt(), 1);
        QCOMPARE(i.data(Qt::DisplayRole).toString(), QStringLiteral("4→1"));
    }
    QCOMPARE(gallery.statusText(), QStringLiteral("5 of 25 test images"));

    QTest::mouseClick(&matrix, Qt::LeftButton, Qt::NoModifier, matrix.cellRect(7, 7).center());
    QCOMPARE(model->rowCount(), 10);
    QCOMPARE(model->filter().trueClass, 7);
    QCOMPARE(model->filter().predictedClass, 7);

    QTest::mouseMove(&matrix, matrix.cellRect(4, 1).center());
    QTRY_VERIFY(matrix.hoverText().startsWith(QStringLiteral("true 4, predicted 1: 5 images")));
    QVERIFY(matrix.renderImage().save(grabPath("_matrix")));
    QVERIFY(gallery.grab().save(QStringLiteral(LENET_TEST_GRAB_PATH)));
}

void TestInspectGallery::filtersAndOrder() {
    EvaluationModel results;
    GalleryView gallery;
    gallery.setEvaluationModel(&results);
    results.setTestSet(m_data);
    QCOMPARE(gallery.model()->rowCount(), 25);  // images before any network
    QVERIFY(!gallery.model()->hasPredictions());
    results.setNetwork(m_net);
    QVERIFY(waitForPredictions(results));
    GalleryModel* model = gallery.model();

    auto* misclassified = gallery.findChild<QCheckBox*>(QStringLiteral("misclassifiedOnly"));
    QVERIFY(misclassified);
    misclassified->setChecked(true);
    QCOMPARE(model->rowCount(), results.predictions()->errors);
    misclassified->setChecked(false);

    auto confidences = [model] {
        std::vector<float> c;
        for (int r = 0; r < model->rowCount(); ++r)
            c.push_back(model->index(r).data(GalleryModel::ConfidenceRole).toFloat());
        return c;
    };
    model->setOrder(GalleryModel::Order::LeastConfidentFirst);
    std::vector<float> c = confidences();
    QVERIFY(std::is_sorted(c.begin(), c.end()));
    model->setOrder(GalleryModel::Order::MostConfidentFirst);
    c = confidences();
    QVERIFY(std::is_sorted(c.rbegin(), c.rend()));
    model->setOrder(GalleryModel::Order::TestSetOrder);
    for (int r = 0; r < model->rowCount(); ++r) QCOMPARE(model->testIndex(r), r);

    gallery.showCell(1, -1);
    QCOMPARE(model->rowCount(), 10);
    gallery.showCell(-1, 7);
    QCOMPARE(model->rowCount(), 10);
}

void TestInspectGallery::clickingAnImageSelectsIt() {
    EvaluationModel results;
    SelectionModel selection;
    GalleryView gallery;
    gallery.setEvaluationModel(&results);
    gallery.setSelectionModel(&selection);
    results.setTestSet(m_data);
    results.setNetwork(m_net);
    QVERIFY(waitForPredictions(results));
    gallery.model()->setOrder(GalleryModel::Order::TestSetOrder);
    gallery.resize(480, 400);
    gallery.show();
    QVERIFY(QTest::qWaitForWindowExposed(&gallery));
    QSignalSpy selected(&selection, &SelectionModel::changed);
    QListView* list = gallery.list();
    const QRect third = list->visualRect(gallery.model()->index(2));
    QVERIFY(!third.isEmpty());
    QTest::mouseClick(list->viewport(), Qt::LeftButton, Qt::NoModifier, third.center());
    QCOMPARE(selected.count(), 1);
    QCOMPARE(selection.current().testIndex, 2);
    QCOMPARE(selection.current().label, int(m_data->labels[2]));
    QCOMPARE(selection.current().image.rows, 28);
    QCOMPARE(selection.current().image.ink[0], 0.0f);
}

void TestInspectGallery::reEvaluationKeepsScrollAndSelection() {
    // More images than the grid lays out in one batch (500), as with MNIST's 10,000.
    auto many = std::make_shared<lenet::Dataset>(*m_data);
    for (int copy = 0; copy < 40; ++copy) {
        many->images.insert(many->images.end(), m_data->images.begin(), m_data->images.end());
        many->labels.insert(many->labels.end(), m_data->labels.begin(), m_data->labels.end());
    }
    EvaluationModel results;
    SelectionModel selection;
    GalleryView gallery;
    gallery.setEvaluationModel(&results);
    gallery.setSelectionModel(&selection);
    results.setTestSet(many);
    results.setNetwork(m_net);
    QVERIFY(waitForPredictions(results));
    gallery.resize(300, 220);
    gallery.show();
    QVERIFY(QTest::qWaitForWindowExposed(&gallery));
    QListView* list = gallery.list();
    QScrollBar* bar = list->verticalScrollBar();
    GalleryModel* model = gallery.model();
    QTRY_VERIFY(bar->maximum() > 0);
    // Wait until the grid is laid out.
    QTRY_VERIFY(list->visualRect(model->index(model->rowCount() - 1)).isValid());

    // The user picks an image far down the grid, then scrolls a little.
    const QModelIndex picked = model->index(model->rowCount() - 2);
    list->scrollTo(picked);
    QTest::mouseClick(list->viewport(), Qt::LeftButton, Qt::NoModifier,
                      list->visualRect(picked).center());
    const int image = picked.data(GalleryModel::IndexRole).toInt();
    QCOMPARE(selection.current().testIndex, image);
    bar->setValue(bar->maximum() / 2 + 1);
    const int scrolled = bar->value();
    QVERIFY(scrolled > 0);

    // Another network reorders the rows (least confident first): the view stays put and the
    // same image stays selected and current.
    auto other = std::make_shared<lenet::Network>(lenet::preset("lenet5-modern"));
    other->initialize(5);
    results.setNetwork(other);
    QVERIFY(waitForPredictions(results));
    QTest::qWait(scaledMs(100));  // let the view lay the rows out again
    QCOMPARE(bar->value(), scrolled);
    const QModelIndexList selected = list->selectionModel()->selectedIndexes();
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.front().data(GalleryModel::IndexRole).toInt(), image);
    QCOMPARE(list->currentIndex().data(GalleryModel::IndexRole).toInt(), image);
    QCOMPARE(selection.current().testIndex, image);

    // With the misclassified filter, new predictions change which images are listed and the
    // status line follows.
    gallery.findChild<QCheckBox*>(QStringLiteral("misclassifiedOnly"))->setChecked(true);
    const int wrongNow = model->rowCount();
    results.setNetwork(m_net);
    QVERIFY(waitForPredictions(results));
    QCOMPARE(model->rowCount(), results.predictions()->errors);
    QVERIFY(model->rowCount() != wrongNow);
    QCOMPARE(gallery.statusText(), QStringLiteral("%1 of %2 test images")
                                       .arg(results.predictions()->errors)
                                       .arg(QLocale().toString(many->size())));
}

void TestInspectGallery::exportsCsv() {
    EvaluationModel results;
    GalleryView gallery;
    ConfusionMatrixView matrix;
    gallery.setEvaluationModel(&results);
    matrix.setEvaluationModel(&results);
    QVERIFY(!matrix.exportCsv(m_dir.filePath(QStringLiteral("empty.csv"))).isEmpty());
    results.setTestSet(m_data);
    results.setNetwork(m_net);
    QVERIFY(waitForPredictions(results));
    gallery.showCell(4, 1);

    const QString galleryCsv = m_dir.filePath(QStringLiteral("gallery.csv"));
    QCOMPARE(gallery.exportCsv(galleryCsv), QString());
    QFile g(galleryCsv);
    QVERIFY(g.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = g.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 6);
    QCOMPARE(lines[0], QByteArray("index,true,predicted,confidence,unsure"));
    QVERIFY(lines[1].startsWith("2") && lines[1].contains(",4,1,"));

    const QString matrixCsv = m_dir.filePath(QStringLiteral("matrix.csv"));
    QCOMPARE(matrix.exportCsv(matrixCsv), QString());
    QFile m(matrixCsv);
    QVERIFY(m.open(QIODevice::ReadOnly));
    const QList<QByteArray> rows = m.readAll().trimmed().split('\n');
    QCOMPARE(rows.size(), 11);
    QCOMPARE(rows[5], QByteArray("4,0,5,0,0,0,0,0,0,0,0"));
    matrix.resize(400, 420);
    const QString png = m_dir.filePath(QStringLiteral("matrix.png"));
    QCOMPARE(matrix.exportPng(png), QString());
    QCOMPARE(QImage(png).size(), QSize(400, 420));
}

void TestInspectGallery::latestNetworkRunsLast() {
    auto modern = std::make_shared<lenet::Network>(lenet::preset("lenet5-modern"));
    modern->initialize(3);
    EvaluationModel results;
    results.setTestSet(m_data);
    results.setNetwork(modern);
    results.setNetwork(modern);  // both wait for the first run; only the latest runs next
    results.setNetwork(m_net);
    QSignalSpy changed(&results, &EvaluationModel::predictionsChanged);
    QVERIFY(waitForPredictions(results));
    QCOMPARE(changed.count(), 2);  // the first run's result, then the latest network's
    QCOMPARE(results.predictions()->at(4, 1), 5);
    QVERIFY(!changed.wait(scaledMs(300)));  // nothing else is queued

    // A new test set drops the old predictions at once.
    results.setTestSet(m_data);
    QVERIFY(!results.predictions());
    QVERIFY(results.isBusy());
    results.setNetwork(nullptr);
    QVERIFY(!results.predictions());
    QVERIFY(!results.isBusy());
}

void TestInspectGallery::wholeMnistTestSet() {
    std::shared_ptr<const lenet::Dataset> mnist;
    try {
        mnist = std::make_shared<const lenet::Dataset>(
            lenet::loadSplit(lenet::defaultDataDir(), lenet::Split::Test));
    } catch (const lenet::Error& e) {
        QSKIP(qPrintable(QStringLiteral("MNIST not installed: %1").arg(e.what())));
    }
    EvaluationModel results;
    GalleryView gallery;
    ConfusionMatrixView matrix;
    gallery.setEvaluationModel(&results);
    matrix.setEvaluationModel(&results);
    results.setTestSet(mnist);
    results.setNetwork(m_net);
    QVERIFY(waitForPredictions(results));
    lenet::Network copy(*m_net);
    const lenet::Evaluation ev = lenet::evaluate(copy, *mnist, 0);
    QCOMPARE(results.predictions()->errors, ev.errors);
    QCOMPARE(results.predictions()->confusion, ev.confusion);
    gallery.findChild<QCheckBox*>(QStringLiteral("misclassifiedOnly"))->setChecked(true);
    QCOMPARE(gallery.model()->rowCount(), ev.errors);
    gallery.resize(640, 480);
    matrix.resize(440, 460);
    gallery.show();
    matrix.show();
    QVERIFY(QTest::qWaitForWindowExposed(&gallery));
    QVERIFY(gallery.grab().save(grabPath("_mnist")));
    QVERIFY(matrix.renderImage().save(grabPath("_mnist_matrix")));
}

void TestInspectGallery::panelsWireTheViewsTogether() {
    lenet::ui::InspectionPanels panels;
    panels.setNetwork(m_net);
    panels.setTestSet(m_data);
    const auto all = panels.panels();
    QCOMPARE(int(all.size()), 11);
    for (const auto& p : all) {
        QVERIFY(!p.title.isEmpty());
        QCOMPARE(p.widget->objectName(), p.objectName);
    }
    // The first test image is selected: every image view shows it.
    QCOMPARE(panels.selection()->current().testIndex, 0);
    const QString c1 = QStringLiteral("C1");
    QCOMPARE(panels.featureMaps()->mapImage(c1, 0).size(), QSize(28, 28));
    QCOMPARE(panels.rbf()->f6Image().size(), QSize(7, 12));
    QCOMPARE(panels.invariance()->transformedImage().rows, 28);
    QCOMPARE(panels.backprop()->trace().label, int(m_data->labels[0]));
    QVERIFY(waitForPredictions(*panels.evaluation()));

    // The matrix filters the gallery; a gallery click selects for the other views.
    ConfusionMatrixView* matrix = panels.confusion();
    GalleryView* gallery = panels.gallery();
    matrix->resize(420, 440);
    gallery->resize(480, 400);
    matrix->show();
    gallery->show();
    QVERIFY(QTest::qWaitForWindowExposed(gallery));
    QTest::mouseClick(matrix, Qt::LeftButton, Qt::NoModifier, matrix->cellRect(4, 1).center());
    QCOMPARE(gallery->model()->rowCount(), 5);
    const QImage before = panels.featureMaps()->mapImage(c1, 0);
    const QModelIndex first = gallery->model()->index(0);
    QTest::mouseClick(gallery->list()->viewport(), Qt::LeftButton, Qt::NoModifier,
                      gallery->list()->visualRect(first).center());
    QCOMPARE(panels.selection()->current().testIndex, gallery->model()->testIndex(0));
    QVERIFY(panels.featureMaps()->mapImage(c1, 0) != before);
    QCOMPARE(panels.backprop()->target(), 4);

    // A drawing becomes the selection.
    lenet::ui::DrawingPanel* drawing = panels.drawing();
    drawing->resize(640, 520);
    drawing->show();
    QVERIFY(QTest::qWaitForWindowExposed(drawing));
    drawing->canvas()->setFixedSize(lenet::ui::DigitCanvas::kSide, lenet::ui::DigitCanvas::kSide);
    QTRY_COMPARE(drawing->canvas()->width(), lenet::ui::DigitCanvas::kSide);
    QTest::mousePress(drawing->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(140, 40));
    QTest::mouseMove(drawing->canvas(), QPoint(140, 140));
    QTest::mouseRelease(drawing->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(140, 240));
    QCOMPARE(panels.selection()->current().testIndex, -1);
    QCOMPARE(panels.rbf()->bars()->winner(), drawing->predictedClass());

    for (const auto& p : panels.panels()) {
        p.widget->resize(p.widget->size().expandedTo(QSize(640, 480)));
        QVERIFY(p.widget->grab().save(grabPath(qPrintable(QLatin1Char('_') + p.objectName))));
    }

    // A panel deleted with its dock leaves the set.
    auto dock = std::make_unique<QWidget>();
    panels.kernels()->setParent(dock.get());
    dock.reset();
    QCOMPARE(panels.panels().size(), all.size() - 1);
}

QTEST_MAIN(TestInspectGallery)
#include "test_inspect_gallery.moc"
