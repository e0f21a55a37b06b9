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
    double flops = 0.0;       // per training image (see trainingFlops)

    /// The layer's FLOP/s while it ran on its own, at `batch` images per step; 0 for element-wise
    /// layers (no counted arithmetic).
    double flopsPerSecond(int batch) const {
        const double us = forwardUs + backwardUs;
        return flops > 0 && us > 0 ? flops * batch / us * 1e6 : 0.0;
    }
};

struct LayerProfile {
    int batch = 0;
    int threads = 0;    // as used: 0, or more than the cores, is the core count
    int batches = 0;    // timed batches per measurement
    double stepUs = 0;  // one training step (forward, loss, backward, gradient reduction) per
                        // batch, measured without per-layer timing; the optimiser is not included
    double imagesPerSecond = 0.0;  // batch / stepUs
    double flopsPerImage = 0.0;    // of a training step, the sum of the rows' flops
    double peakFlops = 0.0;        // per second: threads x one thread's peakMultiplyAddRate x 2
    std::vector<LayerProfileRow> layers;

    /// FLOP/s of the whole step, and its share of peakFlops.
    double flopsPerSecond() const { return flopsPerImage * imagesPerSecond; }
    double peakShare() const { return peakFlops > 0 ? flopsPerSecond() / peakFlops : 0.0; }
};

/// FLOPs per image of one training step of layer `l` of `net`, counted from its weights and
/// shapes, 2 per multiply-add: the forward pass, the weight gradients and (except for the first
/// layer) the input gradients of convolutions (the connection table's weights only), fully
/// connected layers and the RBF output. Element-wise layers (activations, pooling, batch norm,
/// dropout) count 0: they move data rather than multiply-add.
double trainingFlops(const class Network& net, int l);

/// Measures `spec`'s network on `batch` random samples with `threads` threads (0 = all cores):
/// two untimed warm-up steps, then `batches` training steps as they run in training, then
/// `batches` more with each layer timed in its own parallel section, and the peak multiply-add
/// rate (0.2 s). Requires batch >= 1, batches >= 1.
LayerProfile profileLayers(const ArchitectureSpec& spec, int batch, int threads, int batches);

/// The profile as an aligned text table (one row per layer, with its share of the layer total).
std::string formatProfile(const LayerProfile& profile);

}  // namespace lenet
