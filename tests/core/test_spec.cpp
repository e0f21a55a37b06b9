// Architecture specs: JSON round trips of every preset, and every kind of invalid spec or
// training configuration fails with ConfigError naming where and what.
#include "lenet/error.h"
#include "lenet/network.h"
#include "lenet/presets.h"
#include "lenet/spec.h"
#include "lenet/spec_json.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using lenet::ArchitectureSpec;
using lenet::ConfigError;
using lenet::test::expectError;
using nlohmann::json;

namespace {

json presetJson(const std::string& name) {
    return lenet::toJson(lenet::preset(name));
}

/// Parses `j` and builds the network: the two places a spec can be rejected.
void build(const json& j) {
    lenet::Network net(lenet::specFromJson(j));
}

TEST(SpecJson, EveryPresetSurvivesARoundTrip) {
    for (const std::string& name : lenet::presetNames()) {
        SCOPED_TRACE(name);
        const ArchitectureSpec s = lenet::preset(name);
        const ArchitectureSpec back = lenet::specFromJson(lenet::toJson(s));
        EXPECT_EQ(back.name, s.name);
        EXPECT_EQ(back.description, s.description);
        EXPECT_EQ(back.input, s.input);
        EXPECT_EQ(back.normalization, s.normalization);
        EXPECT_EQ(back.layers, s.layers);
        EXPECT_EQ(back.loss, s.loss);
        EXPECT_EQ(back.mapJ, s.mapJ);
        EXPECT_EQ(back.init, s.init);
        EXPECT_EQ(back.training, s.training);
        EXPECT_EQ(lenet::toJson(back), lenet::toJson(s));
    }
}

TEST(SpecJson, ElasticSettingsAreWrittenOnlyWhenUsed) {
    // Older builds refuse unknown keys: a spec without elastic distortions must not carry them.
    ArchitectureSpec s = lenet::preset("lenet5-1998-distorted");
    EXPECT_FALSE(lenet::toJson(s)["training"]["distortion"].contains("elastic_alpha"));
    s.training.distortion.elasticAlpha = 34.0f;
    EXPECT_EQ(lenet::toJson(s)["training"]["distortion"]["elastic_alpha"], 34.0f);
}

TEST(SpecJson, NonDefaultFieldsSurviveARoundTrip) {
    ArchitectureSpec s = lenet::preset("lenet5-modern");
    s.layers[0].stride = 2;
    s.layers[0].padding = 3;
    s.layers[2].fn = "leaky_relu";
    s.layers[2].slope = 0.2f;
    s.layers[6].fn = "log_relu";
    s.layers[6].beta = 1.5f;
    s.training.optimizer = "nesterov";
    s.training.distort = true;
    s.training.distortion.maxRotation = 4.5f;
    s.training.distortion.elasticAlpha = 34.0f;
    s.training.distortion.elasticSigma = 5.0f;
    s.training.validation = 0.1f;
    s.training.patience = 3;
    s.training.seed = 1ULL << 40;
    const ArchitectureSpec back = lenet::specFromJson(lenet::toJson(s));
    EXPECT_EQ(back.layers, s.layers);
    EXPECT_EQ(back.training, s.training);
}

TEST(SpecJson, TextParsingNamesTheOrigin) {
    expectError<ConfigError>([] { lenet::specFromJsonText("{\"name\": ", "my.json"); },
                             {"my.json: not valid JSON"});
    expectError<ConfigError>([] { lenet::specFromJsonText("{\"name\": \"x\"}", "my.json"); },
                             {"my.json: layers: expected a non-empty array"});
    expectError<lenet::IoError>([] { lenet::loadSpecFile("/nonexistent/arch.json"); },
                                {"/nonexistent/arch.json", "cannot open"});
}

TEST(SpecJson, NumberTooLargeForADoubleIsInvalidJson) {
    // Found by fuzz_spec: nlohmann::json throws out_of_range (not parse_error) for 1e999, which
    // escaped specFromJsonText as an exception without the file name.
    expectError<ConfigError>(
        [] { lenet::specFromJsonText(R"({"name": "x", "map_j": 1e999})", "big.json"); },
        {"big.json: not valid JSON", "number overflow parsing '1e999'"});
}

TEST(SpecErrors, UnknownKeyNamesItsPath) {
    json j = presetJson("lenet5-1998");
    j["layers"][2]["kernal"] = 5;
    expectError<ConfigError>([&] { lenet::specFromJson(j); }, {"layers[2].kernal: unknown key"});
    j = presetJson("lenet5-1998");
    j["trianing"] = json::object();
    expectError<ConfigError>([&] { lenet::specFromJson(j); }, {"trianing: unknown key"});
    j = presetJson("lenet5-1998");
    j["training"]["distortion"]["max_skew"] = 1;
    expectError<ConfigError>([&] { lenet::specFromJson(j); },
                             {"training.distortion.max_skew: unknown key"});
}

TEST(SpecErrors, WrongTypeNamesItsPath) {
    json j = presetJson("lenet5-1998");
    j["layers"][0]["kernel"] = "5";
    expectError<ConfigError>([&] { lenet::specFromJson(j); },
                             {"layers[0].kernel: expected an integer"});
    j = presetJson("lenet5-1998");
    j["layers"][12]["trainable"] = 1;
    expectError<ConfigError>([&] { lenet::specFromJson(j); },
                             {"layers[12].trainable: expected true or false"});
    j = presetJson("lenet5-1998");
    j["training"]["lr"] = "fast";
    expectError<ConfigError>([&] { lenet::specFromJson(j); }, {"training.lr: expected a number"});
    j = presetJson("lenet5-1998");
    j["layers"][1] = "conv";
    expectError<ConfigError>([&] { lenet::specFromJson(j); }, {"layers[1]: expected an object"});
}

TEST(SpecErrors, UnknownLayerType) {
    json j = presetJson("lenet5-1998");
    j["layers"][4]["type"] = "convolution";
    expectError<ConfigError>([&] { lenet::specFromJson(j); },
                             {"layers[4].type: unknown layer type 'convolution'", "maxpool"});
}

TEST(SpecErrors, UnknownActivation) {
    json j = presetJson("lenet5-1998");
    j["layers"][1]["fn"] = "softplus";
    expectError<ConfigError>([&] { build(j); },
                             {"layer 2 of lenet5-1998", "unknown fn 'softplus'", "scaled_tanh"});
}

TEST(SpecErrors, KernelLargerThanItsInputNamesTheLayerAndShapes) {
    json j = presetJson("lenet5-1998");
    j["layers"][8]["kernel"] = 7;
    expectError<ConfigError>([&] { build(j); }, {"layer 9 of lenet5-1998", "'C5' (conv)",
                                                 "kernel 7x7 is larger than its input 16x5x5"});
}

TEST(SpecErrors, FullyConnectedInThatDoesNotMatch) {
    json j = presetJson("lenet5-modern");
    j["input"]["height"] = 28;
    j["input"]["width"] = 28;
    expectError<ConfigError>([&] { build(j); },
                             {"'F5' (fc)", "expects 400 inputs", "16x4x4 = 256"});
}

TEST(SpecErrors, LecunPrototypesNeedEightyFourInputs) {
    json j = presetJson("lenet5-1998");
    j["layers"][10]["units"] = 100;
    expectError<ConfigError>([&] { build(j); }, {"'OUTPUT' (rbf)", "7x12 = 84", "100x1x1 = 100"});
}

TEST(SpecErrors, LossMustFitTheOutputLayer) {
    json j = presetJson("lenet5-1998");
    j["loss"] = "cross_entropy";
    expectError<ConfigError>([&] { build(j); },
                             {"loss 'cross_entropy' does not fit the output layer 'rbf'"});
    j = presetJson("lenet5-modern");
    j["loss"] = "map";
    expectError<ConfigError>([&] { build(j); }, {"loss 'map' does not fit the output layer 'fc'"});
    j["loss"] = "hinge";
    expectError<ConfigError>([&] { lenet::specFromJson(j); }, {"loss: unknown loss 'hinge'"});
}

TEST(SpecErrors, C3TableNeedsSixInputsAndSixteenOutputs) {
    json j = presetJson("lenet5-1998");
    j["layers"][4]["maps"] = 12;
    expectError<ConfigError>([&] { build(j); },
                             {"'C3' (conv)", "connects 6 input maps to 16 output maps"});
}

TEST(TrainingErrors, InvalidFieldsNameTheField) {
    const std::vector<std::pair<json, std::string>> cases = {
        {json{{"lr", 0.0}}, "training.lr: must be > 0"},
        {json{{"lr", -1e-3}}, "training.lr: must be > 0"},
        {json{{"optimizer", "adagrad"}}, "training.optimizer: unknown 'adagrad'"},
        {json{{"schedule", "linear"}}, "training.schedule: unknown 'linear'"},
        {json{{"batch", 0}}, "training.batch: must be >= 1"},
        {json{{"epochs", 0}}, "training.epochs: must be >= 1"},
        {json{{"validation", 1.0}}, "training.validation: must be in [0, 1)"},
        {json{{"patience", 2}}, "training.patience: early stopping needs a validation split"},
        {json{{"threads", -1}}, "training.threads: must be >= 0"},
        {json{{"beta1", 1.0}}, "training.beta1: must be in [0, 1), not 1"},
        {json{{"beta2", 1.0}}, "training.beta2: must be in [0, 1), not 1"},
        {json{{"epsilon", 0.0}}, "training.epsilon: must be > 0, not 0"},
        {json{{"momentum", 2.0}}, "training.momentum: must be in [0, 1), not 2"},
        {json{{"rms_decay", -0.5}}, "training.rms_decay: must be in [0, 1), not -0.5"},
        {json{{"sdlm_mu", 0.0}}, "training.sdlm_mu: must be > 0, not 0"},
        {json{{"sdlm_samples", 0}}, "training.sdlm_samples: must be >= 1, not 0"},
        {json{{"step_gamma", 0.0}}, "training.step_gamma: must be > 0, not 0"},
        {json{{"min_lr", -1.0}}, "training.min_lr: must be >= 0, not -1"},
        {json{{"weight_decay", -1.0}}, "training.weight_decay: must be >= 0, not -1"},
        {json{{"distortion", {{"max_scale", 1.0}}}},
         "training.distortion.max_scale: must be in [0, 1), not 1"},
        {json{{"distortion", {{"elastic_alpha", -1.0}}}},
         "training.distortion.elastic_alpha: must be >= 0 (0 = off), not -1"},
        {json{{"distortion", {{"elastic_sigma", 0.0}}}},
         "training.distortion.elastic_sigma: must be in (0, 16], not 0"},
    };
    for (const auto& [fields, phrase] : cases) {
        SCOPED_TRACE(fields.dump());
        json j = presetJson("lenet5-modern");
        j["training"].update(fields);
        expectError<ConfigError>([&] { lenet::specFromJson(j); }, {phrase});
    }
    lenet::TrainingConfig config;
    config.optimizer = "sdg";
    expectError<ConfigError>([&] { lenet::validate(config); },
                             {"training.optimizer: unknown 'sdg'"});
    config = lenet::TrainingConfig{};
    config.lr = std::numeric_limits<float>::quiet_NaN();
    expectError<ConfigError>([&] { lenet::validate(config, lenet::SettingName::Flag); },
                             {"--lr: must be > 0, not nan"});
    config = lenet::TrainingConfig{};
    config.sdlmMu = 0.0f;
    expectError<ConfigError>([&] { lenet::validate(config, lenet::SettingName::Flag); },
                             {"--sdlm-mu: must be > 0, not 0"});
    json ok = presetJson("lenet5-modern");
    ok["training"].update(json{{"patience", 2}, {"validation", 0.1}});
    EXPECT_EQ(lenet::specFromJson(ok).training.patience, 2);
}

TEST(SpecErrors, IntegersOutsideTheirFieldsRangeNameThePath) {
    json j = presetJson("lenet5-1998");
    j["layers"][0]["maps"] = 4294967302LL;  // would wrap to 6 as an int
    expectError<ConfigError>([&] { lenet::specFromJson(j); },
                             {"layers[0].maps: integer 4294967302 is out of range"});
    j = presetJson("lenet5-1998");
    j["training"]["seed"] = -1;
    expectError<ConfigError>([&] { lenet::specFromJson(j); },
                             {"training.seed: integer -1 is out of range"});
    j = presetJson("lenet5-1998");
    j["training"]["batch"] = std::numeric_limits<std::uint64_t>::max();
    expectError<ConfigError>([&] { lenet::specFromJson(j); },
                             {"training.batch: integer 18446744073709551615 is out of range"});
}

TEST(SpecErrors, NumbersBeyondFloatRangeNameThePath) {
    json j = presetJson("lenet5-1998");
    j["training"]["lr"] = 1e300;  // would become +inf as a float
    expectError<ConfigError>([&] { lenet::specFromJson(j); },
                             {"training.lr: number 1e+300 is out of range"});
}

TEST(SpecLimits, EveryPresetIsWithinTheLimits) {
    for (const std::string& name : lenet::presetNames()) {
        SCOPED_TRACE(name);
        EXPECT_NO_THROW(lenet::checkLimits(lenet::preset(name)));
    }
}

TEST(SpecLimits, BillionChannelsAreRefusedBeforeAnythingIsAllocated) {
    json j = presetJson("lenet5-modern");
    j["layers"][0]["maps"] = 1000000000;
    expectError<ConfigError>(
        [&] { lenet::specFromJson(j); },
        {"layers[0] (conv 'C1'): output 1000000000x28x28 = 784000000000 values per image, "
         "over the limit of 4194304"});
    j = presetJson("lenet5-modern");
    j["input"]["height"] = 100000;
    j["input"]["width"] = 100000;
    expectError<ConfigError>(
        [&] { lenet::specFromJson(j); },
        {"input: 1x100000x100000 = 10000000000 values per image, over the limit of 4194304"});
}

TEST(SpecLimits, WindowsParametersAndWorkAreCapped) {
    json j = presetJson("lenet5-modern");
    j["layers"][0]["padding"] = 2147483647;  // in.h + 2 * padding would overflow an int
    expectError<ConfigError>([&] { lenet::specFromJson(j); },
                             {"layers[0] (conv 'C1'): padding 2147483647, over the limit of 1024"});
    j = presetJson("lenet5-modern");
    j["layers"][3]["size"] = 5000;
    expectError<ConfigError>([&] { lenet::specFromJson(j); },
                             {"layers[3] (maxpool 'S2'): size 5000, over the limit of 1024"});
    j = presetJson("lenet5-modern");
    j["layers"][8] = json{{"type", "fc"}, {"units", 100000}};  // 400 inputs: 40 M weights
    expectError<ConfigError>(
        [&] { lenet::specFromJson(j); },
        {"layers[8] (fc): ", "parameters up to this layer, over the limit of 33554432"});
    j = presetJson("lenet5-modern");
    j["input"]["height"] = 512;
    j["input"]["width"] = 512;
    j["layers"][0]["maps"] = 16;
    j["layers"][0]["kernel"] = 31;  // 16x482x482 outputs of 961 multiply-adds each
    expectError<ConfigError>([&] { lenet::specFromJson(j); },
                             {"layers[0] (conv 'C1'): 3572213824 multiply-adds per image up to "
                              "this layer, over the limit of 1073741824"});
}

}  // namespace

TEST(Spec, ChangedSettingsNameWhatDiffersFromThePreset) {
    const lenet::ArchitectureSpec base = lenet::preset("lenet5-modern");
    EXPECT_TRUE(lenet::changedSettings(base, base).empty());
    lenet::ArchitectureSpec spec = base;
    spec.name = "renamed";
    EXPECT_TRUE(lenet::changedSettings(spec, base).empty());
    spec.training.epochs = base.training.epochs + 1;
    spec.training.optimizer = "sgd";
    spec.layers.pop_back();
    const std::vector<std::string> changes = lenet::changedSettings(spec, base);
    EXPECT_NE(std::find(changes.begin(), changes.end(), "layers"), changes.end());
    EXPECT_NE(
        std::find(changes.begin(), changes.end(), "epochs=" + std::to_string(spec.training.epochs)),
        changes.end());
    if (base.training.optimizer != "sgd") {
        EXPECT_NE(std::find(changes.begin(), changes.end(), "optimizer=sgd"), changes.end());
    }
}
