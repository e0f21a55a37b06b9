// Atomic writes through QSaveFile and the export button's menu.
#include "ui/inspect/export.h"

#include <QBuffer>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMainWindow>
#include <QMenu>
#include <QMessageBox>
#include <QSaveFile>
#include <QSettings>
#include <QStatusBar>
#include <QToolButton>

namespace lenet::ui {

QString saveBytes(const QByteArray& bytes, const QString& path) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
    if (file.write(bytes) != bytes.size() || !file.commit())
        return QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
    return {};
}

QString savePng(const QImage& image, const QString& path) {
    if (image.isNull()) return QObject::tr("Nothing to export to %1: the view is empty").arg(path);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG"))
        return QObject::tr("Cannot encode the image for %1 as PNG").arg(path);
    return saveBytes(bytes, path);
}

QString exportFolder() {
    return QSettings().value(QStringLiteral("exportDir"), QDir::homePath()).toString();
}

void confirmExport(QWidget* from, const QString& path) {
    QSettings().setValue(QStringLiteral("exportDir"), QFileInfo(path).absolutePath());
    // A floating dock is a window of its own, its parent still the main window.
    for (QWidget* w = from; w; w = w->parentWidget()) {
        if (auto* window = qobject_cast<QMainWindow*>(w)) {
            window->statusBar()->showMessage(
                QObject::tr("Exported to %1").arg(QDir::toNativeSeparators(path)), 15000);
            return;
        }
    }
}

QToolButton* makeExportButton(QWidget* parent, const QString& baseName,
                              std::vector<ExportFormat> formats) {
    auto* button = new QToolButton(parent);
    button->setText(QObject::tr("Export"));
    button->setToolTip(QObject::tr("Save what this view shows to a file"));
    button->setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(button);
    for (ExportFormat& f : formats) {
        QAction* action = menu->addAction(f.label);
        action->setToolTip(QObject::tr("Save as .%1").arg(f.suffix));
        QObject::connect(
            action, &QAction::triggered, button, [button, baseName, format = std::move(f)] {
                const QString suggested =
                    QDir(exportFolder()).filePath(baseName + QLatin1Char('.') + format.suffix);
                const QString path =
                    QFileDialog::getSaveFileName(button->window(), format.label, suggested,
                                                 QStringLiteral("*.%1").arg(format.suffix));
                if (path.isEmpty()) return;
                const QString error = format.write(path);
                if (error.isEmpty()) {
                    confirmExport(button, path);
                } else {
                    QMessageBox::warning(button->window(), QObject::tr("Export failed"), error);
                }
            });
    }
    button->setMenu(menu);
    return button;
}

}  // namespace lenet::ui
