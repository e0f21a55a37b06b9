// Analytic gradients against central differences: every layer kind, the losses, whole networks
// (Network::trainBatch), and SDLM's curvature pass against a hand computation.
#include "lenet/error.h"
#include "lenet/layers/activation.h"
#include "lenet/layers/batch_norm.h"
#include "lenet/layers/conv.h"
#include "lenet/layers/dropout.h"
#include "lenet/layers/fully_connected.h"
#include "lenet/layers/pool.h"
#include "lenet/layers/rbf.h"
#include "lenet/loss.h"
#include "lenet/network.h"
#include "lenet/presets.h"
#include "lenet/spec_json.h"
#include "support/gradient_check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <vector>

using lenet::Context;
using lenet::Conv;
using lenet::FullyConnected;
using lenet::LossKind;
using lenet::Pool;
using lenet::Range;
using lenet::Shape;
using lenet::Tensor;

namespace {

const Context kTraining{true, 0x5eedULL};
const Context kEval{false, 0};

/// Initialises `layer` and moves its parameters off their initial constants.
template <class L>
L& prepared(L& layer, std::uint32_t seed = 11, float noise = 0.2f) {
    std::mt19937 rng(seed);
    layer.initialize("lecun_uniform_sqrt", rng);
    gradcheck::perturbParams(layer, rng, noise);
    return layer;
}

// ----------------------------------------------------------------------------------------------
// The checker itself must fail on the usual mistakes.

class FcDoubledDx : public FullyConnected {
public:
    using FullyConnected::FullyConnected;
    void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx, Range r,
                  const Context& ctx, std::span<float* const> dparams) override {
        FullyConnected::backward(x, y, dy, dx, r, ctx, dparams);
        for (float& v : dx->values()) v *= 2.0f;
    }
};

class FcScaledParamGradient : public FullyConnected {
public:
    FcScaledParamGradient(Shape in, int units, int param, float factor)
        : FullyConnected("fc", in, units), m_param(param), m_factor(factor) {}
    void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx, Range r,
                  const Context& ctx, std::span<float* const> dparams) override {
        FullyConnected::backward(x, y, dy, dx, r, ctx, dparams);
        const std::size_t n = params()[m_param].value.size();
        std::transform(dparams[m_param], dparams[m_param] + n, dparams[m_param],
                       [this](float g) { return g * m_factor; });
    }

private:
    int m_param;
    float m_factor;
};

class ConvLeakingMask : public Conv {
public:
    using Conv::Conv;
    void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx, Range r,
                  const Context& ctx, std::span<float* const> dparams) override {
        Conv::backward(x, y, dy, dx, r, ctx, dparams);
        const auto& mask = params()[0].mask;
        for (std::size_t i = 0; i < mask.size(); ++i) {
            if (mask[i] == 0.0f) dparams[0][i] = 1e-3f;
        }
    }
};

TEST(GradientChecker, PassesACorrectLayer) {
    FullyConnected fc("fc", {2, 3, 3}, 5);
    EXPECT_TRUE(gradcheck::checkLayerGradients(prepared(fc)));
}

TEST(GradientChecker, CatchesAFactorTwoInDx) {
    FcDoubledDx fc("fc", {2, 3, 3}, 5);
    const auto result = gradcheck::checkLayerGradients(prepared(fc));
    EXPECT_FALSE(result);
    EXPECT_NE(std::string(result.message()).find("fc dx"), std::string::npos) << result.message();
}

TEST(GradientChecker, CatchesWrongSignOrScaleOfAParameterGradient) {
    for (const auto& [param, factor] : {std::pair{0, -1.0f}, {0, 0.5f}, {1, -1.0f}, {1, 1.1f}}) {
        SCOPED_TRACE(testing::Message() << "param " << param << " x " << factor);
        FcScaledParamGradient fc({2, 3, 3}, 5, param, factor);
        const auto result = gradcheck::checkLayerGradients(prepared(fc));
        EXPECT_FALSE(result);
        const std::string name = param == 0 ? "fc.weight" : "fc.bias";
        EXPECT_NE(std::string(result.message()).find(name), std::string::npos) << result.message();
    }
}

TEST(GradientChecker, CatchesAGradientOnMaskedEntries) {
    ConvLeakingMask conv("C3", {6, 7, 7}, 16, 3, 1, 0, lenet::lecun1998Table());
    const auto result = gradcheck::checkLayerGradients(prepared(conv));
    EXPECT_FALSE(result);
    EXPECT_NE(std::string(result.message()).find("masked entries have a nonzero gradient"),
              std::string::npos)
        << result.message();
}

TEST(GradientChecker, ToleranceRejectsFactorTwoAndSignButAcceptsNoise) {
    const gradcheck::Tolerance tol;
    EXPECT_TRUE(gradcheck::agrees(0.5, 0.5 + 1e-4, 1.0, tol));
    EXPECT_TRUE(gradcheck::agrees(1e-5, 0.0, 1.0, tol));
    EXPECT_FALSE(gradcheck::agrees(0.1, 0.05, 1.0, tol));
    EXPECT_FALSE(gradcheck::agrees(-0.1, 0.1, 1.0, tol));
    EXPECT_FALSE(gradcheck::agrees(0.0, 0.01, 0.01, tol));
}

// ----------------------------------------------------------------------------------------------
// Layers.

struct ConvCase {
    Shape in;
    int maps, kernel, stride, padding;
};

TEST(ConvGradients, MatchCentralDifferencesForKernelStridePaddingCombinations) {
    const ConvCase cases[] = {
        {{1, 6, 6}, 2, 3, 1, 0},
        {{2, 7, 7}, 3, 3, 2, 1},
        {{2, 5, 5}, 2, 5, 1, 2},
        {{3, 9, 8}, 2, 4, 3, 0},
        {{2, 4, 4}, 3, 1, 1, 0},
        {{1, 8, 8}, 2, 2, 2, 1},
        {{3, 4, 4}, 5, 4, 1, 0},  // the kernel covers the input (C5): the matrix-product path
        {{1, 9, 9}, 3, 5, 1, 2},  // one input map, 5x5 with padding: the direct path (as C1)
        // Stride 1 with more taps: maps in lanes (10 maps: a partly filled register; rows of 8
        // pixels: a full tile and a short one; a 6x6 kernel: two groups of kernel columns).
        {{3, 9, 9}, 10, 4, 1, 1},
        {{2, 10, 9}, 3, 6, 1, 0},
    };
    for (const ConvCase& c : cases) {
        SCOPED_TRACE(testing::Message()
                     << c.in.str() << " k" << c.kernel << " s" << c.stride << " p" << c.padding);
        Conv conv("conv", c.in, c.maps, c.kernel, c.stride, c.padding);
        EXPECT_TRUE(gradcheck::checkLayerGradients(prepared(conv)));
    }
}

TEST(ConvGradients, MatchCentralDifferencesWithTheC3TableAndKeepMaskedEntriesZero) {
    // 5x5: maps in lanes; 2x2 (24 taps): the direct path, where neighbouring maps share a pass
    // only when the table connects both to the input map.
    for (int kernel : {5, 2}) {
        SCOPED_TRACE(testing::Message() << "kernel " << kernel);
        Conv conv("C3", {6, 8, 8}, 16, kernel, 1, 0, lenet::lecun1998Table());
        EXPECT_TRUE(gradcheck::checkLayerGradients(prepared(conv)));
        const lenet::Param& w = conv.params()[0];
        for (std::size_t i = 0; i < w.value.size(); ++i) {
            if (w.mask[i] == 0.0f) {
                ASSERT_EQ(w.value[i], 0.0f) << "entry " << i;
            }
        }
    }
}

TEST(PoolGradients, SubsampleMatchesCentralDifferences) {
    Pool even(Pool::Kind::Subsample, "S2", {3, 6, 6}, 2);
    EXPECT_TRUE(gradcheck::checkLayerGradients(prepared(even)));
    Pool ragged(Pool::Kind::Subsample, "S", {2, 7, 8}, 3);
    EXPECT_TRUE(gradcheck::checkLayerGradients(prepared(ragged)));
}

TEST(PoolGradients, AverageMatchesCentralDifferences) {
    Pool pool(Pool::Kind::Average, "avg", {3, 6, 6}, 2);
    EXPECT_TRUE(gradcheck::checkLayerGradients(pool));
    Pool ragged(Pool::Kind::Average, "avg", {2, 7, 5}, 3);
    EXPECT_TRUE(gradcheck::checkLayerGradients(ragged));
}

TEST(PoolGradients, MaxMatchesCentralDifferencesWithoutTies) {
    Pool pool(Pool::Kind::Max, "max", {3, 6, 6}, 2);
    gradcheck::Options o;
    o.step = 1e-3f;
    // Distinct values 0.05 apart, shuffled: no perturbation can change a window's maximum.
    o.fillInput = [](Tensor& t, std::mt19937& rng) {
        std::vector<int> order(t.size());
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), rng);
        for (std::size_t i = 0; i < t.size(); ++i)
            t[i] = 0.05f * float(order[i] - int(t.size()) / 2);
    };
    EXPECT_TRUE(gradcheck::checkLayerGradients(pool, o));
    // Rows of 11 windows: whole registers of window pairs and a remainder.
    Pool wide(Pool::Kind::Max, "max", {2, 6, 22}, 2);
    EXPECT_TRUE(gradcheck::checkLayerGradients(wide, o));
    Pool ragged(Pool::Kind::Max, "max", {2, 7, 5}, 3);
    EXPECT_TRUE(gradcheck::checkLayerGradients(ragged, o));
}

TEST(PoolGradients, MaxRoutesEachWindowsGradientToItsFirstMaximum) {
    // One row of 2x2 windows, window j holding tie pattern j % 16 (bit i set: element i of a, b,
    // c, d is 1, else 0), so every way of tying appears in whole registers and in the remainder.
    const int windows = 37;
    Pool pool(Pool::Kind::Max, "max", {1, 2, 2 * windows}, 2);
    Tensor x(1, pool.inputShape()), y(1, pool.outputShape()), dy(1, pool.outputShape()),
        dx(1, pool.inputShape());
    std::vector<float> expected(x.size());
    for (int j = 0; j < windows; ++j) {
        const int at[4] = {2 * j, 2 * j + 1, 2 * windows + 2 * j, 2 * windows + 2 * j + 1};
        for (int i = 0; i < 4; ++i) x[at[i]] = float((j % 16 >> i) & 1);
        dy[j] = float(j + 1);
        const float top =
            *std::max_element(x.values().begin() + at[0], x.values().begin() + at[1] + 1);
        const float bottom =
            *std::max_element(x.values().begin() + at[2], x.values().begin() + at[3] + 1);
        const float max = std::max(top, bottom);
        const int* first = std::find_if(at, at + 4, [&](int k) { return x[k] == max; });
        expected[*first] = dy[j];
    }
    pool.forward(x, y, {0, 1}, kTraining);
    pool.backward(x, y, dy, &dx, {0, 1}, kTraining, {});
    EXPECT_EQ(std::vector<float>(dx.values().begin(), dx.values().end()), expected);
}

TEST(FullyConnectedGradients, MatchCentralDifferences) {
    FullyConnected fc("F6", {4, 3, 3}, 7);
    EXPECT_TRUE(gradcheck::checkLayerGradients(prepared(fc)));
    FullyConnected flat("F", {10, 1, 1}, 1);
    EXPECT_TRUE(gradcheck::checkLayerGradients(prepared(flat)));
}

TEST(ActivationGradients, MatchCentralDifferencesForEveryFunction) {
    gradcheck::Options o;
    // Away from the kink of the ReLU family at 0, farther than any perturbation.
    o.fillInput = [](Tensor& t, std::mt19937& rng) {
        gradcheck::fillAwayFromZero(t, rng, -2.5f, 2.5f, 0.1f);
    };
    for (const std::string& fn : lenet::kindKeys(lenet::activationKinds())) {
        SCOPED_TRACE(fn);
        lenet::Activation act("act", {3, 4, 4}, fn, 0.1f, 0.7f);
        prepared(act, 5, 0.4f);
        const std::size_t expectedParams = fn == "sigmoid_affine" ? 2 : fn == "swish_beta" ? 1 : 0;
        EXPECT_EQ(act.params().size(), expectedParams);
        EXPECT_TRUE(gradcheck::checkLayerGradients(act, o));
    }
}

// The vectorised approximations (Eigen's tanh, logistic, log1p) against the functions in double
// precision, from deep in the saturated tails to the linear middle.
TEST(ActivationValues, MatchTheExactFunctionsWithinAFewUlps) {
    const Shape shape{3, 1, 41};
    Tensor x(1, shape), y(1, shape);
    for (int i = 0; i < shape.size(); ++i) x[i] = -30.0f + 60.0f * float(i) / (shape.size() - 1);
    const auto sigma = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
    for (const std::string& fn : lenet::kindKeys(lenet::activationKinds())) {
        SCOPED_TRACE(fn);
        lenet::Activation act("act", shape, fn, 0.1f, 0.7f);
        std::mt19937 rng(1);
        act.initialize("xavier", rng);
        for (auto& p : act.params()) {  // per-channel parameters other than their start values
            for (std::size_t c = 0; c < p.value.size(); ++c) p.value[c] = 0.5f + 0.3f * float(c);
        }
        act.forward(x, y, {0, 1}, kEval);
        for (int i = 0; i < shape.size(); ++i) {
            const double v = x[i];
            const int c = i / (shape.h * shape.w);
            const auto param = [&](int k) { return double(act.params()[k].value[c]); };
            double want = 0.0;
            if (fn == "scaled_tanh") want = 1.7159 * std::tanh(2.0 / 3.0 * v);
            if (fn == "tanh") want = std::tanh(v);
            if (fn == "sigmoid") want = sigma(v);
            if (fn == "relu") want = std::max(v, 0.0);
            if (fn == "leaky_relu") want = v > 0 ? v : 0.1 * v;
            if (fn == "log_relu") want = 0.7 * std::log1p(std::max(v, 0.0));
            if (fn == "sigmoid_affine") want = sigma(param(0) * v + param(1));
            if (fn == "swish_beta") want = v * sigma(param(0) * v);
            // Within 4e-7 of the value, relative above 1; swish multiplies sigma's error by x.
            const double scale =
                std::max({1.0, std::abs(want), fn == "swish_beta" ? std::abs(v) : 0.0});
            EXPECT_NEAR(y[i], want, 4e-7 * scale) << "x = " << v;
        }
    }
}

TEST(BatchNormGradients, MatchCentralDifferencesInTrainingMode) {
    lenet::BatchNorm bn("bn", {3, 3, 3}, 0.1f, 1e-5f);
    gradcheck::Options o;
    o.ctx = kTraining;
    o.fillInput = [](Tensor& t, std::mt19937& rng) {
        std::normal_distribution<float> d(0.7f, 1.5f);
        for (float& v : t.values()) v = d(rng);
    };
    EXPECT_TRUE(gradcheck::checkLayerGradients(prepared(bn, 3, 0.5f), o));
    lenet::BatchNorm flat("bn", {6, 1, 1}, 0.1f, 1e-5f);
    o.batch = 5;
    EXPECT_TRUE(gradcheck::checkLayerGradients(prepared(flat, 4, 0.5f), o));
}

TEST(BatchNormGradients, MatchCentralDifferencesInEvalMode) {
    lenet::BatchNorm bn("bn", {3, 3, 3}, 0.1f, 1e-5f);
    prepared(bn, 3, 0.5f);
    std::mt19937 rng(8);
    std::uniform_real_distribution<float> mean(-1.0f, 1.0f), var(0.3f, 2.0f);
    for (float& v : bn.params()[2].value) v = mean(rng);
    for (float& v : bn.params()[3].value) v = var(rng);
    gradcheck::Options o;
    o.ctx = kEval;
    EXPECT_TRUE(gradcheck::checkLayerGradients(bn, o));
}

TEST(DropoutGradients, MatchCentralDifferencesWithTheSameSeed) {
    lenet::Dropout drop("drop", {2, 5, 5}, 0.4f);
    gradcheck::Options o;
    o.ctx = kTraining;
    EXPECT_TRUE(gradcheck::checkLayerGradients(drop, o));

    Tensor x(3, {2, 5, 5}), y(3, {2, 5, 5});
    std::fill(x.values().begin(), x.values().end(), 1.0f);
    drop.forward(x, y, {0, 3}, kTraining);
    const auto zeros = std::count(y.values().begin(), y.values().end(), 0.0f);
    EXPECT_GT(zeros, 20);
    EXPECT_LT(zeros, 100);
    for (float v : y.values()) {
        if (v != 0.0f) {
            EXPECT_NEAR(v, 1.0f / 0.6f, 1e-6f);
        }
    }
    o.ctx = kEval;
    EXPECT_TRUE(gradcheck::checkLayerGradients(drop, o));
}

TEST(RbfGradients, MatchCentralDifferencesIncludingTrainableCentres) {
    lenet::Rbf rbf("OUTPUT", {84, 1, 1}, 10, true, "lecun1998");
    ASSERT_TRUE(rbf.params()[0].trainable);
    gradcheck::Options o;
    o.fillInput = [](Tensor& t, std::mt19937& rng) {
        std::uniform_real_distribution<float> u(-1.5f, 1.5f);
        for (float& v : t.values()) v = u(rng);
    };
    EXPECT_TRUE(gradcheck::checkLayerGradients(rbf, o));
    lenet::Rbf random("rbf", {3, 2, 2}, 4, true, "random");
    EXPECT_TRUE(gradcheck::checkLayerGradients(prepared(random), o));
}

// ----------------------------------------------------------------------------------------------
// Losses.

TEST(LossGradients, MatchCentralDifferencesForEveryCriterion) {
    std::mt19937 rng(21);
    const int classes = 10;
    for (LossKind kind : {LossKind::Map, LossKind::Penalty, LossKind::CrossEntropy}) {
        SCOPED_TRACE(lenet::toString(kind));
        std::uniform_real_distribution<float> u(kind == LossKind::CrossEntropy ? -3.0f : 0.0f,
                                                kind == LossKind::CrossEntropy ? 3.0f : 8.0f);
        for (int label : {0, 4, 9}) {
            std::vector<float> out(classes), dout(classes);
            for (float& v : out) v = u(rng);
            lenet::sampleLoss(kind, 0.1f, out.data(), classes, label, dout.data());
            std::vector<double> analytic(dout.begin(), dout.end()), numeric(classes);
            for (int i = 0; i < classes; ++i) {
                const float original = out[i], h = 1e-2f;
                out[i] = original + h;
                const double up =
                    lenet::sampleLoss(kind, 0.1f, out.data(), classes, label, nullptr);
                out[i] = original - h;
                const double down =
                    lenet::sampleLoss(kind, 0.1f, out.data(), classes, label, nullptr);
                out[i] = original;
                numeric[i] = (up - down) / (2.0 * h);
            }
            EXPECT_TRUE(gradcheck::compareArrays("dout", analytic, numeric, {}))
                << "label " << label;
        }
    }
}

TEST(LossValues, FollowTheirFormulas) {
    const std::vector<float> out = {3.0f, 0.5f, 2.0f, 4.0f};
    const float j = 0.1f;
    double sumExp = std::exp(-double(j));
    for (float y : out) sumExp += std::exp(-double(y));
    EXPECT_NEAR(lenet::sampleLoss(LossKind::Map, j, out.data(), 4, 2, nullptr),
                2.0 + std::log(sumExp), 1e-5);
    EXPECT_FLOAT_EQ(lenet::sampleLoss(LossKind::Penalty, j, out.data(), 4, 3, nullptr), 4.0f);
    double softmaxDen = 0.0;
    for (float y : out) softmaxDen += std::exp(double(y));
    EXPECT_NEAR(lenet::sampleLoss(LossKind::CrossEntropy, j, out.data(), 4, 1, nullptr),
                -std::log(std::exp(0.5) / softmaxDen), 1e-5);
    EXPECT_EQ(lenet::predictClass(LossKind::Map, out.data(), 4), 1);
    EXPECT_EQ(lenet::predictClass(LossKind::CrossEntropy, out.data(), 4), 3);
}

// ----------------------------------------------------------------------------------------------
// Whole networks.

double meanLoss(lenet::Network& net, const Tensor& input, const std::vector<std::uint8_t>& labels,
                const Context& ctx) {
    lenet::Workspace ws;
    const Tensor& out = net.forward(input, ws, ctx);
    double sum = 0.0;
    for (int i = 0; i < input.n(); ++i) {
        sum += lenet::sampleLoss(net.spec().loss, net.spec().mapJ, out.sample(i), net.classes(),
                                 labels[i], nullptr);
    }
    return sum / input.n();
}

/// trainBatch's gradient of the mean loss on 3 random inputs against central differences, on the
/// largest entry and `randomEntries` random (unmasked) entries of every trainable array.
/// ReLU and max pooling have kinks: with `kinks`, an entry whose one-sided differences disagree,
/// or whose central differences at steps h and h/2 disagree, has a kink within h and is replaced
/// by another one. A wrong gradient gives smooth differences that disagree with it.
void checkNetworkGradients(const std::string& presetName, float step, int randomEntries,
                           std::uint32_t seed, bool kinks) {
    lenet::Network net(lenet::preset(presetName));
    net.initialize(seed);
    std::mt19937 rng(seed);
    for (int l = 0; l < net.layerCount(); ++l) gradcheck::perturbParams(net.layer(l), rng, 0.05f);
    Tensor input(3, net.inputShape());
    std::uniform_real_distribution<float> u(-0.5f, 1.5f);
    for (float& v : input.values()) v = u(rng);
    const std::vector<std::uint8_t> labels = {3, 7, 1};
    const Context ctx{true, 42};

    lenet::Workspace ws;
    lenet::ParamArrays grads;
    const lenet::BatchResult result = net.trainBatch(input, labels, ws, grads, ctx);
    const double loss = meanLoss(net, input, labels, ctx);
    EXPECT_NEAR(result.lossSum / 3, loss, 1e-6 * std::abs(loss));

    // The rounding noise of a difference of float losses at the smaller step.
    gradcheck::Tolerance tol;
    tol.floor = 4.0 * FLT_EPSILON * std::max(1.0, std::abs(loss)) / (0.5 * step);
    const std::vector<lenet::Param*> params = net.params();
    ASSERT_EQ(grads.size(), params.size());
    int checkedArrays = 0, skipped = 0, checked = 0;
    for (std::size_t p = 0; p < params.size(); ++p) {
        lenet::Param& param = *params[p];
        if (!param.trainable) continue;
        const std::vector<float>& g = grads[p];
        std::vector<std::size_t> byMagnitude, shuffled;
        for (std::size_t i = 0; i < param.value.size(); ++i) {
            if (param.mask.empty() || param.mask[i] != 0.0f) byMagnitude.push_back(i);
        }
        shuffled = byMagnitude;
        std::shuffle(shuffled.begin(), shuffled.end(), rng);
        std::stable_sort(byMagnitude.begin(), byMagnitude.end(), [&](std::size_t a, std::size_t b) {
            return std::abs(g[a]) > std::abs(g[b]);
        });
        const double scale = std::abs(g[byMagnitude.front()]);
        // {loss at v + h, loss at v - h}; `width` receives (v + h) - (v - h) as stored in float.
        auto lossesAround = [&](std::size_t i, float h, double& width) {
            float& v = param.value[i];
            const float original = v;
            v = original + h;
            const float up = v;
            const double lossUp = meanLoss(net, input, labels, ctx);
            v = original - h;
            const float down = v;
            const double lossDown = meanLoss(net, input, labels, ctx);
            v = original;
            width = double(up) - double(down);
            return std::pair{lossUp, lossDown};
        };
        // The central difference at h/2, or nothing when a kink lies within h.
        auto smoothDerivative = [&](std::size_t i) -> std::optional<double> {
            const float h = step * std::max(1.0f, std::abs(param.value[i]));
            double width = 0.0, halfWidth = 0.0;
            const auto [up, down] = lossesAround(i, h, width);
            const auto [halfUp, halfDown] = lossesAround(i, 0.5f * h, halfWidth);
            const double forward = 2.0 * (up - loss) / width;
            const double backward = 2.0 * (loss - down) / width;
            const double coarse = (up - down) / width, fine = (halfUp - halfDown) / halfWidth;
            if (kinks && (!gradcheck::agrees(forward, backward, scale, tol) ||
                          !gradcheck::agrees(coarse, fine, scale, tol)))
                return std::nullopt;
            return fine;
        };
        std::vector<double> analytic(param.value.size(), 0.0), numeric(param.value.size(), 0.0);
        // Takes up to `want` smooth entries from `candidates`, trying at most 4 * want + 4.
        auto take = [&](const std::vector<std::size_t>& candidates, int want) {
            int taken = 0;
            const std::size_t tries = std::min(candidates.size(), std::size_t(4 * want + 4));
            for (std::size_t k = 0; k < tries && taken < want; ++k) {
                const std::size_t i = candidates[k];
                const std::optional<double> derivative = smoothDerivative(i);
                if (!derivative) {
                    ++skipped;
                    continue;
                }
                analytic[i] = g[i];
                numeric[i] = *derivative;
                ++taken;
                ++checked;
            }
            return taken;
        };
        EXPECT_EQ(take(byMagnitude, 1), 1) << param.name << ": every large entry is at a kink";
        take(shuffled, randomEntries);
        EXPECT_TRUE(gradcheck::compareArrays(
            presetName + " " + std::to_string(p) + ":" + param.name, analytic, numeric, tol));
        ++checkedArrays;
    }
    EXPECT_GT(checkedArrays, 6);
    EXPECT_LT(skipped, checked) << "too many entries next to a kink";
}

TEST(NetworkGradients, Lenet1998TrainBatchMatchesCentralDifferences) {
    for (std::uint32_t seed : {1, 2}) {
        SCOPED_TRACE(seed);
        checkNetworkGradients("lenet5-1998", 1e-2f, 6, seed, false);
    }
}

TEST(NetworkGradients, LenetModernTrainBatchMatchesCentralDifferences) {
    for (std::uint32_t seed : {1, 2, 3}) {
        SCOPED_TRACE(seed);
        checkNetworkGradients("lenet5-modern", 1e-3f, 6, seed, true);
    }
}

// ----------------------------------------------------------------------------------------------
// SDLM's Gauss-Newton pass.

TEST(Curvature, FullyConnectedMatchesHandComputation) {
    FullyConnected fc("fc", {3, 1, 1}, 2);
    fc.params()[0].value = {1.0f, -2.0f, 3.0f, 0.5f, -1.0f, 2.0f};
    fc.params()[1].value = {0.25f, -0.75f};
    Tensor x(2, {3, 1, 1}), y(2, {2, 1, 1}), d2y(2, {2, 1, 1}), d2x(2, {3, 1, 1});
    const float xv[] = {1.0f, 2.0f, -1.0f, 0.5f, -3.0f, 2.0f};
    const float d2yv[] = {0.5f, 2.0f, 1.0f, 3.0f};
    std::copy(std::begin(xv), std::end(xv), x.data());
    std::copy(std::begin(d2yv), std::end(d2yv), d2y.data());
    std::vector<float> hw(6, -1.0f), hb(2, -1.0f);
    std::vector<float*> h = {hw.data(), hb.data()};
    fc.forward(x, y, {0, 2}, kTraining);
    fc.curvature(x, y, d2y, &d2x, {0, 2}, h);
    // h_w[o][i] = sum_n d2y[n][o] x[n][i]^2, h_b[o] = sum_n d2y[n][o],
    // d2x[n][i] = sum_o w[o][i]^2 d2y[n][o].
    const std::vector<float> expectedHw = {0.5f * 1 + 1 * 0.25f, 0.5f * 4 + 1 * 9, 0.5f * 1 + 1 * 4,
                                           2 * 1 + 3 * 0.25f,    2 * 4 + 3 * 9,    2 * 1 + 3 * 4};
    const std::vector<float> expectedHb = {1.5f, 5.0f};
    const std::vector<float> expectedD2x = {1 * 0.5f + 0.25f * 2, 4 * 0.5f + 1 * 2,
                                            9 * 0.5f + 4 * 2,     1 * 1 + 0.25f * 3,
                                            4 * 1 + 1 * 3,        9 * 1 + 4 * 3};
    EXPECT_EQ(hw, expectedHw);
    EXPECT_EQ(hb, expectedHb);
    EXPECT_EQ(std::vector<float>(d2x.values().begin(), d2x.values().end()), expectedD2x);
}

struct ConvCurvature {
    std::vector<float> hw, hb, d2x;
};

/// The Gauss-Newton pass of a convolution written out connection by connection:
/// h_w += d2y * x^2, h_b += d2y, d2x += w^2 * d2y for every (output, kernel tap) pair.
ConvCurvature referenceCurvature(const Conv& conv, const Tensor& x, const Tensor& d2y) {
    const Shape in = conv.inputShape(), out = conv.outputShape();
    const int k = conv.kernel();
    const std::vector<float>& w = conv.params()[0].value;
    ConvCurvature ref{std::vector<float>(w.size()), std::vector<float>(out.c),
                      std::vector<float>(x.size())};
    for (int n = 0; n < x.n(); ++n) {
        for (int m = 0; m < out.c; ++m) {
            for (int o = 0; o < out.h * out.w; ++o) {
                const int oy = o / out.w, ox = o % out.w;
                const float g = d2y.sample(n)[m * out.h * out.w + o];
                ref.hb[m] += g;
                for (int tap = 0; tap < in.c * k * k; ++tap) {
                    const int c = tap / (k * k), ki = tap / k % k, kj = tap % k;
                    const int iy = oy * conv.stride() - conv.padding() + ki;
                    const int ix = ox * conv.stride() - conv.padding() + kj;
                    if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;
                    const std::size_t wi = std::size_t(m) * in.c * k * k + tap;
                    const std::size_t xi = std::size_t(n) * in.size() + (c * in.h + iy) * in.w + ix;
                    ref.hw[wi] += g * x[xi] * x[xi];
                    ref.d2x[xi] += w[wi] * w[wi] * g;
                }
            }
        }
    }
    return ref;
}

TEST(Curvature, ConvMatchesHandComputation) {
    const ConvCase cases[] = {
        {{2, 4, 4}, 2, 3, 1, 0}, {{1, 5, 5}, 2, 3, 2, 1}, {{4, 4, 5}, 9, 3, 1, 1}};
    for (const ConvCase& c : cases) {
        SCOPED_TRACE(testing::Message() << c.in.str() << " s" << c.stride << " p" << c.padding);
        Conv conv("conv", c.in, c.maps, c.kernel, c.stride, c.padding);
        // Small integers and quarters: every sum is exact in float, in any order.
        std::mt19937 rng(4);
        std::uniform_int_distribution<int> small(-3, 3);
        for (float& v : conv.params()[0].value) v = float(small(rng)) * 0.5f;
        Tensor x(2, c.in), y(2, conv.outputShape()), d2y(2, conv.outputShape()), d2x(2, c.in);
        for (float& v : x.values()) v = float(small(rng));
        for (float& v : d2y.values()) v = float(small(rng) + 3) * 0.25f;
        std::vector<float> hw(conv.params()[0].value.size()), hb(c.maps);
        std::vector<float*> h = {hw.data(), hb.data()};
        conv.forward(x, y, {0, 2}, kTraining);
        conv.curvature(x, y, d2y, &d2x, {0, 2}, h);

        const ConvCurvature ref = referenceCurvature(conv, x, d2y);
        EXPECT_EQ(hw, ref.hw);
        EXPECT_EQ(hb, ref.hb);
        EXPECT_EQ(std::vector<float>(d2x.values().begin(), d2x.values().end()), ref.d2x);
    }
}

}  // namespace
