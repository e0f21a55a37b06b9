// The entries of the table of kinds (kinds.h). Order matters only for display: the lists of
// names in error messages, the usage text and the studio's combo boxes follow it.
#include "lenet/kinds.h"

#include <algorithm>

#include "lenet/error.h"
#include "lenet/text.h"

namespace lenet {
namespace {

using L = LayerSpec;
using T = TrainingConfig;
using enum Written;

const LayerField kSize{"size", &L::size, Always, "Window (and step) of the pooling"};

const HyperParameter kMomentum{"momentum", &T::momentum, "Weight of the previous step"};
const HyperParameter kEpsilon{"epsilon", &T::epsilon, "Added to the root mean square"};

}  // namespace

const std::vector<LayerKind>& layerKinds() {
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
         {kSize}},
        {"avgpool",
         LayerType::AvgPool,
         "avgpool",
         true,
         "avg",
         nullptr,
         &L::size,
         "Average pooling over non-overlapping windows",
         {kSize}},
        {"maxpool",
         LayerType::MaxPool,
         "maxpool",
         true,
         "max",
         nullptr,
         &L::size,
         "Max pooling over non-overlapping windows",
         {kSize}},
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

const std::vector<ActivationKind>& activationKinds() {
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

const std::vector<OptimizerKind>& optimizerKinds() {
    using enum OptimizerRule;
    static const std::vector<OptimizerKind> kinds = {
        {"sgd", Sgd, "SGD", "Plain stochastic gradient descent", {}, false},
        {"momentum", Momentum, "Momentum", "SGD with heavy-ball momentum", {kMomentum}, false},
        {"nesterov", Nesterov, "Nesterov", "SGD with Nesterov momentum", {kMomentum}, false},
        {"adam",
         Adam,
         "Adam",
         "Adaptive moments (Kingma & Ba 2015)",
         {{"beta1", &T::beta1, "Decay of the first moment"},
          {"beta2", &T::beta2, "Decay of the second moment"},
          kEpsilon},
         false},
        {"rmsprop",
         RmsProp,
         "RMSprop",
         "Steps divided by a running root mean square of the gradients",
         {{"rms_decay", &T::rmsDecay, "Decay of the mean square"}, kEpsilon},
         false},
        {"sdlm",
         Sdlm,
         "SDLM (LeCun 1998)",
         "Stochastic diagonal Levenberg-Marquardt: a step per weight from estimated second "
         "derivatives, as in the paper",
         {{"sdlm_mu", &T::sdlmMu, "The step is lr / (mu + h)"},
          {"sdlm_samples", &T::sdlmSamples, "Samples that estimate h before each epoch"}},
         true},
    };
    return kinds;
}

const std::vector<ScheduleKind>& scheduleKinds() {
    using enum ScheduleRule;
    static const std::vector<ScheduleKind> kinds = {
        {"constant", Constant, "Constant", "The same rate in every epoch", {}},
        {"step",
         Step,
         "Step",
         "Multiplied by a factor every few epochs (as the preset sets them)",
         {{"step_epochs", &T::stepEpochs, "Epochs between two steps"},
          {"step_gamma", &T::stepGamma, "The factor of each step"}}},
        {"cosine",
         Cosine,
         "Cosine",
         "Falls along a half cosine to the minimum at the last epoch",
         {{"min_lr", &T::minLr, "The rate at the last epoch"}}},
        {"lecun1998",
         Lecun1998,
         "LeCun 1998",
         "The paper's 20 passes: x1 for 2 epochs, x0.4 for 3, x0.2 for 3, x0.1 for 4, then x0.02",
         {}},
    };
    return kinds;
}

const std::vector<InitKind>& initKinds() {
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

const std::vector<LossEntry>& lossKinds() {
    static const std::vector<LossEntry> kinds = {
        {"map", LossKind::Map,
         "LeCun 1998 eq. (9): y_D + log(e^-j + sum_i e^-y_i) on RBF penalties"},
        {"penalty", LossKind::Penalty, "LeCun 1998 eq. (8): the RBF penalty y_D alone"},
        {"cross_entropy", LossKind::CrossEntropy, "Softmax and cross-entropy on logits"},
    };
    return kinds;
}

std::string cliFlag(std::string_view key) {
    std::string flag = "--" + std::string(key);
    std::replace(flag.begin(), flag.end(), '_', '-');
    return flag;
}

std::string orList(const std::vector<std::string>& words) {
    std::string text;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i > 0) text += i + 1 == words.size() ? " or " : ", ";
        text += words[i];
    }
    return text;
}

namespace {

template <typename Kind>
const Kind& kindOrThrow(const std::vector<Kind>& kinds, const std::string& key, const char* what) {
    if (const Kind* k = findKind(kinds, key)) return *k;
    throw ConfigError("unknown " + std::string(what) + " '" + key + "' (expected " +
                      join(kindKeys(kinds), ", ") + ")");
}

}  // namespace

const LayerKind& layerKind(const std::string& type) {
    return kindOrThrow(layerKinds(), type, "layer type");
}

const ActivationKind& activationKind(const std::string& fn) {
    return kindOrThrow(activationKinds(), fn, "fn");
}

const OptimizerKind& optimizerKind(const std::string& optimizer) {
    return kindOrThrow(optimizerKinds(), optimizer, "optimizer");
}

bool usesField(const LayerSpec& l, std::string_view key) {
    const LayerKind* kind = findKind(layerKinds(), l.type);
    if (!kind) return false;
    const auto field = std::find_if(kind->fields.begin(), kind->fields.end(),
                                    [key](const LayerField& f) { return key == f.key; });
    if (field == kind->fields.end()) return false;
    if (field->written != IfFnUses) return true;
    const ActivationKind* fn = findKind(activationKinds(), l.fn);
    return fn && std::any_of(fn->options.begin(), fn->options.end(),
                             [key](const char* option) { return key == option; });
}

}  // namespace lenet
