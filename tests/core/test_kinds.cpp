// The table of kinds: unique keys, every entry round-trips through spec JSON, builds, and (for
// optimisers and schedules) runs; the places that read the table agree with it.
#include "lenet/kinds.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <random>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "lenet/error.h"
#include "lenet/layers/activation.h"
#include "lenet/network.h"
#include "lenet/optimizer.h"
#include "lenet/spec.h"
#include "lenet/spec_json.h"
#include "lenet/variant.h"

namespace {

using lenet::LayerSpec;

template <typename Kind>
void expectUniqueKeys(const std::vector<Kind>& kinds) {
    std::set<std::string> keys;
    for (const Kind& k : kinds) {
        EXPECT_TRUE(keys.insert(k.key).second) << "duplicate key " << k.key;
        EXPECT_STRNE(k.description, "") << k.key;
    }
    EXPECT_FALSE(keys.empty());
}

/// Layers of type `kind` (for activation layers, one per function) with every field the layer
/// uses set to a value other than LayerSpec's default.
std::vector<LayerSpec> layersWithChangedFields(const lenet::LayerKind& kind) {
    std::vector<std::string> fns = {""};
    if (kind.type == lenet::LayerType::Activation) fns = kindKeys(lenet::activationKinds());
    std::vector<LayerSpec> layers;
    for (const std::string& fn : fns) {
        LayerSpec l;
        l.type = kind.key;
        l.fn = fn;
        for (const lenet::LayerField& f : kind.fields) {
            if (!lenet::usesField(l, f.key) || std::string(f.key) == "fn") continue;
            std::visit(
                [&](auto member) {
                    using Value = std::decay_t<decltype(l.*member)>;
                    if constexpr (std::is_same_v<Value, bool>) {
                        l.*member = !(l.*member);
                    } else if constexpr (std::is_same_v<Value, std::string>) {
                        l.*member = l.*member == "full" ? "lecun1998" : "random";
                    } else {
                        l.*member = l.*member * 2 + 3;
                    }
                },
                f.member);
        }
        layers.push_back(l);
    }
    return layers;
}

TEST(Kinds, KeysAreUniqueAndDescribed) {
    expectUniqueKeys(lenet::layerKinds());
    expectUniqueKeys(lenet::activationKinds());
    expectUniqueKeys(lenet::optimizerKinds());
    expectUniqueKeys(lenet::scheduleKinds());
    expectUniqueKeys(lenet::initKinds());
    expectUniqueKeys(lenet::lossKinds());
    std::set<std::string> shortNames;
    for (const lenet::LayerKind& k : lenet::layerKinds()) {
        EXPECT_TRUE(shortNames.insert(k.shortName).second) << k.shortName;
        EXPECT_EQ(k.pool, k.pooling != nullptr) << k.key;
        std::set<std::string> fields;
        for (const lenet::LayerField& f : k.fields) {
            EXPECT_TRUE(fields.insert(f.key).second) << k.key << "." << f.key;
            EXPECT_STRNE(f.description, "") << k.key << "." << f.key;
        }
    }
}

TEST(Kinds, EveryLayerFieldRoundTripsThroughSpecJson) {
    for (const lenet::LayerKind& kind : lenet::layerKinds()) {
        for (const LayerSpec& layer : layersWithChangedFields(kind)) {
            SCOPED_TRACE(layer.type + " " + layer.fn);
            lenet::ArchitectureSpec spec;
            spec.name = "kinds";
            spec.layers = {layer};
            spec.loss = kind.type == lenet::LayerType::Rbf ? lenet::LossKind::Map
                                                           : lenet::LossKind::CrossEntropy;
            const nlohmann::json j = lenet::toJson(spec);
            for (const lenet::LayerField& f : kind.fields) {
                if (lenet::usesField(layer, f.key)) {
                    EXPECT_TRUE(j["layers"][0].contains(f.key)) << f.key;
                }
            }
            const lenet::ArchitectureSpec back = lenet::specFromJson(j);
            ASSERT_EQ(back.layers.size(), 1u);
            EXPECT_EQ(back.layers[0], layer);
            EXPECT_EQ(lenet::toJson(back), j);
        }
    }
}

TEST(Kinds, EveryLayerTypeBuildsAndIsNamedByItsShortName) {
    for (const lenet::LayerKind& kind : lenet::layerKinds()) {
        SCOPED_TRACE(kind.key);
        LayerSpec l;
        l.type = kind.key;
        l.maps = 2;
        l.kernel = 3;
        l.fn = "relu";
        l.prototypes = "random";
        LayerSpec head;
        head.type = "fc";
        head.maps = 10;
        lenet::ArchitectureSpec spec;
        spec.name = "kinds";
        spec.input = {1, 8, 8};
        spec.layers = {l};
        if (kind.type == lenet::LayerType::Rbf) {
            spec.loss = lenet::LossKind::Map;
        } else {
            spec.layers.push_back(head);
        }
        const lenet::Network net(spec);
        EXPECT_EQ(net.layer(0).kind(), kind.key);
        EXPECT_EQ(net.layer(0).name(), std::string(kind.shortName) + "1");
        EXPECT_EQ(lenet::isPool(l), kind.pool);
    }
}

TEST(Kinds, UnknownLayerTypeNamesTheTypes) {
    nlohmann::json j = {{"name", "x"}, {"layers", {{{"type", "convolution"}}}}};
    try {
        lenet::specFromJson(j);
        FAIL() << "no error";
    } catch (const lenet::ConfigError& e) {
        const std::string message = e.what();
        for (const lenet::LayerKind& k : lenet::layerKinds()) {
            EXPECT_NE(message.find(k.key), std::string::npos) << message;
        }
    }
}

TEST(Kinds, EveryActivationBuilds) {
    for (const lenet::ActivationKind& kind : lenet::activationKinds()) {
        const lenet::Activation act("act", {2, 3, 3}, kind.key, 0.1f, 0.5f);
        EXPECT_EQ(act.fn(), kind.fn) << kind.key;
        LayerSpec layer;
        layer.type = "activation";
        layer.fn = kind.key;
        for (const char* option : kind.options) EXPECT_TRUE(lenet::usesField(layer, option));
    }
    EXPECT_THROW(lenet::Activation("act", {1, 1, 1}, "softplus", 0.1f, 0.5f), lenet::ConfigError);
}

TEST(Kinds, EveryOptimizerTakesAStep) {
    for (const lenet::OptimizerKind& kind : lenet::optimizerKinds()) {
        SCOPED_TRACE(kind.key);
        EXPECT_EQ(kind.needsCurvature, kind.rule == lenet::OptimizerRule::Sdlm);
        lenet::TrainingConfig config;
        config.optimizer = kind.key;
        lenet::Optimizer optimizer(config);
        lenet::Param p;
        p.value = {1.0f, -2.0f, 0.5f};
        const lenet::ParamArrays grads = {{0.5f, -0.25f, 1.0f}};
        if (kind.needsCurvature) optimizer.setCurvature({{1.0f, 2.0f, 3.0f}});
        ASSERT_TRUE(optimizer.step({&p}, grads, 0.1f));
        EXPECT_LT(p.value[0], 1.0f);
        EXPECT_GT(p.value[1], -2.0f);
        EXPECT_LT(p.value[2], 0.5f);
        EXPECT_EQ(optimizer.state().steps, 1);
    }
}

TEST(Kinds, EveryScheduleGivesAPositiveRate) {
    for (const lenet::ScheduleKind& kind : lenet::scheduleKinds()) {
        lenet::TrainingConfig config;
        config.schedule = kind.key;
        lenet::validate(config);
        EXPECT_EQ(lenet::scheduledLr(config, 0, 10), config.lr) << kind.key;
        EXPECT_GT(lenet::scheduledLr(config, 9, 10), 0.0f) << kind.key;
    }
}

TEST(Kinds, EveryInitDrawsWeights) {
    for (const lenet::InitKind& kind : lenet::initKinds()) {
        std::vector<float> w(64, 0.0f);
        std::mt19937 rng(1);
        lenet::initWeights(w, kind.key, 25, 6, rng);
        float sum = 0.0f;
        for (float v : w) sum += std::abs(v);
        EXPECT_GT(sum, 0.0f) << kind.key;
    }
    std::vector<float> w(4);
    std::mt19937 rng(1);
    EXPECT_THROW(lenet::initWeights(w, "orthogonal", 1, 1, rng), lenet::ConfigError);
}

TEST(Kinds, LossNamesRoundTrip) {
    for (const lenet::LossEntry& e : lenet::lossKinds()) {
        EXPECT_EQ(lenet::toString(e.kind), e.key);
        EXPECT_EQ(lenet::lossKindFromString(e.key), e.kind);
    }
}

TEST(Kinds, HyperParametersAreTrainingJsonKeys) {
    const nlohmann::json training = lenet::toJson(lenet::TrainingConfig{});
    auto check = [&](const auto& kinds) {
        for (const auto& kind : kinds) {
            for (const lenet::HyperParameter& h : kind.hyperParameters) {
                EXPECT_TRUE(training.contains(h.key)) << kind.key << ": " << h.key;
            }
        }
    };
    check(lenet::optimizerKinds());
    check(lenet::scheduleKinds());
    EXPECT_EQ(lenet::cliFlag("rms_decay"), "--rms-decay");
}

TEST(Kinds, EveryPoolingVariantApplies) {
    lenet::ArchitectureSpec spec;
    spec.name = "pools";
    LayerSpec pool;
    pool.type = "maxpool";
    spec.layers = {pool};
    for (const lenet::LayerKind& kind : lenet::layerKinds()) {
        if (!kind.pooling) continue;
        lenet::VariantOptions options;
        options.pooling = kind.pooling;
        EXPECT_EQ(lenet::applyVariant(spec, options).layers[0].type, kind.key);
    }
}

TEST(Kinds, OrListReadsAsAList) {
    EXPECT_EQ(lenet::orList({"a"}), "a");
    EXPECT_EQ(lenet::orList({"a", "b", "c"}), "a, b or c");
}

}  // namespace
