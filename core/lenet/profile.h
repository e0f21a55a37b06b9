// Where the time of a training step goes: each layer's forward and backward time on a batch of
// random inputs (the speed of these layers does not depend on the pixels). Shown by
// `lenet bench` and the studio's Tools > Profile layers.
#pragma once

#include <string>
#include <vector>

#include "lenet/spec.h"

namespace lenet {

struct LayerProfileRow {
    std::string name;
    std::string kind;
    Shape output;
    double forwardUs = 0.0;   // per batch
    double backwardUs = 0.0;  // per batch, parameter gradients included
};

struct LayerProfile {
    int batch = 0;
    int threads = 0;    // as used (0 was resolved to the core count)
    int batches = 0;    // timed batches per measurement
    double stepUs = 0;  // one training step (forward, loss, backward, gradient reduction) per
                        // batch, measured without per-layer timing; the optimiser is not included
    double imagesPerSecond = 0.0;  // batch / stepUs
    std::vector<LayerProfileRow> layers;
};

/// Measures `spec`'s network on `batch` random samples with `threads` threads (0 = all cores):
/// two untimed warm-up steps, then `batches` training steps as they run in training, then
/// `batches` more with each layer timed in its own parallel section. Requires batch >= 1,
/// batches >= 1.
LayerProfile profileLayers(const ArchitectureSpec& spec, int batch, int threads, int batches);

/// The profile as an aligned text table (one row per layer, with its share of the layer total).
std::string formatProfile(const LayerProfile& profile);

}  // namespace lenet
