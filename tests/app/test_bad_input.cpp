// The bad-input table of the README, one test per row: each feeds one broken file or option to
// the real `lenet` binary and checks the exit status and the one message on stderr that the
// table quotes (truncated, mislabelled and corrupt data sets, broken model files and specs,
// images that are not images, names that are no regular file - /dev/zero, a FIFO, a folder, a
// link loop - and files far larger than their header allows, a diverging learning rate). The
// cases that once hung or read for ever are guarded by ctest's time limit, not timed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <nlohmann/json.hpp>

#include "lenet/data/idx_writer.h"
#include "lenet/file_io.h"
#include "lenet/model_io.h"
#include "lenet/network.h"
#include "lenet/presets.h"
#include "support/test_support.h"

namespace {

using lenet::test::TempDir;

/// What a script sees of one `lenet` command.
struct CliRun {
    int status = -1;  // the exit status, -1 when killed by a signal
    std::string out;
    std::string err;
};

/// The bytes of a model file with its trailing CRC-32 recomputed, so that only the change made
/// to `bytes` (and not a checksum mismatch) is what the loader sees.
std::string withChecksum(std::string bytes) {
    bytes.resize(bytes.size() - 4);
    const std::uint32_t crc =
        std::uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), uInt(bytes.size())));
    for (int i = 0; i < 4; ++i) bytes.push_back(char((crc >> (8 * i)) & 0xff));
    return bytes;
}

/// The length of a model file's JSON header (little-endian u32 after the magic and version).
std::size_t headerEnd(const std::string& model) {
    std::uint32_t jsonBytes = 0;
    for (int i = 0; i < 4; ++i) jsonBytes |= std::uint32_t(std::uint8_t(model[12 + i])) << (8 * i);
    return 16 + jsonBytes;
}

/// The bytes of gzip-compressed `raw` (one member, as `gzip` writes it).
std::string gzipped(const std::string& raw) {
    z_stream zs{};
    EXPECT_EQ(deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
              Z_OK);
    std::string out(deflateBound(&zs, uLong(raw.size())), '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
    zs.avail_in = uInt(raw.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = uInt(out.size());
    EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

/// A folder `data/` with a small, valid MNIST-named training and test set (60 synthetic
/// 28x28 digits each), model files written in-process, and a runner for the CLI.
class BadInput : public ::testing::Test {
protected:
    void SetUp() override {
        m_set = lenet::test::syntheticDigits(60, 7);
        std::filesystem::create_directories(dataDir());
        for (const char* split : {"train", "t10k"}) {
            lenet::writeFileAtomically(data(std::string(split) + "-images-idx3-ubyte"),
                                       lenet::idxImageBytes(m_set));
            lenet::writeFileAtomically(data(std::string(split) + "-labels-idx1-ubyte"),
                                       lenet::idxLabelBytes(m_set));
        }
    }

    std::string dataDir() const { return m_dir.file("data"); }
    std::string data(const std::string& name) const { return dataDir() + "/" + name; }
    std::string file(const std::string& name) const { return m_dir.file(name); }
    const lenet::Dataset& digits() const { return m_set; }

    /// Runs `lenet args` with stdout and stderr kept apart.
    CliRun lenet(const std::string& args) const {
        const std::string out = file("stdout.txt"), err = file("stderr.txt");
        const std::string command = std::string(LENET_CLI) + " " + args + " >" + out + " 2>" + err;
        const int raw = std::system(command.c_str());
        CliRun run;
        run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
        run.out = lenet::readFile(out);
        run.err = lenet::readFile(err);
        return run;
    }

    /// `lenet train` of lenet5-modern on data/ for one epoch.
    CliRun train() const {
        return lenet("train --preset lenet5-modern --epochs 1 --data " + dataDir());
    }

    /// Writes freshly initialised weights of `spec` as a model file named `name`; returns its path.
    std::string writeModel(const std::string& name, const lenet::ArchitectureSpec& spec) const {
        lenet::Network net(spec);
        net.initialize(1);
        lenet::saveModel(file(name), net, {});
        return file(name);
    }
    std::string writeModel(const std::string& name, const char* preset) const {
        return writeModel(name, lenet::preset(preset));
    }

    /// A checkpoint of one epoch of lenet5-modern (Adam) on data/, rewritten with a valid
    /// checksum after `edit` changed its weights, JSON header or state arrays; returns its path.
    std::string editedCheckpoint(
        const std::function<void(lenet::Network&, nlohmann::json&,
                                 std::vector<lenet::NamedArray>&)>& edit) const {
        const CliRun run = lenet("train --preset lenet5-modern --epochs 1 --out " +
                                 file("first.lenet") + " --data " + dataDir());
        EXPECT_EQ(run.status, 0) << run.err;
        nlohmann::json header;
        std::vector<lenet::NamedArray> arrays;
        lenet::Model m = lenet::decodeModelFile(lenet::readFile(file("first.lenet.ckpt")),
                                                "first.lenet.ckpt", &header, &arrays);
        edit(m.network, header, arrays);
        lenet::writeFileAtomically(file("edited.ckpt"),
                                   lenet::encodeModelFile(m.network, m.history, &header, arrays));
        return file("edited.ckpt");
    }

    /// editedCheckpoint with only the JSON header changed.
    std::string editedHeader(const std::function<void(nlohmann::json&)>& edit) const {
        return editedCheckpoint(
            [&](lenet::Network&, nlohmann::json& h, std::vector<lenet::NamedArray>&) { edit(h); });
    }

    /// `lenet train --resume CHECKPOINT` for a second epoch, the model to resumed.lenet.
    CliRun resume(const std::string& checkpoint) const {
        return lenet("train --resume " + checkpoint + " --epochs 2 --data " + dataDir() +
                     " --out " + file("resumed.lenet"));
    }

    /// Writes `net` (with `history`) as a model file with a valid checksum, unchecked, as a
    /// damaged or edited file would be; returns its path.
    std::string writeUnchecked(const std::string& name, const lenet::Network& net,
                               const std::vector<lenet::EpochMetrics>& history = {}) const {
        lenet::writeFileAtomically(file(name), lenet::encodeModelFile(net, history));
        return file(name);
    }

    /// Expects exit status `status` and stderr to be one message of `command` with `phrase`.
    static void expectMessage(const CliRun& run, int status, const std::string& command,
                              const std::string& phrase) {
        EXPECT_EQ(run.status, status) << run.err;
        EXPECT_EQ(run.err.rfind("lenet " + command + ": ", 0), 0u) << run.err;
        EXPECT_NE(run.err.find(phrase), std::string::npos)
            << "stderr \"" << run.err << "\" lacks \"" << phrase << "\"";
    }

private:
    TempDir m_dir{"bad_input"};
    lenet::Dataset m_set;
};

// --- data sets -------------------------------------------------------------------------------

TEST_F(BadInput, TruncatedImagesFile) {
    std::string images = lenet::idxImageBytes(digits());
    images.resize(images.size() - 100);
    lenet::writeFileAtomically(data("train-images-idx3-ubyte"), images);
    expectMessage(train(), 1, "train",
                  "train-images-idx3-ubyte: file is 46956 bytes, expected 47056 for 60 images of "
                  "28x28 (truncated)");
}

TEST_F(BadInput, TruncatedLabelsFile) {
    std::string labels = lenet::idxLabelBytes(digits());
    labels.resize(labels.size() - 10);
    lenet::writeFileAtomically(data("train-labels-idx1-ubyte"), labels);
    expectMessage(train(), 1, "train",
                  "train-labels-idx1-ubyte: file is 58 bytes, expected 68 for 60 labels "
                  "(truncated)");
}

TEST_F(BadInput, WrongMagicNumber) {
    // A label file where the images belong (a common mix-up of two downloads).
    lenet::writeFileAtomically(data("train-images-idx3-ubyte"), lenet::idxLabelBytes(digits()));
    expectMessage(train(), 1, "train",
                  "train-images-idx3-ubyte: wrong magic number 0x00000801, expected 0x00000803 "
                  "(an IDX image file); this is a label file");
}

TEST_F(BadInput, TextFileInsteadOfIdx) {
    lenet::writeFileAtomically(data("train-images-idx3-ubyte"),
                               "<html><body>404 Not Found</body></html>\n");
    expectMessage(train(), 1, "train",
                  "train-images-idx3-ubyte: wrong magic number 0x3c68746d, expected 0x00000803 "
                  "(an IDX image file)");
}

TEST_F(BadInput, LabelOutOfRangeForTheNetworkInTrain) {
    lenet::Dataset bad = digits();
    bad.labels[3] = 200;
    lenet::writeFileAtomically(data("train-labels-idx1-ubyte"), lenet::idxLabelBytes(bad));
    expectMessage(train(), 1, "train",
                  "train-labels-idx1-ubyte: label at index 3 is 200, out of range for 10 "
                  "classes (at most 9)");
}

TEST_F(BadInput, LabelOutOfRangeForTheNetworkInEval) {
    lenet::Dataset bad = digits();
    bad.labels[3] = 200;
    lenet::writeFileAtomically(data("t10k-labels-idx1-ubyte"), lenet::idxLabelBytes(bad));
    const std::string model = writeModel("m.lenet", "lenet5-modern");
    expectMessage(lenet("eval --model " + model + " --data " + dataDir()), 1, "eval",
                  "t10k-labels-idx1-ubyte: label at index 3 is 200, out of range for 10 "
                  "classes (at most 9)");
}

TEST_F(BadInput, ClassesTxtWithFewerNamesThanTheLabels) {
    lenet::writeFileAtomically(data("classes.txt"), "zero\none\ntwo\n");
    const std::string model = writeModel("m.lenet", "lenet5-modern");
    expectMessage(lenet("eval --model " + model + " --data " + dataDir()), 1, "eval",
                  "classes.txt: 3 class names, but the labels use 10 classes (one name a line, "
                  "class 0 first)");
}

TEST_F(BadInput, ClassesTxtWithMoreNamesThanTheNetworkHasClasses) {
    std::string names;
    for (int k = 0; k < 12; ++k) names += "class" + std::to_string(k) + "\n";
    lenet::writeFileAtomically(data("classes.txt"), names);
    const std::string model = writeModel("m.lenet", "lenet5-modern");
    expectMessage(lenet("eval --model " + model + " --data " + dataDir()), 1, "eval",
                  "classes.txt names 12 classes but the network has 10 outputs: give one name "
                  "per class");
}

TEST_F(BadInput, ImageLabelCountMismatch) {
    lenet::Dataset fewer = digits();
    fewer.labels.pop_back();
    lenet::writeFileAtomically(data("train-labels-idx1-ubyte"), lenet::idxLabelBytes(fewer));
    const CliRun run = train();
    expectMessage(run, 1, "train", "image/label count mismatch: ");
    EXPECT_NE(run.err.find("train-images-idx3-ubyte holds 60 images but "), std::string::npos);
    EXPECT_NE(run.err.find("train-labels-idx1-ubyte holds 59 labels"), std::string::npos);
}

TEST_F(BadInput, TrailingBytes) {
    lenet::writeFileAtomically(data("train-images-idx3-ubyte"),
                               lenet::idxImageBytes(digits()) + "xyz");
    expectMessage(train(), 1, "train",
                  "train-images-idx3-ubyte: file is 47059 bytes, expected 47056 for 60 images of "
                  "28x28 (3 trailing bytes)");
}

TEST_F(BadInput, GzipWithABadChecksum) {
    std::string gz = gzipped(lenet::idxImageBytes(digits()));
    gz[gz.size() - 8] = char(gz[gz.size() - 8] ^ 0xff);  // the CRC-32 of the gzip trailer
    std::filesystem::remove(data("train-images-idx3-ubyte"));
    lenet::writeFileAtomically(data("train-images-idx3-ubyte.gz"), gz);
    expectMessage(train(), 1, "train",
                  "train-images-idx3-ubyte.gz: corrupt gzip stream: incorrect data check");
}

TEST_F(BadInput, TruncatedGzip) {
    std::string gz = gzipped(lenet::idxImageBytes(digits()));
    gz.resize(gz.size() / 2);  // a half-finished download
    std::filesystem::remove(data("train-images-idx3-ubyte"));
    lenet::writeFileAtomically(data("train-images-idx3-ubyte.gz"), gz);
    expectMessage(train(), 1, "train",
                  "train-images-idx3-ubyte.gz: corrupt gzip stream: the compressed data ends "
                  "early (truncated .gz file)");
}

TEST_F(BadInput, MissingDataFolder) {
    const CliRun run = lenet("train --preset lenet5-modern --data " + file("nowhere"));
    expectMessage(run, 1, "train", "nowhere: no such folder (looking for the training set)");
    EXPECT_NE(run.err.find("fetch MNIST with `lenet data fetch`, or pass --data DIR"),
              std::string::npos)
        << run.err;
}

TEST_F(BadInput, FolderWithoutIdxFiles) {
    std::filesystem::create_directories(file("empty"));
    const CliRun run = lenet("train --preset lenet5-modern --data " + file("empty"));
    expectMessage(run, 1, "train",
                  "empty: no training images found; looked for train-images-idx3-ubyte");
    EXPECT_NE(run.err.find("or pass --data DIR"), std::string::npos) << run.err;
}

// --- model files ----------------------------------------------------------------------------

TEST_F(BadInput, NotAModelFile) {
    lenet::writeFileAtomically(file("notes.lenet"), "my notes about the model\n");
    expectMessage(lenet("eval --model " + file("notes.lenet") + " --data " + dataDir()), 1, "eval",
                  "notes.lenet: not a LeNet Studio model file (the magic 'LENETMDL' is missing)");
}

TEST_F(BadInput, WeightsFromADifferentArchitecture) {
    // The header (architecture) of a 3x3-kernel network, the weights of a 5x5 one.
    const std::string k3 = lenet::readFile(writeModel("k3.lenet", "lenet5-k3"));
    const std::string k5 = lenet::readFile(writeModel("k5.lenet", "lenet5-maxpool"));
    lenet::writeFileAtomically(
        file("mixed.lenet"), withChecksum(k3.substr(0, headerEnd(k3)) + k5.substr(headerEnd(k5))));
    expectMessage(lenet("inspect --model " + file("mixed.lenet")), 1, "inspect",
                  "mixed.lenet: weights 'C1.weight' are 6x1x5x5, the architecture needs 6x1x3x3");
}

TEST_F(BadInput, ModelWithFewerClassesThanTheData) {
    lenet::ArchitectureSpec five = lenet::preset("lenet5-modern");
    five.layers.back().maps = 5;  // the output layer's units: digits 0-4 only
    const std::string model = writeModel("five.lenet", five);
    expectMessage(lenet("eval --model " + model + " --data " + dataDir()), 1, "eval",
                  "has 10 classes but the network's output has 5");
}

TEST_F(BadInput, ModelFromANewerVersion) {
    std::string bytes = lenet::readFile(writeModel("m.lenet", "lenet5-modern"));
    bytes[8] = char(99);  // the u32 version after the magic
    lenet::writeFileAtomically(file("future.lenet"), withChecksum(bytes));
    expectMessage(lenet("inspect --model " + file("future.lenet")), 1, "inspect",
                  "future.lenet: model file version 99 is not supported (this build reads ");
}

TEST_F(BadInput, ModelWithAFlippedByte) {
    std::string bytes = lenet::readFile(writeModel("m.lenet", "lenet5-modern"));
    const std::size_t weight = headerEnd(bytes) + (bytes.size() - headerEnd(bytes)) / 2;
    bytes[weight] = char(bytes[weight] ^ 0x10);
    lenet::writeFileAtomically(file("flipped.lenet"), bytes);
    expectMessage(lenet("eval --model " + file("flipped.lenet") + " --data " + dataDir()), 1,
                  "eval", "flipped.lenet: checksum mismatch: the file is corrupt or truncated");
}

TEST_F(BadInput, TruncatedModel) {
    std::string bytes = lenet::readFile(writeModel("m.lenet", "lenet5-modern"));
    bytes.resize(bytes.size() / 2);
    lenet::writeFileAtomically(file("half.lenet"), bytes);
    expectMessage(lenet("inspect --model " + file("half.lenet")), 1, "inspect",
                  "half.lenet: checksum mismatch: the file is corrupt or truncated");
}

// --- architecture specs ---------------------------------------------------------------------

TEST_F(BadInput, SpecWithImpossibleShapes) {
    // 12x12 -> conv 5 -> 8x8 -> pool -> 4x4 -> pool -> 2x2: no room for a 5x5 kernel.
    lenet::writeFileAtomically(file("tiny.json"), R"({
  "name": "tiny",
  "input": {"channels": 1, "height": 12, "width": 12},
  "layers": [
    {"type": "conv", "name": "C1", "maps": 4, "kernel": 5},
    {"type": "maxpool", "name": "S2", "size": 2},
    {"type": "maxpool", "name": "S3", "size": 2},
    {"type": "conv", "name": "C4", "maps": 8, "kernel": 5},
    {"type": "fc", "name": "F5", "units": 10}
  ]
})");
    expectMessage(lenet("inspect --spec " + file("tiny.json")), 1, "inspect",
                  "kernel 5x5 is larger than its input");
}

TEST_F(BadInput, SpecWithAJsonSyntaxError) {
    lenet::writeFileAtomically(file("comma.json"),
                               R"({"name": "x", "layers": [{"type": "fc", "units": 10},]})");
    const CliRun run = lenet("train --spec " + file("comma.json") + " --data " + dataDir());
    expectMessage(run, 1, "train", "comma.json: not valid JSON: parse error at line 1, column ");
    EXPECT_EQ(run.err.find("json.exception"), std::string::npos) << run.err;
}

TEST_F(BadInput, SpecWithAnUnknownLayerType) {
    lenet::writeFileAtomically(
        file("typo.json"),
        R"({"name": "x", "layers": [{"type": "convolution", "maps": 6, "kernel": 5}]})");
    expectMessage(lenet("inspect --spec " + file("typo.json")), 1, "inspect",
                  "typo.json: layers[0].type: unknown layer type 'convolution'");
}

// --- what a model or checkpoint holds -------------------------------------------------------

/// The parameter "<layer>.<name>" of `net`.
lenet::Param& param(lenet::Network& net, const std::string& layer, const std::string& name) {
    for (int l = 0; l < net.layerCount(); ++l) {
        for (lenet::Param& p : net.layer(l).params()) {
            if (net.layer(l).name() == layer && p.name == name) return p;
        }
    }
    throw std::runtime_error("no parameter " + layer + "." + name);
}

TEST_F(BadInput, ModelWithANaNWeight) {
    lenet::Network net(lenet::preset("lenet5-modern"));
    net.initialize(1);
    param(net, "C3", "weight").value[17] = std::nanf("");
    const std::string model = writeUnchecked("nan.lenet", net);
    lenet::writeFileAtomically(file("seven.pgm"), "P5\n8 8\n255\n" + std::string(64, '\x40'));
    const CliRun run = lenet("predict --model " + model + " " + file("seven.pgm"));
    expectMessage(run, 1, "predict", "nan.lenet: layer C3 (conv) weight: element 17 is NaN");
    EXPECT_EQ(run.out, "");
}

TEST_F(BadInput, ModelWithANegativeBatchNormVariance) {
    lenet::Network net(lenet::preset("lenet5-modern"));
    net.initialize(1);
    param(net, "BN3", "running_var").value[3] = -0.5f;
    expectMessage(
        lenet("eval --model " + writeUnchecked("var.lenet", net) + " --data " + dataDir()), 1,
        "eval",
        "var.lenet: layer BN3 (batchnorm) running_var: element 3 is -0.5, a variance "
        "cannot be negative");
}

TEST_F(BadInput, ModelWithAnImpossibleHistory) {
    lenet::Network net(lenet::preset("lenet5-modern"));
    net.initialize(1);
    std::vector<lenet::EpochMetrics> history(2);
    history[0] = {1, 0.4, 0.1, -1.0, 0.05, 0.2, 12.0, 5000.0, 1e-3};
    history[1] = {2, 0.3, 1.5, -1.0, 0.04, 0.2, 12.0, 5000.0, 1e-3};
    expectMessage(lenet("inspect --model " + writeUnchecked("history.lenet", net, history)), 1,
                  "inspect",
                  "history.lenet: the training history is malformed: history[1].train_error is "
                  "1.5, an error rate is a fraction in [0, 1]");
    history[1] = history[0];  // epoch 1 twice
    expectMessage(lenet("inspect --model " + writeUnchecked("history.lenet", net, history)), 1,
                  "inspect", "history[1].epoch is 1, expected 2 (epochs are numbered in order");
}

TEST_F(BadInput, ANameWithAControlCharacterIsPrintedEscaped) {
    lenet::ArchitectureSpec spec = lenet::preset("lenet5-modern");
    spec.name = "evil\x1b[2J\nname";
    spec.layers[0].name = "C1\x07";
    lenet::Network net(spec);
    net.initialize(1);
    const CliRun run = lenet("inspect --model " + writeUnchecked("esc.lenet", net));
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_NE(run.out.find("evil\\x1b[2J\\nname"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("C1\\x07"), std::string::npos) << run.out;
    EXPECT_EQ(run.out.find('\x1b'), std::string::npos);
    EXPECT_EQ(run.out.find('\x07'), std::string::npos);
    param(net, "C1\x07", "bias").value[0] = INFINITY;
    const CliRun bad = lenet("inspect --model " + writeUnchecked("esc.lenet", net));
    expectMessage(bad, 1, "inspect", "layer C1\\x07 (conv) bias: element 0 is Inf");
    EXPECT_EQ(bad.err.find('\x07'), std::string::npos);
}

TEST_F(BadInput, CheckpointWithoutItsOptimizerBuffers) {
    const std::string checkpoint =
        editedCheckpoint([](lenet::Network&, nlohmann::json&, std::vector<lenet::NamedArray>& a) {
            std::erase_if(a, [](const auto& x) { return x.name.starts_with("optimizer."); });
        });
    expectMessage(resume(checkpoint), 1, "train",
                  "edited.ckpt: the optimiser adam keeps 2 buffers per parameter, but the "
                  "checkpoint's 'optimizer.s1.*' arrays (its first moment) are missing");
    EXPECT_FALSE(std::filesystem::exists(file("resumed.lenet")));
}

TEST_F(BadInput, CheckpointWithAnotherOptimizersBuffers) {
    const std::string checkpoint =
        editedHeader([](nlohmann::json& h) { h["config"]["optimizer"] = "momentum"; });
    expectMessage(resume(checkpoint), 1, "train",
                  "edited.ckpt: the optimiser momentum keeps 1 buffer per parameter, but the "
                  "checkpoint also has 'optimizer.s2.*' arrays");
}

TEST_F(BadInput, CheckpointWithANegativeLearningRateScale) {
    const std::string checkpoint = editedHeader([](nlohmann::json& h) { h["lr_scale"] = -2.0; });
    expectMessage(resume(checkpoint), 1, "train",
                  "edited.ckpt: the training state is malformed: checkpoint.lr_scale is -2, the "
                  "learning-rate scale must be positive");
}

TEST_F(BadInput, CheckpointWithoutItsConfiguration) {
    const CliRun run = resume(editedHeader([](nlohmann::json& h) { h.erase("config"); }));
    expectMessage(run, 1, "train",
                  "edited.ckpt: the training state is malformed: checkpoint.config: missing");
    EXPECT_EQ(run.err.find("json.exception"), std::string::npos) << run.err;
}

TEST_F(BadInput, CheckpointWithNaNWeightsIsRefusedAndNothingIsWritten) {
    const std::string checkpoint =
        editedCheckpoint([](lenet::Network& net, nlohmann::json&, std::vector<lenet::NamedArray>&) {
            for (lenet::Param* p : net.params()) std::fill(p->value.begin(), p->value.end(), NAN);
        });
    expectMessage(resume(checkpoint), 1, "train",
                  "edited.ckpt: layer C1 (conv) weight: element 0 is NaN");
    EXPECT_FALSE(std::filesystem::exists(file("resumed.lenet")));
}

TEST_F(BadInput, ResumeWhoseFirstBatchDivergesSaysTheCheckpointIsDamaged) {
    const std::string checkpoint =
        editedCheckpoint([](lenet::Network& net, nlohmann::json&, std::vector<lenet::NamedArray>&) {
            for (float& v : param(net, "OUTPUT", "weight").value) v *= 1e30f;
        });
    const CliRun run = resume(checkpoint);
    EXPECT_EQ(run.status, 1) << run.err;  // after "resumed from epoch 1 of 2 ..." on stderr
    EXPECT_NE(run.err.find("\nlenet train: " + checkpoint +
                           ": the checkpoint is damaged: the first batch after resuming it "
                           "(epoch 2, batch 1) diverged: the loss exploded to "),
              std::string::npos)
        << run.err;
    EXPECT_EQ(run.err.find("lower learning rate"), std::string::npos) << run.err;
    EXPECT_FALSE(std::filesystem::exists(file("resumed.lenet")));
}

#ifndef __SANITIZE_ADDRESS__  // ASan's operator new ends the process instead of throwing
TEST_F(BadInput, ABatchTooLargeForTheMemorySaysWhatItTriedToAllocate) {
    // 2048x2048 input images: a batch of 2e9 needs 33.6 PB, more than any address space.
    lenet::writeFileAtomically(file("big.json"), R"({
  "name": "big",
  "input": {"channels": 1, "height": 2048, "width": 2048},
  "layers": [{"type": "maxpool", "size": 64}, {"type": "fc", "units": 10}]
})");
    const CliRun run =
        lenet("bench --spec " + file("big.json") + " --batch 2000000000 --batches 1");
    expectMessage(run, 1, "bench",
                  "out of memory while allocating 2000000000 samples of 1x2048x2048 floats: "
                  "33.6 PB (the input images of one batch of 2000000000; try a smaller batch)");
    EXPECT_EQ(run.err.find("bad_alloc"), std::string::npos) << run.err;
}
#endif

// --- images for `lenet predict` ----------------------------------------------------------------

TEST_F(BadInput, PngThatIsNotAPng) {
    const std::string model = writeModel("m.lenet", "lenet5-modern");
    lenet::writeFileAtomically(file("broken.png"), std::string("\x89PNG\r\n\x1a\n", 8) + "junk");
    expectMessage(lenet("predict --model " + model + " " + file("broken.png")), 1, "predict",
                  "broken.png: not a readable PNG: ");
}

TEST_F(BadInput, EmptyImageFile) {
    const std::string model = writeModel("m.lenet", "lenet5-modern");
    lenet::writeFileAtomically(file("empty.png"), "");
    expectMessage(lenet("predict --model " + model + " " + file("empty.png")), 1, "predict",
                  "empty.png: not a PNG or PGM (P2/P5) image");
}

TEST_F(BadInput, BlankImage) {
    // The command line's empty drawing: a white 8x8 PGM.
    const std::string model = writeModel("m.lenet", "lenet5-modern");
    lenet::writeFileAtomically(file("blank.pgm"), "P5\n8 8\n255\n" + std::string(64, '\xff'));
    expectMessage(lenet("predict --model " + model + " " + file("blank.pgm")), 1, "predict",
                  "blank.pgm: the image has no ink (nothing drawn?)");
}

// --- names that are not regular files, and files too large to be what they claim -----------------

TEST_F(BadInput, ModelThatIsDevZero) {
    expectMessage(lenet("inspect --model /dev/zero"), 1, "inspect",
                  "/dev/zero: is a character device, not a file");
}

TEST_F(BadInput, SpecThatIsDevZero) {
    expectMessage(lenet("inspect --spec /dev/zero"), 1, "inspect",
                  "/dev/zero: is a character device, not a file");
}

TEST_F(BadInput, ModelThatIsAFifo) {
    ASSERT_EQ(::mkfifo(file("fifo.lenet").c_str(), 0644), 0);
    expectMessage(lenet("eval --model " + file("fifo.lenet") + " --data " + dataDir()), 1, "eval",
                  "fifo.lenet: is a FIFO, not a file");
}

TEST_F(BadInput, ImageThatIsAFifo) {
    const std::string model = writeModel("m.lenet", "lenet5-modern");
    ASSERT_EQ(::mkfifo(file("fifo.png").c_str(), 0644), 0);
    expectMessage(lenet("predict --model " + model + " " + file("fifo.png")), 1, "predict",
                  "fifo.png: is a FIFO, not a file");
}

TEST_F(BadInput, CheckpointThatIsAFifo) {
    ASSERT_EQ(::mkfifo(file("fifo.ckpt").c_str(), 0644), 0);
    expectMessage(lenet("train --resume " + file("fifo.ckpt")), 1, "train",
                  "fifo.ckpt: is a FIFO, not a file");
}

TEST_F(BadInput, SpecThatIsAFolder) {
    expectMessage(lenet("train --spec " + dataDir() + " --data " + dataDir()), 1, "train",
                  dataDir() + ": is a directory, not a file");
}

TEST_F(BadInput, ImagesFileThatIsAFolder) {
    std::filesystem::remove(data("train-images-idx3-ubyte"));
    std::filesystem::create_directory(data("train-images-idx3-ubyte"));
    expectMessage(train(), 1, "train", "train-images-idx3-ubyte: is a directory, not a file");
}

TEST_F(BadInput, ImagesFileThatIsALinkLoop) {
    std::filesystem::remove(data("train-images-idx3-ubyte"));
    std::filesystem::create_symlink("train-images-idx3-ubyte", data("train-images-idx3-ubyte"));
    expectMessage(train(), 1, "train", "train-images-idx3-ubyte: is a link loop");
}

TEST_F(BadInput, GigabyteOfJunkAsAModel) {
    lenet::writeFileAtomically(file("junk.lenet"), "");
    ASSERT_EQ(::truncate(file("junk.lenet").c_str(), off_t(1) << 30), 0);
    expectMessage(lenet("inspect --model " + file("junk.lenet")), 1, "inspect",
                  "junk.lenet: not a LeNet Studio model file (the magic 'LENETMDL' is missing)");
}

TEST_F(BadInput, GigabyteOfJunkAsAnImagesFile) {
    lenet::writeFileAtomically(data("train-images-idx3-ubyte"), "");
    ASSERT_EQ(::truncate(data("train-images-idx3-ubyte").c_str(), off_t(1) << 30), 0);
    expectMessage(train(), 1, "train",
                  "train-images-idx3-ubyte: wrong magic number 0x00000000, expected 0x00000803");
}

TEST_F(BadInput, GzipBombAsAnImagesFile) {
    // The header of the 60 digits, then 256 MiB of zeros: a 256 KiB file.
    std::filesystem::remove(data("train-images-idx3-ubyte"));
    const std::string bomb = data("train-images-idx3-ubyte.gz");
    gzFile gz = gzopen(bomb.c_str(), "wb9");
    ASSERT_NE(gz, nullptr);
    const std::string images = lenet::idxImageBytes(digits());
    ASSERT_EQ(gzwrite(gz, images.data(), unsigned(images.size())), int(images.size()));
    const std::string zeros(std::size_t(1) << 20, '\0');
    for (int i = 0; i < 256; ++i)
        ASSERT_EQ(gzwrite(gz, zeros.data(), unsigned(zeros.size())), int(zeros.size()));
    ASSERT_EQ(gzclose(gz), Z_OK);
    expectMessage(train(), 1, "train",
                  "train-images-idx3-ubyte.gz: decompressed data is over 112592 bytes, expected "
                  "47056 for 60 images of 28x28 (inflating stopped there)");
}

#ifndef __SANITIZE_ADDRESS__  // ASan's shadow memory needs more address space than the limit
TEST_F(BadInput, DataSetLargerThanTheMemoryItMayUse) {
    // 400,000 blank 28x28 digits (a sparse 314 MB file), read under a 250 MB address space limit.
    lenet::Dataset big;
    big.rows = big.cols = 28;
    big.labels.assign(400000, 0);
    std::string header = lenet::idxImageBytes(digits()).substr(0, 16);
    for (int i = 0; i < 4; ++i) header[4 + i] = char((400000u >> (24 - 8 * i)) & 0xff);
    lenet::writeFileAtomically(data("train-images-idx3-ubyte"), header);
    ASSERT_EQ(::truncate(data("train-images-idx3-ubyte").c_str(), off_t(16 + 400000LL * 784)), 0);
    lenet::writeFileAtomically(data("train-labels-idx1-ubyte"), lenet::idxLabelBytes(big));
    const std::string command = std::string("ulimit -v 250000; ") + LENET_CLI +
                                " train --preset lenet5-modern --epochs 1 --data " + dataDir() +
                                " 2>" + file("oom.txt");
    const int raw = std::system(("bash -c '" + command + "'").c_str());
    EXPECT_TRUE(WIFEXITED(raw) && WEXITSTATUS(raw) == 1) << raw;
    const std::string err = lenet::readFile(file("oom.txt"));
    EXPECT_NE(err.find("lenet train: out of memory while loading the data set " +
                       data("train-images-idx3-ubyte")),
              std::string::npos)
        << err;
    EXPECT_EQ(err.find("bad_alloc"), std::string::npos) << err;
}
#endif

TEST_F(BadInput, ImageFileOver64MiB) {
    const std::string model = writeModel("m.lenet", "lenet5-modern");
    lenet::writeFileAtomically(file("huge.pgm"), "P5\n8 8\n255\n");
    ASSERT_EQ(::truncate(file("huge.pgm").c_str(), off_t(65) << 20), 0);
    expectMessage(lenet("predict --model " + model + " " + file("huge.pgm")), 1, "predict",
                  "huge.pgm: the file is 68157440 bytes (65 MiB), more than the 67108864 bytes "
                  "(64 MiB) an image file may have");
}

// --- training --------------------------------------------------------------------------------

TEST_F(BadInput, DivergingLearningRate) {
    lenet::Dataset more = lenet::test::syntheticDigits(600, 3);
    for (const char* split : {"train", "t10k"}) {
        lenet::writeFileAtomically(data(std::string(split) + "-images-idx3-ubyte"),
                                   lenet::idxImageBytes(more));
        lenet::writeFileAtomically(data(std::string(split) + "-labels-idx1-ubyte"),
                                   lenet::idxLabelBytes(more));
    }
    const std::string model = file("diverged.lenet");
    const CliRun run = lenet("train --preset lenet5-modern --epochs 2 --lr 1e6 --out " + model +
                             " --data " + dataDir());
    EXPECT_EQ(run.status, 3) << run.err;
    for (const char* phrase : {"lenet train: training diverged in epoch 1, batch ",
                               "Try a lower learning rate, e.g. 100000."}) {
        EXPECT_NE(run.err.find(phrase), std::string::npos) << run.err;
    }

    // --out holds the last good weights: they evaluate to a finite loss.
    const CliRun eval = lenet("eval --json --model " + model + " --data " + dataDir());
    ASSERT_EQ(eval.status, 0) << eval.err;
    const nlohmann::json result = nlohmann::json::parse(eval.out);
    ASSERT_TRUE(result["loss"].is_number()) << eval.out;
    EXPECT_TRUE(std::isfinite(result["loss"].get<double>())) << eval.out;
}

}  // namespace
