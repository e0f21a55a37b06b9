#include "lenet/loss.h"

#include <algorithm>
#include <cmath>

namespace lenet {
namespace {

// softmax of sign*out into p (p may be null); returns log(sum exp(sign*out)) computed stably,
// with an extra term exp(extra) when hasExtra (the e^-j of the MAP criterion).
float logSumExp(const float* out, int classes, float sign, bool hasExtra, float extra, float* p) {
    float m = hasExtra ? extra : sign * out[0];
    for (int i = 0; i < classes; ++i) m = std::max(m, sign * out[i]);
    double sum = hasExtra ? std::exp(double(extra - m)) : 0.0;
    for (int i = 0; i < classes; ++i) sum += std::exp(double(sign * out[i] - m));
    const float lse = m + float(std::log(sum));
    if (p) {
        for (int i = 0; i < classes; ++i) p[i] = std::exp(sign * out[i] - lse);
    }
    return lse;
}

}  // namespace

float sampleLoss(LossKind kind, float j, const float* out, int classes, int label, float* dout) {
    switch (kind) {
        case LossKind::Penalty:
            if (dout) {
                std::fill_n(dout, classes, 0.0f);
                dout[label] = 1.0f;
            }
            return out[label];
        case LossKind::Map: {
            // d/dy_i log(e^-j + sum e^-y) = -e^-y_i / (e^-j + sum e^-y)
            const float lse = logSumExp(out, classes, -1.0f, true, -j, dout);
            if (dout) {
                for (int i = 0; i < classes; ++i) dout[i] = -dout[i];
                dout[label] += 1.0f;
            }
            return out[label] + lse;
        }
        case LossKind::CrossEntropy: {
            const float lse = logSumExp(out, classes, 1.0f, false, 0.0f, dout);
            if (dout) dout[label] -= 1.0f;
            return lse - out[label];
        }
    }
    return 0.0f;
}

void sampleCurvature(LossKind kind, const float* out, int classes, int label, float* d2out) {
    if (kind == LossKind::CrossEntropy) {
        logSumExp(out, classes, 1.0f, false, 0.0f, d2out);
        for (int i = 0; i < classes; ++i) d2out[i] *= 1.0f - d2out[i];
        return;
    }
    std::fill_n(d2out, classes, 0.0f);
    d2out[label] = 1.0f;
}

int predictClass(LossKind kind, const float* out, int classes) {
    const float* best = kind == LossKind::CrossEntropy ? std::max_element(out, out + classes)
                                                       : std::min_element(out, out + classes);
    return int(best - out);
}

}  // namespace lenet
