// Saving what a view shows: PNG and CSV files written atomically (QSaveFile), and the "Export"
// button each view carries, which asks for a file name and shows any error in a message box.
#pragma once

#include <functional>
#include <vector>

#include <QByteArray>
#include <QImage>
#include <QString>

class QToolButton;
class QWidget;

namespace lenet::ui {

/// Writes `image` as PNG to `path`. Returns an error message naming the file, empty on success.
QString savePng(const QImage& image, const QString& path);
/// Writes `bytes` to `path`. Returns an error message naming the file, empty on success.
QString saveBytes(const QByteArray& bytes, const QString& path);

/// The folder the last export went to (QSettings "exportDir"), the home folder before any.
QString exportFolder();
/// After an export to `path`: remembers its folder for the next export and says where it went in
/// the status bar of the main window `from` belongs to.
void confirmExport(QWidget* from, const QString& path);

/// One entry of an export menu.
struct ExportFormat {
    QString label;                                      // "Image (PNG)…"
    QString suffix;                                     // "png"
    std::function<QString(const QString& path)> write;  // returns an error message or ""
};

/// A tool button "Export" whose menu has one entry per format; `baseName` is the suggested file
/// name without suffix.
QToolButton* makeExportButton(QWidget* parent, const QString& baseName,
                              std::vector<ExportFormat> formats);

}  // namespace lenet::ui
