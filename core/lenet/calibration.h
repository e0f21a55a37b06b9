// What a network's answer is worth: a probability per class that means something and an
// "unsure - does not look like a digit" verdict for inputs unlike the training data. Both come
// from a Calibration fitted per network on held-out images (calibrate) and stored in its model
// file: the temperature T of softmax(-penalty / T) for an RBF head (softmax(logit / T) for
// logits) that minimises the negative log-likelihood, and the ranges of three signs of an input
// unlike them: the outlier score (the winning RBF penalty, or minus the largest logit) that
// 99.5 % of those images stay under, the probability that 99 % reach (an X reads as half a 4,
// half an 8), and the amount of ink 99.5 % of them have (a filled blob lands on the RBF centre
// of a 0 but has far more ink than any digit). On the images it was fitted on, about 1.6 % are
// called unsure. Fitting one (calibrate) and judging with a network's (judge(Network)) are in
// evaluate.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lenet/spec.h"

namespace lenet {

struct Calibration {
    float temperature = 1.0f;     // the softmax temperature of the outputs
    float threshold = 0.0f;       // an outlier score above it is "unsure"
    float minProbability = 0.0f;  // a (calibrated) probability below it is "unsure"
    float minInk = 0.0f;          // ink (the sum of the image's ink in [0, 1]) outside
    float maxInk = 0.0f;          //   [minInk, maxInk] is "unsure"
    int images = 0;               // how many held-out images it was fitted on
    std::string source;           // which ones ("t10k-images-idx3-ubyte")

    friend bool operator==(const Calibration&, const Calibration&) = default;
};

/// The share of held-out images whose outlier score stays at or under the threshold, and whose
/// ink lies in [minInk, maxInk] (as many fall below as above).
inline constexpr double kTypicalShare = 0.995;
/// The share of held-out images whose probability reaches minProbability.
inline constexpr double kConfidentShare = 0.99;

/// What a person reads of one image's outputs.
struct Verdict {
    int predicted = -1;         // smallest penalty or largest logit
    std::vector<float> scores;  // per-class probabilities (calibrated when `calibrated`)
    float probability = 0.0f;   // scores[predicted]
    float outlier = 0.0f;       // the outlier score: winning penalty, or minus the largest logit
    bool calibrated = false;    // false: softmax at T = 1 and never unsure
    bool unsure = false;        // unlike the training data (see Calibration)
};

/// The outlier score of one image's `classes` outputs: the winning RBF penalty, or minus the
/// largest logit; larger = less like the training data.
float outlierScore(LossKind kind, const float* out, int classes);

/// The verdict on `classes` outputs of an image with `ink` (the sum of its ink) with
/// `calibration` (none: softmax at T = 1, never unsure).
Verdict judge(LossKind kind, const std::optional<Calibration>& calibration, const float* out,
              int classes, float ink);

/// Fits a calibration to the outputs of `count` held-out images (`classes` floats each, image i
/// at out + i * classes), their labels and their ink, naming them `source`.
Calibration fitCalibration(LossKind kind, const float* out, const std::uint8_t* labels,
                           const float* ink, int count, int classes, const std::string& source);

/// "unsure" or the probability as a percentage ("97.3 %"), for text output.
std::string verdictText(const Verdict& v);

}  // namespace lenet
