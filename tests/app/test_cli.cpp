// End-to-end tests of the `lenet` command line: what a script sees (exit status, stdout JSON,
// one error message) for good runs and for bad input. Trains on a small synthetic IDX set.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "lenet/model_io.h"
#include "support/test_support.h"

namespace {

using lenet::test::TempDir;

struct CliRun {
    int status = 0;
    std::string output;  // stdout and stderr
};

CliRun lenet(const std::string& args) {
    const std::string command = std::string(LENET_CLI) + " " + args + " 2>&1";
    CliRun run;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return {-1, "popen failed"};
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, pipe)) run.output += buffer;
    const int raw = ::pclose(pipe);
    run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return run;
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

private:
    TempDir m_dir{"cli"};
};

TEST_F(Cli, PresetsListsEveryPresetWithItsParameterCount) {
    const CliRun run = lenet("presets");
    EXPECT_EQ(run.status, 0);
    EXPECT_NE(run.output.find("lenet5-1998 "), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("60000 params"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("lenet5-modern"), std::string::npos) << run.output;
}

TEST_F(Cli, TrainJsonPrintsEpochsAndASummaryAndSavesAModelThatEvalAndInspectRead) {
    const std::string model = file("m.lenet");
    const CliRun run = lenet("train --preset lenet5-modern --epochs 2 --batch 16 --json --out " +
                             model + " --log " + file("run.csv") + data());
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
        {"train --preset nope" + data(), 1, "unknown preset 'nope'"},
        {"train --preset lenet5-modern --lr abc" + data(), 2, "--lr: 'abc' is not a valid number"},
        {"train --preset lenet5-modern --bogus 1" + data(), 2, "unknown option --bogus"},
        {"train --preset lenet5-modern --data " + file("nowhere"), 1, "setup.sh"},
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

}  // namespace
