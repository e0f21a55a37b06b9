// The table of kinds: every layer type, activation function, optimiser, learning-rate schedule,
// weight initialisation and loss a spec can name, each with its key, a one-line description and
// the options it uses. The spec reader and writer, the network and optimiser factories, the
// variant switches, the `lenet` usage text and the studio's forms all read these lists.
//
// The entries are here, in the header, beside their types: to add a kind, give it an enum value
// and an entry in this file, plus its implementation, chosen by that enum value (a switch over
// it that misses the new value does not compile: -Wswitch). Order matters only for display: the
// lists of names in error messages, the usage text and the studio's combo boxes follow it.
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
inline const std::vector<LayerKind>& layerKinds() {
    using L = LayerSpec;
    using enum Written;
    const LayerField size{"size", &L::size, Always, "Window (and step) of the pooling"};
    static const std::vector<LayerKind> kinds = {
        {"conv",
         LayerType::Conv,
         "conv",
         false,
         nullptr,
         &L::maps,
         &L::kernel,
         "Convolution: maps x kernel x kernel weights per input map",
         {{"maps", &L::maps, Always, "Output maps"},
          {"kernel", &L::kernel, Always, "Kernel width and height"},
          {"stride", &L::stride, UnlessDefault, "Step of the kernel over the input"},
          {"padding", &L::padding, UnlessDefault,
           "Zeros added around each input map before the convolution"},
          {"connections", &L::connections, UnlessDefault,
           "full: every output map sees every input map; lecun1998: the paper's Table I (6 "
           "input maps to 16 output maps)"}}},
        {"subsample",
         LayerType::Subsample,
         "subsample",
         true,
         "subsample",
         nullptr,
         &L::size,
         "LeCun's subsampling: sum of each window x a trainable coefficient + bias",
         {size}},
        {"avgpool",
         LayerType::AvgPool,
         "avgpool",
         true,
         "avg",
         nullptr,
         &L::size,
         "Average pooling over non-overlapping windows",
         {size}},
        {"maxpool",
         LayerType::MaxPool,
         "maxpool",
         true,
         "max",
         nullptr,
         &L::size,
         "Max pooling over non-overlapping windows",
         {size}},
        {"fc",
         LayerType::Fc,
         "fc",
         false,
         nullptr,
         &L::maps,
         nullptr,
         "Fully connected: every unit sees the whole flattened input",
         {{"units", &L::maps, Always, "Output units"},
          {"in", &L::in, UnlessDefault,
           "The flattened input size this layer expects, as a check; 0 (any) = accept whatever "
           "the layer before gives"}}},
        {"activation",
         LayerType::Activation,
         "act",
         false,
         nullptr,
         nullptr,
         nullptr,
         "An element-wise function",
         {{"fn", &L::fn, Required, "The function"},
          {"slope", &L::slope, IfFnUses, "leaky_relu: the slope for negative inputs"},
          {"beta", &L::beta, IfFnUses, "log_relu: the scale beta of beta ln(1 + max(x, 0))"}}},
        {"batchnorm",
         LayerType::BatchNorm,
         "bn",
         false,
         nullptr,
         nullptr,
         nullptr,
         "Batch normalisation per channel",
         {{"momentum", &L::momentum, Always,
           "Weight of each new batch in the running mean and variance used for testing"},
          {"eps", &L::eps, Always, "Added to the variance before the square root"}}},
        {"dropout",
         LayerType::Dropout,
         "drop",
         false,
         nullptr,
         nullptr,
         nullptr,
         "Dropout: zeroes a random share of values while training",
         {{"rate", &L::rate, Always, "Share of the values zeroed in each training batch"}}},
        {"rbf",
         LayerType::Rbf,
         "rbf",
         false,
         nullptr,
         &L::classes,
         nullptr,
         "RBF output: squared distance of the input to one centre per class",
         {{"classes", &L::classes, Always, "Output classes"},
          {"trainable", &L::trainable, Always,
           "Let training move the RBF centres (the paper keeps them fixed)"},
          {"prototypes", &L::prototypes, Always,
           "lecun1998: the paper's 7x12 bitmaps of the digits (needs 84 inputs and at most 10 "
           "classes); random: random +-1 centres"}}},
    };
    return kinds;
}

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
inline const std::vector<ActivationKind>& activationKinds() {
    using enum ActivationFn;
    static const std::vector<ActivationKind> kinds = {
        {"scaled_tanh", ScaledTanh, "1.7159 tanh(2x/3) (LeCun 1998)", {}},
        {"tanh", Tanh, "tanh(x)", {}},
        {"sigmoid", Sigmoid, "1 / (1 + e^-x)", {}},
        {"relu", Relu, "max(x, 0)", {}},
        {"leaky_relu", LeakyRelu, "x > 0 ? x : slope x", {"slope"}},
        {"log_relu", LogRelu, "beta ln(1 + max(x, 0)) (Zhang et al. 2022)", {"beta"}},
        {"sigmoid_affine", SigmoidAffine, "sigmoid(a x + b) with trainable a, b per channel", {}},
        {"swish_beta", SwishBeta, "x sigmoid(b x) with a trainable b per channel", {}},
    };
    return kinds;
}

// ---- Training: optimisers and schedules ----------------------------------------------------

/// The values a training setting accepts: finite numbers from `low` to `high`, each end
/// included or not. validate() (spec_json.h) checks every setting against its range.
struct ValueRange {
    double low;
    bool lowIncluded;
    double high;
    bool highIncluded;

    bool contains(double value) const;
    /// "> 0", ">= 1", "in [0, 1)": what a message says the value must be.
    std::string text() const;
};

/// The ranges the settings use.
ValueRange atLeast(double low);
ValueRange above(double low);
/// [0, 1): a decay or momentum.
ValueRange fraction();

/// A setting of TrainingConfig that some kinds use. `lenet train` takes it as --key with '-'
/// for '_' (cliFlag), the spec as training.key.
struct HyperParameter {
    const char* key;
    std::variant<float TrainingConfig::*, int TrainingConfig::*> member;
    const char* description;
    ValueRange range;
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
inline const std::vector<OptimizerKind>& optimizerKinds() {
    using T = TrainingConfig;
    const HyperParameter momentum{"momentum", &T::momentum, "Weight of the previous step",
                                  fraction()};
    const HyperParameter epsilon{"epsilon", &T::epsilon, "Added to the root mean square", above(0)};
    using enum OptimizerRule;
    static const std::vector<OptimizerKind> kinds = {
        {"sgd", Sgd, "SGD", "Plain stochastic gradient descent", {}, false},
        {"momentum", Momentum, "Momentum", "SGD with heavy-ball momentum", {momentum}, false},
        {"nesterov", Nesterov, "Nesterov", "SGD with Nesterov momentum", {momentum}, false},
        {"adam",
         Adam,
         "Adam",
         "Adaptive moments (Kingma & Ba 2015)",
         {{"beta1", &T::beta1, "Decay of the first moment", fraction()},
          {"beta2", &T::beta2, "Decay of the second moment", fraction()},
          epsilon},
         false},
        {"rmsprop",
         RmsProp,
         "RMSprop",
         "Steps divided by a running root mean square of the gradients",
         {{"rms_decay", &T::rmsDecay, "Decay of the mean square", fraction()}, epsilon},
         false},
        {"sdlm",
         Sdlm,
         "SDLM",
         "Stochastic diagonal Levenberg-Marquardt: a step per weight from estimated second "
         "derivatives, as in LeCun et al. 1998",
         {{"sdlm_mu", &T::sdlmMu, "The step is lr / (mu + h)", above(0)},
          {"sdlm_samples", &T::sdlmSamples, "Samples that estimate h before each epoch",
           atLeast(1)}},
         true},
    };
    return kinds;
}

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
inline const std::vector<ScheduleKind>& scheduleKinds() {
    using T = TrainingConfig;
    using enum ScheduleRule;
    static const std::vector<ScheduleKind> kinds = {
        {"constant", Constant, "Constant", "The same rate in every epoch", {}},
        {"step",
         Step,
         "Step",
         "Multiplied by a factor every few epochs (as the preset sets them)",
         {{"step_epochs", &T::stepEpochs, "Epochs between two steps", atLeast(1)},
          {"step_gamma", &T::stepGamma, "The factor of each step", above(0)}}},
        {"cosine",
         Cosine,
         "Cosine",
         "Falls along a half cosine to the minimum at the last epoch",
         {{"min_lr", &T::minLr, "The rate at the last epoch", atLeast(0)}}},
        {"lecun1998",
         Lecun1998,
         "LeCun 1998",
         "The paper's 20 passes: x1 for 2 epochs, x0.4 for 3, x0.2 for 3, x0.1 for 4, then x0.02",
         {}},
    };
    return kinds;
}

// ---- Weight initialisation and loss --------------------------------------------------------

/// The draw of an initialisation (layer.cpp's initWeights).
enum class InitRule { LecunUniform, LecunUniformSqrt, Xavier, He };

struct InitKind {
    const char* key;  // ArchitectureSpec::init
    InitRule rule;
    const char* description;
};

/// lecun_uniform, lecun_uniform_sqrt, xavier, he.
inline const std::vector<InitKind>& initKinds() {
    using enum InitRule;
    static const std::vector<InitKind> kinds = {
        {"lecun_uniform", LecunUniform, "Uniform +-2.4/fan-in, as the paper prints it"},
        {"lecun_uniform_sqrt", LecunUniformSqrt,
         "Uniform +-2.4/sqrt(fan-in): unit-variance weighted sums (LeCun's Efficient BackProp)"},
        {"xavier", Xavier, "Glorot uniform +-sqrt(6/(fan-in + fan-out))"},
        {"he", He, "Normal with sd sqrt(2/fan-in)"},
    };
    return kinds;
}

struct LossEntry {
    const char* key;  // the spec's "loss"
    LossKind kind;
    const char* description;
};

/// map, penalty, cross_entropy.
inline const std::vector<LossEntry>& lossKinds() {
    static const std::vector<LossEntry> kinds = {
        {"map", LossKind::Map,
         "LeCun 1998 eq. (9): y_D + log(e^-j + sum_i e^-y_i) on RBF penalties"},
        {"penalty", LossKind::Penalty, "LeCun 1998 eq. (8): the RBF penalty y_D alone"},
        {"cross_entropy", LossKind::CrossEntropy, "Softmax and cross-entropy on logits"},
    };
    return kinds;
}

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
