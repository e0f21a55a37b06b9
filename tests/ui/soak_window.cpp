// Soak test (label soak, opt-in): the studio window trains lenet5-modern on full MNIST for
// LENET_SOAK_SECONDS (default 1800) with every inspection view floating and visible, so that
// the progress reports and network snapshots stream into all of them, and checks that the
// resident memory stops growing after the first epoch.
//
// The loss plot keeps every batch's loss by design (two 16-byte points per batch, plus the
// learning rate), so the bound allows for the plotted points: growth beyond them must stay
// under kLeakBoundMb. That is about twenty copies of lenet5-modern's weights with their
// activations; a leak of one snapshot per progress report (ten a second) or per view update
// (one a second) exceeds it within a minute, one per epoch within a 30-minute run.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <qcustomplot.h>

#include <QApplication>
#include <QCoreApplication>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTimer>
#include <QtTest>

#include "lenet/data/idx.h"
#include "lenet/error.h"
#include "ui/inspect/inspection_panels.h"
#include "ui/main_window.h"
#include "ui/training_controller.h"

using lenet::ui::MainWindow;
using lenet::ui::TrainingController;

namespace {

constexpr double kLeakBoundMb = 5.0;
constexpr int kSampleMs = 2000;
constexpr double kMb = 1024.0 * 1024.0;

/// The resident set size of this process in MB (VmRSS of /proc/self/status), -1 if unknown.
double residentMb() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB
    }
    return -1.0;
}

/// The bytes of every point of every graph of the window's plots.
double plottedMb(const MainWindow& window) {
    std::size_t points = 0;
    for (const QCustomPlot* plot : window.findChildren<QCustomPlot*>()) {
        for (int g = 0; g < plot->graphCount(); ++g)
            points += std::size_t(plot->graph(g)->dataCount());
    }
    return double(points * sizeof(QCPGraphData)) / kMb;
}

struct Sample {
    double minutes;  // since the run started
    double rssMb;
    double plotMb;
};

/// Least-squares slope of `value` over the samples' minutes.
template <class Value>
double slopePerMinute(const std::vector<Sample>& samples, Value value) {
    const double n = double(samples.size());
    double mx = 0.0, my = 0.0;
    for (const Sample& s : samples) {
        mx += s.minutes / n;
        my += value(s) / n;
    }
    double sxy = 0.0, sxx = 0.0;
    for (const Sample& s : samples) {
        sxy += (s.minutes - mx) * (value(s) - my);
        sxx += (s.minutes - mx) * (s.minutes - mx);
    }
    return sxx > 0.0 ? sxy / sxx : 0.0;
}

double maxRss(std::vector<Sample>::const_iterator begin, std::vector<Sample>::const_iterator end) {
    double m = 0.0;
    for (auto it = begin; it != end; ++it) m = std::max(m, it->rssMb);
    return m;
}

/// How long the soak trains: LENET_SOAK_SECONDS, default 1800.
int soakSeconds() {
    return qEnvironmentVariableIsSet("LENET_SOAK_SECONDS")
               ? qEnvironmentVariableIntValue("LENET_SOAK_SECONDS")
               : 1800;
}

}  // namespace

class SoakWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void residentMemoryStopsGrowingAfterTheFirstEpoch();
};

void SoakWindow::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // QSettings go to a test location
    QCoreApplication::setOrganizationName(QStringLiteral("LeNet Studio"));
    QCoreApplication::setApplicationName(QStringLiteral("lenet-studio-soak"));
    try {
        lenet::loadSplit(lenet::defaultDataDir(), lenet::Split::Train);
    } catch (const lenet::Error& e) {
        QSKIP(qPrintable(QStringLiteral("MNIST is not installed (%1)").arg(e.what())));
    }
}

void SoakWindow::residentMemoryStopsGrowingAfterTheFirstEpoch() {
    const int seconds = soakSeconds();
    QVERIFY2(seconds >= 60, "LENET_SOAK_SECONDS must be at least 60 (a few epochs)");

    MainWindow window;
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    // Every inspection view in a window of its own, all visible at once.
    int placed = 0;
    for (const auto& panel : window.inspection()->panels()) {
        auto* dock = window.findChild<QDockWidget*>(panel.objectName);
        QVERIFY2(dock, qPrintable(panel.objectName));
        dock->setFloating(true);
        dock->setGeometry(40 + 420 * (placed % 4), 40 + 460 * (placed / 4), 400, 420);
        dock->show();
        ++placed;
    }
    QVERIFY(placed > 0);
    // Full MNIST, more epochs than fit: the deadline stops the run.
    QVERIFY(window.selectPreset(QStringLiteral("lenet5-modern")));
    window.setRunLimits(1000, 0, 0);

    TrainingController* controller = window.controller();
    QSignalSpy finished(controller, &TrainingController::finished);
    QSignalSpy diverged(controller, &TrainingController::diverged);
    QSignalSpy failed(controller, &TrainingController::failed);
    std::vector<Sample> samples;
    QElapsedTimer clock;
    double firstEpochEnd = -1.0;  // minutes
    connect(controller, &TrainingController::epochFinished, this, [&] {
        if (firstEpochEnd < 0) firstEpochEnd = clock.elapsed() / 60000.0;
    });
    QTimer sampler;
    connect(&sampler, &QTimer::timeout, this, [&] {
        samples.push_back({clock.elapsed() / 60000.0, residentMb(), plottedMb(window)});
    });
    clock.start();
    sampler.start(kSampleMs);
    window.trainOrPause();
    QVERIFY(controller->isRunning());
    const bool ended = QTest::qWaitFor(
        [&] { return !finished.isEmpty() || !diverged.isEmpty() || !failed.isEmpty(); },
        seconds * 1000);
    QVERIFY2(failed.isEmpty() && diverged.isEmpty(), "the run ended with an error");
    QVERIFY2(!ended, "the run ended before the deadline");
    controller->stop();
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 60000);
    sampler.stop();
    const int epochs = int(qvariant_cast<lenet::ui::EpochHistory>(finished.front().at(0)).size());

    // The first epoch ends with an evaluation, and the views classify the test set a second
    // later: the baseline is the peak up to a few seconds after that.
    QVERIFY2(firstEpochEnd > 0, "not even one epoch finished");
    const double settled = firstEpochEnd + 3.0 * kSampleMs / 60000.0;
    const auto afterFirst = std::find_if(samples.begin(), samples.end(),
                                         [&](const Sample& s) { return s.minutes > settled; });
    QVERIFY2(samples.end() - afterFirst >= 6, "too few samples after the first epoch");
    const double baseline = maxRss(samples.begin(), afterFirst);
    const double basePlot = std::prev(afterFirst)->plotMb;
    const auto lastThird = afterFirst + 2 * (samples.end() - afterFirst) / 3;
    const double late = maxRss(lastThird, samples.end());
    const double plotGrowth = samples.back().plotMb - basePlot;
    const std::vector<Sample> steady(afterFirst, samples.end());
    const double slope = slopePerMinute(steady, [](const Sample& s) { return s.rssMb; });
    const double slopeBeyondPlots =
        slopePerMinute(steady, [](const Sample& s) { return s.rssMb - s.plotMb; });
    std::printf(
        "soak: %d epochs of lenet5-modern in %.1f min, %zu samples every %d s\n"
        "soak: RSS after epoch 1 %.1f MB, at the end %.1f MB, max %.1f MB, max of the last "
        "third %.1f MB\n"
        "soak: plotted points %.2f MB after epoch 1, %.2f MB at the end\n"
        "soak: slope %.3f MB/min (%.3f MB/min beyond the plotted points)\n",
        epochs, samples.back().minutes, samples.size(), kSampleMs / 1000, baseline,
        samples.back().rssMb, maxRss(samples.begin(), samples.end()), late, basePlot,
        samples.back().plotMb, slope, slopeBeyondPlots);
    std::fflush(stdout);
    // Twice the plotted bytes: a growing array is copied to one twice its size, and the heap
    // may keep the old block.
    const double allowed = kLeakBoundMb + 2.0 * plotGrowth;
    QVERIFY2(late - baseline < allowed,
             qPrintable(QStringLiteral("RSS grew %1 MB after the first epoch; allowed %2 MB")
                            .arg(late - baseline, 0, 'f', 1)
                            .arg(allowed, 0, 'f', 1)));
}

int main(int argc, char** argv) {
    // Qt Test aborts a test function after 5 minutes unless told otherwise; the soak trains for
    // soakSeconds(), so allow that and 10 minutes more.
    if (!qEnvironmentVariableIsSet("QTEST_FUNCTION_TIMEOUT")) {
        qputenv("QTEST_FUNCTION_TIMEOUT", QByteArray::number((qint64(soakSeconds()) + 600) * 1000));
    }
    QApplication app(argc, argv);
    SoakWindow test;
    return QTest::qExec(&test, argc, argv);
}
#include "soak_window.moc"
