// The trace of the selected image, shared by the inspection views: the forward pass of the image
// runs once per (network, image), the backward pass once per (network, image, target class), and
// either only when a view asks for it. Views ask through TraceFollower, which asks only while the
// view can be seen, so a view in a hidden dock costs nothing until it is shown.
#pragma once

#include <memory>
#include <optional>

#include <QObject>

#include "lenet/data/preprocess.h"
#include "ui/inspect/network_probe.h"
#include "ui/inspect/selection_model.h"
#include "ui/training/training_types.h"

namespace lenet::ui {

class SelectionTrace : public QObject {
    Q_OBJECT

public:
    explicit SelectionTrace(QObject* parent = nullptr);
    ~SelectionTrace() override;

    /// Traces with `net` from now on (null: no network). The private copy that runs it (a
    /// NetworkProbe) is made at the first pass. Emits traceChanged().
    void setNetwork(NetworkSnapshot net);
    /// Traces `image` until the next change of the followed selection. Emits imageChanged() and
    /// traceChanged().
    void setImage(SelectedImage image);
    /// Traces the current image of `selection` and every image it selects later (null: stop
    /// following).
    void setSelectionModel(SelectionModel* selection);

    /// The network traced, read-only (null: none).
    const NetworkSnapshot& network() const { return m_net; }
    /// The image traced; hasImage() says whether there is one.
    const SelectedImage& image() const { return m_image; }
    bool hasImage() const { return !m_image.image.ink.empty(); }

    /// The forward trace of image(), never null (empty without network or image). The forward
    /// pass runs at the first call after a change; later calls return the same trace.
    std::shared_ptr<const Trace> trace();
    /// image()'s training step for class `label`, never null (empty without network or image).
    /// It runs (a forward and a backward pass) at the first call after a change or for another
    /// label. Requires: 0 <= label < network()->classes().
    std::shared_ptr<const BackpropTrace> backprop(int label);
    /// The forward trace of `image` when it is not image(), which is not kept: a view's own image,
    /// such as the drawing panel's drawing once a test image is selected. Never null (empty
    /// without network).
    std::shared_ptr<const Trace> run(const lenet::InkImage& image);

    /// Passes run so far, for tests and measurements: forward passes (trace() and run()) and
    /// training steps (backprop(): a forward and a backward pass each).
    int forwardPasses() const { return m_forwardPasses; }
    int backwardPasses() const { return m_backwardPasses; }

Q_SIGNALS:
    /// image() changed; traceChanged() follows.
    void imageChanged();
    /// The network or the image changed: trace() and backprop() run anew at their next call.
    void traceChanged();

private:
    /// The probe of network(), made at the first call after setNetwork. Requires network().
    NetworkProbe& probe();
    void invalidate();

    NetworkSnapshot m_net;
    std::optional<NetworkProbe> m_probe;
    SelectedImage m_image;
    SelectionModel* m_selection = nullptr;
    std::shared_ptr<const Trace> m_trace;             // null until asked after a change
    std::shared_ptr<const BackpropTrace> m_backprop;  // likewise; for m_backprop->label
    int m_forwardPasses = 0;
    int m_backwardPasses = 0;
};

}  // namespace lenet::ui
