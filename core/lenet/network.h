// A sequence of layers built from an ArchitectureSpec: forward, training step (forward, loss,
// backward, gradient reduction) and SDLM's curvature pass over a batch, split across tasks.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lenet/calibration.h"
#include "lenet/layer.h"
#include "lenet/spec.h"

namespace lenet {

/// Buffers for one network and one batch size: activations, their gradients and the per-task
/// parameter gradients. Reused from batch to batch; one per thread that runs the network.
struct Workspace {
    std::vector<Tensor> acts;   // acts[l] = input of layer l; acts.back() = network output
    std::vector<Tensor> grads;  // dE/d acts[l]
    // [chunk][param] -> values; empty for the params of UnitSplit layers
    std::vector<std::vector<std::vector<float>>> chunkGrads;
    std::vector<float> losses;  // per sample
    std::vector<int> predictions;
};

/// One gradient (or curvature) array per parameter of Network::params(), same sizes.
using ParamArrays = std::vector<std::vector<float>>;

/// Wall-clock seconds spent in each layer's forward and backward calls, summed over the batches
/// run while attached to a network (Network::setLayerTimes). Indexed like Network::layer().
struct LayerTimes {
    std::vector<double> forward;
    std::vector<double> backward;
};

struct BatchResult {
    double lossSum = 0.0;  // sum over the samples of the per-sample loss
    int errors = 0;        // samples whose prediction differs from the label
};

class Network {
public:
    /// Builds the layers and checks that the shapes fit; throws ConfigError naming the layer
    /// (index, name, kind) and the shapes when they do not.
    explicit Network(ArchitectureSpec spec);
    Network(const Network& other);
    Network& operator=(const Network& other);
    Network(Network&&) noexcept = default;
    Network& operator=(Network&&) noexcept = default;
    ~Network();

    const ArchitectureSpec& spec() const { return m_spec; }
    Shape inputShape() const { return m_spec.input; }
    int classes() const { return m_layers.back()->outputShape().c; }
    int layerCount() const { return int(m_layers.size()); }
    Layer& layer(int i) { return *m_layers[i]; }
    const Layer& layer(int i) const { return *m_layers[i]; }

    /// How the outputs become probabilities and an "unsure" verdict (calibration.h), fitted for
    /// these weights; empty when not calibrated (a new or still training network, an old file).
    const std::optional<Calibration>& calibration() const { return m_calibration; }
    void setCalibration(std::optional<Calibration> c) { m_calibration = std::move(c); }
    /// The names of the classes (a data folder's classes.txt); empty: the digits 0..classes-1.
    const std::vector<std::string>& classNames() const { return m_classNames; }
    void setClassNames(std::vector<std::string> names) { m_classNames = std::move(names); }
    /// The name of class `k`: classNames()[k], or the number without names.
    std::string className(int k) const;

    /// Draws all parameters from std::mt19937(seed), layer by layer.
    void initialize(std::uint64_t seed);

    /// Every parameter array in layer order (trainable or not).
    std::vector<Param*> params();
    std::vector<const Param*> params() const;
    /// Trainable entries (connection-table masks applied): 60,000 for lenet5-1998.
    int parameterCount() const;

    /// Runs the layers on `input` (N samples of inputShape()) and returns the output (N, classes);
    /// ws.acts holds every layer's output afterwards.
    const Tensor& forward(const Tensor& input, Workspace& ws, const Context& ctx);

    /// Forward in training mode, the loss of every sample, backward, and the gradient of the mean
    /// loss over the batch reduced in a fixed order into `grads` (bit-identical for any thread
    /// count). Fills ws.losses and ws.predictions.
    BatchResult trainBatch(const Tensor& input, std::span<const std::uint8_t> labels, Workspace& ws,
                           ParamArrays& grads, const Context& ctx);

    /// SDLM: the sum over the batch of the Gauss-Newton diagonal second derivatives of the loss
    /// with respect to every parameter, into `h`.
    void curvatureBatch(const Tensor& input, std::span<const std::uint8_t> labels, Workspace& ws,
                        ParamArrays& h);

    /// Attaches `times` (null detaches): every later forward and backward pass runs one layer
    /// at a time, each in its own parallel section, and adds its time there. Profiling only:
    /// without it, consecutive per-sample layers share one parallel section, which also gathers
    /// the batch statistics of the batch-coupled layer after them (BatchCoupled).
    void setLayerTimes(LayerTimes* times);

    /// Zero-filled arrays shaped like params().
    ParamArrays makeParamArrays() const;

    /// How a batch of n samples is split into tasks; depends on n only (determinism).
    static int chunkCount(int n);
    static Range chunkRange(int n, int chunk);

private:
    void build();
    void prepare(Workspace& ws, int n) const;
    void runForward(Workspace& ws, const Context& ctx);
    // Backward (or curvature) from ws.grads.back() down to layer 0: the input gradients, and
    // the parameter gradients of every chunk into ws.chunkGrads, except those of UnitSplit
    // layers.
    void runBackward(Workspace& ws, const Context& ctx, bool curvature);
    // The parameter gradients of the batch into `out`: the UnitSplit layers' from the whole
    // batch (reduceUnits), the others' as the sum of the chunks' in chunk order.
    void reduce(Workspace& ws, int n, bool curvature, ParamArrays& out) const;
    void reduceUnits(const Workspace& ws, int n, bool curvature, ParamArrays& out) const;

    ArchitectureSpec m_spec;
    std::vector<std::unique_ptr<Layer>> m_layers;
    std::vector<int> m_paramOffset;  // index of layer l's first param in params()
    int m_paramTotal = 0;
    LayerTimes* m_times = nullptr;
    std::optional<Calibration> m_calibration;
    std::vector<std::string> m_classNames;
};

/// The layers' output shapes as text, one line per layer, e.g. "C1 conv 5x5  6x28x28  156".
std::string describe(const Network& net);

}  // namespace lenet
