#include "lenet/evaluate.h"

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <random>
#include <string>

#include "lenet/error.h"
#include "lenet/loss.h"
#include "lenet/parallel.h"

namespace lenet {

Classification classifyOutput(const Network& net, const float* out, float ink) {
    const int k = net.classes();
    Classification c;
    static_cast<Verdict&>(c) = judge(net, out, ink);
    c.outputs.assign(out, out + k);
    return c;
}

Classification classify(Network& net, const InkImage& image, Workspace& ws) {
    Tensor input(1, net.inputShape());
    toInput(image, net.spec().inputFormat(), input.data());
    return classifyOutput(net, net.forward(input, ws, Context{}).data(), inkSum(image));
}

void sampleInput(const Dataset& data, int index, const InputFormat& format, float* out,
                 const Distortion* distortion, std::uint64_t distortSeed) {
    InkImage ink = toInk(data.image(index), data.rows, data.cols);
    if (distortion) {
        std::mt19937 rng(std::uint32_t(distortSeed ^ (distortSeed >> 32)));
        ink = distort(ink, *distortion, rng);
    }
    toInput(ink, format, out);
}

void fillBatch(const Dataset& data, const std::vector<int>& order, int first, int n,
               const InputFormat& format, const Distortion* distortion, std::uint64_t seed,
               Tensor& input, std::vector<std::uint8_t>& labels) {
    labels.resize(n);
    parallelFor(Network::chunkCount(n), [&](int c) {
        const Range r = Network::chunkRange(n, c);
        for (int i = r.begin; i < r.end; ++i) {
            const int index = order[first + i];
            sampleInput(data, index, format, input.sample(i), distortion,
                        mixSeed(seed, std::uint64_t(first + i)));
            labels[i] = data.labels[index];
        }
    });
}

void checkLabels(const Dataset& data, int classes) {
    if (data.classes <= classes) return;
    const std::string source = data.labelsSource.empty() ? data.source : data.labelsSource;
    const std::string mismatch = "the data has " + std::to_string(data.classes) +
                                 " classes but the network's output has " + std::to_string(classes);
    const auto bad = std::find_if(data.labels.begin(), data.labels.end(),
                                  [classes](std::uint8_t l) { return l >= classes; });
    // A data set may declare more classes than its labels use (Dataset.classes set by hand).
    if (bad == data.labels.end()) throw ConfigError(source + ": " + mismatch);
    throw ConfigError(source + ": label at index " + std::to_string(bad - data.labels.begin()) +
                      " is " + std::to_string(*bad) + ", out of range for " +
                      std::to_string(classes) + " classes (at most " + std::to_string(classes - 1) +
                      "); " + mismatch);
}

Verdict judge(const Network& net, const float* out, float ink) {
    return judge(net.spec().loss, net.calibration(), out, net.classes(), ink);
}

float sampleInk(const Dataset& data, int index) {
    // As toInk converts pixels, so that an image file of the same pixels (lenet predict) gets the
    // same float; without building the image, since evaluate asks for every sample.
    return inkSum(data.image(index), std::size_t(data.rows) * data.cols);
}

Calibration calibrate(Network& net, const Dataset& data, int threads, int limit) {
    if (data.size() == 0)
        throw ConfigError(data.source + ": no images to calibrate the network on");
    checkLabels(data, net.classes());
    const int n = limit > 0 ? std::min(limit, data.size()) : data.size();
    const Evaluation ev = evaluate(net, data, threads, {0, n});
    std::vector<float> ink(std::size_t(ev.count));
    for (int i = 0; i < ev.count; ++i) ink[std::size_t(i)] = sampleInk(data, i);
    return fitCalibration(net.spec().loss, ev.outputs.data(), data.labels.data(), ink.data(),
                          ev.count, ev.classes,
                          std::filesystem::path(data.source).filename().string());
}

Evaluation evaluate(Network& net, const Dataset& data, int threads, Range r, std::stop_token stop,
                    bool keepFeatures) {
    if (r.size() <= 0) r = {0, data.size()};
    Evaluation ev;
    ev.classes = net.classes();
    ev.classNames = net.classNames().empty() ? data.classNames : net.classNames();
    ev.confusion.assign(std::size_t(ev.classes) * ev.classes, 0);
    ev.predictions.resize(r.size());
    ev.confidence.resize(r.size());
    ev.unsure.resize(r.size());
    ev.outputs.resize(std::size_t(r.size()) * ev.classes);
    const int last = net.layerCount() - 1;
    if (keepFeatures) {
        ev.featureDims = net.layer(last).inputShape().size();
        ev.features.resize(std::size_t(r.size()) * ev.featureDims);
    }
    const InputFormat format = net.spec().inputFormat();
    const LossKind loss = net.spec().loss;
    // Small batches keep each task's activations in its core's cache, and the workspace that a
    // call allocates (and the kernel zero-fills, page by page) small: 10,000 images of
    // lenet5-1998 on 2 threads took 123 ms in batches of 64, 178 ms in batches of 256, when both
    // threads split each batch; with a batch per thread, 99 ms in batches of 64, 90 ms in batches
    // of 32, 89 ms in batches of 16 (deep-lenet5, which reads F5's 1.6 M weights once a batch:
    // 1.39, 1.43 and 1.46 s).
    constexpr int kBatch = 32;
    const int batches = (r.size() + kBatch - 1) / kBatch;
    // Each of `slots` tasks takes every slots-th batch, so that no core waits for another at the
    // end of each batch. The batches, and so every output bit, are the same for any thread
    // count. Slot 0 runs `net`, the others a copy each: a forward pass writes a batch-norm
    // layer's statistics.
    ThreadArena arena(threads);
    const int slots = std::clamp(arena.threads(), 1, std::max(batches, 1));
    std::vector<Network> copies(std::size_t(slots - 1), net);
    std::vector<float> losses(std::size_t(r.size()));
    std::vector<std::uint8_t> done(std::size_t(batches), 0);
    std::vector<int> order(r.size());
    std::iota(order.begin(), order.end(), r.begin);
    arena.run([&] {
        parallelFor(slots, [&](int slot) {
            Network& own = slot == 0 ? net : copies[std::size_t(slot - 1)];
            Workspace ws;
            Tensor input;
            std::vector<std::uint8_t> labels;
            for (int b = slot; b < batches && !stop.stop_requested(); b += slots) {
                const int first = b * kBatch;
                const int n = std::min(kBatch, r.size() - first);
                input.resize(n, own.inputShape());
                fillBatch(data, order, first, n, format, nullptr, 0, input, labels);
                const Tensor& out = own.forward(input, ws, Context{});
                if (keepFeatures) {
                    const Tensor& f = ws.acts[std::size_t(last)];  // (n, featureDims)
                    std::copy_n(f.sample(0), std::size_t(n) * ev.featureDims,
                                ev.features.begin() + std::ptrdiff_t(first) * ev.featureDims);
                }
                for (int i = 0; i < n; ++i) {
                    const std::size_t s = std::size_t(first + i);
                    const Verdict v = judge(own, out.sample(i), sampleInk(data, order[s]));
                    losses[s] = sampleLoss(loss, own.spec().mapJ, out.sample(i), ev.classes,
                                           std::min(int(labels[i]), ev.classes - 1), nullptr);
                    std::copy_n(out.sample(i), ev.classes,
                                ev.outputs.begin() + std::ptrdiff_t(s) * ev.classes);
                    ev.predictions[s] = v.predicted;
                    ev.confidence[s] = v.probability;
                    ev.unsure[s] = v.unsure;
                }
                done[std::size_t(b)] = 1;
            }
        });
    });
    // After a stop, the batches before the first one not done.
    const int complete = int(std::find(done.begin(), done.end(), 0) - done.begin());
    ev.count = std::min(complete * kBatch, r.size());
    double lossSum = 0.0;
    for (int s = 0; s < ev.count; ++s) {
        const int label = data.labels[std::size_t(order[s])];
        const int pred = ev.predictions[s];
        lossSum += losses[std::size_t(s)];
        ev.errors += pred != label;
        if (label < ev.classes) ++ev.confusion[std::size_t(label) * ev.classes + pred];
    }
    ev.loss = ev.count ? lossSum / ev.count : 0.0;
    ev.predictions.resize(ev.count);
    ev.confidence.resize(ev.count);
    ev.unsure.resize(ev.count);
    ev.outputs.resize(std::size_t(ev.count) * ev.classes);
    ev.features.resize(std::size_t(ev.count) * ev.featureDims);
    return ev;
}

}  // namespace lenet
