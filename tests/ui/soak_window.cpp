// Soak test (label soak, opt-in): the studio window trains lenet5-modern on full MNIST for
// LENET_SOAK_SECONDS (default 1800) with every inspection view floating and visible, so that
// the progress reports and network snapshots stream into all of them, and checks that memory
// stops growing after the first epoch.
//
// Two measures, sampled every two seconds:
// - the heap in use (glibc's mallinfo2: bytes in allocated blocks, all arenas). It finds leaks:
//   its floor over the last third of the run (the floor, because the epoch-end evaluations lift
//   it by about 22 MB for a few seconds) may exceed its floor over the first minute after the
//   first epoch by at most kHeapBoundMb beyond the plotted points. A snapshot of lenet5-modern
//   is about 0.2 MB, so a leak of one snapshot per progress report (ten a second) or per view
//   update (one a second) fails within a minute, and one per epoch after a dozen epochs.
// - the resident set (VmRSS), what the issue asks about: its peak over the last third of the
//   run may exceed its peak before that by at most kResidentBoundMb beyond the plotted points.
//   RSS alone cannot tell a leak from the blocks the allocator keeps for reuse (malloc_trim
//   gives back about 24 MB of them here), and a slow leak fills those blocks before RSS moves;
//   the heap check sees it.
//
// The loss plot keeps every batch's loss by design (two 16-byte points per batch, plus the
// learning rate), so both bounds allow for twice the plotted bytes: a growing array is copied to
// one twice its size.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <malloc.h>
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
#include "ui/training/training_controller.h"
#include "ui/window/main_window.h"

using lenet::ui::MainWindow;
using lenet::ui::TrainingController;

namespace {

constexpr double kHeapBoundMb = 2.0;
constexpr double kResidentBoundMb = 5.0;
constexpr int kSampleMs = 2000;
constexpr double kReportMinutes = 2.0;  // one line of the printed curve per this many minutes
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

/// The bytes in allocated heap blocks, in every malloc arena and in mmapped chunks, in MB.
double heapInUseMb() {
    const struct mallinfo2 info = mallinfo2();
    return double(info.uordblks + info.hblkhd) / kMb;
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
    double heapMb;
    double plotMb;
};

using SampleIt = std::vector<Sample>::const_iterator;

double peakRss(SampleIt begin, SampleIt end) {
    double m = 0.0;
    for (auto it = begin; it != end; ++it) m = std::max(m, it->rssMb);
    return m;
}

/// The lowest heap in use of the samples: what stays allocated between the transient peaks.
double heapFloor(SampleIt begin, SampleIt end) {
    double m = begin->heapMb;
    for (auto it = begin; it != end; ++it) m = std::min(m, it->heapMb);
    return m;
}

/// The run's curve, one line per kReportMinutes: peak RSS, heap floor and plotted points.
void printCurve(const std::vector<Sample>& samples) {
    std::printf("soak: minute   RSS peak MB   heap floor MB   plotted MB\n");
    for (auto begin = samples.begin(); begin != samples.end();) {
        const double until = begin->minutes + kReportMinutes;
        const auto end =
            std::find_if(begin, samples.end(), [&](const Sample& s) { return s.minutes >= until; });
        std::printf("soak: %6.1f   %11.1f   %13.2f   %10.2f\n", begin->minutes, peakRss(begin, end),
                    heapFloor(begin, end), std::prev(end)->plotMb);
        begin = end;
    }
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
    void memoryStopsGrowingAfterTheFirstEpoch();
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

void SoakWindow::memoryStopsGrowingAfterTheFirstEpoch() {
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
        samples.push_back(
            {clock.elapsed() / 60000.0, residentMb(), heapInUseMb(), plottedMb(window)});
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
    // later: the steady state starts a few seconds after that.
    QVERIFY2(firstEpochEnd > 0, "not even one epoch finished");
    const double settled = firstEpochEnd + 3.0 * kSampleMs / 60000.0;
    const auto steady = std::find_if(samples.cbegin(), samples.cend(),
                                     [&](const Sample& s) { return s.minutes > settled; });
    QVERIFY2(samples.cend() - steady >= 30, "too few samples after the first epoch (one minute)");
    // The heap's baseline: its floor over the first minute after the first epoch.
    const auto firstMinute = std::find_if(
        steady, samples.cend(), [&](const Sample& s) { return s.minutes > steady->minutes + 1.0; });
    const auto lastThird = steady + 2 * (samples.cend() - steady) / 3;
    const double plotEnd = samples.back().plotMb;

    const double heapBase = heapFloor(steady, firstMinute);
    const double heapLate = heapFloor(lastThird, samples.cend());
    const double heapAllowed = kHeapBoundMb + 2.0 * (plotEnd - std::prev(firstMinute)->plotMb);
    const double rssEpoch1 = peakRss(samples.cbegin(), steady);
    const double rssBefore = peakRss(samples.cbegin(), lastThird);
    const double rssLate = peakRss(lastThird, samples.cend());
    const double rssAllowed = kResidentBoundMb + 2.0 * (plotEnd - std::prev(lastThird)->plotMb);

    printCurve(samples);
    std::printf(
        "soak: %d epochs of lenet5-modern in %.1f min, %zu samples every %d s\n"
        "soak: RSS %.1f MB after epoch 1, %.1f MB before the last third, %.1f MB peak in it, "
        "%.1f MB at the end\n"
        "soak: heap in use %.2f MB after epoch 1 (floor of its first minute), %.2f MB floor of "
        "the last third, %.2f MB at the end\n"
        "soak: plotted points %.2f MB after epoch 1, %.2f MB at the end\n"
        "soak: growth beyond the plotted points: heap %.2f MB (bound %.1f), RSS in the last "
        "third %.2f MB (bound %.1f), RSS since epoch 1 %.2f MB\n",
        epochs, samples.back().minutes, samples.size(), kSampleMs / 1000, rssEpoch1, rssBefore,
        rssLate, samples.back().rssMb, heapBase, heapLate, samples.back().heapMb,
        std::prev(steady)->plotMb, plotEnd,
        heapLate - heapBase - (plotEnd - std::prev(firstMinute)->plotMb), kHeapBoundMb,
        rssLate - rssBefore - (plotEnd - std::prev(lastThird)->plotMb), kResidentBoundMb,
        rssLate - rssEpoch1 - (plotEnd - std::prev(steady)->plotMb));
    std::fflush(stdout);
    QVERIFY2(heapLate - heapBase < heapAllowed,
             qPrintable(QStringLiteral("the heap in use grew %1 MB after the first epoch; "
                                       "allowed %2 MB")
                            .arg(heapLate - heapBase, 0, 'f', 2)
                            .arg(heapAllowed, 0, 'f', 2)));
    QVERIFY2(rssLate - rssBefore < rssAllowed,
             qPrintable(QStringLiteral("RSS still grew %1 MB in the last third of the run; "
                                       "allowed %2 MB")
                            .arg(rssLate - rssBefore, 0, 'f', 1)
                            .arg(rssAllowed, 0, 'f', 1)));
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
