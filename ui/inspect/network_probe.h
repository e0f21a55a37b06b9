// Runs single images through a private copy of a network and keeps what every layer produced:
// the data behind the inspection views, which get it through SelectionTrace. The copy lets them
// use a shared read-only snapshot (Network::forward needs a workspace and is not const) without
// touching it.
#pragma once

#include <string>
#include <vector>

#include "lenet/data/preprocess.h"
#include "lenet/evaluate.h"
#include "lenet/network.h"

namespace lenet::ui {

/// The steps of a network worth drawing: the input, and each layer that computes new maps or
/// units (conv, pooling, fully connected) together with the activation, batch-norm and dropout
/// layers right after it. The output layer (RBF or the logits) is not a stage.
struct Stage {
    std::string name;  // "input", "C1", "S2", ...
    std::string kind;  // "input", "conv", "subsample", "fc", ...
    int layer = -1;    // the layer that starts the stage; -1 for the input
    int act = 0;       // index into Trace::acts of the stage's output
    lenet::Shape shape;

    /// True when the stage is a vector of units (1x1 maps: C5, F6), drawn as one picture.
    bool isVector() const { return shape.h == 1 && shape.w == 1; }
};

/// The stages of `net`, input first.
std::vector<Stage> displayStages(const lenet::Network& net);

/// True when the network ends in LeCun's RBF layer (penalties, smallest wins) rather than logits.
bool hasRbfHead(const lenet::Network& net);

/// One image's pass through the network: its classification (outputs, scores, predicted) and
/// what every layer produced.
struct Trace : lenet::Classification {
    std::vector<lenet::Tensor> acts;  // acts[0] = the input (1 sample); acts[l + 1] = layer l

    bool empty() const { return acts.empty(); }
};

/// One image's training step, for the backprop view: the forward trace, the loss for `label`,
/// the gradient of the loss with respect to every layer's output and every parameter.
struct BackpropTrace {
    Trace forward;
    int label = -1;
    float loss = 0.0f;
    std::vector<lenet::Tensor> grads;  // grads[l] = dE/d acts[l] for l >= 1 (grads[0] is empty)
    lenet::ParamArrays paramGrads;     // shaped like Network::params()
};

class NetworkProbe {
public:
    /// Copies `net`.
    explicit NetworkProbe(const lenet::Network& net);

    const lenet::Network& network() const { return m_net; }

    /// The network input for `image` (ink centred into the input as toInput does, normalised
    /// as the network expects): a tensor of one sample.
    lenet::Tensor input(const lenet::InkImage& image) const;

    /// Runs `image` (e.g. a 28x28 MNIST digit) through the network in evaluation mode.
    Trace run(const lenet::InkImage& image);

    /// Runs `image` and back-propagates the loss for class `label` (evaluation mode: batch norm
    /// uses its running statistics, dropout is off). The network's weights are not changed.
    BackpropTrace backprop(const lenet::InkImage& image, int label);

private:
    /// The trace of the image (with `ink`, see inkSum) whose pass `ws` holds.
    Trace traceFrom(const lenet::Workspace& ws, float ink) const;

    lenet::Network m_net;
    lenet::Workspace m_ws;
};

}  // namespace lenet::ui
