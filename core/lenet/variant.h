// Architecture switches that turn one spec into a variant of it: the activation, the pooling,
// the kernel size, channel counts, FC widths, the head, batch norm and dropout. `lenet train`,
// `lenet compare` and the studio apply them to a preset or a spec file; the shapes follow from the
// result, and Network's constructor refuses a variant that does not fit, naming the layer.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lenet/spec.h"

namespace lenet {

struct VariantOptions {
    /// Every activation layer's fn: a key of activationKinds().
    std::optional<std::string> activation;
    /// Every pooling layer: the `pooling` name of a pool in layerKinds() ("avg", "max",
    /// "subsample").
    std::optional<std::string> pooling;
    /// Every convolution's kernel size.
    std::optional<int> kernel;
    /// The convolutions' output maps in order, one value per conv layer.
    std::optional<std::vector<int>> channels;
    /// The hidden fully connected layers' widths in order (every fc layer but the output layer).
    std::optional<std::vector<int>> fcWidths;
    /// "softmax": an fc output layer with cross-entropy; "rbf": F6 (84 units, scaled tanh) and
    /// the paper's RBF layer with the MAP loss.
    std::optional<std::string> head;
    /// true: a batch-norm layer after every conv and hidden fc layer that has none; false: none.
    std::optional<bool> batchNorm;
    /// The rate of every dropout layer; where there is none, one before the output layer;
    /// 0 removes them.
    std::optional<float> dropout;

    bool empty() const {
        return !activation && !pooling && !kernel && !channels && !fcWidths && !head &&
               !batchNorm && !dropout;
    }
};

/// `spec` with `options` applied. Its name gets no suffix (the caller names the variant);
/// fc layers' optional "in" checks are dropped when the shapes change. Throws ConfigError naming
/// the option when it cannot be applied (an unknown kind, a count that does not match the layers).
ArchitectureSpec applyVariant(ArchitectureSpec spec, const VariantOptions& options);

/// A short label for the options that are set, e.g. "activation=relu pooling=avg"; empty when
/// none are.
std::string describe(const VariantOptions& options);

}  // namespace lenet
