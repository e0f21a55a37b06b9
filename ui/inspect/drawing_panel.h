// The drawing panel: the digit canvas with its pen width, undo and clear controls, the network's
// answer updated on every change of the drawing (probability bars for a softmax head, distance
// bars for LeNet-5's RBF head), and the preprocessing strip. The drawing, MNIST-style, becomes
// the selection the other views show.
#pragma once

#include <memory>
#include <optional>

#include <QWidget>

#include "lenet/tensor.h"
#include "ui/inspect/network_probe.h"
#include "ui/training_types.h"

class QLabel;
class QSlider;

namespace lenet::ui {

class ClassBars;
class DigitCanvas;
class PreprocessStrip;
class SelectionModel;

class DrawingPanel : public QWidget {
    Q_OBJECT

public:
    explicit DrawingPanel(QWidget* parent = nullptr);
    ~DrawingPanel() override;

    /// Classifies the drawing with a copy of `net` from now on (null: no network).
    void setNetwork(NetworkSnapshot net);
    /// The drawing is published to `selection` after every change (null: not published).
    void setSelectionModel(SelectionModel* selection);

    DigitCanvas* canvas() const { return m_canvas; }
    ClassBars* bars() const { return m_bars; }
    PreprocessStrip* strip() const { return m_strip; }

    /// The network input made from the drawing (1 sample); empty when nothing is drawn or there
    /// is no network.
    const lenet::Tensor& input() const { return m_input; }
    /// The drawing's pass through the network; empty when there is none.
    const Trace& trace() const { return m_trace; }
    /// The answer shown, -1 when there is none.
    int predictedClass() const { return m_trace.empty() ? -1 : m_trace.predicted; }
    /// The text above the bars (the answer, or why there is none).
    QString answerText() const;

    /// What the panel shows, as an image.
    QImage renderImage();
    /// Saves renderImage() as PNG; returns an error message, empty on success.
    QString exportPng(const QString& path);

private:
    void updateFromDrawing();
    void showAnswer();

    DigitCanvas* m_canvas;
    ClassBars* m_bars;
    PreprocessStrip* m_strip;
    QLabel* m_answer;
    QLabel* m_detail;
    QSlider* m_width;
    SelectionModel* m_selection = nullptr;
    std::optional<NetworkProbe> m_probe;
    lenet::Tensor m_input;
    Trace m_trace;
};

}  // namespace lenet::ui
