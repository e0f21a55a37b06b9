#include "lenet/layers/fully_connected.h"

#include <algorithm>

#include <Eigen/Core>

#include "lenet/error.h"

namespace lenet {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatMap = Eigen::Map<RowMatrix>;
using ConstMatMap = Eigen::Map<const RowMatrix>;

Shape fcOutput(const std::string& name, int units) {
    if (units < 1) throw ConfigError("layer '" + name + "' (fc): units must be >= 1");
    return {units, 1, 1};
}

// out[j] = sum of column j of m (rows x cols, row-major), row after row. A plain loop: Eigen's
// vectorised column sums depend on the destination's alignment in memory, which would make the
// result (and training) differ between runs and thread counts.
void sumRows(const float* m, int rows, int cols, float* out) {
    std::fill_n(out, cols, 0.0f);
    for (int r = 0; r < rows; ++r) {
        for (int j = 0; j < cols; ++j) out[j] += m[std::size_t(r) * cols + j];
    }
}

}  // namespace

FullyConnected::FullyConnected(std::string name, Shape in, int units)
    : Layer("fc", name, in, fcOutput(name, units)) {
    addParam("weight", {units, in.size()}, true);
    addParam("bias", {units}, false);
}

void FullyConnected::initialize(const std::string& scheme, std::mt19937& rng) {
    initWeights(params()[0].value, scheme, inputShape().size(), outputShape().c, rng);
    std::fill(params()[1].value.begin(), params()[1].value.end(), 0.0f);
}

void FullyConnected::forward(const Tensor& x, Tensor& y, Range r, const Context&) {
    const int in = inputShape().size(), out = outputShape().c;
    const ConstMatMap w(params()[0].value.data(), out, in);
    const Eigen::Map<const Eigen::RowVectorXf> b(params()[1].value.data(), out);
    MatMap yr(y.sample(r.begin), r.size(), out);
    yr.noalias() = ConstMatMap(x.sample(r.begin), r.size(), in) * w.transpose();
    yr.rowwise() += b;
}

void FullyConnected::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx, Range r,
                              const Context&, std::span<float* const> dparams) {
    const int in = inputShape().size(), out = outputShape().c;
    const ConstMatMap dyr(dy.sample(r.begin), r.size(), out);
    MatMap(dparams[0], out, in).noalias() =
        dyr.transpose() * ConstMatMap(x.sample(r.begin), r.size(), in);
    sumRows(dy.sample(r.begin), r.size(), out, dparams[1]);
    if (dx) {
        MatMap(dx->sample(r.begin), r.size(), in).noalias() =
            dyr * ConstMatMap(params()[0].value.data(), out, in);
    }
}

void FullyConnected::curvature(const Tensor& x, const Tensor&, const Tensor& d2y, Tensor* d2x,
                               Range r, std::span<float* const> hparams) {
    const int in = inputShape().size(), out = outputShape().c;
    const ConstMatMap d2yr(d2y.sample(r.begin), r.size(), out);
    const RowMatrix x2 = ConstMatMap(x.sample(r.begin), r.size(), in).array().square();
    MatMap(hparams[0], out, in).noalias() = d2yr.transpose() * x2;
    sumRows(d2y.sample(r.begin), r.size(), out, hparams[1]);
    if (d2x) {
        const RowMatrix w2 = ConstMatMap(params()[0].value.data(), out, in).array().square();
        MatMap(d2x->sample(r.begin), r.size(), in).noalias() = d2yr * w2;
    }
}

}  // namespace lenet
