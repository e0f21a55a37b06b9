#include "lenet/layer_stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "lenet/evaluate.h"
#include "lenet/layers/activation.h"
#include "lenet/text.h"

namespace lenet {
namespace {

// The histogram range of a layer is this many times the largest magnitude seen first.
constexpr float kRangeHeadroom = 1.5f;

std::optional<ActivationFn> activationOf(const Layer& layer) {
    if (const auto* a = dynamic_cast<const Activation*>(&layer)) return a->fn();
    return std::nullopt;
}

// The largest value of a bounded activation; 0 for unbounded ones.
double bound(ActivationFn fn) {
    switch (fn) {
        case ActivationFn::ScaledTanh: return 1.7159;
        case ActivationFn::Tanh: return 1.0;
        case ActivationFn::Sigmoid:
        case ActivationFn::SigmoidAffine: return 1.0;
        default: return 0.0;
    }
}

bool reluLike(ActivationFn fn) {
    return fn == ActivationFn::Relu || fn == ActivationFn::LeakyRelu || fn == ActivationFn::LogRelu;
}

// The first trainable parameter array of a layer (weight, coef, centres): its histograms.
const Param* histogramParam(const Layer& layer) {
    for (const Param& p : layer.params())
        if (p.trainable) return &p;
    return nullptr;
}

// The index in Network::params() of each layer's first parameter.
std::vector<int> paramOffsets(const Network& net) {
    std::vector<int> offsets;
    int total = 0;
    for (int l = 0; l < net.layerCount(); ++l) {
        offsets.push_back(total);
        total += int(net.layer(l).params().size());
    }
    return offsets;
}

// The range [-r, r] of a layer's histograms, fixed the first time it is needed.
float fixRange(float& range, std::span<const float> values) {
    if (range > 0.0f) return range;
    float largest = 0.0f;
    for (float v : values) largest = std::max(largest, std::abs(v));
    range = largest > 0.0f ? kRangeHeadroom * largest : 1e-3f;
    return range;
}

void addCounts(std::vector<double>& counts, std::span<const float> values, float lo, float hi) {
    counts.resize(kHistogramBins, 0.0);
    const float scale = float(kHistogramBins) / (hi - lo);
    for (float v : values) {
        const int bin = std::clamp(int(std::floor((v - lo) * scale)), 0, kHistogramBins - 1);
        counts[bin] += 1.0;
    }
}

std::vector<double> shares(std::vector<double> counts) {
    double total = 0.0;
    for (double c : counts) total += c;
    if (total > 0.0)
        for (double& c : counts) c /= total;
    return counts;
}

// The mean of the non-NaN values `field` of the points of one layer.
double meanOf(const std::vector<const LayerSample*>& samples, double LayerSample::*field) {
    double sum = 0.0;
    int n = 0;
    for (const LayerSample* s : samples) {
        if (std::isnan(s->*field)) continue;
        sum += s->*field;
        ++n;
    }
    return n ? sum / n : kNoStat;
}

std::string cell(double v) {
    if (std::isnan(v)) return "";
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", v);
    return text;
}

}  // namespace

LayerSample outputStats(const Tensor& y, std::optional<ActivationFn> fn) {
    LayerSample s;
    const std::size_t size = y.size();
    if (size == 0) return s;
    double sum = 0.0, squares = 0.0;
    for (std::size_t i = 0; i < size; ++i) {
        sum += y[i];
        squares += double(y[i]) * y[i];
    }
    s.actMean = sum / double(size);
    s.actStd = std::sqrt(std::max(0.0, squares / double(size) - s.actMean * s.actMean));
    if (!fn) return s;
    if (const double top = bound(*fn); top > 0.0) {
        // sigmoids span (0, top), tanh (-top, top)
        const double low =
            *fn == ActivationFn::Sigmoid || *fn == ActivationFn::SigmoidAffine ? 0.0 : -top;
        const double band = kSaturationBand * (top - low);
        std::size_t near = 0;
        for (std::size_t i = 0; i < size; ++i) near += y[i] >= top - band || y[i] <= low + band;
        s.saturated = double(near) / double(size);
    } else if (reluLike(*fn)) {
        // x: (N, units): a unit is dead for the batch when no sample gives it a positive output
        const int units = y.shape().size();
        std::vector<char> alive(units, 0);
        for (int n = 0; n < y.n(); ++n) {
            const float* v = y.sample(n);
            for (int u = 0; u < units; ++u) alive[u] |= v[u] > 0.0f;
        }
        s.dead = double(std::count(alive.begin(), alive.end(), 0)) / double(units);
    }
    return s;
}

Histogram histogram(std::span<const float> values, float lo, float hi) {
    Histogram h{lo, hi, {}};
    addCounts(h.counts, values, lo, hi);
    h.counts = shares(std::move(h.counts));
    return h;
}

double quantile(std::vector<float> values, double q) {
    if (values.empty()) return kNoStat;
    const std::size_t k =
        std::min(values.size() - 1, std::size_t(std::ceil(q * double(values.size()))) - (q > 0));
    std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(k), values.end());
    return values[k];
}

LayerStatsRecorder::LayerStatsRecorder(const Network& net, int every, int minImages)
    : m_every(std::max(1, every)), m_minImages(std::max(0, minImages)) {
    for (int l = 0; l < net.layerCount(); ++l) {
        m_history.names.push_back(net.layer(l).name());
        m_history.kinds.push_back(net.layer(l).kind());
    }
    const std::size_t layers = m_history.names.size();
    m_steps.resize(layers);
    m_gradCounts.resize(layers);
    m_weightRange.assign(layers, 0.0f);
    m_gradRange.assign(layers, 0.0f);
}

void LayerStatsRecorder::beforeStep(const Network& net) {
    m_before.clear();
    for (const Param* p : net.params())
        m_before.push_back(p->trainable ? p->value : std::vector<float>{});
}

void LayerStatsRecorder::afterStep(int epoch, long long step, const Network& net,
                                   const Workspace& ws, const ParamArrays& grads) {
    StatsPoint point{epoch, step, {}};
    const std::vector<int> offsets = paramOffsets(net);
    for (int l = 0; l < net.layerCount(); ++l) {
        const Layer& layer = net.layer(l);
        LayerSample s = outputStats(ws.acts[l + 1], activationOf(layer));
        double gradSquares = 0.0, moveSquares = 0.0, weightSquares = 0.0;
        bool trainable = false;
        for (std::size_t i = 0; i < layer.params().size(); ++i) {
            const Param& p = layer.params()[i];
            if (!p.trainable) continue;
            trainable = true;
            const std::vector<float>& g = grads[offsets[l] + i];
            const std::vector<float>& before = m_before[offsets[l] + i];
            for (std::size_t k = 0; k < g.size(); ++k) {
                gradSquares += double(g[k]) * g[k];
                const double move = double(p.value[k]) - before[k];
                moveSquares += move * move;
                weightSquares += double(before[k]) * before[k];
            }
        }
        if (trainable) {
            s.gradNorm = std::sqrt(gradSquares);
            s.updateRatio = weightSquares > 0.0 ? std::sqrt(moveSquares / weightSquares) : kNoStat;
        }
        if (const Param* p = histogramParam(layer)) {
            const std::size_t index = std::size_t(p - layer.params().data()) + offsets[l];
            const std::span<const float> g(grads[index]);
            const float r = fixRange(m_gradRange[l], g);
            addCounts(m_gradCounts[l], g, -r, r);
        }
        point.layers.push_back(s);
    }
    m_history.points.push_back(std::move(point));
}

void LayerStatsRecorder::setStepSizes(const Network& net, const ParamArrays& inverseCurvature,
                                      float lr) {
    const std::vector<int> offsets = paramOffsets(net);
    for (int l = 0; l < net.layerCount(); ++l) {
        const Layer& layer = net.layer(l);
        std::vector<float> steps;
        for (std::size_t i = 0; i < layer.params().size(); ++i) {
            const Param& p = layer.params()[i];
            if (!p.trainable) continue;
            const std::vector<float>& s1 = inverseCurvature[offsets[l] + i];
            for (std::size_t k = 0; k < s1.size(); ++k)
                if (p.mask.empty() || p.mask[k] != 0.0f) steps.push_back(lr * s1[k]);
        }
        LayerSample& s = m_steps[l];
        s.stepP10 = quantile(steps, 0.1);
        s.stepP50 = quantile(steps, 0.5);
        s.stepP90 = quantile(steps, 0.9);
    }
}

void LayerStatsRecorder::endEpoch(int epoch, const Network& net) {
    EpochStats e;
    e.epoch = epoch;
    for (int l = 0; l < net.layerCount(); ++l) {
        std::vector<const LayerSample*> samples;
        for (const StatsPoint& p : m_history.points)
            if (p.epoch == epoch) samples.push_back(&p.layers[l]);
        LayerSample s = m_steps[l];
        for (double LayerSample::*field :
             {&LayerSample::gradNorm, &LayerSample::updateRatio, &LayerSample::actMean,
              &LayerSample::actStd, &LayerSample::saturated, &LayerSample::dead})
            s.*field = meanOf(samples, field);
        e.layers.push_back(s);
        Histogram weights, gradients;
        if (const Param* p = histogramParam(net.layer(l))) {
            const float r = fixRange(m_weightRange[l], p->value);
            weights = histogram(p->value, -r, r);
            gradients = {-m_gradRange[l], m_gradRange[l], shares(std::move(m_gradCounts[l]))};
        }
        e.weights.push_back(std::move(weights));
        e.gradients.push_back(std::move(gradients));
        m_gradCounts[l].clear();
        m_steps[l] = {};
    }
    m_history.epochs.push_back(std::move(e));
}

LayerStatsHistory inspectModel(const Network& net, const Dataset* data, int images) {
    Network copy(net);
    LayerStatsRecorder recorder(copy, 1);
    const int n = data ? std::min(images, data->size()) : 0;
    if (n > 0) {
        std::vector<int> order(n);
        std::iota(order.begin(), order.end(), 0);
        Tensor input(n, copy.inputShape());
        std::vector<std::uint8_t> labels;
        fillBatch(*data, order, 0, n, copy.spec().inputFormat(), nullptr, 0, input, labels);
        Workspace ws;
        ParamArrays grads;
        copy.trainBatch(input, labels, ws, grads, Context{});
        recorder.beforeStep(copy);
        recorder.afterStep(1, 0, copy, ws, grads);
    }
    recorder.endEpoch(1, copy);
    LayerStatsHistory h = recorder.history();
    for (StatsPoint& p : h.points)
        for (LayerSample& s : p.layers) s.updateRatio = kNoStat;
    for (LayerSample& s : h.epochs.front().layers) s.updateRatio = kNoStat;
    return h;
}

std::string layerStatsCsv(const LayerStatsHistory& history) {
    std::string csv =
        "epoch,layer,name,kind,grad_norm,update_ratio,act_mean,act_std,saturated,dead,"
        "sdlm_step_p10,sdlm_step_p50,sdlm_step_p90\n";
    for (const EpochStats& e : history.epochs) {
        for (std::size_t l = 0; l < e.layers.size(); ++l) {
            const LayerSample& s = e.layers[l];
            csv.append(std::to_string(e.epoch)).append(",").append(std::to_string(l + 1));
            csv.append(",").append(csvField(history.names[l]));
            csv.append(",").append(csvField(history.kinds[l]));
            for (double v : {s.gradNorm, s.updateRatio, s.actMean, s.actStd, s.saturated, s.dead,
                             s.stepP10, s.stepP50, s.stepP90})
                csv.append(",").append(cell(v));
            csv += "\n";
        }
    }
    return csv;
}

}  // namespace lenet
