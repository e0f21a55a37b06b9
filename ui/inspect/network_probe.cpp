// NetworkProbe: forward passes (and one backward pass) of single images on a private network copy.
#include "ui/inspect/network_probe.h"

#include <cstdint>

#include "lenet/evaluate.h"
#include "lenet/kinds.h"

namespace lenet::ui {
namespace {

/// Layers that keep the shape of the stage before them instead of starting a new one.
bool continuesStage(const std::string& kind) {
    return lenet::keepsShape(lenet::layerKind(kind));
}

}  // namespace

std::vector<Stage> displayStages(const lenet::Network& net) {
    std::vector<Stage> stages;
    stages.push_back({"input", "input", -1, 0, net.inputShape()});
    const int last = net.layerCount() - 1;  // the output layer is not drawn as a stage
    for (int l = 0; l < last; ++l) {
        const lenet::Layer& layer = net.layer(l);
        if (continuesStage(layer.kind()) && stages.size() > 1) {
            stages.back().act = l + 1;
            continue;
        }
        stages.push_back({layer.name(), layer.kind(), l, l + 1, layer.outputShape()});
    }
    return stages;
}

bool hasRbfHead(const lenet::Network& net) {
    return net.spec().loss != lenet::LossKind::CrossEntropy;
}

NetworkProbe::NetworkProbe(const lenet::Network& net) : m_net(net) {}

lenet::Tensor NetworkProbe::input(const lenet::InkImage& image) const {
    lenet::Tensor x(1, m_net.inputShape());
    lenet::toInput(image, m_net.spec().inputFormat(), x.data());
    return x;
}

Trace NetworkProbe::run(const lenet::InkImage& image) {
    // A braced list runs left to right: the activations are copied after classify made them.
    return {lenet::classify(m_net, image, m_ws), m_ws.acts};
}

Trace NetworkProbe::traceFrom(const lenet::Workspace& ws, float ink) const {
    return {lenet::classifyOutput(m_net, ws.acts.back().data(), ink), ws.acts};
}

BackpropTrace NetworkProbe::backprop(const lenet::InkImage& image, int label) {
    BackpropTrace b;
    b.label = label;
    const std::uint8_t labels[1] = {std::uint8_t(label)};
    const lenet::BatchResult r =
        m_net.trainBatch(input(image), labels, m_ws, b.paramGrads, lenet::Context{});
    b.loss = float(r.lossSum);
    b.forward = traceFrom(m_ws, lenet::inkSum(image));
    b.grads = m_ws.grads;
    if (!b.grads.empty()) b.grads[0] = lenet::Tensor();
    return b;
}

}  // namespace lenet::ui
