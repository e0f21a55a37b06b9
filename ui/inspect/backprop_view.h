// The backprop step view: one image's training step drawn as the network's graph of layers.
// Step forward layer by layer (each node shows its output), reach the loss, then step backward
// (each node shows the gradient of the loss flowing into it and the size of its parameters'
// gradients), the way the course notebooks follow one step by hand. The weights never change.
#pragma once

#include <memory>

#include <QWidget>

#include "ui/inspect/network_probe.h"
#include "ui/training/training_types.h"

class QComboBox;
class QLabel;
class QPushButton;
class QScrollArea;

namespace lenet::ui {

class SelectionModel;
class SelectionTrace;
class TraceFollower;

class BackpropView : public QWidget {
    Q_OBJECT

public:
    explicit BackpropView(QWidget* parent = nullptr);
    ~BackpropView() override;

    /// Steps through the image of `trace` (shared with other views; not owned, it outlives this
    /// view) instead of the view's own trace. The setters below then act on `trace`.
    void setTrace(SelectionTrace* trace);
    /// Uses `net` (null: no network). Keeps the step.
    void setNetwork(NetworkSnapshot net);
    /// The image of the step; `label` (its true class, -1 if unknown) is the default target.
    void setImage(const lenet::InkImage& image, int label = -1, const QString& description = {});
    /// Follows the selection of `selection` (null: stop following).
    void setSelectionModel(SelectionModel* selection);
    /// The class the loss is computed for.
    void setTarget(int label);
    int target() const;

    /// Steps after the start: one per layer forward, the loss, one per layer backward.
    int stepCount() const;
    /// Steps taken, 0..stepCount().
    int step() const { return m_step; }
    void setStep(int step);
    void stepForward() { setStep(m_step + 1); }
    void stepBack() { setStep(m_step - 1); }

    /// Nodes of the graph: the input, one per layer, the loss.
    int nodeCount() const;
    /// True when node `node` shows its output (the input always does).
    bool showsOutput(int node) const;
    /// True when node `node` shows the gradient flowing into it.
    bool showsGradient(int node) const;
    /// The trace behind the drawing (empty without network or image).
    const BackpropTrace& trace() const { return *m_trace; }
    /// What the current step did, in words.
    QString stepText() const;

    /// The whole graph as an image.
    QImage renderImage();
    /// Saves renderImage() as PNG; returns an error message, empty on success.
    QString exportPng(const QString& path);

private:
    friend class BackpropGraph;
    /// Takes the step of the followed trace's image for the target (reset to the image's label
    /// or answer when the image changed), then refreshes.
    void draw();
    void refresh();

    TraceFollower* m_follower;
    bool m_retarget = true;  // the image changed since the target was set
    // What is drawn: the network and image of the step, and the step.
    NetworkSnapshot m_net;
    QString m_description;
    std::shared_ptr<const BackpropTrace> m_trace;
    int m_step = 0;

    QLabel* m_header;
    QComboBox* m_target;
    QPushButton* m_back;
    QPushButton* m_forward;
    QLabel* m_stepLabel;
    QScrollArea* m_scroll;
    QWidget* m_graph;
};

}  // namespace lenet::ui
