// The model file: exact round trips, and every kind of damage (truncation, flipped bytes, wrong
// magic or version, weights that do not fit the architecture) refused with a FormatError.
#include "lenet/checkpoint.h"
#include "lenet/error.h"
#include "lenet/file_io.h"
#include "lenet/model_io.h"
#include "lenet/presets.h"
#include "lenet/spec_json.h"
#include "lenet/text.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace fs = std::filesystem;
using lenet::FormatError;
using lenet::Network;
using lenet::test::expectError;
using lenet::test::TempDir;

namespace {

std::string readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void writeBytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    ASSERT_TRUE(out.good()) << path;
}

std::uint32_t get32(const std::string& b, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
        v |= std::uint32_t(static_cast<unsigned char>(b[at + i])) << (8 * i);
    return v;
}

void put32(std::string& b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = char((v >> (8 * i)) & 0xff);
}

/// Replaces the trailing CRC-32 with the one of the bytes before it.
void fixChecksum(std::string& b) {
    const std::size_t body = b.size() - 4;
    put32(b, body, std::uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(b.data()), uInt(body))));
}

// Byte offsets of the header: "LENETMDL", u32 version, u32 json_bytes, json.
constexpr std::size_t kVersionAt = 8;
constexpr std::size_t kJsonSizeAt = 12;
constexpr std::size_t kJsonAt = 16;

/// `file` with its JSON header replaced by `json` (lengths and checksum fixed).
std::string withHeader(const std::string& file, const std::string& json) {
    const std::uint32_t oldSize = get32(file, kJsonSizeAt);
    std::string b = file.substr(0, kJsonAt) + json + file.substr(kJsonAt + oldSize);
    put32(b, kJsonSizeAt, std::uint32_t(json.size()));
    fixChecksum(b);
    return b;
}

std::string headerOf(const std::string& file) {
    return file.substr(kJsonAt, get32(file, kJsonSizeAt));
}

Network trainedLookingNetwork(const std::string& presetName, std::uint64_t seed) {
    Network net(lenet::preset(presetName));
    net.initialize(seed);
    // Running statistics and biases away from their initial constants, and a -0; the weights
    // a connection table leaves out stay 0.
    for (lenet::Param* p : net.params()) {
        for (std::size_t i = 0; i < p->value.size(); ++i) {
            if (p->mask.empty() || p->mask[i] != 0.0f) p->value[i] += 1e-3f * float(i % 7) - 0.002f;
        }
    }
    net.params().front()->value[0] = -0.0f;
    return net;
}

std::vector<lenet::EpochMetrics> someHistory() {
    std::vector<lenet::EpochMetrics> h(2);
    h[0] = {1, 0.4123456789, 0.0912, -1.0, 0.0311, 0.1, 12.5, 4800.25, 5e-4};
    h[1] = {2, 0.1, 1.0 / 3.0, 0.05, 0.0211, 0.0712, 11.0, 5454.5, 2e-4};
    return h;
}

void expectSameWeights(const Network& a, const Network& b) {
    const auto pa = a.params(), pb = b.params();
    ASSERT_EQ(pa.size(), pb.size());
    for (std::size_t i = 0; i < pa.size(); ++i) {
        EXPECT_EQ(pa[i]->name, pb[i]->name);
        EXPECT_EQ(pa[i]->dims, pb[i]->dims);
        ASSERT_EQ(pa[i]->value.size(), pb[i]->value.size());
        EXPECT_EQ(std::memcmp(pa[i]->value.data(), pb[i]->value.data(),
                              pa[i]->value.size() * sizeof(float)),
                  0)
            << "param " << i << " " << pa[i]->name;
    }
}

TEST(ModelFile, RoundTripIsExact) {
    TempDir dir("model");
    for (const std::string& name : lenet::presetNames()) {
        SCOPED_TRACE(name);
        const Network net = trainedLookingNetwork(name, 4);
        const auto history = someHistory();
        const std::string path = dir.file(name + ".lenet");
        lenet::saveModel(path, net, history);
        const lenet::Model model = lenet::loadModel(path);

        expectSameWeights(model.network, net);
        EXPECT_EQ(lenet::toJson(model.network.spec()), lenet::toJson(net.spec()));
        EXPECT_EQ(model.network.spec().layers, net.spec().layers);
        EXPECT_EQ(model.network.spec().training, net.spec().training);
        ASSERT_EQ(model.history.size(), history.size());
        EXPECT_TRUE(model.history == history);  // every field of every epoch, exactly
        // Saving what was loaded gives the same bytes.
        lenet::saveModel(dir.file("again.lenet"), model.network, model.history);
        EXPECT_EQ(readBytes(dir.file("again.lenet")), readBytes(path));
    }
}

TEST(ModelFile, StartsWithMagicAndVersionAndEndsWithTheCrc) {
    TempDir dir("model");
    lenet::saveModel(dir.file("m"), trainedLookingNetwork("lenet5-1998", 1), {});
    const std::string b = readBytes(dir.file("m"));
    EXPECT_EQ(b.substr(0, 8), "LENETMDL");
    EXPECT_EQ(get32(b, kVersionAt), lenet::kModelFileVersion);
    EXPECT_EQ(nlohmann::json::parse(headerOf(b)).at("spec").at("name"), "lenet5-1998");
    std::string copy = b;
    fixChecksum(copy);
    EXPECT_EQ(copy, b);
}

TEST(ModelFile, TruncatedFilesAreRefused) {
    TempDir dir("model");
    lenet::saveModel(dir.file("m"), trainedLookingNetwork("lenet5-1998", 1), someHistory());
    const std::string b = readBytes(dir.file("m"));
    for (std::size_t length :
         {std::size_t(0), std::size_t(5), std::size_t(8), std::size_t(11), std::size_t(15),
          std::size_t(100), b.size() / 2, b.size() - 5, b.size() - 1}) {
        SCOPED_TRACE(length);
        writeBytes(dir.file("cut"), b.substr(0, length));
        expectError<FormatError>([&] { lenet::loadModel(dir.file("cut")); }, {dir.file("cut")});
    }
    writeBytes(dir.file("cut"), b.substr(0, b.size() / 2));
    expectError<FormatError>([&] { lenet::loadModel(dir.file("cut")); },
                             {"checksum mismatch", "corrupt or truncated"});
    writeBytes(dir.file("cut"), b.substr(0, 10));
    expectError<FormatError>([&] { lenet::loadModel(dir.file("cut")); },
                             {"ends inside the version", "truncated"});
}

TEST(ModelFile, AFlippedByteFailsTheChecksum) {
    TempDir dir("model");
    lenet::saveModel(dir.file("m"), trainedLookingNetwork("lenet5-modern", 1), someHistory());
    const std::string b = readBytes(dir.file("m"));
    for (std::size_t at : {kJsonAt + 3, b.size() / 2, b.size() - 9}) {
        SCOPED_TRACE(at);
        std::string damaged = b;
        damaged[at] = char(damaged[at] ^ 0x10);
        writeBytes(dir.file("bad"), damaged);
        expectError<FormatError>([&] { lenet::loadModel(dir.file("bad")); },
                                 {dir.file("bad"), "checksum mismatch"});
    }
}

TEST(ModelFile, WrongMagicIsRefused) {
    TempDir dir("model");
    lenet::saveModel(dir.file("m"), trainedLookingNetwork("lenet5-1998", 1), {});
    std::string b = readBytes(dir.file("m"));
    b[0] = 'X';
    fixChecksum(b);
    writeBytes(dir.file("bad"), b);
    expectError<FormatError>([&] { lenet::loadModel(dir.file("bad")); },
                             {"not a LeNet Studio model file", "LENETMDL"});
    writeBytes(dir.file("text"), "{\"name\": \"lenet5-1998\"}");
    expectError<FormatError>([&] { lenet::loadModel(dir.file("text")); },
                             {"not a LeNet Studio model file"});
}

TEST(ModelFile, WrongVersionIsRefusedEvenWithAValidChecksum) {
    TempDir dir("model");
    lenet::saveModel(dir.file("m"), trainedLookingNetwork("lenet5-1998", 1), {});
    std::string b = readBytes(dir.file("m"));
    put32(b, kVersionAt, lenet::kCheckpointFileVersion + 1);
    fixChecksum(b);
    writeBytes(dir.file("v3"), b);
    expectError<FormatError>([&] { lenet::loadModel(dir.file("v3")); },
                             {"model file version 3 is not supported (this build reads version 1)",
                              "not a checkpoint (version 2)"});
    // A model relabelled as a checkpoint lacks the training state.
    put32(b, kVersionAt, lenet::kCheckpointFileVersion);
    fixChecksum(b);
    writeBytes(dir.file("v2"), b);
    expectError<FormatError>([&] { lenet::loadModel(dir.file("v2")); },
                             {"version 2 file (checkpoint) without its training state"});
}

TEST(ModelFile, WeightsThatDoNotFitTheArchitectureAreRefused) {
    TempDir dir("model");
    lenet::saveModel(dir.file("old"), trainedLookingNetwork("lenet5-1998", 1), {});
    lenet::saveModel(dir.file("modern"), trainedLookingNetwork("lenet5-modern", 1), {});
    const std::string old = readBytes(dir.file("old"));

    // Another architecture's header over lenet5-1998's weights: a different number of arrays.
    writeBytes(dir.file("spliced"), withHeader(old, headerOf(readBytes(dir.file("modern")))));
    expectError<FormatError>([&] { lenet::loadModel(dir.file("spliced")); },
                             {"13 weight arrays", "'lenet5-modern' has 18"});

    // The same layers with C5 narrowed to 100 maps: same array count, wrong shapes.
    nlohmann::json header = nlohmann::json::parse(headerOf(old));
    header["spec"]["layers"][8]["maps"] = 100;
    writeBytes(dir.file("narrow"), withHeader(old, header.dump()));
    expectError<FormatError>([&] { lenet::loadModel(dir.file("narrow")); },
                             {"'C5.weight' are 120x16x5x5, the architecture needs 100x16x5x5"});

    // A renamed layer: the names must match too.
    header = nlohmann::json::parse(headerOf(old));
    header["spec"]["layers"][2]["name"] = "P2";
    writeBytes(dir.file("renamed"), withHeader(old, header.dump()));
    expectError<FormatError>([&] { lenet::loadModel(dir.file("renamed")); },
                             {"expected weights 'P2.coef', found 'S2.coef'"});

    // Invalid architectures in the header: one that does not parse, one that does not build.
    header = nlohmann::json::parse(headerOf(old));
    header["spec"]["layers"][0]["kernal"] = 5;
    writeBytes(dir.file("invalid"), withHeader(old, header.dump()));
    expectError<FormatError>([&] { lenet::loadModel(dir.file("invalid")); },
                             {"architecture in the file is invalid", "layers[0].kernal"});
    header = nlohmann::json::parse(headerOf(old));
    header["spec"]["layers"][0]["maps"] = 8;
    writeBytes(dir.file("unbuildable"), withHeader(old, header.dump()));
    expectError<FormatError>([&] { lenet::loadModel(dir.file("unbuildable")); },
                             {dir.file("unbuildable"), "architecture in the file is invalid",
                              "lecun1998 connection table"});

    // Extra bytes after the weights.
    std::string longer = old.substr(0, old.size() - 4) + std::string(8, '\0') + "CRC!";
    fixChecksum(longer);
    writeBytes(dir.file("longer"), longer);
    expectError<FormatError>([&] { lenet::loadModel(dir.file("longer")); },
                             {"8 unexpected bytes after the weights"});
}

// Files fuzz_model found (kept in its seed corpus): a JSON number too large for a double in the
// header escaped as nlohmann's out_of_range, and "epoch": 1e300 was converted to int (undefined
// behaviour). Both are now errors naming the file and the problem.
TEST(ModelFile, FuzzerFindingsAreClearErrors) {
    const std::string corpus = LENET_FUZZ_CORPUS "/model/";
    expectError<FormatError>(
        [&] { lenet::loadModel(corpus + "regression-json-number-overflow.lenet"); },
        {"regression-json-number-overflow.lenet", "not valid JSON"});
    expectError<FormatError>(
        [&] { lenet::loadModel(corpus + "regression-history-epoch-1e300.lenet"); },
        {"regression-history-epoch-1e300.lenet", "history", "epoch", "expected an integer"});
}

/// The parameter `name` ("C3.weight") of `net`.
lenet::Param& param(Network& net, const std::string& name) {
    for (int l = 0; l < net.layerCount(); ++l) {
        for (lenet::Param& p : net.layer(l).params()) {
            if (net.layer(l).name() + "." + p.name == name) return p;
        }
    }
    throw std::runtime_error("no parameter " + name);
}

/// Writes `net` and `history` as a model file with a valid checksum, unchecked (as a damaged
/// or edited file would be), and returns its path.
std::string writeUnchecked(const TempDir& dir, const std::string& name, const Network& net,
                           const std::vector<lenet::EpochMetrics>& history = {}) {
    lenet::writeFileAtomically(dir.file(name), lenet::encodeModelFile(net, history));
    return dir.file(name);
}

TEST(ModelFile, NonFiniteWeightsAreRefusedNamingTheArrayAndTheElement) {
    TempDir dir("model");
    Network net = trainedLookingNetwork("lenet5-modern", 3);
    param(net, "C3.weight").value[17] = std::numeric_limits<float>::quiet_NaN();
    expectError<FormatError>([&] { lenet::loadModel(writeUnchecked(dir, "nan.lenet", net)); },
                             {"nan.lenet: layer C3 (conv) weight: element 17 is NaN"});
    param(net, "C3.weight").value[17] = 0.5f;
    param(net, "OUTPUT.bias").value[2] = -std::numeric_limits<float>::infinity();
    expectError<FormatError>([&] { lenet::loadModel(writeUnchecked(dir, "inf.lenet", net)); },
                             {"inf.lenet: layer OUTPUT (fc) bias: element 2 is -Inf"});
}

TEST(ModelFile, ANegativeBatchNormVarianceIsRefused) {
    TempDir dir("model");
    Network net = trainedLookingNetwork("lenet5-modern", 3);
    param(net, "BN3.running_var").value[3] = -0.5f;
    expectError<FormatError>(
        [&] { lenet::loadModel(writeUnchecked(dir, "var.lenet", net)); },
        {"var.lenet: layer BN3 (batchnorm) running_var: element 3 is -0.5, a variance cannot be "
         "negative"});
}

TEST(ModelFile, AWeightWhereTheConnectionTableHasNoConnectionIsRefused) {
    TempDir dir("model");
    Network net(lenet::preset("lenet5-1998"));
    net.initialize(1);
    lenet::Param& c3 = param(net, "C3.weight");
    const auto absent = std::find(c3.mask.begin(), c3.mask.end(), 0.0f) - c3.mask.begin();
    c3.value[std::size_t(absent)] = 0.25f;
    expectError<FormatError>(
        [&] { lenet::loadModel(writeUnchecked(dir, "table.lenet", net)); },
        {"table.lenet: layer C3 (conv) weight: element " + std::to_string(absent) +
         " is 0.25 where the connection table "
         "has no connection"});
}

TEST(ModelFile, ImpossibleHistoryValuesAreRefusedNamingTheField) {
    TempDir dir("model");
    const Network net = trainedLookingNetwork("lenet5-modern", 3);
    const auto refused = [&](const std::function<void(lenet::EpochMetrics&)>& damage,
                             const std::string& phrase) {
        std::vector<lenet::EpochMetrics> h = someHistory();
        damage(h[1]);
        expectError<FormatError>(
            [&] { lenet::loadModel(writeUnchecked(dir, "history.lenet", net, h)); },
            {"history.lenet: the training history is malformed: history[1].", phrase});
    };
    refused([](auto& m) { m.trainError = 1.5; },
            "train_error is 1.5, an error rate is a fraction in [0, 1]");
    refused([](auto& m) { m.testError = -0.25; },
            "test_error is -0.25, an error rate is a fraction in [0, 1] (or -1: not measured)");
    refused([](auto& m) { m.loss = -2.0; }, "loss is -2, it cannot be negative");
    refused([](auto& m) { m.seconds = -1.0; }, "seconds is -1, it cannot be negative");
    refused([](auto& m) { m.epoch = 1; },
            "epoch is 1, expected 2 (epochs are numbered in order from 1)");
}

TEST(ModelFile, NonFiniteWeightsAreNeverWritten) {
    TempDir dir("model");
    Network net = trainedLookingNetwork("lenet5-modern", 3);
    param(net, "F5.weight").value[7] = std::numeric_limits<float>::quiet_NaN();
    const std::string path = dir.file("out.lenet");
    expectError<lenet::Error>([&] { lenet::saveModel(path, net, someHistory()); },
                              {"refusing to write " + path,
                               "layer F5 (fc) weight: element 7 is NaN", "nothing was written"});
    EXPECT_FALSE(fs::exists(path));
}

TEST(ModelFile, NamesWithControlCharactersAreEscapedInMessages) {
    TempDir dir("model");
    lenet::ArchitectureSpec spec = lenet::preset("lenet5-modern");
    spec.layers[4].name = "C3\x1b[2J";
    Network net(spec);
    net.initialize(1);
    param(net, spec.layers[4].name + ".weight").value[0] = std::numeric_limits<float>::infinity();
    expectError<FormatError>([&] { lenet::loadModel(writeUnchecked(dir, "esc.lenet", net)); },
                             {"layer C3\\x1b[2J (conv) weight: element 0 is Inf"});
    EXPECT_EQ(lenet::printable("a\tb\nc\x7f\x01\xc3\xa9"), "a\\tb\\nc\\x7f\\x01\xc3\xa9");
}

TEST(ModelFile, MissingFileIsAnIoError) {
    TempDir dir("model");
    expectError<lenet::IoError>([&] { lenet::loadModel(dir.file("absent.lenet")); },
                                {dir.file("absent.lenet"), "cannot open"});
    expectError<lenet::IoError>(
        [&] {
            lenet::saveModel(dir.file("no/such/folder/m.lenet"),
                             Network(lenet::preset("lenet5-1998")), {});
        },
        {"no/such/folder/m.lenet"});
}

TEST(ModelFile, OnlyRegularFilesAreRead) {
    TempDir dir("model");
    ASSERT_EQ(::mkfifo(dir.file("fifo").c_str(), 0644), 0);
    fs::create_symlink("/dev/zero", dir.file("zero"));
    const std::vector<std::pair<std::string, std::string>> cases{
        {dir.file("fifo"), "is a FIFO, not a file"},
        {dir.file("zero"), "is a character device, not a file"},
        {dir.path(), "is a directory, not a file"}};
    for (const auto& [path, kind] : cases) {
        expectError<lenet::IoError>([&] { lenet::loadModel(path); }, {path + ": " + kind});
        expectError<lenet::IoError>([&] { lenet::loadCheckpoint(path); }, {path + ": " + kind});
        expectError<lenet::IoError>([&] { lenet::loadSpecFile(path); }, {path + ": " + kind});
    }
}

TEST(ModelFile, AGigabyteIsRefusedByItsHeaderBeforeItIsRead) {
    TempDir dir("model");
    const std::string junk = dir.file("junk.lenet");
    writeBytes(junk, "");
    ASSERT_EQ(::truncate(junk.c_str(), off_t(1) << 30), 0);
    expectError<FormatError>([&] { lenet::loadModel(junk); },
                             {junk + ": not a LeNet Studio model file (the magic 'LENETMDL' is "
                                     "missing)"});
    // A real model's header and a gigabyte after it: more than its architecture can fill.
    const std::string big = dir.file("big.lenet");
    lenet::saveModel(big, Network(lenet::preset("lenet5-1998")), {});
    ASSERT_EQ(::truncate(big.c_str(), off_t(1) << 30), 0);
    for (const auto& load : {+[](const std::string& p) { lenet::loadModel(p); },
                             +[](const std::string& p) { lenet::loadCheckpoint(p); }})
        expectError<FormatError>([&] { load(big); },
                                 {big + ": the file is 1073741824 bytes (1 GiB), more than the ",
                                  " bytes allowed for a model of the architecture 'lenet5-1998' "
                                  "(twice what it needs, and 1 MiB)"});
}

TEST(SpecFile, AFileOverOneMebibyteIsRefusedBeforeItIsRead) {
    TempDir dir("model");
    const std::string spec = dir.file("spec.json");
    writeBytes(spec, "{");
    ASSERT_EQ(::truncate(spec.c_str(), off_t(2) << 20), 0);
    expectError<lenet::FormatError>(
        [&] { lenet::loadSpecFile(spec); },
        {spec + ": the file is 2097152 bytes (2 MiB), more than the 1048576 bytes (1 MiB) an "
                "architecture spec may have"});
}

TEST(AtomicWrite, ReplacesTheFileAndLeavesNoTemporary) {
    TempDir dir("model");
    const std::string path = dir.file("out.bin");
    lenet::writeFileAtomically(path, "first version, longer than the second");
    EXPECT_EQ(readBytes(path), "first version, longer than the second");
    lenet::writeFileAtomically(path, std::string("second\0version", 14));
    EXPECT_EQ(readBytes(path), std::string("second\0version", 14));
    lenet::saveModel(dir.file("model.lenet"), Network(lenet::preset("lenet5-1998")), {});
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir.path()))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"model.lenet", "out.bin"}));
}

}  // namespace
