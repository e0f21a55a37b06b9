// `lenet-studio`: the Qt desktop application. Restores the window geometry, optionally
// preselects a preset, and can save a screenshot of itself and quit (--grab, for the docs).
#include <cstdio>

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>
#include <QTimer>

#include "lenet/presets.h"
#include "ui/main_window.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("LeNet Studio"));
    QApplication::setApplicationName(QStringLiteral("LeNet Studio"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Train LeNet-5 and its variants on MNIST and watch them learn."));
    parser.addHelpOption();
    const QCommandLineOption presetOption(QStringLiteral("preset"),
                                          QStringLiteral("Select the architecture preset <name>."),
                                          QStringLiteral("name"));
    const QCommandLineOption grabOption(
        QStringLiteral("grab"),
        QStringLiteral("Show the window, save a screenshot of it to <file> and quit."),
        QStringLiteral("file"));
    parser.addOption(presetOption);
    parser.addOption(grabOption);
    parser.process(app);

    lenet::ui::MainWindow window;
    if (parser.isSet(presetOption) && !window.selectPreset(parser.value(presetOption))) {
        QString names;
        for (const std::string& name : lenet::presetNames()) {
            names += QStringLiteral(" ") + QString::fromStdString(name);
        }
        std::fprintf(stderr, "lenet-studio: unknown preset '%s'; the presets are:%s\n",
                     qPrintable(parser.value(presetOption)), qPrintable(names));
        return 2;
    }

    const bool grab = parser.isSet(grabOption);
    QSettings settings;
    if (!grab) window.restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
    window.show();

    if (grab) {
        const QString path = parser.value(grabOption);
        QTimer::singleShot(300, &window, [&window, path] {
            const bool saved = window.grab().save(path);
            if (!saved) std::fprintf(stderr, "lenet-studio: cannot write %s\n", qPrintable(path));
            QCoreApplication::exit(saved ? 0 : 1);
        });
        return QApplication::exec();
    }
    const int status = QApplication::exec();
    settings.setValue(QStringLiteral("geometry"), window.saveGeometry());
    return status;
}
