// Per-layer profiling: one row per layer with real times, the table names every layer, and
// timing the layers one section at a time does not change what a training step computes.
#include "lenet/error.h"
#include "lenet/network.h"
#include "lenet/parallel.h"
#include "lenet/presets.h"
#include "lenet/profile.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

namespace {

TEST(Profile, OneRowPerLayerWithPositiveTimes) {
    const lenet::ArchitectureSpec spec = lenet::preset("lenet5-modern");
    const lenet::LayerProfile p = lenet::profileLayers(spec, 8, 1, 2);
    lenet::Network net(spec);
    ASSERT_EQ(int(p.layers.size()), net.layerCount());
    for (int l = 0; l < net.layerCount(); ++l) {
        SCOPED_TRACE(l);
        EXPECT_EQ(p.layers[l].name, net.layer(l).name());
        EXPECT_EQ(p.layers[l].kind, net.layer(l).kind());
        EXPECT_EQ(p.layers[l].output, net.layer(l).outputShape());
        EXPECT_GT(p.layers[l].forwardUs, 0.0);
        EXPECT_GT(p.layers[l].backwardUs, 0.0);
    }
    EXPECT_EQ(p.batch, 8);
    EXPECT_EQ(p.threads, 1);
    EXPECT_GT(p.stepUs, 0.0);
    EXPECT_NEAR(p.imagesPerSecond, 8 / p.stepUs * 1e6, 1e-6 * p.imagesPerSecond);

    const std::string table = lenet::formatProfile(p);
    for (const auto& row : p.layers) EXPECT_NE(table.find(row.name), std::string::npos) << row.name;
    EXPECT_NE(table.find("images/s"), std::string::npos);
}

// LeNet-5 of 1998 counted by hand, 2 FLOPs per multiply-add: forward, weight gradients and (but
// for C1) input gradients of C1 (150 weights x 28x28 outputs), C3 (Table I: 60 kernels x 25 x
// 10x10), C5 (48,000 x 1), F6 (84 x 120) and the RBF (10 x 84).
TEST(Profile, CountsTheArithmeticOfEveryLayer) {
    const lenet::Network net(lenet::preset("lenet5-1998"));
    std::vector<double> flops;
    for (int l = 0; l < net.layerCount(); ++l) flops.push_back(lenet::trainingFlops(net, l));
    const std::vector<double> expected{2 * 2 * 150.0 * 784,
                                       0,
                                       0,
                                       0,
                                       2 * 3 * 1500.0 * 100,
                                       0,
                                       0,
                                       0,
                                       2 * 3 * 48000.0,
                                       0,
                                       2 * 3 * 84.0 * 120,
                                       0,
                                       2 * 3 * 840.0};
    EXPECT_EQ(flops, expected);

    const lenet::LayerProfile p = lenet::profileLayers(lenet::preset("lenet5-1998"), 4, 1, 1);
    EXPECT_DOUBLE_EQ(p.flopsPerImage, 1723920.0);
    // One thread's multiply-add units: at least one multiply-add per nanosecond.
    EXPECT_GT(p.peakFlops, 2e9);
    EXPECT_GT(p.peakShare(), 0.0);
    EXPECT_LT(p.peakShare(), 1.0);
    EXPECT_NE(lenet::formatProfile(p).find("of the peak"), std::string::npos);
}

TEST(Profile, CountsTheThreadsThatRan) {
    // Asked for more threads than cores, the step runs on the cores, and the peak it is held
    // against is theirs.
    const int cores = lenet::hardwareThreads();
    EXPECT_EQ(lenet::profileLayers(lenet::preset("lenet1"), 4, cores + 2, 1).threads, cores);
    EXPECT_EQ(lenet::profileLayers(lenet::preset("lenet1"), 4, 0, 1).threads, cores);
}

TEST(Profile, RefusesAnEmptyBatch) {
    EXPECT_THROW(lenet::profileLayers(lenet::preset("lenet1"), 0, 1, 1), lenet::ConfigError);
    EXPECT_THROW(lenet::profileLayers(lenet::preset("lenet1"), 4, 1, 0), lenet::ConfigError);
}

TEST(Profile, TimedLayersComputeTheSameGradients) {
    for (const char* name : {"lenet5-modern", "lenet5-1998"}) {
        SCOPED_TRACE(name);
        lenet::Network net(lenet::preset(name));
        net.initialize(3);
        lenet::Tensor input(12, net.inputShape());
        std::mt19937 rng(2);
        std::uniform_real_distribution<float> pixel(-0.1f, 1.175f);
        for (float& v : input.values()) v = pixel(rng);
        const std::vector<std::uint8_t> labels{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1};
        lenet::Context ctx;
        ctx.training = true;

        lenet::Workspace ws;
        lenet::ParamArrays plain, timed;
        const lenet::BatchResult a = net.trainBatch(input, labels, ws, plain, ctx);
        lenet::LayerTimes times;
        net.setLayerTimes(&times);
        const lenet::BatchResult b = net.trainBatch(input, labels, ws, timed, ctx);
        net.setLayerTimes(nullptr);

        EXPECT_EQ(a.lossSum, b.lossSum);
        ASSERT_EQ(plain.size(), timed.size());
        for (std::size_t i = 0; i < plain.size(); ++i) {
            ASSERT_EQ(plain[i].size(), timed[i].size());
            EXPECT_EQ(std::memcmp(plain[i].data(), timed[i].data(), plain[i].size() * 4), 0)
                << "parameter array " << i;
        }
        ASSERT_EQ(int(times.forward.size()), net.layerCount());
        for (double t : times.forward) EXPECT_GT(t, 0.0);
    }
}

}  // namespace
