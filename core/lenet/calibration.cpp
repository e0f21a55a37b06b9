#include "lenet/calibration.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "lenet/loss.h"

namespace lenet {
namespace {

// +1 when the largest output wins (logits), -1 when the smallest does (RBF penalties).
float outputSign(LossKind kind) {
    return kind == LossKind::CrossEntropy ? 1.0f : -1.0f;
}

// softmax(sign * out / temperature) into `p` (may be null); returns log p[label] (label >= 0).
double softmaxAt(LossKind kind, const float* out, int classes, double temperature, int label,
                 float* p) {
    const double s = outputSign(kind) / temperature;
    double m = s * out[0];
    for (int i = 1; i < classes; ++i) m = std::max(m, s * out[i]);
    double sum = 0.0;
    for (int i = 0; i < classes; ++i) sum += std::exp(s * out[i] - m);
    const double lse = m + std::log(sum);
    if (p) {
        for (int i = 0; i < classes; ++i) p[i] = float(std::exp(s * out[i] - lse));
    }
    return label >= 0 ? s * out[label] - lse : 0.0;
}

// A bound that a share `share` of `values` stays at or under (`upper`), or at or above: halfway
// between the last value inside and the first outside, so that no value of the fit sits on the
// bound (an image of the fit classified again, with outputs a rounding away, keeps its verdict).
float bound(std::vector<float> values, double share, bool upper) {
    std::sort(values.begin(), values.end());
    if (!upper) std::reverse(values.begin(), values.end());
    const std::size_t n = values.size();
    const auto at = std::size_t(std::clamp(std::ceil(share * double(n)), 1.0, double(n))) - 1;
    return at + 1 < n ? float((double(values[at]) + values[at + 1]) / 2.0) : values[at];
}

}  // namespace

float outlierScore(LossKind kind, const float* out, int classes) {
    const float best = kind == LossKind::CrossEntropy ? *std::max_element(out, out + classes)
                                                      : *std::min_element(out, out + classes);
    return kind == LossKind::CrossEntropy ? -best : best;
}

Verdict judge(LossKind kind, const std::optional<Calibration>& calibration, const float* out,
              int classes, float ink) {
    Verdict v;
    v.predicted = predictClass(kind, out, classes);
    v.scores.resize(std::size_t(classes));
    softmaxAt(kind, out, classes, calibration ? calibration->temperature : 1.0, -1,
              v.scores.data());
    v.probability = v.scores[std::size_t(v.predicted)];
    v.outlier = outlierScore(kind, out, classes);
    v.calibrated = calibration.has_value();
    v.unsure = calibration &&
               (v.outlier > calibration->threshold || v.probability < calibration->minProbability ||
                ink < calibration->minInk || ink > calibration->maxInk);
    return v;
}

Calibration fitCalibration(LossKind kind, const float* out, const std::uint8_t* labels,
                           const float* ink, int count, int classes, const std::string& source) {
    const auto nll = [&](double logT) {
        double sum = 0.0;
        for (int i = 0; i < count; ++i)
            sum -= softmaxAt(kind, out + std::size_t(i) * classes, classes, std::exp(logT),
                             labels[i], nullptr);
        return sum / count;
    };
    // Golden-section search of the NLL over log T in [log 1e-3, log 1e4] (unimodal in practice).
    const double phi = (std::sqrt(5.0) - 1.0) / 2.0;
    double a = std::log(1e-3), b = std::log(1e4);
    double c = b - phi * (b - a), d = a + phi * (b - a);
    double fc = nll(c), fd = nll(d);
    for (int it = 0; it < 60 && b - a > 1e-4; ++it) {
        if (fc < fd) {
            b = d, d = c, fd = fc, c = b - phi * (b - a), fc = nll(c);
        } else {
            a = c, c = d, fc = fd, d = a + phi * (b - a), fd = nll(d);
        }
    }
    Calibration cal;
    cal.temperature = float(std::exp((a + b) / 2.0));
    std::vector<float> outliers, probabilities;
    std::vector<float> scores(static_cast<std::size_t>(classes));
    for (int i = 0; i < count; ++i) {
        const float* o = out + std::size_t(i) * classes;
        outliers.push_back(outlierScore(kind, o, classes));
        softmaxAt(kind, o, classes, cal.temperature, -1, scores.data());
        probabilities.push_back(*std::max_element(scores.begin(), scores.end()));
    }
    const std::vector<float> inks(ink, ink + count);
    const double inkShare = 1.0 - (1.0 - kTypicalShare) / 2.0;
    cal.threshold = bound(outliers, kTypicalShare, true);
    cal.minProbability = bound(probabilities, kConfidentShare, false);
    cal.minInk = bound(inks, inkShare, false);
    cal.maxInk = bound(inks, inkShare, true);
    cal.images = count;
    cal.source = source;
    return cal;
}

std::string verdictText(const Verdict& v) {
    if (v.unsure) return "unsure";
    char text[32];
    std::snprintf(text, sizeof text, "%.1f %%", 100.0 * v.probability);
    return text;
}

}  // namespace lenet
