// Qt Test of the run plots without training: batch losses placed in epochs, the raw losses of a
// long batch-1 run drawn with few points, the legend outside the curves, the smoothing slider,
// several runs overlaid and cleared, runs from a model's history, follow mode and the mouse, the
// log-scale error axis, and export to PNG, PDF and CSV.
#include <qcustomplot.h>
#include <QFile>
#include <QImage>
#include <QSlider>
#include <QTemporaryDir>
#include <QVBoxLayout>
#include <QtTest>

#include "lenet/error.h"
#include "ui/plots/error_plot.h"
#include "ui/plots/loss_plot.h"
#include "ui/plots/plot_export.h"

using lenet::ui::ErrorPlot;
using lenet::ui::LossPlot;
using lenet::ui::RunStyle;

namespace {

RunStyle style(int id, const QString& label) {
    return RunStyle{id, label, lenet::ui::runColour(id - 1), {}};
}

/// A report of `losses` ending at batch `step` of a run of `epochs` epochs of `batches` batches.
lenet::Progress progress(long long step, int batches, int epochs, std::vector<float> losses,
                         double lr = 0.01) {
    lenet::Progress p;
    p.step = step;
    p.batches = batches;
    p.epochs = epochs;
    p.epoch = int((step - 1) / batches) + 1;
    p.batch = int((step - 1) % batches) + 1;
    p.batchLosses = std::move(losses);
    p.lr = lr;
    return p;
}

lenet::EpochMetrics epoch(int n, double trainError, double testError, double loss = 1.0) {
    lenet::EpochMetrics m;
    m.epoch = n;
    m.trainError = trainError;
    m.testError = testError;
    m.loss = loss;
    m.lr = 0.01;
    return m;
}

QCPGraph* graphNamed(const QCustomPlot* plot, const QString& name) {
    for (int i = 0; i < plot->graphCount(); ++i) {
        if (plot->graph(i)->name() == name) return plot->graph(i);
    }
    return nullptr;
}

/// The entries of the legend (its grid of columns may hold empty cells).
int legendEntries(const QCustomPlot* plot) {
    int entries = 0;
    for (int i = 0; i < plot->legend->itemCount(); ++i) entries += plot->legend->item(i) != nullptr;
    return entries;
}

}  // namespace

class TestRunPlots : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void batchLossesArePlacedInEpochs();
    void longBatchOneRunDrawsFewRawPoints();
    void legendCoversNoCurve();
    void smoothingSliderRecomputesTheAverage();
    void runsOverlayAndOldOnesClear();
    void historyRunShowsEpochMeans();
    void followModeEndsWithTheMouseAndComesBack();
    void errorAxisTurnsLogarithmic();
    void exportsPngPdfAndCsv();
};

void TestRunPlots::batchLossesArePlacedInEpochs() {
    LossPlot plot;
    plot.beginRun(style(1, QStringLiteral("a")), 2);
    plot.appendProgress(progress(5, 10, 2, {2.0f, 1.8f, 1.6f, 1.4f, 1.2f}));
    plot.appendProgress(progress(12, 10, 2, {1.1f, 1.0f, 0.9f, 0.8f, 0.7f, 0.6f, 0.5f}));
    QCOMPARE(plot.pointCount(), 12);
    const QCustomPlot* p = plot.plot();
    QCOMPARE(p->xAxis->range().upper, 2.0);  // the whole run, in epochs
    const QCPGraph* raw = p->graph(0);
    QCOMPARE(raw->data()->at(0)->key, 0.1);
    QCOMPARE(raw->data()->at(11)->key, 1.2);
    QCOMPARE(raw->data()->at(11)->value, double(0.5f));
}

void TestRunPlots::longBatchOneRunDrawsFewRawPoints() {
    // lenet5-1998 trains at batch 1: 60,000 losses an epoch that jump by orders of magnitude.
    LossPlot plot;
    plot.beginRun(style(1, QStringLiteral("a")), 5);
    constexpr int kBatches = 60000;
    long long step = 0;
    for (int report = 0; report < 5 * kBatches / 1000; ++report) {
        std::vector<float> losses;
        for (int i = 0; i < 1000; ++i) losses.push_back(float(0.01 + (i % 7 == 0 ? 3.0 : 0.1)));
        step += 1000;
        plot.appendProgress(progress(step, kBatches, 5, losses));
    }
    QCOMPARE(plot.pointCount(), 5 * kBatches);  // every loss kept, for the average and CSV
    // Drawn: the bold average (in the legend), the learning rate (right axis) and the raw losses
    // summarised in a bounded number of points.
    const QCustomPlot* p = plot.plot();
    int rawDrawn = 0;
    for (int i = 0; i < p->graphCount(); ++i) {
        const QCPGraph* g = p->graph(i);
        const bool listed = p->legend->hasItemWithPlottable(g);
        if (g->visible() && !listed && g->valueAxis() == p->yAxis) rawDrawn += g->dataCount();
    }
    QVERIFY2(rawDrawn > 0 && rawDrawn <= 2 * LossPlot::kBandPoints,
             qPrintable(QString::number(rawDrawn)));
}

void TestRunPlots::legendCoversNoCurve() {
    ErrorPlot plot;
    plot.resize(500, 300);
    for (int id = 1; id <= 4; ++id) {
        plot.beginRun(
            style(id, QStringLiteral("lenet5-1998 #%1 — test 4.30 % (2,000 images)").arg(id)), 3);
        for (int e = 1; e <= 3; ++e) plot.appendEpoch(epoch(e, 0.1 * id / e, 0.05 * id / e));
    }
    plot.setReference(0.95, QStringLiteral("LeCun 1998: 0.95 % test error"));
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.plot()->replot();
    const QRect legend = plot.plot()->legend->outerRect();
    QVERIFY(legend.isValid());
    QVERIFY(!legend.intersects(plot.plot()->axisRect()->rect()));
}

void TestRunPlots::smoothingSliderRecomputesTheAverage() {
    LossPlot plot;
    plot.beginRun(style(1, QStringLiteral("a")), 1);
    std::vector<float> losses;
    for (int i = 0; i < 100; ++i) losses.push_back(i % 2 ? 1.0f : 3.0f);
    plot.appendProgress(progress(100, 100, 1, losses));
    QCOMPARE(plot.smoothingEpochs(), 0.1);
    const QCPGraph* smoothed = graphNamed(plot.plot(), QStringLiteral("a"));
    QVERIFY(smoothed);
    QCOMPARE(smoothed->dataCount(), 100);
    // A ten-batch average of 1, 3, 1, 3, ... stays near 2.
    QVERIFY(std::abs(smoothed->data()->at(99)->value - 2.0) < 0.3);

    auto* slider = plot.findChild<QSlider*>(QStringLiteral("smoothing"));
    QVERIFY(slider);
    slider->setValue(0);  // off: the bold curve is the raw one
    QCOMPARE(plot.smoothingEpochs(), 0.0);
    QCOMPARE(smoothed->dataCount(), 100);
    QCOMPARE(smoothed->data()->at(98)->value, 3.0);
    QCOMPARE(smoothed->data()->at(99)->value, 1.0);

    plot.setSmoothingEpochs(1.0);
    QCOMPARE(slider->value(), slider->maximum());
    QVERIFY(std::abs(smoothed->data()->at(99)->value - 2.0) < 0.3);
}

void TestRunPlots::runsOverlayAndOldOnesClear() {
    LossPlot losses;
    ErrorPlot errors;
    for (int id = 1; id <= 3; ++id) {
        const RunStyle run = style(id, QStringLiteral("run%1").arg(id));
        losses.beginRun(run, 2);
        errors.beginRun(run, 2);
        losses.appendProgress(progress(4, 4, 2, {2.0f, 1.0f, 0.5f, 0.4f}));
        errors.appendEpoch(epoch(1, 0.1 * id, 0.05 * id));
    }
    QCOMPARE(losses.runCount(), 3);
    QCOMPARE(errors.runCount(), 3);
    QCOMPARE(errors.epochCount(), 1);
    errors.setRunSummary(2, QStringLiteral("test 10.00 %"));
    QVERIFY(graphNamed(errors.plot(), QStringLiteral("run2 — test 10.00 %")));
    QCOMPARE(legendEntries(errors.plot()), 3);  // one entry per run (train dashed unlisted)

    errors.removeRunsExcept(3);
    losses.removeRunsExcept(3);
    QCOMPARE(errors.runCount(), 1);
    QCOMPARE(errors.runs().front().label, QStringLiteral("run3"));
    QCOMPARE(losses.runCount(), 1);
    QCOMPARE(losses.plot()->graphCount(), 5);  // raw, band (2), smoothed and rate of run3
    const QString csv = errors.csvRows();
    QVERIFY(!csv.contains(QStringLiteral(",run1,")));
    QVERIFY(csv.contains(QStringLiteral("error,3,run3,test_error,1,15\n")));
    QVERIFY(csv.contains(QStringLiteral("error,3,run3,train_error,1,30\n")));
}

void TestRunPlots::historyRunShowsEpochMeans() {
    const lenet::ui::EpochHistory history = {epoch(1, 0.1, 0.08, 0.5), epoch(2, 0.05, 0.04, 0.2)};
    LossPlot losses;
    ErrorPlot errors;
    losses.addHistoryRun(style(1, QStringLiteral("model")), history);
    errors.addHistoryRun(style(1, QStringLiteral("model")), history);
    QCOMPARE(errors.epochCount(), 2);
    const QCPGraph* means = graphNamed(losses.plot(), QStringLiteral("model"));
    QVERIFY(means);
    QCOMPARE(means->dataCount(), 2);
    QCOMPARE(means->data()->at(0)->key, 0.5);  // the middle of epoch 1
    QCOMPARE(means->data()->at(1)->value, 0.2);
    QCOMPARE(losses.plot()->xAxis->range().upper, 2.0);
}

void TestRunPlots::followModeEndsWithTheMouseAndComesBack() {
    ErrorPlot plot;
    plot.resize(600, 400);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.beginRun(style(1, QStringLiteral("a")), 5);
    plot.appendEpoch(epoch(1, 0.2, 0.1));
    QVERIFY(plot.isFollowing());
    QCOMPARE(plot.plot()->xAxis->range().upper, 5.5);

    QCustomPlot* p = plot.plot();
    const QPointF centre = p->axisRect()->rect().center();
    QWheelEvent wheel(centre, p->mapToGlobal(centre), QPoint(), QPoint(0, 120), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(p, &wheel);
    QVERIFY(!plot.isFollowing());
    const QCPRange zoomed = p->xAxis->range();
    QVERIFY(zoomed.size() < 5.0);
    plot.appendEpoch(epoch(2, 0.1, 0.05));
    QCOMPARE(p->xAxis->range(), zoomed);  // new data does not move a zoomed view

    QTest::mouseDClick(p, Qt::LeftButton, Qt::NoModifier, centre.toPoint());
    QVERIFY(plot.isFollowing());
    QCOMPARE(p->xAxis->range().upper, 5.5);
}

void TestRunPlots::errorAxisTurnsLogarithmic() {
    ErrorPlot plot;
    plot.setReference(0.95, QStringLiteral("paper"));
    plot.beginRun(style(1, QStringLiteral("a")), 3);
    plot.appendEpoch(epoch(1, 0.05, 0.02));
    plot.appendEpoch(epoch(2, 0.01, 0.008));
    QCOMPARE(plot.plot()->yAxis->range().lower, 0.0);
    plot.setLogScale(true);
    QCOMPARE(plot.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
    const QCPRange range = plot.plot()->yAxis->range();
    QVERIFY(range.lower > 0 && range.lower <= 0.8);  // 0.8 % is in view
    QVERIFY(range.upper >= 5.0);
    plot.setLogScale(false);
    QCOMPARE(plot.plot()->yAxis->scaleType(), QCPAxis::stLinear);
}

void TestRunPlots::exportsPngPdfAndCsv() {
    LossPlot losses;
    ErrorPlot errors;
    losses.resize(800, 400);
    errors.resize(800, 400);
    const RunStyle run = style(1, QStringLiteral("lenet5, modern"));
    losses.beginRun(run, 1);
    errors.beginRun(run, 1);
    losses.appendProgress(progress(3, 3, 1, {2.0f, 1.0f, 0.5f}));
    errors.appendEpoch(epoch(1, 0.1, 0.05));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QList<lenet::ui::RunPlot*> both = {&losses, &errors};

    const QString png = dir.filePath(QStringLiteral("plots.png"));
    lenet::ui::exportPlots(both, png);
    const QImage image(png);
    QVERIFY(!image.isNull());
    QCOMPARE(image.width(), 800);
    QCOMPARE(image.height(), 800);  // the two plots stacked
    QVERIFY(image.save(QStringLiteral(LENET_TEST_GRAB_PATH)));

    const QString pdf = dir.filePath(QStringLiteral("plots.pdf"));
    lenet::ui::exportPlots(both, pdf);
    QFile pdfFile(pdf);
    QVERIFY(pdfFile.open(QIODevice::ReadOnly));
    const QByteArray pdfBytes = pdfFile.readAll();
    QVERIFY(pdfBytes.startsWith("%PDF"));
    QVERIFY(pdfBytes.size() > 2000);

    const QString csv = dir.filePath(QStringLiteral("plots.csv"));
    lenet::ui::exportPlots({&errors}, csv);
    QFile csvFile(csv);
    QVERIFY(csvFile.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(csvFile.readAll());
    QCOMPARE(text, QStringLiteral("plot,run,variant,series,x,y\n"
                                  "error,1,\"lenet5, modern\",train_error,1,10\n"
                                  "error,1,\"lenet5, modern\",test_error,1,5\n"));

    QVERIFY_THROWS_EXCEPTION(lenet::ConfigError,
                             lenet::ui::exportPlots(both, dir.filePath(QStringLiteral("a.gif"))));
    QVERIFY_THROWS_EXCEPTION(
        lenet::IoError,
        lenet::ui::exportPlots(both, dir.filePath(QStringLiteral("no/such/folder/a.png"))));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("a.gif"))));
}

QTEST_MAIN(TestRunPlots)
#include "test_run_plots.moc"
