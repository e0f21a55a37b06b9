// The criteria on the network's output: LeCun's MAP criterion and plain penalty on RBF
// penalties (smallest wins), and softmax cross-entropy on logits (largest wins).
#pragma once

#include "lenet/spec.h"

namespace lenet {

/// Loss of one sample and its gradient dE/dout (`dout` may be null), `classes` outputs.
///   Map:          E = y_D + log(e^-j + sum_i e^-y_i)      (LeCun 1998 eq. 9)
///   Penalty:      E = y_D                                  (eq. 8)
///   CrossEntropy: E = -log softmax(out)_D
float sampleLoss(LossKind kind, float j, const float* out, int classes, int label, float* dout);

/// Gauss-Newton weights for SDLM's second-derivative pass at the output: for RBF criteria the
/// weight of each penalty (1 for the correct class: the paper keeps the y_D term), for
/// cross-entropy p_i (1 - p_i).
void sampleCurvature(LossKind kind, const float* out, int classes, int label, float* d2out);

/// The predicted class: argmin of the penalties or argmax of the logits.
int predictClass(LossKind kind, const float* out, int classes);

}  // namespace lenet
