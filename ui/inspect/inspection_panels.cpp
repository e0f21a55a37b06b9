// InspectionPanels: construction and wiring of the views.
#include "ui/inspect/inspection_panels.h"

#include <QDockWidget>
#include <QLabel>

#include "lenet/data/preprocess.h"
#include "ui/inspect/backprop_view.h"
#include "ui/inspect/confusion_matrix_view.h"
#include "ui/inspect/digits_map_view.h"
#include "ui/inspect/drawing_panel.h"
#include "ui/inspect/evaluation_model.h"
#include "ui/inspect/feature_maps_view.h"
#include "ui/inspect/gallery_view.h"
#include "ui/inspect/invariance_lab.h"
#include "ui/inspect/kernels_view.h"
#include "ui/inspect/my_digits_store.h"
#include "ui/inspect/my_digits_view.h"
#include "ui/inspect/rbf_view.h"
#include "ui/inspect/selection_model.h"
#include "ui/inspect/selection_trace.h"
#include "ui/inspect/stats_view.h"

namespace lenet::ui {
namespace {

/// Shows the dock that holds `view` (selecting its tab when it is tabbed with others).
void bringForward(QWidget* view) {
    for (QWidget* w = view; w; w = w->parentWidget()) {
        if (auto* dock = qobject_cast<QDockWidget*>(w)) {
            dock->show();
            dock->raise();
            return;
        }
    }
}

}  // namespace

InspectionPanels::InspectionPanels(QObject* parent)
    : QObject(parent),
      m_selection(new SelectionModel(this)),
      m_trace(new SelectionTrace(this)),
      m_evaluation(new EvaluationModel(this)),
      m_myDigits(new MyDigitsStore(MyDigitsStore::defaultFolder(), this)),
      m_networkLabel(new QLabel),
      m_drawing(new DrawingPanel),
      m_maps(new FeatureMapsView),
      m_rbf(new RbfView),
      m_kernels(new KernelsView),
      m_gallery(new GalleryView),
      m_confusion(new ConfusionMatrixView),
      m_lab(new InvarianceLab),
      m_backprop(new BackpropView),
      m_myDigitsView(new MyDigitsView),
      m_stats(new StatsView),
      m_digitsMap(new DigitsMapView) {
    m_myDigits->load();  // a broken set shows its error in the view
    m_drawing->setMyDigits(m_myDigits);
    m_myDigitsView->setStore(m_myDigits);
    m_myDigitsView->setSelectionModel(m_selection);
    m_drawing->setSelectionModel(m_selection);
    m_trace->setSelectionModel(m_selection);
    m_drawing->setTrace(m_trace);
    m_maps->setTrace(m_trace);
    m_rbf->setTrace(m_trace);
    m_lab->setTrace(m_trace);
    m_backprop->setTrace(m_trace);
    m_gallery->setSelectionModel(m_selection);
    m_gallery->setEvaluationModel(m_evaluation);
    m_confusion->setEvaluationModel(m_evaluation);
    m_digitsMap->setSelectionModel(m_selection);
    m_digitsMap->setDrawingPanel(m_drawing);
    connect(m_confusion, &ConfusionMatrixView::cellClicked, this, [this](int t, int p) {
        if (!m_gallery) return;
        m_gallery->showCell(t, p);
        bringForward(m_gallery);
    });
    m_networkLabel->setObjectName(QStringLiteral("networkName"));
    m_networkLabel->setToolTip(
        tr("The network the views (canvas, feature maps, gallery, confusion matrix…) use"));
    m_networkLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    for (const Panel& p : panels()) p.widget->setObjectName(p.objectName);
}

InspectionPanels::~InspectionPanels() {
    for (const Panel& p : panels()) delete p.widget;
    delete m_networkLabel;
}

std::vector<InspectionPanels::Panel> InspectionPanels::panels() const {
    // One or two words each, so that the nine tabs keep their names on a small screen.
    std::vector<Panel> all{
        {tr("Draw"), QStringLiteral("drawingPanel"), m_drawing,
         tr("Draw a digit and see what the network reads")},
        {tr("My digits"), QStringLiteral("myDigitsPanel"), m_myDigitsView,
         tr("The digits you saved, and how the network reads them")},
        {tr("Maps"), QStringLiteral("featureMapsPanel"), m_maps,
         tr("Feature maps: every layer's output for the selected image")},
        {tr("Output"), QStringLiteral("outputPanel"), m_rbf,
         tr("Output layer: the score of each class for the selected image")},
        {tr("Kernels"), QStringLiteral("kernelsPanel"), m_kernels,
         tr("The learnt convolution kernels")},
        {tr("Gallery"), QStringLiteral("galleryPanel"), m_gallery,
         tr("Test gallery: the test images with the network's answers")},
        {tr("Confusion"), QStringLiteral("confusionPanel"), m_confusion,
         tr("Confusion matrix: which digits are taken for which")},
        {tr("Invariance"), QStringLiteral("invariancePanel"), m_lab,
         tr("Invariance lab: shift, rotate and scale the selected image")},
        {tr("Backprop"), QStringLiteral("backpropPanel"), m_backprop,
         tr("Backprop step: one gradient step through the network, layer by layer")},
        {tr("Stats"), QStringLiteral("statsPanel"), m_stats,
         tr("Layer statistics: gradient flow, update sizes, saturation and weight histograms")},
        {tr("Clusters"), QStringLiteral("digitsMapPanel"), m_digitsMap,
         tr("The digits' own map: the test images as the penultimate layer sees them, in 2-D")},
    };
    std::erase_if(all, [](const Panel& p) { return p.widget == nullptr; });
    return all;
}

QLabel* InspectionPanels::networkLabel() const {
    return m_networkLabel;
}

DrawingPanel* InspectionPanels::drawing() const {
    return m_drawing;
}

FeatureMapsView* InspectionPanels::featureMaps() const {
    return m_maps;
}

RbfView* InspectionPanels::rbf() const {
    return m_rbf;
}

KernelsView* InspectionPanels::kernels() const {
    return m_kernels;
}

GalleryView* InspectionPanels::gallery() const {
    return m_gallery;
}

ConfusionMatrixView* InspectionPanels::confusion() const {
    return m_confusion;
}

InvarianceLab* InspectionPanels::invariance() const {
    return m_lab;
}

BackpropView* InspectionPanels::backprop() const {
    return m_backprop;
}

MyDigitsView* InspectionPanels::myDigitsView() const {
    return m_myDigitsView;
}

StatsView* InspectionPanels::stats() const {
    return m_stats;
}

DigitsMapView* InspectionPanels::digitsMap() const {
    return m_digitsMap;
}

void InspectionPanels::setNetwork(NetworkSnapshot net, bool classifyTestSet, const QString& name) {
    if (m_networkLabel)
        m_networkLabel->setText(tr("Views show: <b>%1</b>").arg(name.toHtmlEscaped()));
    m_trace->setNetwork(net);
    if (m_kernels) m_kernels->setNetwork(net);
    if (m_myDigitsView) m_myDigitsView->setNetwork(net);
    if (!classifyTestSet) return;
    if (m_stats) m_stats->setNetwork(net);
    if (m_confusion) m_confusion->setNetworkName(name);
    if (m_digitsMap) m_digitsMap->setNetwork(net);
    m_evaluation->setNetwork(std::move(net));
}

void InspectionPanels::setTestSet(std::shared_ptr<const lenet::Dataset> data) {
    m_evaluation->setTestSet(data);
    if (m_stats) m_stats->setTestSet(data);
    if (m_digitsMap) m_digitsMap->setTestSet(data);
    if (data && data->size() > 0 && m_selection->isEmpty()) {
        const int label = data->labels[0];
        m_selection->select({lenet::toInk(data->image(0), data->rows, data->cols), label, 0,
                             tr("test image 0 (a %1)").arg(label)});
    }
}

}  // namespace lenet::ui
