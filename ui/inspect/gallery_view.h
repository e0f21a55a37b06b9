// The test gallery: a virtualised grid (QListView + GalleryModel) of test images with predicted
// and true class and confidence; filters for misclassified only, true class and predicted class;
// sorted by confidence. Clicking an image selects it for the other views. A new evaluation of
// the network keeps the user's scroll position and selection.
#pragma once

#include <QStyledItemDelegate>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QListView;

namespace lenet::ui {

class EvaluationModel;
class GalleryModel;
class SelectionModel;

/// One cell of a GalleryModel in a list view: the digit, "true→predicted" (red when wrong) and
/// the confidence. Also draws the "My digits" view.
class GalleryDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    void paint(QPainter* p, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
};

class GalleryView : public QWidget {
    Q_OBJECT

public:
    explicit GalleryView(QWidget* parent = nullptr);

    /// Lists the test set and predictions of `results` and follows their changes.
    void setEvaluationModel(EvaluationModel* results);
    /// A click on an image selects it in `selection` (null: no selection).
    void setSelectionModel(SelectionModel* selection);

    /// Lists the images of true class `trueClass` predicted as `predictedClass` (-1: any), as a
    /// click on a confusion-matrix cell asks.
    void showCell(int trueClass, int predictedClass);

    GalleryModel* model() const { return m_model; }
    QListView* list() const { return m_list; }
    /// The line above the grid ("82 of 10,000 test images", or why there are none).
    QString statusText() const;

    /// The visible part of the grid as an image.
    QImage renderImage();
    /// Saves renderImage() as PNG; returns an error message, empty on success.
    QString exportPng(const QString& path);
    /// Saves the listed rows as CSV; returns an error message, empty on success.
    QString exportCsv(const QString& path);

private:
    void applyFilter();
    void refresh();
    void selectRow(const QModelIndex& index);

    EvaluationModel* m_results = nullptr;
    SelectionModel* m_selection = nullptr;
    GalleryModel* m_model;
    QListView* m_list;
    QCheckBox* m_misclassified;
    QComboBox* m_trueClass;
    QComboBox* m_predicted;
    QComboBox* m_order;
    QLabel* m_status;
};

}  // namespace lenet::ui
