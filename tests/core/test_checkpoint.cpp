// Checkpoints and resume: a run stopped after an epoch and resumed from its checkpoint ends with
// the same weights (bit for bit), history and training state as a run that was never stopped,
// for SDLM at batch 1 with distortions, Adam with batch norm, dropout and a learning-rate
// override, momentum with weight decay, and early stopping; and every kind of bad checkpoint or
// mismatched resume is refused with a message that says what is wrong.
#include "lenet/checkpoint.h"
#include "lenet/error.h"
#include "lenet/file_io.h"
#include "lenet/model_io.h"
#include "lenet/network.h"
#include "lenet/presets.h"
#include "lenet/trainer.h"
#include "lenet/variant.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

using lenet::ArchitectureSpec;
using lenet::Checkpoint;
using lenet::ConfigError;
using lenet::Dataset;
using lenet::FormatError;
using lenet::Network;
using lenet::ParamArrays;
using lenet::TrainingConfig;
using lenet::test::expectError;
using lenet::test::syntheticDigits;
using lenet::test::TempDir;

namespace {

/// Requests a stop when epoch `last` has been reported: the run ends before the next batch.
class StopAfterEpoch : public lenet::TrainingObserver {
public:
    explicit StopAfterEpoch(int last) : m_last(last) {}
    void onEpoch(const lenet::EpochMetrics& m, const Network&) override {
        if (m.epoch == m_last) source.request_stop();
    }
    std::stop_source source;

private:
    int m_last;
};

struct Case {
    std::string name;
    ArchitectureSpec spec;
    TrainingConfig config;
    std::optional<float> rateOverride;  // set through a TrainingControl before the first batch
    int stopAfter = 1;                  // the epoch after which the interrupted run stops
    int resumeThreads = 0;              // the resumed part may use another thread count
};

/// Everything a run ends with.
struct Outcome {
    Network net;
    lenet::TrainResult result;
};

class Resume : public testing::Test {
protected:
    Resume() : m_train(syntheticDigits(600, 11)), m_test(syntheticDigits(200, 12)) {}

    /// Trains `c` from its seed; with `stopAfter` > 0 stops after that epoch. Writes a
    /// checkpoint to `checkpointPath` after every epoch.
    Outcome train(const Case& c, const std::string& checkpointPath, int stopAfter) const {
        Network net(c.spec);
        net.initialize(c.config.seed);
        lenet::Trainer trainer(net, m_train, &m_test, c.config);
        trainer.saveState =
            lenet::checkpointWriter(checkpointPath, net, c.config, m_train, &m_test);
        lenet::TrainingControl control;
        if (c.rateOverride) control.setLearningRate(*c.rateOverride);
        StopAfterEpoch observer(stopAfter);
        lenet::TrainResult result =
            trainer.run(observer, observer.source.get_token(), c.rateOverride ? &control : nullptr);
        return {std::move(net), std::move(result)};
    }

    /// Continues the run whose checkpoint is `path`.
    Outcome resume(const std::string& path, int threads) const {
        Checkpoint cp = lenet::loadCheckpoint(path);
        TrainingConfig config = cp.config;
        config.threads = threads;
        Network net = cp.network;
        lenet::Trainer trainer(net, m_train, &m_test, config);
        trainer.saveState = lenet::checkpointWriter(path, net, config, m_train, &m_test);
        trainer.resume(cp);
        lenet::TrainingObserver observer;
        lenet::TrainResult result = trainer.run(observer);
        return {std::move(net), std::move(result)};
    }

    /// The interrupted-and-resumed run of `c` ends exactly as the uninterrupted one.
    void expectBitIdenticalResume(const Case& c) {
        SCOPED_TRACE(c.name);
        const Outcome straight = train(c, m_dir.file("straight.ckpt"), 0);
        const Outcome first = train(c, m_dir.file("resumed.ckpt"), c.stopAfter);
        ASSERT_EQ(first.result.stopReason, "stopped");
        ASSERT_EQ(int(first.result.history.size()), c.stopAfter);
        EXPECT_EQ(lenet::loadCheckpoint(m_dir.file("resumed.ckpt")).state.epochsDone, c.stopAfter);
        const Outcome resumed = resume(m_dir.file("resumed.ckpt"), c.resumeThreads);

        expectSameArrays(weights(resumed.net), weights(straight.net), "weights");
        EXPECT_EQ(resumed.result.stopReason, straight.result.stopReason);
        ASSERT_EQ(resumed.result.history.size(), straight.result.history.size());
        for (std::size_t e = 0; e < straight.result.history.size(); ++e) {
            lenet::EpochMetrics a = resumed.result.history[e], b = straight.result.history[e];
            a.seconds = b.seconds = 0.0;  // timing differs from run to run
            a.imagesPerSecond = b.imagesPerSecond = 0.0;
            EXPECT_TRUE(a == b) << "epoch " << e + 1 << ": loss " << a.loss << " vs " << b.loss;
        }
        // The final checkpoints hold the same state too.
        const Checkpoint x = lenet::loadCheckpoint(m_dir.file("resumed.ckpt"));
        const Checkpoint y = lenet::loadCheckpoint(m_dir.file("straight.ckpt"));
        EXPECT_EQ(x.state.epochsDone, y.state.epochsDone);
        EXPECT_EQ(x.state.step, y.state.step);
        EXPECT_EQ(x.state.firstLoss, y.state.firstLoss);
        EXPECT_EQ(x.state.lrScale, y.state.lrScale);
        EXPECT_EQ(x.state.bestEpoch, y.state.bestEpoch);
        EXPECT_EQ(x.state.bestValidation, y.state.bestValidation);
        EXPECT_EQ(x.state.stopReason, y.state.stopReason);
        EXPECT_EQ(x.state.optimizer.steps, y.state.optimizer.steps);
        expectSameArrays(x.state.optimizer.s1, y.state.optimizer.s1, "optimizer s1");
        expectSameArrays(x.state.optimizer.s2, y.state.optimizer.s2, "optimizer s2");
        expectSameArrays(x.state.bestWeights, y.state.bestWeights, "best weights");
    }

    static ParamArrays weights(const Network& net) {
        ParamArrays w;
        for (const lenet::Param* p : net.params()) w.push_back(p->value);
        return w;
    }

    static void expectSameArrays(const ParamArrays& a, const ParamArrays& b, const char* what) {
        ASSERT_EQ(a.size(), b.size()) << what;
        for (std::size_t i = 0; i < a.size(); ++i) {
            ASSERT_EQ(a[i].size(), b[i].size()) << what << " " << i;
            EXPECT_EQ(std::memcmp(a[i].data(), b[i].data(), a[i].size() * sizeof(float)), 0)
                << what << " " << i << " differ";
        }
    }

    static Case presetCase(const std::string& name) {
        Case c{name, lenet::preset(name), {}, std::nullopt, 1, 0};
        c.config = c.spec.training;
        c.config.epochs = 3;
        return c;
    }

    Dataset m_train;
    Dataset m_test;
    TempDir m_dir{"checkpoint"};
};

TEST_F(Resume, SdlmAtBatchOneWithDistortionsAndAValidationSplit) {
    Case c = presetCase("lenet5-1998-distorted");
    c.config.validation = 0.1f;
    c.config.patience = 3;
    c.config.sdlmSamples = 100;
    expectBitIdenticalResume(c);
}

TEST_F(Resume, AdamWithBatchNormDropoutALearningRateOverrideAndAnotherThreadCount) {
    Case c = presetCase("lenet5-modern");
    lenet::VariantOptions dropout;
    dropout.dropout = 0.25f;
    c.spec = lenet::applyVariant(c.spec, dropout);
    c.config.batch = 32;
    c.rateOverride = 0.001f;
    c.stopAfter = 2;
    c.resumeThreads = 1;
    expectBitIdenticalResume(c);
}

TEST_F(Resume, MomentumWithWeightDecayAndAStepSchedule) {
    Case c = presetCase("lenet5-maxpool");
    c.config.optimizer = "momentum";
    c.config.lr = 0.01f;
    c.config.weightDecay = 1e-3f;
    c.config.l2 = 1e-4f;
    c.config.schedule = "step";
    c.config.stepEpochs = 1;
    c.config.batch = 16;
    expectBitIdenticalResume(c);
}

TEST_F(Resume, EarlyStoppingCountsTheEpochsBeforeTheInterruption) {
    // No weight moves (lr 1e-30): epoch 1 stays the best and epoch 3 stops the run.
    Case c = presetCase("lenet5-1998");
    c.config.optimizer = "sgd";
    c.config.lr = 1e-30f;
    c.config.batch = 10;
    c.config.epochs = 6;
    c.config.validation = 0.2f;
    c.config.patience = 2;
    expectBitIdenticalResume(c);
    const Checkpoint last = lenet::loadCheckpoint(m_dir.file("resumed.ckpt"));
    EXPECT_EQ(last.state.epochsDone, 3);
    EXPECT_EQ(last.state.bestEpoch, 1);
    EXPECT_NE(last.state.stopReason.find("restored the weights of epoch 1"), std::string::npos);
    // An ended run cannot be resumed.
    Network net = last.network;
    lenet::Trainer trainer(net, m_train, &m_test, last.config);
    expectError<ConfigError>([&] { trainer.resume(last); }, {"already ended", "early stopping"});
}

TEST_F(Resume, MoreEpochsContinueAFinishedRunAndTheSameEpochsAreRefused) {
    Case c = presetCase("lenet5-maxpool");
    c.config.epochs = 1;
    c.config.batch = 64;
    train(c, m_dir.file("one.ckpt"), 0);
    const Checkpoint cp = lenet::loadCheckpoint(m_dir.file("one.ckpt"));
    Network net = cp.network;
    lenet::Trainer same(net, m_train, &m_test, cp.config);
    expectError<ConfigError>([&] { same.resume(cp); }, {"all of its 1 epochs", "more epochs"});
    TrainingConfig more = cp.config;
    more.epochs = 2;
    lenet::Trainer longer(net, m_train, &m_test, more);
    longer.resume(cp);
    lenet::TrainingObserver observer;
    const lenet::TrainResult result = longer.run(observer);
    ASSERT_EQ(result.history.size(), 2u);
    EXPECT_EQ(result.history[0], cp.state.history[0]);
    EXPECT_EQ(result.history[1].epoch, 2);
}

TEST_F(Resume, OtherDataOrSettingsOrArchitectureAreRefused) {
    Case c = presetCase("lenet5-maxpool");
    c.config.batch = 64;
    train(c, m_dir.file("run.ckpt"), 1);
    const Checkpoint cp = lenet::loadCheckpoint(m_dir.file("run.ckpt"));
    Network net = cp.network;
    {
        const Dataset smaller = syntheticDigits(500, 11);
        lenet::Trainer trainer(net, smaller, &m_test, cp.config);
        expectError<ConfigError>([&] { trainer.resume(cp); },
                                 {"training set of 600 images", "has 500 images"});
    }
    {
        const Dataset other = syntheticDigits(600, 13);  // same size, other content
        lenet::Trainer trainer(net, m_train, &other, cp.config);
        expectError<ConfigError>([&] { trainer.resume(cp); },
                                 {"test set of 200 images", "checksum"});
    }
    {
        lenet::Trainer trainer(net, m_train, nullptr, cp.config);
        expectError<ConfigError>([&] { trainer.resume(cp); }, {"with a test set"});
    }
    {
        TrainingConfig changed = cp.config;
        changed.lr = 0.5f;
        changed.batch = 8;
        lenet::Trainer trainer(net, m_train, &m_test, changed);
        expectError<ConfigError>([&] { trainer.resume(cp); },
                                 {"keeps the settings", "batch (checkpoint 64, given 8)", "lr ("});
    }
    {
        Network modern(lenet::preset("lenet5-modern"));
        lenet::Trainer trainer(modern, m_train, &m_test, cp.config);
        expectError<ConfigError>([&] { trainer.resume(cp); }, {"architecture 'lenet5-maxpool'"});
    }
}

TEST_F(Resume, ACheckpointOpensAsAModelAndAModelIsNotACheckpoint) {
    Case c = presetCase("lenet5-modern");
    c.config.batch = 64;
    const Outcome run = train(c, m_dir.file("run.ckpt"), 2);
    const lenet::Model model = lenet::loadModel(m_dir.file("run.ckpt"));
    expectSameArrays(weights(model.network), weights(run.net), "weights");
    EXPECT_EQ(model.history, run.result.history);

    lenet::saveModel(m_dir.file("plain.lenet"), run.net, run.result.history);
    expectError<FormatError>([&] { lenet::loadCheckpoint(m_dir.file("plain.lenet")); },
                             {"plain.lenet", "a model file, not a checkpoint"});
}

TEST_F(Resume, DamagedCheckpointsAreRefused) {
    Case c = presetCase("lenet5-modern");
    c.config.batch = 64;
    train(c, m_dir.file("run.ckpt"), 1);
    std::ifstream in(m_dir.file("run.ckpt"), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    const auto write = [&](const std::string& name, const std::string& b) {
        std::ofstream(m_dir.file(name), std::ios::binary) << b;
        return m_dir.file(name);
    };
    const std::string truncated = write("truncated.ckpt", bytes.substr(0, bytes.size() - 1000));
    expectError<FormatError>([&] { lenet::loadCheckpoint(truncated); },
                             {"truncated.ckpt", "corrupt or truncated"});
    std::string flipped = bytes;
    flipped[bytes.size() - 100] ^= 0x10;  // inside the last state array
    const std::string flippedPath = write("flipped.ckpt", flipped);
    expectError<FormatError>([&] { lenet::loadCheckpoint(flippedPath); }, {"checksum mismatch"});
    expectError<lenet::IoError>([&] { lenet::loadCheckpoint(m_dir.file("missing.ckpt")); },
                                {"missing.ckpt", "cannot open"});
}

/// The parts of a checkpoint file that an edit may change before it is written back with a
/// valid checksum: what a damaged or hand-edited checkpoint looks like to the loader.
struct CheckpointParts {
    lenet::Model model;
    nlohmann::json header;
    std::vector<lenet::NamedArray> arrays;
};

CheckpointParts readParts(const std::string& path) {
    nlohmann::json header;
    std::vector<lenet::NamedArray> arrays;
    lenet::Model model = lenet::decodeModelFile(lenet::readFile(path), path, &header, &arrays);
    return {std::move(model), std::move(header), std::move(arrays)};
}

std::string writeParts(const std::string& path, const CheckpointParts& p) {
    lenet::writeFileAtomically(
        path, lenet::encodeModelFile(p.model.network, p.model.history, &p.header, p.arrays));
    return path;
}

/// Drops the arrays whose names start with `prefix`.
void dropArrays(std::vector<lenet::NamedArray>& arrays, const std::string& prefix) {
    std::erase_if(arrays, [&](const lenet::NamedArray& a) { return a.name.starts_with(prefix); });
}

TEST_F(Resume, ACheckpointMustCarryExactlyItsOptimizersBuffersWithPossibleValues) {
    Case c = presetCase("lenet5-modern");  // Adam: first and second moments
    c.config.batch = 64;
    train(c, m_dir.file("run.ckpt"), 1);
    const CheckpointParts good = readParts(m_dir.file("run.ckpt"));
    const auto refused = [&](const std::function<void(CheckpointParts&)>& edit,
                             const std::vector<std::string>& phrases) {
        CheckpointParts p = good;
        edit(p);
        const std::string path = writeParts(m_dir.file("edited.ckpt"), p);
        std::vector<std::string> all = phrases;
        all.push_back("edited.ckpt: ");
        expectError<FormatError>([&] { lenet::loadCheckpoint(path); }, all);
    };
    refused([](CheckpointParts& p) { dropArrays(p.arrays, "optimizer."); },
            {"the optimiser adam keeps 2 buffers per parameter",
             "'optimizer.s1.*' arrays (its first moment) are missing"});
    refused([](CheckpointParts& p) { dropArrays(p.arrays, "optimizer.s2."); },
            {"'optimizer.s2.*' arrays (its second moment) are missing"});
    refused([](CheckpointParts& p) { p.header["config"]["optimizer"] = "momentum"; },
            {"the optimiser momentum keeps 1 buffer per parameter",
             "also has 'optimizer.s2.*' arrays"});
    refused([](CheckpointParts& p) { p.header["config"]["optimizer"] = "sgd"; },
            {"the optimiser sgd keeps 0 buffers per parameter"});
    refused(
        [](CheckpointParts& p) { p.arrays[0].values[4] = std::numeric_limits<float>::quiet_NaN(); },
        {"the optimiser's first moment 'optimizer.s1.C1.weight': element 4 is NaN"});
    refused(
        [](CheckpointParts& p) {
            for (auto& a : p.arrays) {
                if (a.name == "optimizer.s2.F5.weight") a.values[9] = -1.0f;
            }
        },
        {"second moment 'optimizer.s2.F5.weight': element 9 is -1, a second moment (a mean "
         "square) cannot be negative"});
    refused([](CheckpointParts& p) { p.header["lr_scale"] = -0.5; },
            {"checkpoint.lr_scale is -0.5, the learning-rate scale must be positive"});
    refused([](CheckpointParts& p) { p.header["lr_scale"] = 0; },
            {"checkpoint.lr_scale is 0, the learning-rate scale must be positive"});
    refused(
        [](CheckpointParts& p) {
            p.header["step"] = -3;
            p.header["optimizer_steps"] = -3;
        },
        {"checkpoint.step is -3, it cannot be negative"});
    refused([](CheckpointParts& p) { p.header["optimizer_steps"] = 5; },
            {"checkpoint.optimizer_steps is 5 but step is 10"});
    refused([](CheckpointParts& p) { p.header["best_epoch"] = 1; },
            {"checkpoint.best_epoch is 1, expected 0 (no early stopping)"});
    refused([](CheckpointParts& p) { p.header.erase("config"); },
            {"the training state is malformed: checkpoint.config: missing"});
    refused([](CheckpointParts& p) { p.header.erase("train_data"); },
            {"checkpoint.train_data: missing"});
    refused(
        [](CheckpointParts& p) {
            p.model.network.params()[2]->value[0] = std::numeric_limits<float>::infinity();
        },
        {"layer BN1 (batchnorm) gamma: element 0 is Inf"});
}

TEST_F(Resume, AResumeWhoseFirstBatchDivergesSaysTheCheckpointIsDamaged) {
    Case c = presetCase("lenet5-modern");
    c.config.batch = 64;
    train(c, m_dir.file("run.ckpt"), 1);
    CheckpointParts p = readParts(m_dir.file("run.ckpt"));
    for (lenet::Param* w : p.model.network.params()) {
        if (w->name == "weight") {
            for (float& v : w->value) v *= 1e30f;  // finite, but no batch can train on them
        }
    }
    const std::string path = writeParts(m_dir.file("huge.ckpt"), p);
    const Checkpoint cp = lenet::loadCheckpoint(path);
    Network net = cp.network;
    lenet::Trainer trainer(net, m_train, &m_test, cp.config);
    trainer.resume(cp);
    lenet::TrainingObserver observer;
    expectError<FormatError>([&] { trainer.run(observer); },
                             {"huge.ckpt: the checkpoint is damaged: the first batch after "
                              "resuming it (epoch 2, batch 1) diverged: ",
                              "nothing was written"});
}

TEST_F(Resume, AStepCountThatDoesNotFitTheEpochsIsRefused) {
    Case c = presetCase("lenet5-modern");
    c.config.batch = 64;
    train(c, m_dir.file("run.ckpt"), 1);
    CheckpointParts p = readParts(m_dir.file("run.ckpt"));
    p.header["step"] = 3;
    p.header["optimizer_steps"] = 3;
    const Checkpoint cp = lenet::loadCheckpoint(writeParts(m_dir.file("steps.ckpt"), p));
    Network net = cp.network;
    lenet::Trainer trainer(net, m_train, &m_test, cp.config);
    expectError<ConfigError>([&] { trainer.resume(cp); },
                             {"steps.ckpt: the checkpoint is damaged: it says 3 batches were "
                              "trained, but its 1 epochs of 10 batches make 10"});
}

TEST_F(Resume, NoCheckpointIsWrittenAfterAnEpochThatWasStoppedMidWay) {
    Case c = presetCase("lenet5-modern");
    c.config.batch = 16;
    Network net(c.spec);
    net.initialize(1);
    lenet::Trainer trainer(net, m_train, &m_test, c.config);
    trainer.saveState =
        lenet::checkpointWriter(m_dir.file("mid.ckpt"), net, c.config, m_train, &m_test);
    lenet::TrainingControl control;
    control.pause();
    control.step();  // exactly one batch of epoch 1, then paused
    std::stop_source stop;
    struct StopWhenPaused : lenet::TrainingObserver {
        std::stop_source* stop;
        void onProgress(const lenet::Progress&) override { stop->request_stop(); }
    } observer;
    observer.stop = &stop;
    const lenet::TrainResult result = trainer.run(observer, stop.get_token(), &control);
    EXPECT_EQ(result.stopReason, "stopped");
    EXPECT_FALSE(std::filesystem::exists(m_dir.file("mid.ckpt")));
}

}  // namespace
