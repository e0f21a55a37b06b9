// The presets' accuracy targets on the full MNIST sets (opt-in: ctest -L slow; about an hour on
// 2 cores, most of it deep-lenet5 and the no-pooling variants). Skipped when MNIST is not where lenet::defaultDataDir() looks.
#include <gtest/gtest.h>

#include "lenet/data/idx.h"
#include "lenet/error.h"
#include "lenet/presets.h"
#include "lenet/trainer.h"

namespace {

double finalTestError(const std::string& name) {
    const std::string dir = lenet::defaultDataDir();
    lenet::Dataset train, test;
    try {
        train = lenet::loadSplit(dir, lenet::Split::Train);
        test = lenet::loadSplit(dir, lenet::Split::Test);
    } catch (const lenet::Error&) {
        return -1.0;
    }
    const lenet::ArchitectureSpec spec = lenet::preset(name);
    lenet::Network net(spec);
    net.initialize(spec.training.seed);
    lenet::Trainer trainer(net, train, &test, spec.training);
    lenet::TrainingObserver quiet;
    const lenet::TrainResult result = trainer.run(quiet);
    return result.history.back().testError;
}

struct Target {
    const char* preset;
    double maxError;  // the target; the measured figures are in README.md
};

class PresetAccuracy : public ::testing::TestWithParam<Target> {};

TEST_P(PresetAccuracy, ReachesItsTargetOnTheMnistTestSet) {
    const double error = finalTestError(GetParam().preset);
    if (error < 0) GTEST_SKIP() << "MNIST not found in " << lenet::defaultDataDir();
    RecordProperty("test_error", std::to_string(error));
    EXPECT_LE(error, GetParam().maxError) << GetParam().preset;
}

INSTANTIATE_TEST_SUITE_P(Presets, PresetAccuracy,
                         ::testing::Values(Target{"lenet5-1998", 0.010},
                                           Target{"lenet5-1998-distorted", 0.0075},
                                           Target{"lenet5-modern", 0.008},
                                           Target{"lenet5-elastic", 0.006},
                                           Target{"lenet5-k3", 0.012},
                                           Target{"lenet5-extra-conv", 0.010},
                                           Target{"lenet5-nopool", 0.015},
                                           Target{"lenet5-nopool-fc", 0.015},
                                           Target{"lenet5-maxpool", 0.010},
                                           Target{"deep-lenet5", 0.007},
                                           Target{"lenet1", 0.017}),
                         [](const auto& info) {
                             std::string name = info.param.preset;
                             for (char& ch : name) {
                                 if (ch == '-') ch = '_';
                             }
                             return name;
                         });

// The adaptive sigmoid's target is relative: no worse than the plain sigmoid it replaces.
TEST(AdaptiveSigmoid, ReachesTheSigmoidTargetAndIsNoWorseThanTheSigmoid) {
    const double sigmoid = finalTestError("lenet5-sigmoid");
    if (sigmoid < 0) GTEST_SKIP() << "MNIST not found in " << lenet::defaultDataDir();
    const double adaptive = finalTestError("lenet5-sigmoidx");
    RecordProperty("sigmoid_test_error", std::to_string(sigmoid));
    RecordProperty("sigmoidx_test_error", std::to_string(adaptive));
    EXPECT_LE(sigmoid, 0.015);
    EXPECT_LE(adaptive, sigmoid);
}

}  // namespace
