// The kernel sets (lenet/kernels.h): every set this build has and this CPU runs computes what
// the baseline set computes, layer by layer, forward and backward; the choice follows
// LENET_KERNELS; and a whole network trains with the same results for every thread count.
#include "lenet/error.h"
#include "lenet/kernels.h"
#include "lenet/kinds.h"
#include "lenet/layers/conv.h"
#include "lenet/layers/pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <typeinfo>
#include <vector>

using lenet::KernelSet;
using lenet::LayerSpec;
using lenet::Shape;
using lenet::Tensor;

namespace {

struct Case {
    LayerSpec spec;
    Shape in;
};

LayerSpec spec(std::string type) {
    LayerSpec s;
    s.type = std::move(type);
    return s;
}

/// One layer of every kind and option that has its own code path.
std::vector<Case> cases() {
    std::vector<Case> out;
    LayerSpec conv = spec("conv");
    conv.maps = 6;
    out.push_back({conv, {1, 32, 32}});
    conv.maps = 16;
    conv.connections = "lecun1998";
    out.push_back({conv, {6, 14, 14}});
    conv.connections = "full";
    conv.kernel = 3;
    conv.padding = 1;
    conv.maps = 12;
    out.push_back({conv, {5, 9, 9}});
    conv.kernel = 5;
    conv.padding = 0;
    conv.maps = 120;
    out.push_back({conv, {16, 5, 5}});
    for (const char* pool : {"subsample", "avgpool", "maxpool"})
        out.push_back({spec(pool), {6, 28, 28}});
    LayerSpec fc = spec("fc");
    fc.maps = 84;
    out.push_back({fc, {120, 1, 1}});
    for (const lenet::ActivationKind& a : lenet::activationKinds()) {
        LayerSpec act = spec("activation");
        act.fn = a.key;
        out.push_back({act, {6, 10, 10}});
    }
    out.push_back({spec("batchnorm"), {6, 10, 10}});
    out.push_back({spec("dropout"), {84, 1, 1}});
    LayerSpec rbf = spec("rbf");
    out.push_back({rbf, {84, 1, 1}});
    rbf.trainable = true;
    out.push_back({rbf, {84, 1, 1}});
    return out;
}

std::vector<KernelSet> runnableSets() {
    std::vector<KernelSet> sets;
    for (KernelSet s : lenet::builtKernelSets()) {
        if (lenet::cpuRuns(s)) sets.push_back(s);
    }
    return sets;
}

void fill(std::span<float> values, std::mt19937& rng) {
    std::uniform_real_distribution<float> d(-1.0f, 1.0f);
    for (float& v : values) v = d(rng);
}

struct Pass {
    Tensor y, dx;
    std::vector<std::vector<float>> dparams;
};

/// Forward and backward of `layer` on a batch of 8 drawn from `seed`, in training mode.
Pass run(lenet::Layer& layer, std::uint32_t seed) {
    constexpr int n = 8;
    std::mt19937 rng(seed);
    Tensor x(n, layer.inputShape());
    fill(x.values(), rng);
    Pass p;
    p.y.resize(n, layer.outputShape());
    const lenet::Context ctx{true, 42};
    layer.forward(x, p.y, {0, n}, ctx);
    Tensor dy(n, layer.outputShape());
    fill(dy.values(), rng);
    p.dx.resize(n, layer.inputShape());
    std::vector<float*> grads;
    for (const lenet::Param& param : layer.params()) {
        p.dparams.emplace_back(param.value.size(), 0.0f);
        grads.push_back(p.dparams.back().data());
    }
    layer.backward(x, p.y, dy, &p.dx, {0, n}, ctx, grads);
    return p;
}

/// |a - b| within a relative tolerance of the larger magnitude (FMA rounds differently).
void expectClose(std::span<const float> a, std::span<const float> b, const std::string& what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    float scale = 1e-6f;
    for (float v : a) scale = std::max(scale, std::abs(v));
    for (std::size_t i = 0; i < a.size(); ++i) {
        ASSERT_NEAR(a[i], b[i], 2e-5f * scale) << what << " entry " << i;
    }
}

TEST(KernelSets, EveryRunnableSetComputesWhatTheBaselineComputes) {
    const std::vector<KernelSet> sets = runnableSets();
    ASSERT_FALSE(sets.empty());
    for (const Case& c : cases()) {
        const lenet::LayerKind& kind = lenet::layerKind(c.spec.type);
        const std::string label = c.spec.type + " " + c.spec.fn + " " + c.spec.connections;
        auto reference = lenet::makeLayer(sets.front(), kind, c.spec, "ref", c.in);
        std::mt19937 rng(7);
        reference->initialize("lecun_uniform", rng);
        for (lenet::Param& p : reference->params()) {
            if (p.trainable) fill(p.value, rng);  // away from the initial constants
            for (std::size_t i = 0; i < p.mask.size(); ++i) p.value[i] *= p.mask[i];
        }
        const Pass want = run(*reference, 3);
        for (KernelSet set : sets) {
            auto layer = lenet::makeLayer(set, kind, c.spec, "other", c.in);
            layer->params() = reference->params();
            const Pass got = run(*layer, 3);
            const std::string where = label + " in " + lenet::kernelSetName(set);
            expectClose(want.y.values(), got.y.values(), where + ": y");
            expectClose(want.dx.values(), got.dx.values(), where + ": dx");
            for (std::size_t i = 0; i < want.dparams.size(); ++i) {
                expectClose(want.dparams[i], got.dparams[i],
                            where + ": d" + reference->params()[i].name);
            }
        }
    }
}

// Each set's classes have their own typeinfo (scripts/private_kernel_set.cmake); code built once
// must still recognise them.
TEST(KernelSets, EverySetsLayersAndErrorsAreTheTypesTheRestOfTheProgramKnows) {
    LayerSpec conv = spec("conv");
    conv.maps = 16;
    for (KernelSet set : runnableSets()) {
        const std::string where = lenet::kernelSetName(set);
        auto layer = lenet::makeLayer(set, lenet::layerKind("conv"), conv, "C", {6, 14, 14});
        EXPECT_NE(dynamic_cast<lenet::Conv*>(layer.get()), nullptr) << where;
        EXPECT_EQ(dynamic_cast<lenet::Pool*>(layer.get()), nullptr) << where;
        EXPECT_TRUE(typeid(*layer) == typeid(lenet::Conv)) << where;
        conv.connections = "lecun1998";
        EXPECT_THROW(lenet::makeLayer(set, lenet::layerKind("conv"), conv, "C", {5, 14, 14}),
                     lenet::ConfigError)
            << where;
        conv.connections = "full";
    }
}

TEST(KernelSets, TheActiveSetIsTheBestThisCpuRunsUnlessForced) {
    const std::vector<KernelSet> sets = runnableSets();
    const char* forced = std::getenv("LENET_KERNELS");
    if (forced && *forced) {
        EXPECT_EQ(lenet::kernelSetKey(lenet::activeKernelSet()), forced);
    } else {
        EXPECT_EQ(lenet::activeKernelSet(), sets.back());
    }
}

TEST(KernelSets, ASetThatIsNotBuiltOrNotRunnableIsRefused) {
    const lenet::LayerKind& fc = lenet::layerKind("fc");
    LayerSpec s = spec("fc");
    s.maps = 4;
    for (KernelSet set : {KernelSet::Baseline, KernelSet::Avx2, KernelSet::March}) {
        const std::vector<KernelSet> built = lenet::builtKernelSets();
        const bool usable =
            std::find(built.begin(), built.end(), set) != built.end() && lenet::cpuRuns(set);
        if (usable) {
            EXPECT_NO_THROW(lenet::makeLayer(set, fc, s, "f", {3, 1, 1}));
        } else {
            EXPECT_THROW(lenet::makeLayer(set, fc, s, "f", {3, 1, 1}), lenet::Error)
                << lenet::kernelSetName(set);
        }
    }
}

}  // namespace
