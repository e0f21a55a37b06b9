#include "lenet/layers/fully_connected.h"

#include <algorithm>

#include <Eigen/Core>

#include "lenet/error.h"

namespace lenet {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatMap = Eigen::Map<RowMatrix>;
using ConstMatMap = Eigen::Map<const RowMatrix>;

// Up to this many samples, matrixUnitGradients adds scaled input rows instead of calling a matrix
// product.
constexpr int kRowUpdateSamples = 4;

Shape fcOutput(const std::string& name, int units) {
    if (units < 1) throw ConfigError("layer '" + name + "' (fc): units must be >= 1");
    return {units, 1, 1};
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
    backwardByUnits(*this, x, dy, dx, r, false, dparams);
}

void FullyConnected::curvature(const Tensor& x, const Tensor&, const Tensor& d2y, Tensor* d2x,
                               Range r, std::span<float* const> hparams) {
    backwardByUnits(*this, x, d2y, d2x, r, true, hparams);
}

void FullyConnected::inputGradient(const Tensor& dy, Tensor& dx, Range r, bool curvature) const {
    matrixInputGradient(dy, params()[0].value.data(), inputShape().size(), units(), dx, r,
                        curvature);
}

void FullyConnected::unitGradients(const Tensor& x, const Tensor& dy, Range samples, Range units,
                                   bool curvature, std::span<float* const> dparams) const {
    matrixUnitGradients(x, dy, inputShape().size(), this->units(), samples, units, curvature,
                        dparams[0], dparams[1]);
}

void backwardByUnits(const UnitSplit& layer, const Tensor& x, const Tensor& dy, Tensor* dx, Range r,
                     bool curvature, std::span<float* const> dparams) {
    layer.unitGradients(x, dy, r, {0, layer.units()}, curvature, dparams);
    if (dx) layer.inputGradient(dy, *dx, r, curvature);
}

void matrixInputGradient(const Tensor& dy, const float* w, int inputs, int units, Tensor& dx,
                         Range r, bool curvature) {
    const ConstMatMap dyr(dy.sample(r.begin), r.size(), units);
    const ConstMatMap wm(w, units, inputs);
    MatMap dxr(dx.sample(r.begin), r.size(), inputs);
    if (curvature) {
        dxr.noalias() = dyr * wm.array().square().matrix();
    } else {
        dxr.noalias() = dyr * wm;
    }
}

void matrixUnitGradients(const Tensor& x, const Tensor& dy, int inputs, int units, Range samples,
                         Range rows, bool curvature, float* dw, float* db) {
    if (samples.size() <= kRowUpdateSamples) {
        // A few samples: each row is a sum of scaled input rows, without a matrix product's
        // packing (at batch 1 it cost more than the arithmetic).
        for (int u = rows.begin; u < rows.end; ++u) {
            float* row = dw + std::size_t(u) * inputs;
            std::fill_n(row, inputs, 0.0f);
            for (int n = samples.begin; n < samples.end; ++n) {
                const float d = dy.sample(n)[u];
                const float* xn = x.sample(n);
                if (curvature) {
                    for (int i = 0; i < inputs; ++i) row[i] += d * xn[i] * xn[i];
                } else {
                    for (int i = 0; i < inputs; ++i) row[i] += d * xn[i];
                }
            }
        }
    } else {
        const auto dyu = ConstMatMap(dy.sample(samples.begin), samples.size(), units)
                             .middleCols(rows.begin, rows.size());
        const ConstMatMap xr(x.sample(samples.begin), samples.size(), inputs);
        MatMap dwr(dw + std::size_t(rows.begin) * inputs, rows.size(), inputs);
        if (curvature) {
            dwr.noalias() = dyu.transpose() * xr.array().square().matrix();
        } else {
            dwr.noalias() = dyu.transpose() * xr;
        }
    }
    // The bias sums in sample order: Eigen's vectorised column sums depend on the alignment of
    // the rows in memory, which would make the result (and training) differ between runs.
    std::fill(db + rows.begin, db + rows.end, 0.0f);
    for (int n = samples.begin; n < samples.end; ++n) {
        const float* d = dy.sample(n);
        for (int u = rows.begin; u < rows.end; ++u) db[u] += d[u];
    }
}

}  // namespace lenet
