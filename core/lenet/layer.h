// The layer contract: shapes fixed at construction, forward/backward over a range of samples of a
// batch, parameters as named value arrays whose gradients live in the caller's buffers.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "lenet/tensor.h"

namespace lenet {

/// A named parameter array of a layer. `mask` (when not empty) marks the entries that exist:
/// C3's connection table zeroes the kernels of absent connections and keeps them zero.
struct Param {
    std::string name;       // "weight", "bias", "coef", "gamma", "running_mean", ...
    std::vector<int> dims;  // for the model file and the views
    std::vector<float> value;
    std::vector<float> mask;  // empty, or 1/0 per entry
    bool trainable = true;    // running statistics are saved but not trained
    bool decays = false;      // weights take L1/L2/weight decay; biases and scales do not
    bool variance = false;    // a running variance: a negative value means a damaged file

    /// Entries that exist (mask ones), the figure reported as the parameter count.
    int count() const;
};

/// Samples [begin, end) of a batch.
struct Range {
    int begin = 0;
    int end = 0;
    int size() const { return end - begin; }
};

/// Per-call information for layers that behave differently in training or use randomness.
struct Context {
    bool training = false;
    std::uint64_t seed = 0;  // changes every batch; dropout derives its masks from it
};

class BatchCoupled;
class UnitSplit;

/// One layer. Layers never start threads: the network calls them on ranges of samples from
/// several tasks at once, so forward/backward of a per-sample layer must only write samples of
/// its range and the gradient buffers it is given. A batch-coupled layer (batch norm, see
/// BatchCoupled) treats the range of a forward/backward call as the whole batch.
class Layer {
public:
    Layer(std::string kind, std::string name, Shape in, Shape out)
        : m_kind(std::move(kind)), m_name(std::move(name)), m_in(in), m_out(out) {}
    virtual ~Layer() = default;
    Layer(const Layer&) = default;
    Layer& operator=(const Layer&) = delete;

    const std::string& kind() const { return m_kind; }
    const std::string& name() const { return m_name; }
    Shape inputShape() const { return m_in; }
    Shape outputShape() const { return m_out; }

    std::vector<Param>& params() { return m_params; }
    const std::vector<Param>& params() const { return m_params; }

    /// A copy with the same parameters (the network's snapshot for other threads).
    virtual std::unique_ptr<Layer> clone() const = 0;

    /// Draws the initial parameters. `scheme` is a key of initKinds() (lenet/kinds.h, which
    /// describes each: "lecun_uniform", "lecun_uniform_sqrt", "xavier", "he"). Biases start at 0.
    virtual void initialize(const std::string& scheme, std::mt19937& rng);

    /// x: (N, in) -> y: (N, out), samples of `r` only.
    virtual void forward(const Tensor& x, Tensor& y, Range r, const Context& ctx) = 0;

    /// Given dy = dE/dy for the samples of `r`: assigns dx (when not null) for those samples and
    /// assigns every parameter gradient buffer dparams[i] (params()[i].value.size() floats) with
    /// the sum over the range.
    virtual void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx, Range r,
                          const Context& ctx, std::span<float* const> dparams) = 0;

    /// SDLM's Gauss-Newton pass: given d2y = the diagonal second derivative of E with respect to
    /// y, assigns d2x and the sum over the range of d2E/dw^2 per parameter. The default throws
    /// ConfigError: the layer kind does not support SDLM.
    virtual void curvature(const Tensor& x, const Tensor& y, const Tensor& d2y, Tensor* d2x,
                           Range r, std::span<float* const> hparams);

    /// Layers whose samples are coupled through sums over the batch (batch norm) return their
    /// split protocol, which lets the network run them inside its per-sample parallel sections;
    /// others null.
    virtual BatchCoupled* coupling() { return nullptr; }

    /// Layers whose weights are a matrix of output units x inputs (fully connected ones) return
    /// their split protocol, which lets the network compute the weight gradients once for the
    /// whole batch, split by output units, instead of a copy of them per chunk; others null.
    virtual const UnitSplit* unitSplit() const { return nullptr; }

protected:
    /// Appends a zero-filled parameter; the reference is valid until the next addParam.
    Param& addParam(std::string name, std::vector<int> dims, bool decays, bool trainable = true);

private:
    std::string m_kind;
    std::string m_name;
    Shape m_in;
    Shape m_out;
    std::vector<Param> m_params;
};

/// The two halves of each pass of a batch-coupled layer. The network splits a batch into chunks
/// 0..chunks-1 (in sample order) and calls, for the forward pass,
///   prepare(chunks); gatherForward(x, r, chunk, ctx) for every chunk (in parallel);
///   finishForward(ctx); applyForward(x, y, r) per chunk (in parallel);
/// and for the backward pass (after a forward in training or evaluation mode),
///   prepare(chunks); gatherBackward(x, dy, r, chunk, dparams) for every chunk, which also
///   assigns the chunk's parameter gradients; finishBackward(); applyBackward(x, dy, dx, r) per
///   chunk. Partial sums are combined in chunk order: results depend on the chunks, not on the
///   threads. The layer's own forward() and backward() do all of it for one range, the batch.
class BatchCoupled {
public:
    virtual ~BatchCoupled() = default;
    /// Sizes the per-chunk sums; called before each gather, never concurrently with one.
    virtual void prepare(int chunks) = 0;
    virtual void gatherForward(const Tensor& x, Range r, int chunk, const Context& ctx) = 0;
    virtual void finishForward(const Context& ctx) = 0;
    virtual void applyForward(const Tensor& x, Tensor& y, Range r) const = 0;
    virtual void gatherBackward(const Tensor& x, const Tensor& dy, Range r, int chunk,
                                std::span<float* const> dparams) = 0;
    virtual void finishBackward() = 0;
    virtual void applyBackward(const Tensor& x, const Tensor& dy, Tensor& dx, Range r) const = 0;
};

/// The two halves of backward() (and curvature()) of a layer whose parameter gradients split by
/// output unit: every parameter array holds `units()` rows of equal length. The network calls
/// inputGradient per chunk of the batch, then unitGradients on fixed pieces of units, each
/// over the whole batch, so that the result does not depend on the chunks or the threads.
/// `curvature` selects SDLM's pass (squared inputs and weights) over the gradient.
class UnitSplit {
public:
    virtual ~UnitSplit() = default;
    virtual int units() const = 0;
    /// Assigns dx for the samples of `r`.
    virtual void inputGradient(const Tensor& dy, Tensor& dx, Range r, bool curvature) const = 0;
    /// Assigns the rows `units` of every dparams[i], summed over the samples of `samples`.
    virtual void unitGradients(const Tensor& x, const Tensor& dy, Range samples, Range units,
                               bool curvature, std::span<float* const> dparams) const = 0;
};

/// Fills `values` for a weight with the given fan-in/fan-out by `scheme` (see Layer::initialize).
/// Throws ConfigError listing the schemes when initKinds() has no `scheme`.
void initWeights(std::span<float> values, const std::string& scheme, int fanIn, int fanOut,
                 std::mt19937& rng);

/// A well-mixed 64-bit hash of (a, b) (splitmix64): per-sample seeds that do not depend on how
/// a batch is split across tasks.
std::uint64_t mixSeed(std::uint64_t a, std::uint64_t b);

}  // namespace lenet
