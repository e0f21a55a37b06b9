// Writing the run plots to files: PNG (the plots stacked, as on screen), PDF (vector, one page)
// and CSV (every data point), always through lenet::writeFileAtomically.
#pragma once

#include <QList>
#include <QString>

class QWidget;

namespace lenet::ui {

class RunPlot;

/// Writes `plots` to `path` in the format its suffix names: .png, .pdf or .csv (columns
/// plot,run,variant,series,x,y; x in epochs). Throws lenet::Error naming the path: ConfigError
/// for another suffix or an empty list, IoError when the file cannot be written.
void exportPlots(const QList<RunPlot*>& plots, const QString& path);

/// Asks where to save `plots` (suggesting `baseName` and the format `suffix`), exports them and
/// shows any failure in a message box. Returns the path written; empty when cancelled or failed.
QString exportPlotsWithDialog(QWidget* parent, const QList<RunPlot*>& plots,
                              const QString& baseName, const QString& suffix);

}  // namespace lenet::ui
