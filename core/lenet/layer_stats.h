// Why a variant learns or not, per layer (issue 20): gradient norms, update sizes, activation
// moments, saturation and dead units, SDLM's step sizes, and weight and gradient histograms,
// sampled every few batches on the training thread from values the step already has.
#pragma once

#include <algorithm>
#include <atomic>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lenet/data/idx.h"
#include "lenet/kinds.h"
#include "lenet/network.h"

namespace lenet {

constexpr double kNoStat = std::numeric_limits<double>::quiet_NaN();

/// One layer's statistics at one point of a run. NaN where a quantity does not apply: a layer
/// without trainable parameters has no gradient norm, only activation layers saturate, and step
/// sizes exist for SDLM only.
struct LayerSample {
    double gradNorm = kNoStat;     // L2 norm of dE/dw (mean batch loss) over its trainable entries
    double updateRatio = kNoStat;  // ||w after the step - w before|| / ||w before||
    double actMean = kNoStat;      // mean of the layer's outputs over the batch
    double actStd = kNoStat;       // their standard deviation
    double saturated = kNoStat;    // bounded activations: share of outputs near a bound
    double dead = kNoStat;         // ReLU-like activations: share of units zero for the whole batch
    double stepP10 = kNoStat;      // SDLM: quantiles of the step sizes eta / (mu + h)
    double stepP50 = kNoStat;
    double stepP90 = kNoStat;
};

/// A histogram of `counts.size()` equal bins over [lo, hi]; values outside fall into the end
/// bins. `counts` are shares summing to 1 (empty: the layer has no trainable parameters).
struct Histogram {
    float lo = 0.0f;
    float hi = 0.0f;
    std::vector<double> counts;
};

/// The statistics of one sampled batch.
struct StatsPoint {
    int epoch = 0;                    // 1-based
    long long step = 0;               // batches done in the run, this one included
    std::vector<LayerSample> layers;  // one per network layer
};

/// The statistics of one epoch: per layer the means over the epoch's sampled batches (and the
/// step sizes of its curvature pass), the weights' histogram at its end and the histogram of the
/// sampled batches' gradients.
struct EpochStats {
    int epoch = 0;
    std::vector<LayerSample> layers;
    std::vector<Histogram> weights;
    std::vector<Histogram> gradients;
};

struct LayerStatsHistory {
    std::vector<std::string> names;  // per layer
    std::vector<std::string> kinds;
    std::vector<StatsPoint> points;
    std::vector<EpochStats> epochs;
};

/// Bins of every histogram.
constexpr int kHistogramBins = 40;
/// The share of an activation's output range, next to a bound, that counts as saturated: there
/// the slope of the sigmoid and of tanh is below 19% of its largest value.
constexpr double kSaturationBand = 0.05;

/// Mean, spread and, for an activation `fn`, the saturated and dead shares of the layer output
/// `y` (N samples); the other fields stay NaN.
LayerSample outputStats(const Tensor& y, std::optional<ActivationFn> fn);

/// The histogram of `values` in kHistogramBins bins over [lo, hi] (requires lo < hi).
Histogram histogram(std::span<const float> values, float lo, float hi);

/// The value below which a share `q` (0..1) of `values` lies (nearest rank); NaN when empty.
double quantile(std::vector<float> values, double q);

/// Collects the statistics of a run. The trainer (Trainer::layerStats) calls it on the training
/// thread; setEnabled may be called from any thread, and a disabled recorder costs one atomic
/// load per batch.
class LayerStatsRecorder {
public:
    /// Samples one batch in `every` (at least 1) of `net`'s run, and at most one in
    /// `minImages` images: a step of a few images is so cheap that sampling every 10th of them
    /// would cost a fifth of the run (lenet5-1998 trains on batches of 1).
    explicit LayerStatsRecorder(const Network& net, int every = 10, int minImages = 640);

    void setEnabled(bool on) { m_enabled.store(on, std::memory_order_relaxed); }
    bool enabled() const { return m_enabled.load(std::memory_order_relaxed); }

    /// True when the batch after `stepsDone` batches of `batch` images is to be sampled.
    bool samples(long long stepsDone, int batch) const {
        return enabled() &&
               stepsDone % std::max<long long>(m_every, (m_minImages + batch - 1) / batch) == 0;
    }
    /// Before the optimiser's step of a sampled batch: keeps the weights.
    void beforeStep(const Network& net);
    /// After it: the batch's statistics from its activations (ws), gradients and the new weights.
    void afterStep(int epoch, long long step, const Network& net, const Workspace& ws,
                   const ParamArrays& grads);
    /// SDLM: the step sizes lr / (mu + h) of the epoch from the optimiser's 1 / (mu + h).
    void setStepSizes(const Network& net, const ParamArrays& inverseCurvature, float lr);
    /// At the end of epoch `epoch` (1-based): its row and the weights' histograms.
    void endEpoch(int epoch, const Network& net);

    const LayerStatsHistory& history() const { return m_history; }

private:
    const int m_every;
    const int m_minImages;
    std::atomic<bool> m_enabled = true;
    LayerStatsHistory m_history;
    std::vector<std::vector<float>> m_before;       // weights before the step, per param
    std::vector<LayerSample> m_steps;               // SDLM step quantiles of the epoch
    std::vector<std::vector<double>> m_gradCounts;  // the epoch's gradient bins, per layer
    std::vector<float> m_weightRange;               // per layer, fixed at first sight; 0 = unset
    std::vector<float> m_gradRange;
};

/// What can be measured of a trained network without training it: one point and one epoch
/// (numbered 1) with its weights' histograms and, when `data` is given, the activations and the
/// gradients (norms and histograms) of its first `images` images (at most), in evaluation mode.
/// Update ratios and step sizes stay NaN.
LayerStatsHistory inspectModel(const Network& net, const Dataset* data, int images);

/// One row per layer and epoch with a header: epoch, layer (1-based), name, kind and the fields
/// of LayerSample (empty where NaN).
std::string layerStatsCsv(const LayerStatsHistory& history);

}  // namespace lenet
