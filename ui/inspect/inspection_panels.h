// The inspection views as one set: creates the drawing panel, feature maps, RBF output, kernels,
// test gallery, confusion matrix, invariance lab, backprop step view, layer statistics and the
// digits' map, with the selection, its trace through the network and the test-set predictions
// they share, and wires them together (a gallery click or a drawing selects the image every view
// shows; a confusion-matrix click filters the gallery and brings it forward), and a label naming
// the network they use. The window adds each panel as a dock, places the label over them and
// feeds setNetwork() and setTestSet().
#pragma once

#include <memory>
#include <vector>

#include <QObject>
#include <QPointer>
#include <QString>

#include "lenet/data/idx.h"
#include "ui/training/training_types.h"

class QLabel;
class QWidget;

namespace lenet::ui {

class BackpropView;
class ConfusionMatrixView;
class DigitsMapView;
class DrawingPanel;
class EvaluationModel;
class FeatureMapsView;
class GalleryView;
class InvarianceLab;
class KernelsView;
class MyDigitsStore;
class MyDigitsView;
class RbfView;
class SelectionModel;
class SelectionTrace;
class StatsView;

class InspectionPanels : public QObject {
    Q_OBJECT

public:
    /// One view and how to present it.
    struct Panel {
        QString title;       // short, for the dock's tab and title bar and the View menu
        QString objectName;  // stable, for QMainWindow::saveState
        QWidget* widget;
        QString description;  // what the view shows, for tool tips
    };

    /// Creates the views without a parent; the ones not reparented (e.g. into docks) are
    /// deleted with this object.
    explicit InspectionPanels(QObject* parent = nullptr);
    ~InspectionPanels() override;

    /// Shows `net` in every view (null: none); call with each training snapshot or loaded model.
    /// The gallery and the confusion matrix classify the whole test set with it only when
    /// `classifyTestSet`: that costs about a quarter of a second of CPU, which a run in progress
    /// spends once per epoch rather than with every snapshot.
    /// `name` says which network it is ("bundled model (lenet5-1998)", "digits.lenet"); the
    /// network label and the confusion matrix show it.
    void setNetwork(NetworkSnapshot net, bool classifyTestSet = true, const QString& name = {});
    /// The label naming the network the views use (the window places it over the views).
    QLabel* networkLabel() const;
    /// The images of the gallery and the confusion matrix (null: none). Selects the first image
    /// when nothing is selected yet.
    void setTestSet(std::shared_ptr<const lenet::Dataset> data);

    /// The views in the order they are best shown.
    std::vector<Panel> panels() const;

    SelectionModel* selection() const { return m_selection; }
    /// The trace of the selection that the views of one image draw from.
    SelectionTrace* trace() const { return m_trace; }
    EvaluationModel* evaluation() const { return m_evaluation; }
    /// The user's saved drawings (loaded from MyDigitsStore::defaultFolder()).
    MyDigitsStore* myDigits() const { return m_myDigits; }
    // The views; null once a view was deleted (e.g. with its dock).
    DrawingPanel* drawing() const;
    FeatureMapsView* featureMaps() const;
    RbfView* rbf() const;
    KernelsView* kernels() const;
    GalleryView* gallery() const;
    ConfusionMatrixView* confusion() const;
    InvarianceLab* invariance() const;
    BackpropView* backprop() const;
    MyDigitsView* myDigitsView() const;
    StatsView* stats() const;
    DigitsMapView* digitsMap() const;

private:
    SelectionModel* m_selection;
    SelectionTrace* m_trace;
    EvaluationModel* m_evaluation;
    MyDigitsStore* m_myDigits;
    QPointer<QLabel> m_networkLabel;
    QPointer<DrawingPanel> m_drawing;
    QPointer<FeatureMapsView> m_maps;
    QPointer<RbfView> m_rbf;
    QPointer<KernelsView> m_kernels;
    QPointer<GalleryView> m_gallery;
    QPointer<ConfusionMatrixView> m_confusion;
    QPointer<InvarianceLab> m_lab;
    QPointer<BackpropView> m_backprop;
    QPointer<MyDigitsView> m_myDigitsView;
    QPointer<StatsView> m_stats;
    QPointer<DigitsMapView> m_digitsMap;
};

}  // namespace lenet::ui
