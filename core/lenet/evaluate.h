// Classifying with a network: one image (lenet predict, the studio's canvas and views) and a
// whole data set (lenet eval, the trainer's per-epoch test error, the studio's gallery and
// confusion matrix), and turning data-set samples into network inputs.
#pragma once

#include <cstdint>
#include <stop_token>
#include <string>
#include <vector>

#include "lenet/calibration.h"
#include "lenet/data/idx.h"
#include "lenet/data/preprocess.h"
#include "lenet/network.h"

namespace lenet {

/// What a network answers for one image: the verdict (class, calibrated probabilities, unsure)
/// and the outputs it came from.
struct Classification : Verdict {
    std::vector<float> outputs;  // the last layer's values: RBF penalties or logits
};

/// The classification of one sample's output values (`net.classes()` floats at `out`) for an
/// image with `ink` (inkSum), judged with the network's calibration.
Classification classifyOutput(const Network& net, const float* out, float ink);

/// Input -> forward (evaluation mode) -> scores -> class for one image (ink in [0, 1], e.g. a
/// 28x28 MNIST digit, placed in the input as toInput does). `ws` keeps what every layer
/// produced (ws.acts) for whoever draws it.
Classification classify(Network& net, const InkImage& image, Workspace& ws);

/// Test-set evaluation.
struct Evaluation {
    int count = 0;
    int errors = 0;
    double loss = 0.0;                 // mean per-sample loss
    std::vector<int> predictions;      // per sample
    std::vector<float> confidence;     // per sample: the predicted class's probability (judge)
    std::vector<std::uint8_t> unsure;  // per sample: 1 when judged unsure
    std::vector<float> outputs;        // per sample: the `classes` output values
    std::vector<float> features;       // per sample: `featureDims` values (see evaluate)
    int featureDims = 0;
    std::vector<std::string> classNames;  // the network's, else the data's (may be empty)
    std::vector<int> confusion;           // classes x classes, [true * classes + predicted]
    int classes = 0;
    double error() const { return count ? double(errors) / count : 0.0; }
    /// Samples of true class `t` predicted as `p`.
    int at(int t, int p) const { return confusion[std::size_t(t) * classes + p]; }
};

/// The verdict on one sample's outputs (an image with `ink`, see inkSum) with the network's loss
/// and calibration.
Verdict judge(const Network& net, const float* out, float ink);

/// The ink of sample `index` of `data`: inkSum of its toInk image.
float sampleInk(const Dataset& data, int index);

/// Fits a calibration (calibration.h) of `net` on samples [0, limit) of `data` (limit 0 = all)
/// on `threads` cores (0 = all). Throws ConfigError when `data` is empty or its labels do not fit
/// the network.
Calibration calibrate(Network& net, const Dataset& data, int threads, int limit = 0);

/// Throws ConfigError when a label of `data` is `classes` or more (a network with `classes`
/// outputs cannot learn or score it), naming the label file, the first such label and its index.
void checkLabels(const Dataset& data, int classes);

/// Evaluates `net` (eval mode) on samples [r.begin, r.end) of `data` (an empty range = all) on
/// `threads` cores (0 = all). When `stop` is requested it returns early: `count` then says how
/// many samples were classified. With `keepFeatures`, `features` holds each sample's input to
/// the last layer (the penultimate layer's output, e.g. F6) and `featureDims` its size.
Evaluation evaluate(Network& net, const Dataset& data, int threads, Range r = {},
                    std::stop_token stop = {}, bool keepFeatures = false);

/// Writes the network input of sample `index` of `data` to `out` (inputShape().size() floats),
/// distorted with a generator seeded by `distortSeed` when `distortion` is not null.
void sampleInput(const Dataset& data, int index, const InputFormat& format, float* out,
                 const Distortion* distortion = nullptr, std::uint64_t distortSeed = 0);

/// Fills `input` and `labels` with samples order[first .. first+n) of `data`, in parallel;
/// sample i is distorted (when `distortion` is not null) with the seed mixSeed(seed, first + i).
void fillBatch(const Dataset& data, const std::vector<int>& order, int first, int n,
               const InputFormat& format, const Distortion* distortion, std::uint64_t seed,
               Tensor& input, std::vector<std::uint8_t>& labels);

}  // namespace lenet
