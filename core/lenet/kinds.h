// The table of kinds: every layer type, activation function, optimiser, learning-rate schedule,
// weight initialisation and loss a spec can name, each with its key, a one-line description and
// the options it uses. The spec reader and writer, the network and optimiser factories, the
// variant switches, the `lenet` usage text and the studio's forms all read these lists.
//
// To add a kind: one entry in kinds.cpp, plus its implementation, chosen by the entry's enum
// value below (a switch over it that misses the new value does not compile: -Wswitch):
//   layer type   a class in layers/ and a case in network.cpp's makeLayer
//   activation   forward/backward cases in layers/activation.cpp
//   optimiser    its update rule in optimizer.cpp (hyper-parameters: TrainingConfig members)
//   schedule     its rate in optimizer.cpp's scheduledLr
//   init         its draw in layer.cpp's initWeights
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lenet/spec.h"

namespace lenet {

// ---- Layer types ---------------------------------------------------------------------------

/// The implementation of a layer type (network.cpp's makeLayer builds one per value).
enum class LayerType { Conv, Subsample, AvgPool, MaxPool, Fc, Activation, BatchNorm, Dropout, Rbf };

/// A member of LayerSpec, whatever its type.
using LayerMember =
    std::variant<int LayerSpec::*, float LayerSpec::*, bool LayerSpec::*, std::string LayerSpec::*>;

/// When the spec writer writes a field (the reader accepts every field of the type).
enum class Written {
    Required,  // always; the reader refuses a layer without it
    Always,
    UnlessDefault,  // only when it differs from LayerSpec's default
    IfFnUses,       // activation layers: only when the function lists it in its options
};

/// One JSON field of a layer. Its default is LayerSpec's (spec.h).
struct LayerField {
    const char* key;  // the JSON key; also the option's name for the studio's form
    LayerMember member;
    Written written;
    const char* description;
};

struct LayerKind {
    const char* key;  // the "type" of a LayerSpec
    LayerType type;
    const char* shortName;   // an unnamed layer i is called shortName + i ("act3")
    bool pool;               // a pooling window: `size` divides the height and width
    const char* pooling;     // pools: the name of the variant switch --pooling; else nullptr
    int LayerSpec::*units;   // conv maps, fc units, rbf classes; else nullptr
    int LayerSpec::*window;  // conv kernel, pool size; else nullptr
    const char* description;
    std::vector<LayerField> fields;  // in the order the reader reads them
};

/// conv, subsample, avgpool, maxpool, fc, activation, batchnorm, dropout, rbf.
const std::vector<LayerKind>& layerKinds();

// ---- Activation functions (the fn of an activation layer) ----------------------------------

/// The implementation of an activation function (layers/activation.cpp).
enum class ActivationFn {
    ScaledTanh,
    Tanh,
    Sigmoid,
    Relu,
    LeakyRelu,
    LogRelu,
    SigmoidAffine,
    SwishBeta
};

struct ActivationKind {
    const char* key;  // the "fn" of an activation LayerSpec
    ActivationFn fn;
    const char* description;           // the formula
    std::vector<const char*> options;  // the LayerSpec fields it reads ("slope", "beta")
};

/// scaled_tanh, tanh, sigmoid, relu, leaky_relu, log_relu, sigmoid_affine, swish_beta.
const std::vector<ActivationKind>& activationKinds();

// ---- Training: optimisers and schedules ----------------------------------------------------

/// A setting of TrainingConfig that some kinds use. `lenet train` takes it as --key with '-'
/// for '_' (cliFlag), the spec as training.key.
struct HyperParameter {
    const char* key;
    std::variant<float TrainingConfig::*, int TrainingConfig::*> member;
    const char* description;
};

/// "--" + key with '-' for '_': "rms_decay" -> "--rms-decay".
std::string cliFlag(std::string_view key);

/// The update rule of an optimiser (optimizer.cpp).
enum class OptimizerRule { Sgd, Momentum, Nesterov, Adam, RmsProp, Sdlm };

struct OptimizerKind {
    const char* key;  // TrainingConfig::optimizer
    OptimizerRule rule;
    const char* displayName;
    const char* description;
    std::vector<HyperParameter> hyperParameters;  // besides lr and the penalties, which all use
    bool needsCurvature;  // a second-derivative pass before each epoch (Optimizer::setCurvature)
};

/// sgd, momentum, nesterov, adam, rmsprop, sdlm.
const std::vector<OptimizerKind>& optimizerKinds();

/// The rate rule of a learning-rate schedule (optimizer.cpp's scheduledLr).
enum class ScheduleRule { Constant, Step, Cosine, Lecun1998 };

struct ScheduleKind {
    const char* key;  // TrainingConfig::schedule
    ScheduleRule rule;
    const char* displayName;
    const char* description;
    std::vector<HyperParameter> hyperParameters;
};

/// constant, step, cosine, lecun1998.
const std::vector<ScheduleKind>& scheduleKinds();

// ---- Weight initialisation and loss --------------------------------------------------------

/// The draw of an initialisation (layer.cpp's initWeights).
enum class InitRule { LecunUniform, LecunUniformSqrt, Xavier, He };

struct InitKind {
    const char* key;  // ArchitectureSpec::init
    InitRule rule;
    const char* description;
};

/// lecun_uniform, lecun_uniform_sqrt, xavier, he.
const std::vector<InitKind>& initKinds();

struct LossEntry {
    const char* key;  // the spec's "loss"
    LossKind kind;
    const char* description;
};

/// map, penalty, cross_entropy.
const std::vector<LossEntry>& lossKinds();

// ---- Looking kinds up ----------------------------------------------------------------------

/// The entry of `kinds` whose key is `key`, or nullptr.
template <typename Kind>
const Kind* findKind(const std::vector<Kind>& kinds, std::string_view key) {
    for (const Kind& k : kinds) {
        if (key == k.key) return &k;
    }
    return nullptr;
}

/// The keys of `kinds` in table order.
template <typename Kind>
std::vector<std::string> kindKeys(const std::vector<Kind>& kinds) {
    std::vector<std::string> keys;
    for (const Kind& k : kinds) keys.emplace_back(k.key);
    return keys;
}

/// "a, b or c": the keys of a list of kinds in an error message.
std::string orList(const std::vector<std::string>& words);

/// The entry of a spec's layer type / activation function / optimiser; throws ConfigError
/// ("unknown ...") when the table has none (Network and validate() refuse those earlier).
const LayerKind& layerKind(const std::string& type);
const ActivationKind& activationKind(const std::string& fn);
const OptimizerKind& optimizerKind(const std::string& optimizer);

/// True when layer `l` uses field `key`: its type has the field, and for a field written
/// IfFnUses, its function lists it.
bool usesField(const LayerSpec& l, std::string_view key);

/// Layer types that keep their input's shape (activation, batchnorm, dropout): neither units
/// nor a window.
inline bool keepsShape(const LayerKind& k) {
    return !k.units && !k.window;
}

/// The pooling layers' types: subsample, avgpool, maxpool.
inline bool isPool(const LayerSpec& l) {
    const LayerKind* k = findKind(layerKinds(), l.type);
    return k && k->pool;
}

}  // namespace lenet
