// The network: every preset builds and runs, copies are deep, training is bit-identical for any
// thread count and reproducible from its seed, and batches split into tasks without overlap.
#include "lenet/error.h"
#include "lenet/network.h"
#include "lenet/presets.h"
#include "lenet/trainer.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

using lenet::Context;
using lenet::Network;
using lenet::Tensor;
using lenet::test::expectError;
using lenet::test::syntheticDigits;

namespace {

using Weights = std::vector<std::vector<float>>;

Weights weightsOf(const Network& net) {
    Weights w;
    for (const lenet::Param* p : net.params()) w.push_back(p->value);
    return w;
}

/// Bit-for-bit equality (== would call -0 and +0 equal and NaN unequal).
bool bitIdentical(const Weights& a, const Weights& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].size() != b[i].size() ||
            std::memcmp(a[i].data(), b[i].data(), a[i].size() * sizeof(float)) != 0)
            return false;
    }
    return true;
}

void expectFinite(const Tensor& t, const std::string& what) {
    for (std::size_t i = 0; i < t.size(); ++i)
        ASSERT_TRUE(std::isfinite(t[i])) << what << " output " << i << " = " << t[i];
}

TEST(Presets, EveryPresetBuildsInitialisesAndRunsForward) {
    const std::vector<std::string> names = lenet::presetNames();
    ASSERT_FALSE(names.empty());
    EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
    for (const char* name : {"lenet5-1998", "lenet5-modern"})
        EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
    for (const std::string& name : names) {
        SCOPED_TRACE(name);
        Network net(lenet::preset(name));
        net.initialize(1);
        EXPECT_GT(net.parameterCount(), 0);
        lenet::Workspace ws;
        for (const Context& ctx : {Context{false, 0}, Context{true, 9}}) {
            Tensor zero(1, net.inputShape());
            const Tensor& out = net.forward(zero, ws, ctx);
            EXPECT_EQ(out.n(), 1);
            EXPECT_EQ(out.shape(), (lenet::Shape{net.classes(), 1, 1}));
            expectFinite(out, name + " zero input");

            Tensor three(3, net.inputShape());
            std::mt19937 rng(2);
            std::uniform_real_distribution<float> u(-0.5f, 1.5f);
            for (float& v : three.values()) v = u(rng);
            const Tensor& out3 = net.forward(three, ws, ctx);
            EXPECT_EQ(out3.n(), 3);
            expectFinite(out3, name + " 3 samples");
        }
    }
}

TEST(Presets, UnknownNameListsTheAvailableOnes) {
    expectError<lenet::ConfigError>([] { lenet::preset("lenet6"); },
                                    {"unknown preset 'lenet6'", "lenet5-1998"});
}

TEST(Network, RejectsAnInputOfTheWrongShape) {
    Network net(lenet::preset("lenet5-1998"));
    lenet::Workspace ws;
    Tensor wrong(1, {1, 28, 28});
    expectError<lenet::ConfigError>([&] { net.forward(wrong, ws, {}); },
                                    {"input is 1x28x28, expected 1x32x32"});
}

TEST(Network, ASpecMadeInCodeIsHeldToTheSizeLimits) {
    lenet::ArchitectureSpec spec = lenet::preset("lenet5-modern");
    spec.layers.front().maps = 1'000'000'000;  // what a typo in the studio's editor could give
    expectError<lenet::ConfigError>([&] { Network net(spec); }, {"C1"});
}

TEST(Network, DescribeListsLayersAndTheTotal) {
    const std::string text = lenet::describe(Network(lenet::preset("lenet5-1998")));
    EXPECT_NE(text.find("C3"), std::string::npos);
    EXPECT_NE(text.find("table lecun1998"), std::string::npos);
    EXPECT_NE(text.find("total trainable parameters: 60000"), std::string::npos) << text;
}

TEST(Network, CopyIsDeep) {
    Network original(lenet::preset("lenet5-modern"));
    original.initialize(3);
    const Weights before = weightsOf(original);

    Network copy(original);
    EXPECT_TRUE(bitIdentical(weightsOf(copy), before));
    for (lenet::Param* p : copy.params()) {
        for (float& v : p->value) v += 1.0f;
    }
    EXPECT_TRUE(bitIdentical(weightsOf(original), before));

    Network assigned(lenet::preset("lenet5-1998"));
    assigned = original;
    EXPECT_EQ(assigned.spec().name, "lenet5-modern");
    assigned.params().front()->value.assign(assigned.params().front()->value.size(), 7.0f);
    EXPECT_TRUE(bitIdentical(weightsOf(original), before));

    // The copy computes with its own parameters.
    Tensor input(2, original.inputShape());
    std::fill(input.values().begin(), input.values().end(), 0.5f);
    lenet::Workspace ws1, ws2;
    const Tensor a = original.forward(input, ws1, {});
    const Tensor b = copy.forward(input, ws2, {});
    EXPECT_FALSE(std::equal(a.values().begin(), a.values().end(), b.values().begin()));
}

/// Trains a preset for 2 epochs of 7 batches (the last one short) on synthetic digits.
Weights trainedWeights(const std::string& presetName, int threads, std::uint64_t seed,
                       std::vector<lenet::EpochMetrics>* history = nullptr) {
    const lenet::ArchitectureSpec spec = lenet::preset(presetName);
    Network net(spec);
    net.initialize(seed);
    lenet::TrainingConfig cfg = spec.training;
    cfg.threads = threads;
    cfg.seed = seed;
    cfg.epochs = 2;
    cfg.batch = 16;
    cfg.sdlmSamples = 40;
    const lenet::Dataset train = syntheticDigits(100, 1);
    const lenet::Dataset test = syntheticDigits(30, 2);
    lenet::Trainer trainer(net, train, &test, cfg);
    lenet::TrainingObserver observer;
    const lenet::TrainResult result = trainer.run(observer);
    EXPECT_EQ(result.stopReason, "");
    EXPECT_EQ(result.history.size(), 2u);
    if (history) *history = result.history;
    return weightsOf(net);
}

TEST(Determinism, TrainingIsBitIdenticalForOneAndTwoThreads) {
    for (const char* name : {"lenet5-modern", "lenet5-1998"}) {
        SCOPED_TRACE(name);
        std::vector<lenet::EpochMetrics> h1, h2;
        const Weights one = trainedWeights(name, 1, 5, &h1);
        const Weights two = trainedWeights(name, 2, 5, &h2);
        EXPECT_TRUE(bitIdentical(one, two));
        ASSERT_EQ(h1.size(), h2.size());
        for (std::size_t e = 0; e < h1.size(); ++e) {
            EXPECT_EQ(h1[e].loss, h2[e].loss);
            EXPECT_EQ(h1[e].trainError, h2[e].trainError);
            EXPECT_EQ(h1[e].testError, h2[e].testError);
        }
        // Training moved the weights.
        Network fresh(lenet::preset(name));
        fresh.initialize(5);
        EXPECT_FALSE(bitIdentical(one, weightsOf(fresh)));
    }
}

TEST(Determinism, SameSeedReproducesAndAnotherSeedDiffers) {
    const Weights a = trainedWeights("lenet5-modern", 2, 11);
    const Weights b = trainedWeights("lenet5-modern", 2, 11);
    const Weights c = trainedWeights("lenet5-modern", 2, 12);
    EXPECT_TRUE(bitIdentical(a, b));
    EXPECT_FALSE(bitIdentical(a, c));
}

/// a and b agree to 1e-4 relative to the larger magnitude of the two.
void expectClose(std::span<const float> a, std::span<const float> b, const std::string& what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const float scale = std::max({1.0f, std::abs(a[i]), std::abs(b[i])});
        ASSERT_NEAR(a[i], b[i], 1e-4f * scale) << what << " entry " << i;
    }
}

TEST(BatchNormChunks, StatisticsGatheredChunkByChunkMatchTheWholeBatch) {
    Network net(lenet::preset("lenet5-modern"));
    net.initialize(4);
    ASSERT_EQ(net.layer(1).kind(), "batchnorm");
    const int n = 130;  // eight chunks of 16 or 17 samples
    ASSERT_EQ(Network::chunkCount(n), 8);
    Tensor input(n, net.inputShape());
    std::mt19937 rng(8);
    std::uniform_real_distribution<float> pixel(-0.1f, 1.175f);
    for (float& v : input.values()) v = pixel(rng);
    std::vector<std::uint8_t> labels(n);
    for (int i = 0; i < n; ++i) labels[i] = std::uint8_t(i % 10);
    Context ctx;
    ctx.training = true;
    const Network before(net);
    lenet::Workspace ws;
    lenet::ParamArrays grads;
    net.trainBatch(input, labels, ws, grads, ctx);

    // BN1 on the same input as one range: outputs, running statistics and gradients agree.
    const std::unique_ptr<lenet::Layer> bn = before.layer(1).clone();
    Tensor y(n, bn->outputShape()), dx(n, bn->inputShape());
    bn->forward(ws.acts[1], y, {0, n}, ctx);
    expectClose(y.values(), ws.acts[2].values(), "output");
    for (int p : {2, 3}) {
        expectClose(bn->params()[p].value, net.layer(1).params()[p].value, bn->params()[p].name);
    }
    std::vector<std::vector<float>> g;
    std::vector<float*> pointers;
    for (const lenet::Param& p : bn->params()) g.emplace_back(p.value.size());
    for (auto& v : g) pointers.push_back(v.data());
    bn->backward(ws.acts[1], y, ws.grads[2], &dx, {0, n}, ctx, pointers);
    expectClose(dx.values(), ws.grads[1].values(), "dx");
    expectClose(g[0], grads[2], "gamma gradient");  // params 0, 1: C1's weight and bias
    expectClose(g[1], grads[3], "beta gradient");
}

TEST(Chunking, RangesCoverTheBatchWithoutOverlap) {
    for (int n = 1; n <= 200; ++n) {
        const int chunks = Network::chunkCount(n);
        ASSERT_GE(chunks, 1);
        ASSERT_LE(chunks, n);
        int next = 0;
        for (int c = 0; c < chunks; ++c) {
            const lenet::Range r = Network::chunkRange(n, c);
            EXPECT_EQ(r.begin, next) << "n " << n << " chunk " << c;
            EXPECT_GT(r.size(), 0) << "n " << n << " chunk " << c;
            next = r.end;
        }
        EXPECT_EQ(next, n);
    }
}

}  // namespace
