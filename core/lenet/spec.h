// Architectures and training settings as plain data. lenet/spec_json.h reads and writes them as
// JSON and checks them; lenet/kinds.h lists the names their string fields may take.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lenet/data/preprocess.h"
#include "lenet/tensor.h"

namespace lenet {

/// One layer of an architecture. Which fields matter depends on `type`: layerKinds() in
/// lenet/kinds.h lists each type's fields with their JSON keys; the defaults are the ones below.
struct LayerSpec {
    std::string type;
    std::string name;
    int maps = 0;
    int kernel = 5;
    int stride = 1;
    int padding = 0;
    std::string connections = "full";
    int size = 2;
    int in = 0;
    std::string fn;
    float slope = 0.01f;
    float beta = 1.0f;
    float rate = 0.5f;
    float momentum = 0.1f;
    float eps = 1e-5f;
    int classes = 10;
    bool trainable = false;
    std::string prototypes = "lecun1998";

    friend bool operator==(const LayerSpec&, const LayerSpec&) = default;
};

enum class LossKind {
    Map,           // LeCun 1998 eq. (9): y_D + log(e^-j + sum_i e^-y_i), RBF penalties
    Penalty,       // eq. (8): y_D alone
    CrossEntropy,  // softmax + cross-entropy on logits
};

/// The optimisation settings; every field has a `lenet train` flag of the same name.
struct TrainingConfig {
    std::string optimizer = "adam";  // a key of optimizerKinds() (lenet/kinds.h)
    float lr = 1e-3f;
    float momentum = 0.9f;              // momentum, nesterov
    float beta1 = 0.9f;                 // adam
    float beta2 = 0.999f;               // adam
    float rmsDecay = 0.99f;             // rmsprop
    float epsilon = 1e-8f;              // adam, rmsprop
    float sdlmMu = 0.02f;               // sdlm: step = lr / (mu + h)
    int sdlmSamples = 500;              // sdlm: samples that estimate h before each epoch
    std::string schedule = "constant";  // a key of scheduleKinds()
    int stepEpochs = 5;                 // step: multiply by stepGamma every stepEpochs
    float stepGamma = 0.5f;
    float minLr = 0.0f;  // cosine: the rate at the last epoch
    float l1 = 0.0f;
    float l2 = 0.0f;
    float weightDecay = 0.0f;  // decoupled (AdamW-style): w -= lr * wd * w
    int batch = 32;
    int epochs = 10;
    std::uint64_t seed = 1;
    int threads = 0;          // 0 = all cores
    float validation = 0.0f;  // fraction of the training set held out
    int patience = 0;         // early stopping on validation error; 0 = off
    bool distort = false;
    Distortion distortion;
    int trainLimit = 0;  // 0 = all
    int testLimit = 0;

    friend bool operator==(const TrainingConfig&, const TrainingConfig&) = default;
};

struct ArchitectureSpec {
    std::string name;
    std::string description;
    Shape input{1, 32, 32};
    Normalization normalization = Normalization::Lecun;
    float mean = 0.1307f;  // meanstd: (ink - mean) / stddev (MNIST's by default)
    float stddev = 0.3081f;
    std::vector<LayerSpec> layers;
    LossKind loss = LossKind::CrossEntropy;
    float mapJ = 0.1f;                   // the constant j of eq. (9)
    std::string init = "lecun_uniform";  // a key of initKinds()
    TrainingConfig training;             // the defaults of this architecture

    InputFormat inputFormat() const;
};

}  // namespace lenet
