// fitPca2: the covariance in double, its two leading eigenvectors, a stable sign.
#include "lenet/embedding.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <Eigen/Dense>

#include "lenet/error.h"

namespace lenet {

std::array<double, 2> Pca2::project(const float* point) const {
    std::array<double, 2> xy{};
    for (int k = 0; k < 2; ++k) {
        for (int d = 0; d < dims; ++d)
            xy[std::size_t(k)] +=
                (double(point[d]) - mean[std::size_t(d)]) * axes[std::size_t(k)][std::size_t(d)];
    }
    return xy;
}

Pca2 fitPca2(std::span<const float> points, int dims, const Pca2* previous) {
    if (dims < 1 || points.empty() || points.size() % std::size_t(dims) != 0)
        throw ConfigError("PCA: " + std::to_string(points.size()) +
                          " values are not a whole number of points of " + std::to_string(dims) +
                          " values");
    const Eigen::Index n = Eigen::Index(points.size() / std::size_t(dims));
    // X: (n, dims), one point per row.
    const Eigen::MatrixXd X =
        Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            points.data(), n, dims)
            .cast<double>();
    const Eigen::RowVectorXd mean = X.colwise().mean();
    const Eigen::MatrixXd centred = X.rowwise() - mean;
    const Eigen::MatrixXd cov = centred.transpose() * centred / double(n);  // (dims, dims)
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(cov);
    if (solver.info() != Eigen::Success)
        throw ConfigError("PCA: the eigen solver did not converge");

    Pca2 pca;
    pca.dims = dims;
    pca.mean.assign(mean.data(), mean.data() + dims);
    pca.totalVariance = cov.trace();
    // A: (dims, 2), the leading eigenvectors (eigenvalues come in increasing order).
    Eigen::MatrixXd A = Eigen::MatrixXd::Zero(dims, 2);
    for (int k = 0; k < std::min(dims, 2); ++k) {
        Eigen::VectorXd v = solver.eigenvectors().col(dims - 1 - k);
        Eigen::Index largest = 0;
        v.cwiseAbs().maxCoeff(&largest);
        A.col(k) = v[largest] < 0 ? Eigen::VectorXd(-v) : v;
    }
    if (previous && previous->dims == dims && dims >= 2) {
        // The rotation (or reflection) of the plane that brings A closest to the previous
        // axes B (orthogonal Procrustes: A R with R = U V^T from the SVD of A^T B), so that
        // two nearly equal eigenvalues do not spin the picture from one map to the next.
        Eigen::MatrixXd B(dims, 2);
        for (int k = 0; k < 2; ++k)
            B.col(k) =
                Eigen::Map<const Eigen::VectorXd>(previous->axes[std::size_t(k)].data(), dims);
        const Eigen::JacobiSVD<Eigen::MatrixXd> svd(A.transpose() * B,
                                                    Eigen::ComputeFullU | Eigen::ComputeFullV);
        A = A * (svd.matrixU() * svd.matrixV().transpose());
    }
    for (int k = 0; k < 2; ++k) {
        pca.axes[std::size_t(k)].assign(A.col(k).data(), A.col(k).data() + dims);
        pca.variance[std::size_t(k)] = std::max(0.0, A.col(k).dot(cov * A.col(k)));
    }
    return pca;
}

std::vector<double> projectAll(const Pca2& pca, std::span<const float> points) {
    std::vector<double> xy;
    const std::size_t n = pca.dims > 0 ? points.size() / std::size_t(pca.dims) : 0;
    xy.reserve(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto p = pca.project(points.data() + i * std::size_t(pca.dims));
        xy.push_back(p[0]);
        xy.push_back(p[1]);
    }
    return xy;
}

}  // namespace lenet
