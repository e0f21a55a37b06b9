// ConfusionMatrixView: layout (title, axis labels, cells), colours, hit testing and export.
#include "ui/inspect/confusion_matrix_view.h"

#include <algorithm>
#include <cmath>

#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QToolButton>
#include <QToolTip>

#include "ui/inspect/evaluation_model.h"
#include "ui/inspect/export.h"

namespace lenet::ui {
namespace {

constexpr int kMargin = 6;

QColor mix(const QColor& a, const QColor& b, double t) {
    t = std::clamp(t, 0.0, 1.0);
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t),
                            float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

}  // namespace

ConfusionMatrixView::ConfusionMatrixView(QWidget* parent)
    : QWidget(parent),
      m_export(makeExportButton(this, QStringLiteral("confusion-matrix"),
                                {{tr("Image (PNG)…"), QStringLiteral("png"),
                                  [this](const QString& path) { return exportPng(path); }},
                                 {tr("Counts (CSV)…"), QStringLiteral("csv"),
                                  [this](const QString& path) { return exportCsv(path); }}})) {
    setMouseTracking(true);
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
    setToolTip(
        tr("Rows: true class; columns: predicted class. Click a cell to list its images "
           "in the test gallery."));
}

void ConfusionMatrixView::setEvaluationModel(EvaluationModel* results) {
    if (m_results) disconnect(m_results, nullptr, this, nullptr);
    m_results = results;
    if (results) {
        connect(results, &EvaluationModel::predictionsChanged, this, qOverload<>(&QWidget::update));
    }
    update();
}

int ConfusionMatrixView::classes() const {
    return m_results && m_results->predictions() ? m_results->predictions()->classes : 0;
}

int ConfusionMatrixView::count(int t, int p) const {
    const int k = classes();
    if (t < 0 || p < 0 || t >= k || p >= k) return 0;
    return m_results->predictions()->at(t, p);
}

QString ConfusionMatrixView::title() const {
    if (!m_results || !m_results->testSet())
        return tr("No test set loaded (File > Fetch MNIST downloads MNIST).");
    if (!m_results->errorText().isEmpty()) return m_results->errorText();
    if (m_results->isBusy()) return tr("Classifying the test set…");
    if (!m_results->predictions()) return tr("No network to classify the test set with.");
    const lenet::Evaluation& p = *m_results->predictions();
    const QLocale locale;
    return tr("Test error %1% (%2 of %3 test images)")
        .arg(p.error() * 100.0, 0, 'f', 2)
        .arg(locale.toString(p.errors), locale.toString(p.count));
}

void ConfusionMatrixView::setNetworkName(const QString& name) {
    m_networkName = name;
    update();
}

QString ConfusionMatrixView::networkLine() const {
    return m_networkName.isEmpty() ? QString() : tr("Network: %1").arg(m_networkName);
}

int ConfusionMatrixView::titleRowHeight() const {
    return std::max(fontMetrics().height(), m_export->sizeHint().height()) + kMargin;
}

int ConfusionMatrixView::titleHeight() const {
    return titleRowHeight() + fontMetrics().height();
}

QRect ConfusionMatrixView::matrixRect() const {
    const QFontMetrics fm = fontMetrics();
    // Rows above the cells: the title (beside the export button), "predicted class", the labels.
    const int top = titleHeight() + 2 * fm.height() + 8;
    const int left = kMargin + fm.height() + fm.horizontalAdvance(QStringLiteral("00")) + 10;
    const int available = width() - left - kMargin;
    const int side = std::max(10, std::min(available, height() - top - kMargin));
    // Centred in the width the labels leave.
    return {left + std::max(0, (available - side) / 2), top, side, side};
}

QRect ConfusionMatrixView::cellRect(int t, int p) const {
    const int k = classes();
    if (t < 0 || p < 0 || t >= k || p >= k) return {};
    const QRect m = matrixRect();
    const double cell = double(m.width()) / k;
    const int x0 = m.left() + int(std::lround(p * cell)),
              x1 = m.left() + int(std::lround((p + 1) * cell));
    const int y0 = m.top() + int(std::lround(t * cell)),
              y1 = m.top() + int(std::lround((t + 1) * cell));
    return {x0, y0, x1 - x0, y1 - y0};
}

bool ConfusionMatrixView::cellAt(QPoint pos, int& t, int& p) const {
    const int k = classes();
    const QRect m = matrixRect();
    if (k == 0 || !m.contains(pos)) return false;
    p = std::min(k - 1, (pos.x() - m.left()) * k / m.width());
    t = std::min(k - 1, (pos.y() - m.top()) * k / m.height());
    return true;
}

QSize ConfusionMatrixView::sizeHint() const {
    return {420, 440};
}

QSize ConfusionMatrixView::minimumSizeHint() const {
    return {220, 240};
}

void ConfusionMatrixView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const QFontMetrics fm = fontMetrics();
    const QColor text = palette().color(QPalette::Text);
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(text);
    p.drawText(QRect(kMargin, 0, m_export->x() - 2 * kMargin, titleRowHeight()),
               Qt::AlignLeft | Qt::AlignVCenter, title());
    p.setFont(font());
    const int lineWidth = width() - 2 * kMargin;
    p.drawText(QRect(kMargin, titleRowHeight(), lineWidth, fm.height()),
               Qt::AlignLeft | Qt::AlignVCenter,
               fm.elidedText(networkLine(), Qt::ElideMiddle, lineWidth));
    const int k = classes();
    if (k == 0) return;
    const lenet::Evaluation& pred = *m_results->predictions();
    const QRect m = matrixRect();
    p.drawText(QRect(m.left(), titleHeight() + 2, m.width(), fm.height()), Qt::AlignCenter,
               tr("predicted class"));
    p.save();
    // Beside the row labels, which sit just left of the cells.
    p.translate(m.left() - fm.horizontalAdvance(QStringLiteral("00")) - 12 - fm.height(),
                m.center().y());
    p.rotate(-90);
    p.drawText(QRect(-m.height() / 2, 0, m.height(), fm.height()), Qt::AlignCenter,
               tr("true class"));
    p.restore();

    int maxOff = 0;
    std::vector<int> rowTotal(std::size_t(k), 0);
    for (int t = 0; t < k; ++t)
        for (int c = 0; c < k; ++c) {
            rowTotal[std::size_t(t)] += pred.at(t, c);
            if (t != c) maxOff = std::max(maxOff, pred.at(t, c));
        }
    QFont small = font();
    small.setPointSizeF(std::max(6.0, font().pointSizeF() * std::min(1.0, m.width() / 400.0)));
    for (int t = 0; t < k; ++t) {
        const QRect row = cellRect(t, 0);
        p.setPen(text);
        p.setFont(font());
        const QString name = QString::fromStdString(lenet::className(pred.classNames, t));
        const int labelW = fm.horizontalAdvance(QStringLiteral("00")) + 4;
        p.drawText(QRect(m.left() - labelW - 4, row.top(), labelW, row.height()),
                   Qt::AlignRight | Qt::AlignVCenter, fm.elidedText(name, Qt::ElideRight, labelW));
        p.drawText(
            QRect(cellRect(0, t).left(), m.top() - fm.height() - 2, row.height(), fm.height()),
            Qt::AlignCenter, fm.elidedText(name, Qt::ElideRight, row.height()));
        for (int c = 0; c < k; ++c) {
            const QRect r = cellRect(t, c);
            const int n = pred.at(t, c);
            QColor fill;
            if (t == c) {
                const double share =
                    rowTotal[std::size_t(t)] ? double(n) / rowTotal[std::size_t(t)] : 0.0;
                fill = mix(QColor(240, 248, 240), QColor(46, 139, 87), share);
            } else {
                const double share = maxOff ? std::log1p(n) / std::log1p(maxOff) : 0.0;
                fill = n ? mix(QColor(253, 224, 221), QColor(190, 30, 45), share)
                         : QColor(250, 250, 250);
            }
            p.fillRect(r, fill);
            p.setPen(QColor(220, 220, 220));
            p.drawRect(r.adjusted(0, 0, -1, -1));
            p.setFont(small);
            p.setPen(fill.lightnessF() < 0.55 ? Qt::white : QColor(40, 40, 40));
            p.drawText(r, Qt::AlignCenter, n ? QString::number(n) : QStringLiteral("·"));
        }
    }
    const QRect hover = cellRect(m_hoverT, m_hoverP);
    if (!hover.isEmpty()) {
        p.setPen(QPen(QColor(255, 140, 0), 2));
        p.setBrush(Qt::NoBrush);
        p.drawRect(hover.adjusted(1, 1, -1, -1));
    }
}

void ConfusionMatrixView::mouseMoveEvent(QMouseEvent* event) {
    int t = -1, c = -1;
    if (!cellAt(event->position().toPoint(), t, c)) t = c = -1;
    if (t == m_hoverT && c == m_hoverP) return;
    m_hoverT = t;
    m_hoverP = c;
    if (t >= 0) {
        int total = 0;
        for (int j = 0; j < classes(); ++j) total += count(t, j);
        m_hoverText = tr("true %1, predicted %2: %3 images (%4% of the %1s); click to list them")
                          .arg(t)
                          .arg(c)
                          .arg(count(t, c))
                          .arg(total ? 100.0 * count(t, c) / total : 0.0, 0, 'f', 1);
    } else {
        m_hoverText.clear();
    }
    update();
}

bool ConfusionMatrixView::event(QEvent* event) {
    // Over a cell the tooltip describes the cell; elsewhere it explains the view.
    if (event->type() == QEvent::ToolTip && !m_hoverText.isEmpty()) {
        QToolTip::showText(static_cast<QHelpEvent*>(event)->globalPos(), m_hoverText, this);
        return true;
    }
    return QWidget::event(event);
}

void ConfusionMatrixView::mousePressEvent(QMouseEvent* event) {
    int t, c;
    if (event->button() == Qt::LeftButton && cellAt(event->position().toPoint(), t, c))
        Q_EMIT cellClicked(t, c);
}

void ConfusionMatrixView::leaveEvent(QEvent*) {
    m_hoverT = m_hoverP = -1;
    m_hoverText.clear();
    update();
}

void ConfusionMatrixView::resizeEvent(QResizeEvent*) {
    m_export->adjustSize();
    m_export->move(width() - m_export->width() - kMargin, kMargin / 2);
}

QImage ConfusionMatrixView::renderImage() {
    // Without the hover frame and the button.
    const int hoverT = m_hoverT, hoverP = m_hoverP;
    m_hoverT = m_hoverP = -1;
    m_export->hide();
    const QImage image = grab().toImage();
    m_export->show();
    m_hoverT = hoverT;
    m_hoverP = hoverP;
    return image;
}

QString ConfusionMatrixView::exportPng(const QString& path) {
    return savePng(renderImage(), path);
}

QByteArray ConfusionMatrixView::toCsv() const {
    const int k = classes();
    QByteArray csv = "true\\predicted";
    for (int c = 0; c < k; ++c) csv += ',' + QByteArray::number(c);
    csv += '\n';
    for (int t = 0; t < k; ++t) {
        csv += QByteArray::number(t);
        for (int c = 0; c < k; ++c) csv += ',' + QByteArray::number(count(t, c));
        csv += '\n';
    }
    return csv;
}

QString ConfusionMatrixView::exportCsv(const QString& path) {
    if (classes() == 0)
        return tr("Nothing to export to %1: there is no confusion matrix").arg(path);
    return saveBytes(toCsv(), path);
}

}  // namespace lenet::ui
