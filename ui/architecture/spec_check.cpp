// checkSpec: one Network construction when the spec fits; on a ConfigError, prefixes of the
// layer list are built (each closed by a one-unit fc layer) to find the offending layer.
#include "ui/architecture/spec_check.h"

#include <algorithm>

#include "lenet/error.h"
#include "lenet/network.h"

namespace lenet::ui {
namespace {

std::vector<LayerCheck> layerChecks(const lenet::Network& net, int count) {
    std::vector<LayerCheck> layers;
    for (int i = 0; i < count; ++i) {
        const lenet::Layer& layer = net.layer(i);
        LayerCheck check{layer.name(), layer.outputShape(), 0};
        for (const lenet::Param& p : layer.params()) check.params += p.trainable ? p.count() : 0;
        layers.push_back(std::move(check));
    }
    return layers;
}

/// The network of the first `count` layers of `spec` with a one-unit fc head, which takes any
/// input shape; nullopt when one of those layers does not fit.
std::optional<lenet::Network> buildPrefix(const lenet::ArchitectureSpec& spec, int count) {
    lenet::ArchitectureSpec prefix = spec;
    prefix.layers.resize(std::size_t(count));
    lenet::LayerSpec head;
    head.type = "fc";
    head.maps = 1;
    prefix.layers.push_back(head);
    prefix.loss = lenet::LossKind::CrossEntropy;
    try {
        return lenet::Network(std::move(prefix));
    } catch (const lenet::ConfigError&) {
        return std::nullopt;  // the caller reports the full spec's error
    }
}

}  // namespace

SpecCheck checkSpec(const lenet::ArchitectureSpec& spec) {
    SpecCheck result;
    const int count = int(spec.layers.size());
    try {
        const lenet::Network net(spec);
        result.layers = layerChecks(net, count);
        result.parameterCount = net.parameterCount();
        return result;
    } catch (const lenet::ConfigError& e) {
        result.problem = e.what();
    }
    std::optional<lenet::Network> fitting = buildPrefix(spec, 0);
    int built = 0;
    while (built < count) {
        std::optional<lenet::Network> next = buildPrefix(spec, built + 1);
        if (!next) break;
        fitting = std::move(next);
        ++built;
    }
    if (fitting) result.layers = layerChecks(*fitting, built);
    result.problemRow = count == 0 ? -1 : std::min(built, count - 1);
    return result;
}

}  // namespace lenet::ui
