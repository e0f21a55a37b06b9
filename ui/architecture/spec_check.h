// Live validation for the architecture editor: builds a lenet::Network from a spec and reports
// each layer's output shape and parameter count, or the ConfigError and the layer it concerns.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lenet/spec.h"
#include "lenet/tensor.h"

namespace lenet::ui {

/// What one layer gives, known for the layers before the first one that does not fit.
struct LayerCheck {
    std::string name;  // the network's name for it ("C1", or a default such as "act2")
    lenet::Shape output;
    int params = 0;  // trainable entries
};

struct SpecCheck {
    std::vector<LayerCheck> layers;  // the layers that fit, from the first one on
    std::string problem;             // the ConfigError's message; empty when the spec fits
    int problemRow = -1;             // the layer it concerns (the output layer for the head)
    int parameterCount = 0;          // of the whole network, when it fits

    bool fits() const { return problem.empty(); }
};

/// Builds the network `spec` describes. When the constructor throws ConfigError, the layers
/// before the offending one are built again (closed by a one-unit fc head) for their shapes, and
/// the offending layer is the first whose prefix does not build; a spec whose layers all build
/// but whose output or loss does not fit concerns its last layer.
SpecCheck checkSpec(const lenet::ArchitectureSpec& spec);

}  // namespace lenet::ui
