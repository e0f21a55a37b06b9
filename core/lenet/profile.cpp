#include "lenet/profile.h"

#include <chrono>
#include <cstdio>
#include <random>

#include "lenet/error.h"
#include "lenet/kernels.h"
#include "lenet/kinds.h"
#include "lenet/network.h"
#include "lenet/parallel.h"

namespace lenet {

double trainingFlops(const Network& net, int l) {
    const Layer& layer = net.layer(l);
    const Shape out = layer.outputShape();
    double multiplyAdds = 0.0;  // of the forward pass
    switch (layerKind(net.spec().layers[l].type).type) {
        case LayerType::Conv:
        case LayerType::Fc:
            // Every weight (table ones only) meets one input per output pixel.
            multiplyAdds = double(layer.params()[0].count()) * out.h * out.w;
            break;
        case LayerType::Rbf: multiplyAdds = double(layer.inputShape().size()) * out.c; break;
        default: return 0.0;
    }
    // Forward, weight gradients, and input gradients below the first layer: each as many.
    return 2.0 * multiplyAdds * (l > 0 ? 3 : 2);
}

LayerProfile profileLayers(const ArchitectureSpec& spec, int batch, int threads, int batches) {
    if (batch < 1 || batches < 1) {
        throw ConfigError("profile: the batch size and the number of batches must be >= 1");
    }
    Network net(spec);
    net.initialize(spec.training.seed);
    Tensor input;
    try {
        input.resize(batch, net.inputShape());
    } catch (const OutOfMemoryError& e) {
        throw e.because("the input images of one batch of " + std::to_string(batch) +
                        "; try a smaller batch");
    }
    std::vector<std::uint8_t> labels(batch);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> pixel(-0.1f, 1.175f);
    std::uniform_int_distribution<int> label(0, net.classes() - 1);
    for (float& v : input.values()) v = pixel(rng);
    for (auto& l : labels) l = std::uint8_t(label(rng));

    LayerProfile profile;
    profile.batch = batch;
    ThreadArena arena(threads);
    profile.threads = arena.threads();
    profile.batches = batches;
    arena.run([&] {
        Workspace ws;
        ParamArrays grads;
        Context ctx;
        ctx.training = true;
        const auto steps = [&](int count) {
            const auto start = std::chrono::steady_clock::now();
            for (int i = 0; i < count; ++i) {
                ctx.seed = std::uint64_t(i);
                net.trainBatch(input, labels, ws, grads, ctx);
            }
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        };
        steps(2);
        profile.stepUs = steps(batches) / batches * 1e6;
        LayerTimes times;
        net.setLayerTimes(&times);
        steps(batches);
        net.setLayerTimes(nullptr);
        for (int l = 0; l < net.layerCount(); ++l) {
            const Layer& layer = net.layer(l);
            profile.layers.push_back({layer.name(), layer.kind(), layer.outputShape(),
                                      times.forward[l] / batches * 1e6,
                                      times.backward[l] / batches * 1e6, trainingFlops(net, l)});
            profile.flopsPerImage += profile.layers.back().flops;
        }
    });
    profile.imagesPerSecond = profile.stepUs > 0 ? batch / profile.stepUs * 1e6 : 0.0;
    profile.peakFlops = 2.0 * profile.threads * peakMultiplyAddRate(0.2);
    return profile;
}

std::string formatProfile(const LayerProfile& p) {
    double total = 0.0;
    for (const auto& row : p.layers) total += row.forwardUs + row.backwardUs;
    std::string text;
    char line[160];
    std::snprintf(line, sizeof line, "%-10s %-11s %-10s %12s %12s %7s %10s %8s\n", "layer", "kind",
                  "output", "forward us", "backward us", "share", "kFLOP/img", "GFLOP/s");
    text += line;
    for (const auto& row : p.layers) {
        const double us = row.forwardUs + row.backwardUs;
        const double share = total > 0 ? 100.0 * us / total : 0.0;
        // Element-wise layers count no arithmetic: blank, as in the studio's table.
        char flops[16] = "", rate[16] = "";
        if (row.flops > 0) std::snprintf(flops, sizeof flops, "%.1f", row.flops / 1e3);
        if (const double perSecond = row.flopsPerSecond(p.batch); perSecond > 0)
            std::snprintf(rate, sizeof rate, "%.1f", perSecond / 1e9);
        std::snprintf(line, sizeof line, "%-10s %-11s %-10s %12.1f %12.1f %6.1f%% %10s %8s\n",
                      row.name.c_str(), row.kind.c_str(), row.output.str().c_str(), row.forwardUs,
                      row.backwardUs, share, flops, rate);
        text += line;
    }
    std::snprintf(line, sizeof line,
                  "layers: %.1f us per batch of %d on %d thread%s; a whole step: %.1f us "
                  "(%.0f images/s, optimiser excluded)\n",
                  total, p.batch, p.threads, p.threads == 1 ? "" : "s", p.stepUs,
                  p.imagesPerSecond);
    text += line;
    std::snprintf(line, sizeof line,
                  "arithmetic: %.3f MFLOP per training image (convolutions, fully connected, RBF; "
                  "2 per multiply-add)\n",
                  p.flopsPerImage / 1e6);
    text += line;
    std::snprintf(line, sizeof line,
                  "a whole step reaches %.1f GFLOP/s, %.0f%% of the peak of %.0f GFLOP/s (one "
                  "thread's multiply-adds in registers x %d)\n",
                  p.flopsPerSecond() / 1e9, 100.0 * p.peakShare(), p.peakFlops / 1e9, p.threads);
    text += line;
    return text;
}

}  // namespace lenet
