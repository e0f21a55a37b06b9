// The confusion matrix of the current network on the test set as a 10x10 heat map with counts:
// rows are true classes, columns predicted ones; the diagonal (right) in green, mistakes in red.
// The caption names the network and says on how many test images it was measured. Clicking a
// cell asks the gallery to list those images.
#pragma once

#include <QWidget>

class QToolButton;

namespace lenet::ui {

class EvaluationModel;

class ConfusionMatrixView : public QWidget {
    Q_OBJECT

public:
    explicit ConfusionMatrixView(QWidget* parent = nullptr);

    /// Shows the predictions of `results` and follows their changes.
    void setEvaluationModel(EvaluationModel* results);

    /// Where cell (true `t`, predicted `p`) is drawn; empty without predictions.
    QRect cellRect(int t, int p) const;
    /// The count in a cell, 0 without predictions.
    int count(int t, int p) const;
    /// The title line: the error rate, or why there is no matrix.
    QString title() const;
    /// Names the network the predictions come from ("bundled model (lenet5-1998)").
    void setNetworkName(const QString& name);
    /// The line under the title naming the network; empty before setNetworkName().
    QString networkLine() const;
    /// The line describing the cell under the mouse.
    QString hoverText() const { return m_hoverText; }

    /// The matrix as an image.
    QImage renderImage();
    /// Saves renderImage() as PNG; returns an error message, empty on success.
    QString exportPng(const QString& path);
    /// The counts as CSV (a header row of predicted classes, one row per true class).
    QByteArray toCsv() const;
    /// Saves toCsv(); returns an error message, empty on success.
    QString exportCsv(const QString& path);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void cellClicked(int trueClass, int predictedClass);

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    int classes() const;
    /// Height of the title row (the text and the export button).
    int titleRowHeight() const;
    /// Height of the title row and the network line under it.
    int titleHeight() const;
    /// The square of the matrix cells (without labels).
    QRect matrixRect() const;
    bool cellAt(QPoint pos, int& t, int& p) const;

    EvaluationModel* m_results = nullptr;
    QToolButton* m_export;
    QString m_networkName;
    int m_hoverT = -1;
    int m_hoverP = -1;
    QString m_hoverText;
};

}  // namespace lenet::ui
