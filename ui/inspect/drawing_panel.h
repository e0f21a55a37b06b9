// The drawing panel: the digit canvas with its pen width, undo and clear controls, the network's
// answer updated on every change of the drawing (probability bars for a softmax head, distance
// bars for LeNet-5's RBF head), and the preprocessing strip. The drawing, MNIST-style, becomes
// the selection the other views show, and "Add to my digits…" saves it with a label.
#pragma once

#include <memory>

#include <QWidget>

#include "lenet/data/preprocess.h"
#include "lenet/tensor.h"
#include "ui/inspect/network_probe.h"
#include "ui/training/training_types.h"

class QLabel;
class QPushButton;
class QSlider;

namespace lenet::ui {

class ClassBars;
class DigitCanvas;
class MyDigitsStore;
class PreprocessStrip;
class SelectionModel;
class SelectionTrace;
class TraceFollower;

class DrawingPanel : public QWidget {
    Q_OBJECT

public:
    explicit DrawingPanel(QWidget* parent = nullptr);
    ~DrawingPanel() override;

    /// Classifies the drawing with the network of `trace` (shared with other views; not owned,
    /// it outlives this panel) instead of the panel's own trace, and takes the answer from
    /// `trace` while the drawing is its image. setNetwork then acts on `trace`.
    void setTrace(SelectionTrace* trace);
    /// Classifies the drawing with `net` from now on (null: no network).
    void setNetwork(NetworkSnapshot net);
    /// The drawing is published to `selection` after every change (null: not published).
    void setSelectionModel(SelectionModel* selection);
    /// "Add to my digits…" saves drawings to `store` (null: the button is hidden).
    void setMyDigits(MyDigitsStore* store);

    DigitCanvas* canvas() const { return m_canvas; }
    ClassBars* bars() const { return m_bars; }
    PreprocessStrip* strip() const { return m_strip; }

    /// The network input made from the drawing (1 sample); empty when nothing is drawn or there
    /// is no network.
    const lenet::Tensor& input() const { return m_input; }
    /// The drawing's pass through the network; empty when there is none.
    const Trace& trace() const { return *m_trace; }
    /// The answer shown, -1 when there is none.
    int predictedClass() const { return m_trace->empty() ? -1 : m_trace->predicted; }
    /// The text above the bars (the answer, or why there is none).
    QString answerText() const;

    /// The drawing after MNIST-style preprocessing (28x28, what the network sees before
    /// padding); empty (no ink) when nothing is drawn inside the canvas.
    const lenet::InkImage& centred() const { return m_prepared.image; }

    /// Adds centred() to my digits with `label` and clears the canvas for the next digit.
    /// Returns an error message (nothing drawn, no store, the file cannot be written), empty
    /// on success.
    QString addDrawing(int label);
    /// What "Add to my digits…" does: asks for the label (starting at the network's answer) and
    /// adds the drawing; an empty canvas or a failed save is explained in a message box.
    void addToMyDigits();

    /// What the panel shows, as an image.
    QImage renderImage();
    /// Saves renderImage() as PNG; returns an error message, empty on success.
    QString exportPng(const QString& path);

private:
    /// Preprocesses the canvas's drawing and publishes it to the selection.
    void updateFromDrawing();
    /// Draws the preprocessing strip and the answer for the drawing.
    void draw();
    void showAnswer();

    DigitCanvas* m_canvas;
    ClassBars* m_bars;
    PreprocessStrip* m_strip;
    QLabel* m_answer;
    QLabel* m_detail;
    QSlider* m_width;
    QPushButton* m_add;
    QLabel* m_added;
    SelectionModel* m_selection = nullptr;
    MyDigitsStore* m_myDigits = nullptr;
    TraceFollower* m_follower;
    lenet::InkImage m_drawing;   // the canvas's ink; empty when nothing is drawn
    lenet::Prepared m_prepared;  // its preprocessing (lenet::prepare, as lenet predict does);
                                 // no ink when none is inside the canvas
    std::shared_ptr<const Trace> m_trace;  // of m_prepared.image
    lenet::Tensor m_input;                 // m_trace's input
};

}  // namespace lenet::ui
