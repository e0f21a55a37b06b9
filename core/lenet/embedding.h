// The digits' own map: points in a network's feature space (e.g. F6's outputs for the test
// images, Evaluation::features) projected to the plane of their two principal axes (PCA).
#pragma once

#include <array>
#include <span>
#include <vector>

namespace lenet {

/// The mean and the two principal axes of a set of points of `dims` values each.
struct Pca2 {
    int dims = 0;
    std::vector<double> mean;                 // dims values
    std::array<std::vector<double>, 2> axes;  // orthonormal, dims values each (see fitPca2)
    std::array<double, 2> variance{};         // of the points along each axis
    double totalVariance = 0.0;               // of the points in all dims

    /// The coordinates of `point` (dims values) along the two axes, relative to the mean.
    std::array<double, 2> project(const float* point) const;
};

/// The two principal axes of `points` (n rows of `dims` values, n >= 1): the eigenvectors of
/// the covariance with the largest eigenvalues (Eigen's SelfAdjointEigenSolver), each axis's
/// entry of largest magnitude positive. With `previous` (same dims), the axes are then turned
/// within their plane (rotated or mirrored) to lie as close as they can to the previous ones,
/// so that the picture does not flip or spin from one map to the next; the plane is the same.
/// The result depends on the points only (computed serially in double), not on how they were
/// produced. Throws ConfigError when dims < 1, points is empty or its size is not a multiple of
/// dims.
Pca2 fitPca2(std::span<const float> points, int dims, const Pca2* previous = nullptr);

/// project() for every row of `points`: x0, y0, x1, y1, ...
std::vector<double> projectAll(const Pca2& pca, std::span<const float> points);

}  // namespace lenet
