// Layer statistics (issue 20): hand-computed moments, saturation, dead units, histograms and
// quantiles; the recorder leaves training bit-identical and does not depend on the thread count;
// the CSV; and the claim on MNIST that the sigmoid starves C1 of gradient where ReLU does not.
#include "lenet/layer_stats.h"

#include "lenet/data/idx.h"
#include "lenet/error.h"
#include "lenet/network.h"
#include "lenet/presets.h"
#include "lenet/trainer.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using lenet::ActivationFn;
using lenet::LayerSample;
using lenet::LayerStatsRecorder;
using lenet::Network;
using lenet::Tensor;

namespace {

/// A (n, 1, 1, values/n) tensor holding `values`.
Tensor tensorOf(int n, const std::vector<float>& values) {
    Tensor t(n, {1, 1, int(values.size()) / n});
    for (std::size_t i = 0; i < values.size(); ++i) t[i] = values[i];
    return t;
}

TEST(LayerStats, MeanAndSpreadOfAnOutput) {
    const LayerSample s = lenet::outputStats(tensorOf(2, {1, 2, 3, 6}), std::nullopt);
    EXPECT_DOUBLE_EQ(s.actMean, 3.0);
    EXPECT_DOUBLE_EQ(s.actStd, std::sqrt((4.0 + 1.0 + 0.0 + 9.0) / 4.0));
    EXPECT_TRUE(std::isnan(s.saturated));
    EXPECT_TRUE(std::isnan(s.dead));
    EXPECT_TRUE(std::isnan(s.gradNorm));
}

TEST(LayerStats, SaturationIsTheShareNearABound) {
    // sigmoid: within 0.05 of 0 or 1
    const LayerSample sig =
        lenet::outputStats(tensorOf(1, {0.01f, 0.5f, 0.96f, 0.9f}), ActivationFn::Sigmoid);
    EXPECT_DOUBLE_EQ(sig.saturated, 0.5);
    // scaled tanh: within 5% of the range 2 * 1.7159 of +-1.7159
    const LayerSample tanh =
        lenet::outputStats(tensorOf(1, {-1.6f, 0.0f, 1.0f, 1.7f}), ActivationFn::ScaledTanh);
    EXPECT_DOUBLE_EQ(tanh.saturated, 0.5);
    EXPECT_TRUE(std::isnan(tanh.dead));
}

TEST(LayerStats, DeadUnitsAreZeroForTheWholeBatch) {
    // 3 samples of 4 units: unit 0 fires in sample 2 only, units 1 and 3 never, unit 2 always
    const LayerSample s = lenet::outputStats(tensorOf(3, {0, 0, 1, 0,  //
                                                          0, 0, 2, 0,  //
                                                          5, 0, 3, 0}),
                                             ActivationFn::Relu);
    EXPECT_DOUBLE_EQ(s.dead, 0.5);
    EXPECT_TRUE(std::isnan(s.saturated));
}

TEST(LayerStats, HistogramSharesWithValuesOutsideInTheEndBins) {
    const std::vector<float> v = {-5.0f, -0.99f, 0.0f, 0.01f, 0.99f, 7.0f};
    const lenet::Histogram h = lenet::histogram(v, -1.0f, 1.0f);
    ASSERT_EQ(int(h.counts.size()), lenet::kHistogramBins);
    EXPECT_DOUBLE_EQ(h.counts.front(), 2.0 / 6.0);
    EXPECT_DOUBLE_EQ(h.counts.back(), 2.0 / 6.0);
    EXPECT_DOUBLE_EQ(h.counts[lenet::kHistogramBins / 2], 2.0 / 6.0);
}

TEST(LayerStats, QuantilesByNearestRank) {
    const std::vector<float> v = {5, 1, 4, 2, 3, 6, 8, 7, 10, 9};
    EXPECT_DOUBLE_EQ(lenet::quantile(v, 0.1), 1.0);
    EXPECT_DOUBLE_EQ(lenet::quantile(v, 0.5), 5.0);
    EXPECT_DOUBLE_EQ(lenet::quantile(v, 0.9), 9.0);
    EXPECT_TRUE(std::isnan(lenet::quantile({}, 0.5)));
}

/// Trains `preset` on `data` for `epochs` with `threads`, recording statistics when `stats`.
struct SmallRun {
    SmallRun(const std::string& preset, const lenet::Dataset& data, int threads, bool stats,
             int epochs = 2)
        : net(lenet::preset(preset)), recorder(net, 3, 0) {
        net.initialize(1);
        lenet::TrainingConfig cfg = net.spec().training;
        cfg.epochs = epochs;
        cfg.batch = 16;
        cfg.threads = threads;
        lenet::Trainer trainer(net, data, nullptr, cfg);
        if (stats) trainer.layerStats = &recorder;
        lenet::TrainingObserver observer;
        trainer.run(observer);
    }
    std::vector<std::vector<float>> weights() const {
        std::vector<std::vector<float>> w;
        for (const lenet::Param* p : net.params()) w.push_back(p->value);
        return w;
    }
    Network net;
    LayerStatsRecorder recorder;
};

TEST(LayerStats, RecordingLeavesTrainingBitIdentical) {
    const lenet::Dataset data = lenet::test::syntheticDigits(96, 3);
    for (const char* preset : {"lenet5-modern", "lenet5-1998"}) {
        const SmallRun off(preset, data, 2, false);
        const SmallRun on(preset, data, 2, true);
        EXPECT_EQ(off.weights(), on.weights()) << preset;
        EXPECT_TRUE(off.recorder.history().epochs.empty());
        EXPECT_EQ(on.recorder.history().epochs.size(), 2u);
    }
}

TEST(LayerStats, SameStatisticsForOneAndTwoThreads) {
    const lenet::Dataset data = lenet::test::syntheticDigits(96, 4);
    const SmallRun one("lenet5-1998", data, 1, true);
    const SmallRun two("lenet5-1998", data, 2, true);
    EXPECT_EQ(lenet::layerStatsCsv(one.recorder.history()),
              lenet::layerStatsCsv(two.recorder.history()));
    // lenet5-1998 trains with SDLM: every layer with weights has step sizes
    const auto& c1 = one.recorder.history().epochs.front().layers.front();
    EXPECT_GT(c1.stepP10, 0.0);
    EXPECT_LE(c1.stepP10, c1.stepP50);
    EXPECT_LE(c1.stepP50, c1.stepP90);
}

TEST(LayerStats, CsvHasAHeaderAndOneRowPerLayerAndEpoch) {
    const lenet::Dataset data = lenet::test::syntheticDigits(64, 5);
    const SmallRun run("lenet5-maxpool", data, 2, true);
    const lenet::LayerStatsHistory& h = run.recorder.history();
    // 64 images in batches of 16 sampled every 3rd: steps 1, 4, 7 of the 8
    ASSERT_EQ(h.points.size(), 3u);
    EXPECT_EQ(h.points[1].step, 4);
    std::istringstream csv(lenet::layerStatsCsv(h));
    std::string line;
    std::getline(csv, line);
    EXPECT_EQ(line,
              "epoch,layer,name,kind,grad_norm,update_ratio,act_mean,act_std,saturated,dead,"
              "sdlm_step_p10,sdlm_step_p50,sdlm_step_p90");
    std::vector<std::string> rows;
    while (std::getline(csv, line)) rows.push_back(line);
    ASSERT_EQ(int(rows.size()), 2 * run.net.layerCount());
    EXPECT_EQ(rows.front().rfind("1,1,C1,conv,", 0), 0u) << rows.front();
    EXPECT_EQ(rows.back().rfind("2,11,OUTPUT,fc,", 0), 0u) << rows.back();
    // Adam: no step sizes; an activation has no gradient norm, but a dead share
    EXPECT_TRUE(rows.front().ends_with(",,,")) << rows.front();
    const LayerSample& relu = h.epochs.back().layers[1];
    EXPECT_TRUE(std::isnan(relu.gradNorm));
    EXPECT_GE(relu.dead, 0.0);
    const auto& hist = h.epochs.back().weights.front();
    EXPECT_LT(hist.lo, 0.0f);
    EXPECT_EQ(int(hist.counts.size()), lenet::kHistogramBins);
}

TEST(LayerStats, SmallBatchesAreSampledAtMostOncePerGivenImages) {
    const Network net(lenet::preset("lenet5-maxpool"));
    const LayerStatsRecorder recorder(net, 10, 640);
    EXPECT_TRUE(recorder.samples(20, 64));
    EXPECT_FALSE(recorder.samples(15, 64));
    EXPECT_TRUE(recorder.samples(640, 1));
    EXPECT_FALSE(recorder.samples(10, 1));
}

TEST(LayerStats, DisabledRecorderRecordsNothing) {
    const lenet::Dataset data = lenet::test::syntheticDigits(32, 6);
    Network net(lenet::preset("lenet5-maxpool"));
    net.initialize(1);
    LayerStatsRecorder recorder(net);
    recorder.setEnabled(false);
    lenet::TrainingConfig cfg = net.spec().training;
    cfg.epochs = 1;
    lenet::Trainer trainer(net, data, nullptr, cfg);
    trainer.layerStats = &recorder;
    lenet::TrainingObserver observer;
    trainer.run(observer);
    EXPECT_TRUE(recorder.history().points.empty());
    EXPECT_TRUE(recorder.history().epochs.empty());
}

TEST(LayerStats, InspectingAModelMeasuresWithoutTraining) {
    const lenet::Dataset data = lenet::test::syntheticDigits(40, 7);
    Network net(lenet::preset("lenet5-maxpool"));
    net.initialize(1);
    const auto before = net.params().front()->value;
    const lenet::LayerStatsHistory h = lenet::inspectModel(net, &data, 30);
    EXPECT_EQ(net.params().front()->value, before);
    ASSERT_EQ(h.points.size(), 1u);
    ASSERT_EQ(h.epochs.size(), 1u);
    const LayerSample& c1 = h.epochs.front().layers.front();
    EXPECT_GT(c1.gradNorm, 0.0);
    EXPECT_TRUE(std::isnan(c1.updateRatio));
    EXPECT_FALSE(h.epochs.front().gradients.front().counts.empty());
    const lenet::LayerStatsHistory weightsOnly = lenet::inspectModel(net, nullptr, 30);
    EXPECT_TRUE(weightsOnly.points.empty());
    EXPECT_EQ(int(weightsOnly.epochs.front().weights.front().counts.size()), lenet::kHistogramBins);
    EXPECT_TRUE(std::isnan(weightsOnly.epochs.front().layers.front().gradNorm));
}

/// The claim of issue 20 on MNIST (skipped without it): one short epoch on 3000 images.
class GradientFlow : public testing::Test {
protected:
    static void SetUpTestSuite() {
        try {
            s_train = std::make_unique<lenet::Dataset>(
                lenet::loadSplit(lenet::defaultDataDir(), lenet::Split::Train));
        } catch (const lenet::Error& e) {
            s_missing = e.what();
        }
    }
    static void TearDownTestSuite() { s_train.reset(); }
    void SetUp() override {
        if (!s_train) GTEST_SKIP() << "MNIST not found (" << s_missing << ")";
    }

    /// The epoch row of one epoch of `preset` with its defaults on the first 3000 images.
    static std::vector<LayerSample> oneEpoch(const std::string& preset) {
        Network net(lenet::preset(preset));
        net.initialize(net.spec().training.seed);
        lenet::TrainingConfig cfg = net.spec().training;
        cfg.epochs = 1;
        cfg.trainLimit = 3000;
        lenet::Trainer trainer(net, *s_train, nullptr, cfg);
        LayerStatsRecorder recorder(net);
        trainer.layerStats = &recorder;
        lenet::TrainingObserver observer;
        trainer.run(observer);
        return recorder.history().epochs.at(0).layers;
    }

    static inline std::unique_ptr<lenet::Dataset> s_train;
    static inline std::string s_missing;
};

// C1's gradient norm over the output layer's.
double c1OverOutput(const std::vector<LayerSample>& layers) {
    return layers.front().gradNorm / layers.back().gradNorm;
}

TEST_F(GradientFlow, SigmoidStarvesC1OfGradientWhereReluDoesNot) {
    const double sigmoid = c1OverOutput(oneEpoch("lenet5-sigmoid"));
    const double relu = c1OverOutput(oneEpoch("lenet5-maxpool"));
    std::cout << "[ measured ] C1/OUTPUT gradient norm: lenet5-sigmoid " << sigmoid
              << ", lenet5-maxpool " << relu << ", factor " << relu / sigmoid << "\n";
    EXPECT_GT(relu / sigmoid, 10.0);
}

TEST_F(GradientFlow, LogReluLeavesNoLayerAllDead) {
    const std::vector<LayerSample> layers = oneEpoch("deep-lenet5");
    int measured = 0;
    for (const LayerSample& s : layers) {
        if (std::isnan(s.dead)) continue;
        ++measured;
        std::cout << "[ measured ] deep-lenet5 dead share " << s.dead << "\n";
        EXPECT_LT(s.dead, 1.0);
    }
    EXPECT_EQ(measured, 3);
}

}  // namespace
