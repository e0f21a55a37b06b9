#include "lenet/network.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include "lenet/data/idx.h"
#include "lenet/error.h"
#include "lenet/kernels.h"
#include "lenet/kinds.h"
#include "lenet/loss.h"
#include "lenet/parallel.h"
#include "lenet/spec_json.h"
#include "lenet/text.h"

namespace lenet {
namespace {

constexpr int kMaxChunks = 8;
// Samples per chunk, at least (unless the batch is smaller): every chunk computes and keeps its
// own gradient of every weight, which for C5 and F5 (48k weights each) costs as much as the
// chunk's samples when a chunk has only a few.
constexpr int kMinChunkSamples = 16;
// Entries per task when the chunks' gradients are summed.
constexpr std::size_t kReducePiece = 8192;
// Output units per task of a UnitSplit layer's weight gradients. Fixed, so that the pieces and
// their results do not depend on the threads.
constexpr int kUnitPiece = 8;

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

Network::Network(ArchitectureSpec spec) : m_spec(std::move(spec)) {
    build();
}

Network::Network(const Network& other)
    : m_spec(other.m_spec),
      m_paramOffset(other.m_paramOffset),
      m_paramTotal(other.m_paramTotal),
      m_calibration(other.m_calibration),
      m_classNames(other.m_classNames) {
    for (const auto& l : other.m_layers) m_layers.push_back(l->clone());
}

Network& Network::operator=(const Network& other) {
    if (this != &other) {
        Network copy(other);
        *this = std::move(copy);
    }
    return *this;
}

Network::~Network() = default;

std::string Network::className(int k) const {
    return lenet::className(m_classNames, k);
}

void Network::build() {
    if (m_spec.layers.empty())
        throw ConfigError(printable(m_spec.name) + ": the architecture has no layers");
    checkLimits(m_spec);  // also for specs made in code (the studio's editor, variant switches)
    Shape shape = m_spec.input;
    for (std::size_t i = 0; i < m_spec.layers.size(); ++i) {
        const LayerSpec& s = m_spec.layers[i];
        const LayerKind* kind = findKind(layerKinds(), s.type);
        const std::string name = !s.name.empty() ? s.name
                                 : kind          ? kind->shortName + std::to_string(i + 1)
                                                 : s.type + std::to_string(i + 1);
        try {
            if (!kind) throw ConfigError("layer '" + name + "': unknown type '" + s.type + "'");
            m_layers.push_back(makeLayer(*kind, s, name, shape));
        } catch (const ConfigError& e) {
            // The layers name themselves as the spec does: escaped here, once for all of them.
            throw ConfigError("layer " + std::to_string(i + 1) + " of " + printable(m_spec.name) +
                              ": " + printable(e.what()) + " (input " + shape.str() + ")");
        }
        shape = m_layers.back()->outputShape();
    }
    if (shape.h != 1 || shape.w != 1) {
        throw ConfigError(printable(m_spec.name) + ": the last layer '" +
                          printable(m_layers.back()->name()) + "' gives " + shape.str() +
                          "; the output must be one value per class (end with fc or rbf)");
    }
    const bool rbfOut = layerKind(m_spec.layers.back().type).type == LayerType::Rbf;
    if (rbfOut != (m_spec.loss != LossKind::CrossEntropy)) {
        throw ConfigError(printable(m_spec.name) + ": loss '" + toString(m_spec.loss) +
                          "' does not fit the "
                          "output layer '" +
                          m_layers.back()->kind() +
                          "' (map/penalty need an rbf output, cross_entropy an fc output)");
    }
    m_paramOffset.clear();
    m_paramTotal = 0;
    for (const auto& l : m_layers) {
        m_paramOffset.push_back(m_paramTotal);
        m_paramTotal += int(l->params().size());
    }
}

void Network::initialize(std::uint64_t seed) {
    std::mt19937 rng(std::uint32_t(seed ^ (seed >> 32)));
    for (auto& l : m_layers) l->initialize(m_spec.init, rng);
}

std::vector<Param*> Network::params() {
    std::vector<Param*> out;
    for (auto& l : m_layers) {
        for (auto& p : l->params()) out.push_back(&p);
    }
    return out;
}

std::vector<const Param*> Network::params() const {
    std::vector<const Param*> out;
    for (const auto& l : m_layers) {
        for (const auto& p : l->params()) out.push_back(&p);
    }
    return out;
}

int Network::parameterCount() const {
    int n = 0;
    for (const Param* p : params()) n += p->trainable ? p->count() : 0;
    return n;
}

ParamArrays Network::makeParamArrays() const {
    ParamArrays a;
    for (const Param* p : params()) a.emplace_back(p->value.size(), 0.0f);
    return a;
}

int Network::chunkCount(int n) {
    return std::clamp((n + kMinChunkSamples - 1) / kMinChunkSamples, 1, kMaxChunks);
}

Range Network::chunkRange(int n, int chunk) {
    const int chunks = chunkCount(n);
    return {int(std::int64_t(n) * chunk / chunks), int(std::int64_t(n) * (chunk + 1) / chunks)};
}

void Network::prepare(Workspace& ws, int n) const {
    const int layers = layerCount();
    ws.acts.resize(layers + 1);
    ws.grads.resize(layers + 1);
    for (int l = 0; l < layers; ++l) {
        try {
            ws.acts[l + 1].resize(n, m_layers[l]->outputShape());
        } catch (const OutOfMemoryError& e) {
            throw e.because("the outputs of layer " + printable(m_layers[l]->name()) +
                            " for a batch of " + std::to_string(n) +
                            " images; try a smaller batch");
        }
    }
    ws.losses.resize(n);
    ws.predictions.resize(n);
}

void Network::setLayerTimes(LayerTimes* times) {
    m_times = times;
    if (m_times) {
        m_times->forward.resize(m_layers.size(), 0.0);
        m_times->backward.resize(m_layers.size(), 0.0);
    }
}

void Network::runForward(Workspace& ws, const Context& ctx) {
    const int n = ws.acts[0].n();
    const int chunks = chunkCount(n);
    const int layers = layerCount();
    auto gather = [&](int k, int c) {
        m_layers[k]->coupling()->gatherForward(ws.acts[k], chunkRange(n, c), c, ctx);
    };
    // Layer k's statistics in a parallel section of their own, timed as layer k.
    auto gatherAlone = [&](int k) {
        const auto start = std::chrono::steady_clock::now();
        BatchCoupled* b = m_layers[k]->coupling();
        b->prepare(chunks);
        parallelFor(chunks, [&](int c) { gather(k, c); });
        b->finishForward(ctx);
        if (m_times) m_times->forward[k] += secondsSince(start);
    };
    if (m_layers[0]->coupling()) gatherAlone(0);
    int l = 0;
    while (l < layers) {
        const auto start = std::chrono::steady_clock::now();
        // One parallel section runs layers [l, end) on every chunk (not while profiling: one
        // layer each). A batch-coupled layer starts a section; the section before gathers its
        // statistics at the end, while the chunk's values are still in the core's cache.
        int end = l + 1;
        while (end < layers && !m_times && !m_layers[end]->coupling()) ++end;
        BatchCoupled* next = end < layers && !m_times ? m_layers[end]->coupling() : nullptr;
        if (next) next->prepare(chunks);
        parallelFor(chunks, [&](int c) {
            const Range r = chunkRange(n, c);
            for (int k = l; k < end; ++k) {
                if (const BatchCoupled* b = m_layers[k]->coupling()) {
                    b->applyForward(ws.acts[k], ws.acts[k + 1], r);
                } else {
                    m_layers[k]->forward(ws.acts[k], ws.acts[k + 1], r, ctx);
                }
            }
            if (next) gather(end, c);
        });
        if (next) next->finishForward(ctx);
        if (m_times) m_times->forward[l] += secondsSince(start);
        if (m_times && end < layers && m_layers[end]->coupling()) gatherAlone(end);
        l = end;
    }
}

const Tensor& Network::forward(const Tensor& input, Workspace& ws, const Context& ctx) {
    if (input.shape() != inputShape()) {
        throw ConfigError(m_spec.name + ": input is " + input.shape().str() + ", expected " +
                          inputShape().str());
    }
    prepare(ws, input.n());
    ws.acts[0] = input;
    runForward(ws, ctx);
    return ws.acts.back();
}

void Network::runBackward(Workspace& ws, const Context& ctx, bool curvature) {
    const int n = ws.acts[0].n();
    const int chunks = chunkCount(n);
    const int layers = layerCount();
    if (int(ws.chunkGrads.size()) < chunks) ws.chunkGrads.resize(chunks);
    for (int c = 0; c < chunks; ++c) {
        auto& g = ws.chunkGrads[c];
        if (!g.empty()) continue;
        // The layers that split their gradients by units (reduceUnits) need no chunk copies.
        for (const auto& l : m_layers) {
            for (const Param& p : l->params())
                g.emplace_back(l->unitSplit() ? 0 : p.value.size(), 0.0f);
        }
    }
    for (int l = 1; l < layers; ++l) ws.grads[l].resize(n, m_layers[l]->inputShape());

    auto gradients = [&](int l, int chunk) {
        thread_local std::vector<float*> dp;  // keeps its allocation from call to call
        dp.clear();
        for (std::size_t i = 0; i < m_layers[l]->params().size(); ++i) {
            dp.push_back(ws.chunkGrads[chunk][m_paramOffset[l] + i].data());
        }
        return std::span<float* const>(dp);
    };
    auto runLayer = [&](int l, int chunk) {
        const Range r = chunkRange(n, chunk);
        Tensor* dx = l > 0 ? &ws.grads[l] : nullptr;
        const BatchCoupled* b = m_layers[l]->coupling();
        if (const UnitSplit* u = m_layers[l]->unitSplit()) {
            if (dx) u->inputGradient(ws.grads[l + 1], *dx, r, curvature);
        } else if (curvature) {
            // Batch-coupled layers have no curvature pass: this throws ConfigError.
            m_layers[l]->curvature(ws.acts[l], ws.acts[l + 1], ws.grads[l + 1], dx, r,
                                   gradients(l, chunk));
        } else if (b) {
            if (dx) b->applyBackward(ws.acts[l], ws.grads[l + 1], *dx, r);
        } else {
            m_layers[l]->backward(ws.acts[l], ws.acts[l + 1], ws.grads[l + 1], dx, r, ctx,
                                  gradients(l, chunk));
        }
    };
    // Layer k's sums (and parameter gradients) of dE/dy, once ws.grads[k + 1] is complete.
    auto gather = [&](int k, int c) {
        if (curvature) return;
        m_layers[k]->coupling()->gatherBackward(ws.acts[k], ws.grads[k + 1], chunkRange(n, c), c,
                                                gradients(k, c));
    };
    auto gatherAlone = [&](int k) {
        const auto start = std::chrono::steady_clock::now();
        BatchCoupled* b = m_layers[k]->coupling();
        b->prepare(chunks);
        parallelFor(chunks, [&](int c) { gather(k, c); });
        b->finishBackward();
        if (m_times) m_times->backward[k] += secondsSince(start);
    };
    if (m_layers[layers - 1]->coupling()) gatherAlone(layers - 1);
    int l = layers - 1;
    while (l >= 0) {
        const auto start = std::chrono::steady_clock::now();
        // As in runForward, downwards: a section runs layers l..begin on every chunk and
        // gathers the sums of the batch-coupled layer below it.
        int begin = l;
        while (begin > 0 && !m_times && !m_layers[begin - 1]->coupling()) --begin;
        BatchCoupled* next = begin > 0 && !m_times ? m_layers[begin - 1]->coupling() : nullptr;
        if (next) next->prepare(chunks);
        parallelFor(chunks, [&](int c) {
            for (int k = l; k >= begin; --k) runLayer(k, c);
            if (next) gather(begin - 1, c);
        });
        if (next) next->finishBackward();
        if (m_times) m_times->backward[l] += secondsSince(start);
        if (m_times && begin > 0 && m_layers[begin - 1]->coupling()) gatherAlone(begin - 1);
        l = begin - 1;
    }
}

void Network::reduceUnits(const Workspace& ws, int n, bool curvature, ParamArrays& out) const {
    struct Piece {
        int layer;
        Range units;
    };
    std::vector<Piece> pieces;
    for (int l = 0; l < layerCount(); ++l) {
        const UnitSplit* u = m_layers[l]->unitSplit();
        if (!u) continue;
        for (int begin = 0; begin < u->units(); begin += kUnitPiece)
            pieces.push_back({l, {begin, std::min(u->units(), begin + kUnitPiece)}});
    }
    auto run = [&](const Piece& piece) {
        thread_local std::vector<float*> dp;
        dp.clear();
        const int first = m_paramOffset[piece.layer];
        for (std::size_t i = 0; i < m_layers[piece.layer]->params().size(); ++i)
            dp.push_back(out[first + i].data());
        m_layers[piece.layer]->unitSplit()->unitGradients(
            ws.acts[piece.layer], ws.grads[piece.layer + 1], {0, n}, piece.units, curvature, dp);
    };
    // Pieces [first, end): in parallel, unless the batch is too small to split into chunks
    // (batch 1: a parallel section costs more than the pieces).
    auto runPieces = [&](std::size_t first, std::size_t end) {
        if (chunkCount(n) == 1) {
            for (std::size_t i = first; i < end; ++i) run(pieces[i]);
        } else {
            parallelFor(int(end - first), [&](int i) { run(pieces[first + i]); });
        }
    };
    if (!m_times) {
        runPieces(0, pieces.size());
        return;
    }
    // Profiling: each layer's pieces in a section of their own, timed as its backward pass.
    for (std::size_t first = 0; first < pieces.size();) {
        std::size_t end = first;
        while (end < pieces.size() && pieces[end].layer == pieces[first].layer) ++end;
        const auto start = std::chrono::steady_clock::now();
        runPieces(first, end);
        m_times->backward[pieces[first].layer] += secondsSince(start);
        first = end;
    }
}

void Network::reduce(Workspace& ws, int n, bool curvature, ParamArrays& out) const {
    const int chunks = chunkCount(n);
    if (out.size() != std::size_t(m_paramTotal)) out = makeParamArrays();
    reduceUnits(ws, n, curvature, out);
    // Chunk 0's buffers become the result (a swap, no copy); the layers assign every entry of
    // their gradient buffers on the next pass, so the old contents that move there do not matter.
    std::vector<std::size_t> sizes;
    for (int p = 0; p < m_paramTotal; ++p) {
        const bool split = ws.chunkGrads[0][p].empty();  // done by reduceUnits
        if (!split) out[p].swap(ws.chunkGrads[0][p]);
        sizes.push_back(split ? 0 : out[p].size());
    }
    parallelForPieces(sizes, kReducePiece, [&](int p, std::size_t begin, std::size_t end) {
        float* dst = out[p].data();
        for (int c = 1; c < chunks; ++c) {
            const float* src = ws.chunkGrads[c][p].data();
            for (std::size_t i = begin; i < end; ++i) dst[i] += src[i];
        }
    });
}

BatchResult Network::trainBatch(const Tensor& input, std::span<const std::uint8_t> labels,
                                Workspace& ws, ParamArrays& grads, const Context& ctx) {
    const int n = input.n();
    forward(input, ws, ctx);
    const int k = classes();
    ws.grads[layerCount()].resize(n, m_layers.back()->outputShape());
    const float scale = 1.0f / float(n);
    const Tensor& out = ws.acts.back();
    Tensor& dout = ws.grads[layerCount()];
    for (int i = 0; i < n; ++i) {
        float* d = dout.sample(i);
        ws.losses[i] = sampleLoss(m_spec.loss, m_spec.mapJ, out.sample(i), k, labels[i], d);
        for (int j = 0; j < k; ++j) d[j] *= scale;
        ws.predictions[i] = predictClass(m_spec.loss, out.sample(i), k);
    }
    runBackward(ws, ctx, false);
    reduce(ws, n, false, grads);
    BatchResult result;
    for (int i = 0; i < n; ++i) {
        result.lossSum += ws.losses[i];
        result.errors += ws.predictions[i] != labels[i];
    }
    return result;
}

void Network::curvatureBatch(const Tensor& input, std::span<const std::uint8_t> labels,
                             Workspace& ws, ParamArrays& h) {
    const int n = input.n();
    Context ctx;
    ctx.training = true;
    forward(input, ws, ctx);
    const int k = classes();
    ws.grads[layerCount()].resize(n, m_layers.back()->outputShape());
    for (int i = 0; i < n; ++i) {
        sampleCurvature(m_spec.loss, ws.acts.back().sample(i), k, labels[i],
                        ws.grads[layerCount()].sample(i));
    }
    runBackward(ws, ctx, true);
    reduce(ws, n, true, h);
}

std::string describe(const Network& net) {
    std::string text;
    char line[160];
    std::snprintf(line, sizeof line, "%-4s %-10s %-12s %-12s %-10s %s\n", "#", "name", "kind",
                  "output", "params", "details");
    text += line;
    std::snprintf(line, sizeof line, "%-4s %-10s %-12s %-12s %-10s\n", "", "input", "",
                  net.inputShape().str().c_str(), "");
    text += line;
    for (int i = 0; i < net.layerCount(); ++i) {
        const Layer& l = net.layer(i);
        int count = 0;
        for (const auto& p : l.params()) count += p.trainable ? p.count() : 0;
        const LayerSpec& s = net.spec().layers[i];
        std::string details;
        const LayerType type = layerKind(s.type).type;
        if (type == LayerType::Conv) {
            details = std::to_string(s.kernel) + "x" + std::to_string(s.kernel) +
                      (s.stride != 1 ? " stride " + std::to_string(s.stride) : "") +
                      (s.padding ? " pad " + std::to_string(s.padding) : "") +
                      (s.connections != "full" ? " table " + s.connections : "");
        } else if (type == LayerType::Activation) {
            details = s.fn;
        } else if (isPool(s)) {
            details = std::to_string(s.size) + "x" + std::to_string(s.size);
        } else if (type == LayerType::Dropout) {
            details = "rate " + std::to_string(s.rate).substr(0, 4);
        } else if (type == LayerType::Rbf) {
            details = s.prototypes + (s.trainable ? " trainable" : " fixed");
        }
        std::snprintf(line, sizeof line, "%-4d %-10s %-12s %-12s %-10d %s\n", i + 1,
                      printable(l.name()).c_str(), l.kind().c_str(), l.outputShape().str().c_str(),
                      count, details.c_str());
        text += line;
    }
    std::snprintf(line, sizeof line, "total trainable parameters: %d, loss: %s\n",
                  net.parameterCount(), toString(net.spec().loss).c_str());
    text += line;
    return text;
}

}  // namespace lenet
