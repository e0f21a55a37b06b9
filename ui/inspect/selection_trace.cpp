// SelectionTrace: the network and the image, the probe made on demand, the traces kept until
// either changes.
#include "ui/inspect/selection_trace.h"

#include <utility>

namespace lenet::ui {

SelectionTrace::SelectionTrace(QObject* parent) : QObject(parent) {}

SelectionTrace::~SelectionTrace() = default;

void SelectionTrace::setNetwork(NetworkSnapshot net) {
    m_net = std::move(net);
    m_probe.reset();
    invalidate();
}

void SelectionTrace::setImage(SelectedImage image) {
    m_image = std::move(image);
    Q_EMIT imageChanged();
    invalidate();
}

void SelectionTrace::setSelectionModel(SelectionModel* selection) {
    followSelection(m_selection, selection, this, [this](const SelectedImage& s) { setImage(s); });
}

void SelectionTrace::invalidate() {
    m_trace.reset();
    m_backprop.reset();
    Q_EMIT traceChanged();
}

NetworkProbe& SelectionTrace::probe() {
    if (!m_probe) m_probe.emplace(*m_net);
    return *m_probe;
}

std::shared_ptr<const Trace> SelectionTrace::trace() {
    if (!m_trace) {
        if (m_net && hasImage()) {
            m_trace = std::make_shared<const Trace>(probe().run(m_image.image));
            ++m_forwardPasses;
        } else {
            m_trace = std::make_shared<const Trace>();
        }
    }
    return m_trace;
}

std::shared_ptr<const BackpropTrace> SelectionTrace::backprop(int label) {
    if (!m_backprop || (!m_backprop->forward.empty() && m_backprop->label != label)) {
        if (m_net && hasImage()) {
            m_backprop =
                std::make_shared<const BackpropTrace>(probe().backprop(m_image.image, label));
            ++m_backwardPasses;
        } else {
            m_backprop = std::make_shared<const BackpropTrace>();
        }
    }
    return m_backprop;
}

std::shared_ptr<const Trace> SelectionTrace::run(const lenet::InkImage& image) {
    if (!m_net) return std::make_shared<const Trace>();
    ++m_forwardPasses;
    return std::make_shared<const Trace>(probe().run(image));
}

}  // namespace lenet::ui
