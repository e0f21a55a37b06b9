// Finite-difference gradient checking shared by the engine's tests: a layer's analytic dx and
// parameter gradients against central differences of L = sum(y * dy).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "lenet/layer.h"
#include "lenet/tensor.h"

namespace gradcheck {

/// When an analytic derivative counts as equal to a central difference.
struct Tolerance {
    double relative = 2e-2;  // of max(|analytic|, |numeric|)
    double absolute = 2e-3;  // of the largest |numeric| entry of the same array
    double floor = 0.0;      // the rounding noise of the differences themselves
};

/// |a - n| <= relative * max(|a|, |n|) + absolute * scale + floor, where `scale` is the largest
/// |derivative| of the array the entry belongs to. A factor 2 or a wrong sign fails for every
/// entry that is not negligible next to the largest one (and above the floor).
bool agrees(double analytic, double numeric, double scale, const Tolerance& tol);

/// Compares whole arrays: every entry with agrees() and the arrays' difference in the 2-norm
/// against tol.relative times the numeric array's norm. `what` names the array in messages.
::testing::AssertionResult compareArrays(const std::string& what,
                                         const std::vector<double>& analytic,
                                         const std::vector<double>& numeric, const Tolerance& tol);

struct Options {
    int batch = 3;
    float step = 1e-2f;  // h = step * max(1, |value|)
    Tolerance tolerance;
    lenet::Context ctx{true, 0x5eedULL};  // used for forward, backward and every difference
    std::uint32_t seed = 1;               // input batch and dy
    /// Fills the input batch; the default draws uniform values in [-1, 1].
    std::function<void(lenet::Tensor&, std::mt19937&)> fillInput;
};

/// Runs forward and backward once on a random batch and random dy, then compares dx and every
/// trainable parameter's gradient with central differences of L = sum(y * dy) (accumulated in
/// double). Masked entries (Param::mask == 0) must have exactly zero gradient and are not
/// perturbed. Leaves the parameters as they were.
::testing::AssertionResult checkLayerGradients(lenet::Layer& layer, const Options& options = {});

/// Adds uniform noise in [-amount, amount] to every trainable, unmasked parameter entry, so that
/// parameters that start at constants (gamma = 1, beta = 0, ...) are checked at generic values.
void perturbParams(lenet::Layer& layer, std::mt19937& rng, float amount);

/// Uniform values in [lo, hi] whose magnitude is at least `gap` (inputs away from a kink at 0).
void fillAwayFromZero(lenet::Tensor& t, std::mt19937& rng, float lo, float hi, float gap);

}  // namespace gradcheck
