// Specs in and out of JSON, and the checks every spec passes on its way in: the training
// settings' names and ranges, and the size limits of an architecture. Names are the keys of the
// table of kinds (lenet/kinds.h). A preset is one JSON file {"name", "description", "input",
// "layers", "loss", "init", "training"}.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "lenet/spec.h"

namespace lenet {

/// The loss's key in lossKinds(), and back (ConfigError for an unknown one).
std::string toString(LossKind k);
LossKind lossKindFromString(const std::string& s);

/// JSON <-> spec. Unknown keys, wrong types and unknown names throw ConfigError naming the JSON
/// path (e.g. "layers[3].kernel: expected an integer").
ArchitectureSpec specFromJson(const nlohmann::json& j);
nlohmann::json toJson(const ArchitectureSpec& spec);
ArchitectureSpec specFromJsonText(const std::string& text, const std::string& origin);
ArchitectureSpec loadSpecFile(const std::string& path);
TrainingConfig trainingFromJson(const nlohmann::json& j, const std::string& path);
nlohmann::json toJson(const TrainingConfig& config);

/// What `spec` changes of `base` (e.g. the preset it came from), in JSON's terms: a training
/// setting as "key=value" ("lr=0.05", "distortion={...}"), any other part by its key ("layers",
/// "loss"). The name and the description are not compared. Empty when they agree.
std::vector<std::string> changedSettings(const ArchitectureSpec& spec,
                                         const ArchitectureSpec& base);

/// Every scalar field of TrainingConfig with its JSON key, for reading and for writing: one list,
/// so that the two cannot drift apart. `Config` is TrainingConfig or const TrainingConfig;
/// `visit(key, field)` is called for each.
template <typename Config, typename Visit>
void forEachTrainingField(Config& c, Visit&& visit) {
    visit("optimizer", c.optimizer);
    visit("lr", c.lr);
    visit("momentum", c.momentum);
    visit("beta1", c.beta1);
    visit("beta2", c.beta2);
    visit("rms_decay", c.rmsDecay);
    visit("epsilon", c.epsilon);
    visit("sdlm_mu", c.sdlmMu);
    visit("sdlm_samples", c.sdlmSamples);
    visit("schedule", c.schedule);
    visit("step_epochs", c.stepEpochs);
    visit("step_gamma", c.stepGamma);
    visit("min_lr", c.minLr);
    visit("l1", c.l1);
    visit("l2", c.l2);
    visit("weight_decay", c.weightDecay);
    visit("batch", c.batch);
    visit("epochs", c.epochs);
    visit("seed", c.seed);
    visit("threads", c.threads);
    visit("validation", c.validation);
    visit("patience", c.patience);
    visit("distort", c.distort);
    visit("train_limit", c.trainLimit);
    visit("test_limit", c.testLimit);
}

/// How validate() names a setting: as the spec's JSON does ("training.beta2") or as `lenet
/// train` takes it (cliFlag: "--beta2").
enum class SettingName { Json, Flag };

/// Checks the training settings: the optimiser's and schedule's names, and every number against
/// its range (the hyper-parameters' ranges are in the table of kinds; e.g. beta1 and beta2 in
/// [0, 1), epsilon > 0, lr > 0, batch >= 1). Throws ConfigError naming the setting, the range and
/// the value ("training.beta2: must be in [0, 1), not 1").
void validate(const TrainingConfig& config, SettingName naming = SettingName::Json);

/// Size limits of an architecture: far above any LeNet variant, low enough that no spec (a typo,
/// a hostile or corrupt file) makes the engine allocate or compute without bound.
inline constexpr int kMaxWindow = 1024;                    // kernel, stride, padding, pool size
inline constexpr std::int64_t kMaxLayerValues = 1 << 22;   // per image: the input, every output
inline constexpr std::int64_t kMaxParameters = 1 << 25;    // all layers together
inline constexpr std::int64_t kMaxMultiplyAdds = 1 << 30;  // per image, one forward pass

/// Refuses an architecture over those limits before anything is allocated, by following the
/// shapes from the input through the layers (conv: (h + 2*padding - kernel)/stride + 1; pools:
/// h/size; fc, rbf: units x 1 x 1). A layer whose fields or shapes do not fit ends the walk:
/// building the Network names that problem. Throws ConfigError naming the layer and the figure.
/// specFromJson and the Network constructor call it. Returns an upper bound of the parameter
/// count (kMaxParameters when the walk ended early), which bounds the size of a model file.
std::int64_t checkLimits(const ArchitectureSpec& spec);

}  // namespace lenet
