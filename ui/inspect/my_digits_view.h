// The "My digits" panel: the user's saved digits (MyDigitsStore) as a grid of thumbnails with
// label, the current network's prediction and confidence, how many it gets right (re-evaluated
// whenever the network changes, like the test gallery), the folder they are saved in, deleting
// the selected ones (Del), and PNG/CSV export. Clicking a digit selects it for the feature-map
// and output views.
#pragma once

#include <QWidget>

#include "ui/training/training_types.h"

class QLabel;
class QListView;
class QPushButton;

namespace lenet::ui {

class EvaluationModel;
class GalleryModel;
class MyDigitsStore;
class SelectionModel;

class MyDigitsView : public QWidget {
    Q_OBJECT

public:
    explicit MyDigitsView(QWidget* parent = nullptr);

    /// Lists the digits of `store` and follows its changes (null: none).
    void setStore(MyDigitsStore* store);
    /// Classifies the digits with `net` (null: none); cheap, so every snapshot may come here.
    void setNetwork(NetworkSnapshot net);
    /// A click on a digit selects it in `selection` (null: no selection).
    void setSelectionModel(SelectionModel* selection);

    GalleryModel* model() const { return m_model; }
    QListView* list() const { return m_list; }
    EvaluationModel* evaluation() const { return m_evaluation; }
    /// The line above the grid: the count and the accuracy, or why there is none.
    QString statusText() const;

    /// Deletes the selected digits from the store. Returns an error message, empty on success
    /// (also when nothing is selected).
    QString deleteSelected();

    /// The visible part of the grid as an image.
    QImage renderImage();
    /// Saves renderImage() as PNG; returns an error message, empty on success.
    QString exportPng(const QString& path);
    /// Saves the digits as CSV (index,true,predicted,confidence); returns an error message,
    /// empty on success.
    QString exportCsv(const QString& path);

private:
    void refresh();
    void selectRow(const QModelIndex& index);
    void openFolder();

    MyDigitsStore* m_store = nullptr;
    SelectionModel* m_selection = nullptr;
    EvaluationModel* m_evaluation;
    GalleryModel* m_model;
    QListView* m_list;
    QLabel* m_status;
    QLabel* m_folder;
    QPushButton* m_delete;
    QPushButton* m_openFolder;
};

}  // namespace lenet::ui
