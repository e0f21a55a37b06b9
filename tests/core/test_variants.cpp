// The architecture variants: every preset's documented parameter count, a training step with the
// right shapes, a short learning test on real MNIST, the variant switches (activation, pooling,
// kernel, channels, FC widths, head, batch norm, dropout) and their errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "lenet/data/idx.h"
#include "lenet/error.h"
#include "lenet/network.h"
#include "lenet/presets.h"
#include "lenet/evaluate.h"
#include "lenet/trainer.h"
#include "lenet/variant.h"
#include "support/test_support.h"

namespace {

using lenet::ArchitectureSpec;
using lenet::Network;
using lenet::VariantOptions;
using lenet::test::expectError;

// The parameter counts README.md lists for the presets.
const std::map<std::string, int> kParameterCounts = {
    {"deep-lenet5", 1701770},      {"lenet1", 3246},
    {"lenet5-1998", 60000},        {"lenet5-1998-distorted", 60000},
    {"lenet5-elastic", 61750},     {"lenet5-extra-conv", 114346},
    {"lenet5-k3", 106154},
    {"lenet5-maxpool", 61706},     {"lenet5-modern", 61750},
    {"lenet5-nopool", 1119626},    {"lenet5-nopool-fc", 1134146},
    {"lenet5-sigmoid", 61706},     {"lenet5-sigmoidx", 61932},
};

std::vector<std::string> typesOf(const ArchitectureSpec& spec) {
    std::vector<std::string> types;
    for (const auto& l : spec.layers) types.push_back(l.type);
    return types;
}

TEST(Variants, EveryPresetHasItsDocumentedParameterCount) {
    std::vector<std::string> documented;
    for (const auto& [name, count] : kParameterCounts) documented.push_back(name);
    EXPECT_EQ(lenet::presetNames(), documented);
    for (const auto& [name, count] : kParameterCounts) {
        EXPECT_EQ(Network(lenet::preset(name)).parameterCount(), count) << name;
    }
}

TEST(Variants, EveryPresetTakesATrainingStepWithGradientsShapedLikeItsParameters) {
    for (const auto& name : lenet::presetNames()) {
        SCOPED_TRACE(name);
        Network net(lenet::preset(name));
        net.initialize(3);
        const lenet::Dataset data = lenet::test::syntheticDigits(4, 5);
        lenet::Tensor input(4, net.inputShape());
        for (int i = 0; i < 4; ++i) {
            lenet::sampleInput(data, i, net.spec().inputFormat(),
                               input.data() + i * net.inputShape().size());
        }
        lenet::Workspace ws;
        lenet::ParamArrays grads = net.makeParamArrays();
        const lenet::BatchResult r = net.trainBatch(input, data.labels, ws, grads, {true, 7});
        EXPECT_TRUE(std::isfinite(r.lossSum));
        const auto params = net.params();
        ASSERT_EQ(grads.size(), params.size());
        double norm = 0.0;
        for (std::size_t p = 0; p < params.size(); ++p) {
            ASSERT_EQ(grads[p].size(), params[p]->value.size()) << params[p]->name;
            for (float g : grads[p]) {
                ASSERT_TRUE(std::isfinite(g)) << params[p]->name;
                norm += double(g) * g;
            }
        }
        EXPECT_GT(norm, 0.0);
        EXPECT_EQ(ws.acts.back().n(), 4);
        EXPECT_EQ(ws.acts.back().shape(), (lenet::Shape{net.classes(), 1, 1}));
    }
}

TEST(Variants, EveryPresetLearnsFromOneShortEpochOfMnist) {
    lenet::Dataset train, test;
    try {
        train = lenet::loadSplit(lenet::defaultDataDir(), lenet::Split::Train);
        test = lenet::loadSplit(lenet::defaultDataDir(), lenet::Split::Test);
    } catch (const lenet::Error& e) {
        GTEST_SKIP() << "MNIST not found: " << e.what();
    }
    for (const auto& name : lenet::presetNames()) {
        const ArchitectureSpec spec = lenet::preset(name);
        Network net(spec);
        net.initialize(spec.training.seed);
        lenet::TrainingConfig cfg = spec.training;
        cfg.epochs = 1;
        cfg.batch = std::min(cfg.batch, 8);
        cfg.trainLimit = 2000;
        cfg.testLimit = 300;
        cfg.sdlmSamples = 100;
        lenet::Trainer trainer(net, train, &test, cfg);
        lenet::TrainingObserver quiet;
        const double error = trainer.run(quiet).history.back().testError;
        EXPECT_LT(error, 0.45) << name << " (chance is 0.9)";
    }
}

TEST(Variants, ActivationAndPoolingSwitchesReplaceEveryLayerOfTheirKind) {
    VariantOptions o;
    o.activation = "leaky_relu";
    o.pooling = "avg";
    const ArchitectureSpec spec = lenet::applyVariant(lenet::preset("deep-lenet5"), o);
    for (const auto& l : spec.layers) {
        if (l.type == "activation") {
            EXPECT_EQ(l.fn, "leaky_relu");
        }
        EXPECT_NE(l.type, "maxpool");
    }
    const auto types = typesOf(spec);
    EXPECT_EQ(std::count(types.begin(), types.end(), "avgpool"), 2);
    EXPECT_GT(Network(spec).parameterCount(), 0);
    EXPECT_EQ(lenet::describe(o), "activation=leaky_relu pooling=avg");
}

TEST(Variants, KernelAndChannelSwitchesLetTheShapesFollow) {
    VariantOptions o;
    o.kernel = 3;
    o.channels = std::vector<int>{8, 20};
    const ArchitectureSpec spec = lenet::applyVariant(lenet::preset("lenet5-nopool"), o);
    // 32 -> C1 3x3 30 -> C3 3x3 28: F5 takes 20x28x28 instead of its documented 9216 inputs.
    const int expected =
        8 * (9 + 1) + 20 * (8 * 9 + 1) + (20 * 28 * 28 + 1) * 120 + (120 + 1) * 84 + (84 + 1) * 10;
    EXPECT_EQ(Network(spec).parameterCount(), expected);
}

TEST(Variants, FcWidthsAndHeadSwitches) {
    VariantOptions widths;
    widths.fcWidths = std::vector<int>{200, 100};
    const ArchitectureSpec wide = lenet::applyVariant(lenet::preset("lenet5-maxpool"), widths);
    EXPECT_EQ(Network(wide).parameterCount(),
              400 * 200 + 200 + 200 * 100 + 100 + 100 * 10 + 10 + 6 * 26 + 16 * 151);

    VariantOptions softmax;
    softmax.head = "softmax";
    const ArchitectureSpec s = lenet::applyVariant(lenet::preset("lenet5-1998"), softmax);
    EXPECT_EQ(s.layers.back().type, "fc");
    EXPECT_EQ(s.loss, lenet::LossKind::CrossEntropy);
    EXPECT_EQ(Network(s).classes(), 10);

    VariantOptions rbf;
    rbf.head = "rbf";
    const ArchitectureSpec r = lenet::applyVariant(lenet::preset("lenet5-maxpool"), rbf);
    EXPECT_EQ(r.layers.back().type, "rbf");
    EXPECT_EQ(r.loss, lenet::LossKind::Map);
    EXPECT_EQ(Network(r).classes(), 10);
}

TEST(Variants, BatchNormAndDropoutSwitchesAddAndRemoveLayers) {
    VariantOptions on;
    on.batchNorm = true;
    const ArchitectureSpec withBn = lenet::applyVariant(lenet::preset("lenet5-maxpool"), on);
    const auto types = typesOf(withBn);
    EXPECT_EQ(std::count(types.begin(), types.end(), "batchnorm"), 4);  // C1, C3, F5, F6
    EXPECT_EQ(withBn.layers[1].type, "batchnorm");
    EXPECT_EQ(Network(withBn).parameterCount(), 61706 + 2 * (6 + 16 + 120 + 84));

    VariantOptions off;
    off.batchNorm = false;
    const auto noBn = typesOf(lenet::applyVariant(lenet::preset("lenet5-modern"), off));
    EXPECT_EQ(std::count(noBn.begin(), noBn.end(), "batchnorm"), 0);

    VariantOptions drop;
    drop.dropout = 0.25f;
    const ArchitectureSpec d = lenet::applyVariant(lenet::preset("lenet5-maxpool"), drop);
    ASSERT_EQ(d.layers[d.layers.size() - 2].type, "dropout");
    EXPECT_FLOAT_EQ(d.layers[d.layers.size() - 2].rate, 0.25f);
    drop.dropout = 0.0f;
    const auto none = typesOf(lenet::applyVariant(lenet::preset("deep-lenet5"), drop));
    EXPECT_EQ(std::count(none.begin(), none.end(), "dropout"), 0);
}

TEST(Variants, SwitchesThatDoNotFitAreRefusedNamingTheOptionOrTheLayer) {
    const ArchitectureSpec base = lenet::preset("lenet5-maxpool");
    auto with = [&](auto set) {
        VariantOptions o;
        set(o);
        return [o, &base] { Network net(lenet::applyVariant(base, o)); };
    };
    expectError<lenet::ConfigError>(with([](VariantOptions& o) { o.activation = "gelu"; }),
                                    {"activation: unknown 'gelu'", "log_relu"});
    expectError<lenet::ConfigError>(with([](VariantOptions& o) { o.pooling = "median"; }),
                                    {"pooling: unknown 'median'"});
    expectError<lenet::ConfigError>(with([](VariantOptions& o) {
                                        o.channels = std::vector<int>{6, 16, 120};
                                    }),
                                    {"channels: 3 values (6,16,120) for 2 conv layers"});
    expectError<lenet::ConfigError>(with([](VariantOptions& o) { o.head = "svm"; }),
                                    {"head: unknown 'svm'"});
    expectError<lenet::ConfigError>(with([](VariantOptions& o) { o.kernel = 40; }),
                                    {"C1", "kernel 40x40 is larger than its input"});
    expectError<lenet::ConfigError>(
        with([](VariantOptions& o) { o.fcWidths = std::vector<int>{100}; }),
        {"fc: 1 values (100) for 2 hidden fc layers"});
}

}  // namespace
