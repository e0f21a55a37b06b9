// Plot export: the plots render themselves into one QImage or one PDF page through
// QCustomPlot::toPainter; the bytes go to disk atomically.
#include "ui/plots/plot_export.h"

#include <algorithm>

#include <qcustomplot.h>
#include <QBuffer>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QImage>
#include <QMessageBox>
#include <QPdfWriter>

#include "lenet/error.h"
#include "lenet/file_io.h"
#include "ui/inspect/export.h"
#include "ui/plots/run_plot.h"

namespace lenet::ui {
namespace {

/// The size a plot is drawn at: as on screen, but never smaller than a readable minimum.
QSize exportSize(const RunPlot* plot) {
    return plot->plot()->size().expandedTo(QSize(800, 400));
}

QSize stackedSize(const QList<RunPlot*>& plots) {
    QSize total(0, 0);
    for (const RunPlot* p : plots) {
        const QSize s = exportSize(p);
        total = QSize(std::max(total.width(), s.width()), total.height() + s.height());
    }
    return total;
}

/// Draws the plots one below the other on `painter`, each as wide as the page.
void paintStacked(const QList<RunPlot*>& plots, QCPPainter& painter, int width) {
    for (RunPlot* p : plots) {
        const int height = exportSize(p).height();
        p->plot()->toPainter(&painter, width, height);
        painter.translate(0, height);
    }
}

QByteArray pngBytes(const QList<RunPlot*>& plots) {
    const QSize size = stackedSize(plots);
    QImage image(size, QImage::Format_ARGB32);
    image.fill(Qt::white);
    {
        QCPPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setMode(QCPPainter::pmNoCaching);
        paintStacked(plots, painter, size.width());
    }
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

QByteArray pdfBytes(const QList<RunPlot*>& plots) {
    const QSize size = stackedSize(plots);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    {
        QPdfWriter writer(&buffer);
        writer.setCreator(QStringLiteral("LeNet Studio"));
        // The screen's resolution, so that text keeps its size relative to the plot.
        const int dpi = plots.front()->plot()->logicalDpiX();
        writer.setResolution(dpi);
        writer.setPageSize(QPageSize(QSizeF(size) * 72.0 / dpi, QPageSize::Point));
        writer.setPageMargins(QMarginsF(0, 0, 0, 0));
        QCPPainter painter(&writer);
        painter.setMode(QCPPainter::pmVectorized);
        painter.setMode(QCPPainter::pmNoCaching);
        paintStacked(plots, painter, size.width());
    }
    return bytes;
}

QByteArray csvBytes(const QList<RunPlot*>& plots) {
    QString text = QStringLiteral("plot,run,variant,series,x,y\n");
    for (const RunPlot* p : plots) text += p->csvRows();
    return text.toUtf8();
}

}  // namespace

void exportPlots(const QList<RunPlot*>& plots, const QString& path) {
    if (plots.isEmpty()) throw lenet::ConfigError(path.toStdString() + ": no plot to export");
    const QString suffix = QFileInfo(path).suffix().toLower();
    QByteArray bytes;
    if (suffix == QLatin1String("png")) {
        bytes = pngBytes(plots);
    } else if (suffix == QLatin1String("pdf")) {
        bytes = pdfBytes(plots);
    } else if (suffix == QLatin1String("csv")) {
        bytes = csvBytes(plots);
    } else {
        throw lenet::ConfigError(
            QStringLiteral("%1: plots are exported as .png, .pdf or .csv, not '.%2'")
                .arg(path, suffix)
                .toStdString());
    }
    lenet::writeFileAtomically(path.toStdString(), bytes.toStdString());
}

QString exportPlotsWithDialog(QWidget* parent, const QList<RunPlot*>& plots,
                              const QString& baseName, const QString& suffix) {
    struct Format {
        QString suffix;
        QString filter;
    };
    const QList<Format> formats = {
        {QStringLiteral("png"), QObject::tr("PNG image (*.png)")},
        {QStringLiteral("pdf"), QObject::tr("PDF document (*.pdf)")},
        {QStringLiteral("csv"), QObject::tr("CSV table (*.csv)")},
    };
    QStringList filters;
    QString selected;
    for (const Format& f : formats) {
        filters << f.filter;
        if (f.suffix == suffix) selected = f.filter;
    }
    QString path = QFileDialog::getSaveFileName(
        parent, QObject::tr("Export plots"),
        QDir(exportFolder())
            .filePath(baseName + QLatin1Char('.') +
                      (suffix.isEmpty() ? QStringLiteral("png") : suffix)),
        filters.join(QStringLiteral(";;")), &selected);
    if (path.isEmpty()) return {};
    if (QFileInfo(path).suffix().isEmpty()) {
        for (const Format& f : formats) {
            if (f.filter == selected) path += QLatin1Char('.') + f.suffix;
        }
    }
    try {
        exportPlots(plots, path);
    } catch (const std::exception& e) {
        QMessageBox::warning(parent, QObject::tr("Export plots"), QString::fromStdString(e.what()));
        return {};
    }
    confirmExport(parent, path);
    return path;
}

}  // namespace lenet::ui
