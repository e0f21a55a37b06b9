// Central differences of L = sum(y * dy) against a layer's backward pass.
#include "support/gradient_check.h"

#include <algorithm>
#include <cmath>
#include <sstream>

using lenet::Layer;
using lenet::Param;
using lenet::Range;
using lenet::Tensor;

namespace gradcheck {
namespace {

constexpr float kUnwritten = 1234.5f;  // pre-fills outputs that backward must assign
constexpr int kReported = 5;           // mismatches listed in a failure message

void fillUniform(Tensor& t, std::mt19937& rng, float lo, float hi) {
    std::uniform_real_distribution<float> u(lo, hi);
    for (float& v : t.values()) v = u(rng);
}

}  // namespace

bool agrees(double analytic, double numeric, double scale, const Tolerance& tol) {
    const double bound = tol.relative * std::max(std::abs(analytic), std::abs(numeric)) +
                         tol.absolute * scale + tol.floor;
    return std::abs(analytic - numeric) <= bound;
}

::testing::AssertionResult compareArrays(const std::string& what,
                                         const std::vector<double>& analytic,
                                         const std::vector<double>& numeric, const Tolerance& tol) {
    double scale = 0.0, diffNorm = 0.0, numNorm = 0.0;
    for (double n : numeric) scale = std::max(scale, std::abs(n));
    std::ostringstream bad;
    int mismatches = 0;
    for (std::size_t i = 0; i < analytic.size(); ++i) {
        diffNorm += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i]);
        numNorm += numeric[i] * numeric[i];
        if (agrees(analytic[i], numeric[i], scale, tol)) continue;
        if (mismatches++ < kReported) {
            bad << "\n  " << what << "[" << i << "]: analytic " << analytic[i] << ", numeric "
                << numeric[i];
        }
    }
    diffNorm = std::sqrt(diffNorm);
    numNorm = std::sqrt(numNorm);
    const bool normOk =
        diffNorm <= tol.relative * numNorm + tol.floor * std::sqrt(double(analytic.size()));
    if (mismatches == 0 && normOk) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << what << ": " << mismatches << " of " << analytic.size()
           << " entries disagree with central differences; |analytic - numeric| = " << diffNorm
           << ", |numeric| = " << numNorm << bad.str();
}

::testing::AssertionResult checkLayerGradients(Layer& layer, const Options& o) {
    std::mt19937 rng(o.seed);
    const Range all{0, o.batch};
    Tensor x(o.batch, layer.inputShape());
    Tensor y(o.batch, layer.outputShape());
    Tensor dy(o.batch, layer.outputShape());
    Tensor dx(o.batch, layer.inputShape());
    if (o.fillInput)
        o.fillInput(x, rng);
    else
        fillUniform(x, rng, -1.0f, 1.0f);
    fillUniform(dy, rng, -1.0f, 1.0f);
    std::fill(dx.values().begin(), dx.values().end(), kUnwritten);

    std::vector<Param>& params = layer.params();
    std::vector<std::vector<float>> grads;
    std::vector<float*> gradPtrs;
    for (const Param& p : params) grads.emplace_back(p.value.size(), kUnwritten);
    for (auto& g : grads) gradPtrs.push_back(g.data());

    layer.forward(x, y, all, o.ctx);
    layer.backward(x, y, dy, &dx, all, o.ctx, gradPtrs);

    Tensor probe(o.batch, layer.outputShape());
    auto loss = [&] {
        layer.forward(x, probe, all, o.ctx);
        double sum = 0.0;
        for (std::size_t i = 0; i < probe.size(); ++i) sum += double(probe[i]) * double(dy[i]);
        return sum;
    };
    auto central = [&](float& v) {
        const float original = v;
        const float h = o.step * std::max(1.0f, std::abs(original));
        v = original + h;
        const float up = v;
        const double lossUp = loss();
        v = original - h;
        const float down = v;
        const double lossDown = loss();
        v = original;
        return (lossUp - lossDown) / (double(up) - double(down));
    };

    std::ostringstream failures;
    bool failed = false;
    auto record = [&](const ::testing::AssertionResult& r) {
        if (!r) {
            failed = true;
            failures << "\n" << r.message();
        }
    };

    std::vector<double> analytic(x.size()), numeric(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        analytic[i] = dx[i];
        numeric[i] = central(x[i]);
    }
    record(compareArrays(layer.name() + " dx", analytic, numeric, o.tolerance));

    for (std::size_t p = 0; p < params.size(); ++p) {
        Param& param = params[p];
        if (!param.trainable) continue;
        const std::string what = layer.name() + "." + param.name;
        analytic.assign(param.value.size(), 0.0);
        numeric.assign(param.value.size(), 0.0);
        int leaks = 0;
        for (std::size_t i = 0; i < param.value.size(); ++i) {
            if (!param.mask.empty() && param.mask[i] == 0.0f) {
                leaks += grads[p][i] != 0.0f;
                continue;
            }
            analytic[i] = grads[p][i];
            numeric[i] = central(param.value[i]);
        }
        if (leaks > 0) {
            failed = true;
            failures << "\n" << what << ": " << leaks << " masked entries have a nonzero gradient";
        }
        record(compareArrays(what, analytic, numeric, o.tolerance));
    }
    if (!failed) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "layer '" << layer.name() << "' (" << layer.kind() << ")" << failures.str();
}

void perturbParams(Layer& layer, std::mt19937& rng, float amount) {
    std::uniform_real_distribution<float> u(-amount, amount);
    for (Param& p : layer.params()) {
        if (!p.trainable) continue;
        for (std::size_t i = 0; i < p.value.size(); ++i) {
            if (p.mask.empty() || p.mask[i] != 0.0f) p.value[i] += u(rng);
        }
    }
}

void fillAwayFromZero(Tensor& t, std::mt19937& rng, float lo, float hi, float gap) {
    std::uniform_real_distribution<float> u(lo, hi);
    for (float& v : t.values()) {
        do {
            v = u(rng);
        } while (std::abs(v) < gap);
    }
}

}  // namespace gradcheck
