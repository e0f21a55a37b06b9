// The digits' map: PCA on hand-checkable point sets, its sign convention, and the features of a
// network's penultimate layer (the same for any thread count).
#include "lenet/embedding.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "lenet/error.h"
#include "lenet/evaluate.h"
#include "lenet/presets.h"
#include "support/synthetic_digits.h"

namespace {

/// Points t * (1, 2, 0) + (3, 3, 3) for t = -2 .. 2: a line through (3, 3, 3).
std::vector<float> line() {
    std::vector<float> p;
    for (int t = -2; t <= 2; ++t) {
        p.push_back(3.0f + float(t));
        p.push_back(3.0f + 2.0f * float(t));
        p.push_back(3.0f);
    }
    return p;
}

}  // namespace

TEST(Pca2, PointsOnALineHaveOneAxis) {
    const std::vector<float> points = line();
    const lenet::Pca2 pca = lenet::fitPca2(points, 3);
    ASSERT_EQ(pca.dims, 3);
    EXPECT_NEAR(pca.mean[0], 3.0, 1e-12);
    EXPECT_NEAR(pca.mean[1], 3.0, 1e-12);
    EXPECT_NEAR(pca.mean[2], 3.0, 1e-12);
    // The axis is (1, 2, 0) / sqrt(5), its largest entry positive; the variance of t*sqrt(5)
    // for t = -2..2 is 2 * 5 = 10; nothing is left for the second axis.
    const double s = std::sqrt(5.0);
    EXPECT_NEAR(pca.axes[0][0], 1.0 / s, 1e-9);
    EXPECT_NEAR(pca.axes[0][1], 2.0 / s, 1e-9);
    EXPECT_NEAR(pca.axes[0][2], 0.0, 1e-9);
    EXPECT_NEAR(pca.variance[0], 10.0, 1e-9);
    EXPECT_NEAR(pca.variance[1], 0.0, 1e-9);
    EXPECT_NEAR(pca.totalVariance, 10.0, 1e-9);
    const std::vector<double> xy = lenet::projectAll(pca, points);
    ASSERT_EQ(xy.size(), 10u);
    for (int t = -2; t <= 2; ++t) {
        EXPECT_NEAR(xy[std::size_t(2 * (t + 2))], t * s, 1e-9);
        EXPECT_NEAR(xy[std::size_t(2 * (t + 2) + 1)], 0.0, 1e-9);
    }
}

TEST(Pca2, PointsOnAPlaneKeepTheirDistances) {
    // A 4 x 2 grid in the plane z = 1, spread more along y (spacing 3) than along x (spacing 1).
    std::vector<float> points;
    for (int i = 0; i < 4; ++i) {
        for (int j = 0; j < 2; ++j) {
            points.push_back(float(j));
            points.push_back(3.0f * float(i));
            points.push_back(1.0f);
        }
    }
    const lenet::Pca2 pca = lenet::fitPca2(points, 3);
    EXPECT_NEAR(pca.axes[0][1], 1.0, 1e-9);  // y first: more variance, positive
    EXPECT_NEAR(pca.axes[1][0], 1.0, 1e-9);
    EXPECT_NEAR(pca.variance[0], 9.0 * 1.25, 1e-9);  // 9 * var(0, 1, 2, 3)
    EXPECT_NEAR(pca.variance[1], 0.25, 1e-9);
    const auto p = pca.project(points.data());  // (0, 0, 1): mean is (0.5, 4.5, 1)
    EXPECT_NEAR(p[0], -4.5, 1e-9);
    EXPECT_NEAR(p[1], -0.5, 1e-9);
}

TEST(Pca2, SignFollowsThePreviousAxes) {
    // Mirrored points (-x) give the same axes by the largest-entry rule...
    std::vector<float> mirrored = line();
    for (float& v : mirrored) v = -v;
    const lenet::Pca2 plain = lenet::fitPca2(mirrored, 3);
    EXPECT_GT(plain.axes[0][1], 0.0);
    // ... and, given axes that point the other way, follow those.
    lenet::Pca2 previous = plain;
    for (double& v : previous.axes[0]) v = -v;
    const lenet::Pca2 aligned = lenet::fitPca2(mirrored, 3, &previous);
    EXPECT_LT(aligned.axes[0][1], 0.0);
    EXPECT_NEAR(aligned.axes[0][1], -plain.axes[0][1], 1e-12);
    // Axes of another dimension are ignored.
    lenet::Pca2 other;
    other.dims = 2;
    EXPECT_EQ(lenet::fitPca2(mirrored, 3, &other).axes[0], plain.axes[0]);
}

TEST(Pca2, AxesTurnWithinTheirPlaneToMatchThePreviousOnes) {
    // A 4 x 4 grid in the plane z = 2: its variance is the same in every direction of the
    // plane, so the eigenvectors alone could point anywhere in it.
    std::vector<float> points;
    for (int i = 0; i < 4; ++i) {
        for (int j = 0; j < 4; ++j) {
            points.push_back(float(i));
            points.push_back(float(j));
            points.push_back(2.0f);
        }
    }
    const double c = std::cos(0.5), s = std::sin(0.5);
    lenet::Pca2 previous;
    previous.dims = 3;
    previous.axes = {std::vector<double>{c, s, 0.0}, std::vector<double>{s, -c, 0.0}};
    const lenet::Pca2 pca = lenet::fitPca2(points, 3, &previous);
    for (int k = 0; k < 2; ++k) {
        for (int d = 0; d < 3; ++d) {
            EXPECT_NEAR(pca.axes[std::size_t(k)][std::size_t(d)],
                        previous.axes[std::size_t(k)][std::size_t(d)], 1e-9);
        }
    }
    EXPECT_NEAR(pca.variance[0], 1.25, 1e-9);  // var(0, 1, 2, 3) along any direction
    EXPECT_NEAR(pca.variance[1], 1.25, 1e-9);
    EXPECT_NEAR(pca.totalVariance, 2.5, 1e-9);
}

TEST(Pca2, RejectsPointsThatDoNotFit) {
    const std::vector<float> seven(7, 1.0f);
    EXPECT_THROW(lenet::fitPca2(seven, 3), lenet::ConfigError);
    EXPECT_THROW(lenet::fitPca2({}, 3), lenet::ConfigError);
    EXPECT_THROW(lenet::fitPca2(seven, 0), lenet::ConfigError);
    const lenet::Pca2 single = lenet::fitPca2(std::vector<float>{1.0f, 2.0f}, 2);
    EXPECT_EQ(single.variance[0], 0.0);  // one point: no spread, still a basis
}

TEST(Embedding, PenultimateFeaturesAreTheSameForAnyThreadCount) {
    const lenet::Dataset data = lenet::test::syntheticDigits(300, 5);
    lenet::Network net(lenet::preset("lenet5-1998"));
    net.initialize(3);
    const lenet::Evaluation one = lenet::evaluate(net, data, 1, {}, {}, true);
    const lenet::Evaluation two = lenet::evaluate(net, data, 2, {}, {}, true);
    ASSERT_EQ(one.featureDims, 84);  // F6's outputs
    ASSERT_EQ(one.features.size(), std::size_t(300 * 84));
    EXPECT_EQ(one.features, two.features);
    const lenet::Pca2 a = lenet::fitPca2(one.features, one.featureDims);
    const lenet::Pca2 b = lenet::fitPca2(two.features, two.featureDims);
    EXPECT_EQ(a.axes, b.axes);
    EXPECT_EQ(lenet::projectAll(a, one.features), lenet::projectAll(b, two.features));
    EXPECT_TRUE(lenet::evaluate(net, data, 2).features.empty());  // only when asked
}
