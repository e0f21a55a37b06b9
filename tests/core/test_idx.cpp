// Tests of IDX reading: valid raw/gzip files, every malformed case, folder lookup, real MNIST.
#include "lenet/data/idx.h"
#include "lenet/error.h"
#include "support/scoped_env.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using lenet::Dataset;
using lenet::FormatError;
using lenet::IoError;
using lenet::Split;
using lenet::test::expectError;
using lenet::test::ScopedEnv;
using lenet::test::TempDir;
using Bytes = std::vector<std::uint8_t>;

namespace {

void put32(Bytes& b, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) b.push_back(std::uint8_t(v >> shift));
}

/// An IDX3 image file; pixel j of image i is (i * 7 + j) % 256.
Bytes imageFile(std::uint32_t count, std::uint32_t rows, std::uint32_t cols,
                std::uint32_t magic = 0x803) {
    Bytes b;
    put32(b, magic);
    put32(b, count);
    put32(b, rows);
    put32(b, cols);
    for (std::uint32_t i = 0; i < count; ++i)
        for (std::uint32_t j = 0; j < rows * cols; ++j)
            b.push_back(std::uint8_t((i * 7 + j) % 256));
    return b;
}

Bytes labelFile(const Bytes& labels, std::uint32_t magic = 0x801) {
    Bytes b;
    put32(b, magic);
    put32(b, std::uint32_t(labels.size()));
    b.insert(b.end(), labels.begin(), labels.end());
    return b;
}

void writeFile(const std::string& path, const Bytes& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    ASSERT_TRUE(out.good()) << path;
}

void writeGzip(const std::string& path, const Bytes& bytes) {
    gzFile gz = gzopen(path.c_str(), "wb");
    ASSERT_NE(gz, nullptr) << path;
    ASSERT_EQ(gzwrite(gz, bytes.data(), unsigned(bytes.size())), int(bytes.size()));
    ASSERT_EQ(gzclose(gz), Z_OK);
}

/// `bytes` followed by zeros up to `size` bytes, which take no disk space.
void makeSparse(const std::string& path, const Bytes& bytes, std::uint64_t size) {
    writeFile(path, bytes);
    ASSERT_EQ(::truncate(path.c_str(), off_t(size)), 0) << path;
}

Bytes readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

const Bytes kLabels{3, 1, 4, 1, 5};

void writePair(const TempDir& dir, const std::string& images, const std::string& labels,
               bool gzip = false) {
    auto write = gzip ? writeGzip : writeFile;
    write(dir.file(images), imageFile(5, 3, 2));
    write(dir.file(labels), labelFile(kLabels));
}

void expectSmallSet(const Dataset& d) {
    EXPECT_EQ(d.size(), 5);
    EXPECT_EQ(d.rows, 3);
    EXPECT_EQ(d.cols, 2);
    EXPECT_EQ(d.classes, 6);
    EXPECT_EQ(d.labels, kLabels);
    const Bytes expected = imageFile(5, 3, 2);
    EXPECT_EQ(d.images, Bytes(expected.begin() + 16, expected.end()));
}

}  // namespace

TEST(IdxTest, ReadsRawPair) {
    TempDir dir("idx");
    writePair(dir, "imgs", "lbls");
    const Dataset d = lenet::loadIdxPair(dir.file("imgs"), dir.file("lbls"));
    expectSmallSet(d);
    EXPECT_EQ(d.image(2)[0], 14);
    EXPECT_EQ(d.source, dir.file("imgs"));
}

TEST(IdxTest, ReadsGzipPair) {
    TempDir dir("idx");
    writePair(dir, "imgs.gz", "lbls.gz", true);
    EXPECT_EQ(readFile(dir.file("imgs.gz")).at(0), 0x1f);
    expectSmallSet(lenet::loadIdxPair(dir.file("imgs.gz"), dir.file("lbls.gz")));
    EXPECT_EQ(lenet::readMaybeGzip(dir.file("lbls.gz"), 1 << 20, "a test file may have"),
              labelFile(kLabels));
}

TEST(IdxTest, ParsesBytesInMemoryLikeFiles) {
    const Bytes images = imageFile(5, 3, 2);
    const lenet::IdxImages parsed = lenet::parseIdxImages(images, "mem.idx3");
    EXPECT_EQ(parsed.count, 5);
    EXPECT_EQ(parsed.rows, 3);
    EXPECT_EQ(parsed.cols, 2);
    EXPECT_EQ(parsed.pixels, Bytes(images.begin() + 16, images.end()));
    EXPECT_EQ(lenet::parseIdxLabels(labelFile(kLabels), "mem.idx1"), kLabels);

    TempDir dir("idx");
    writeGzip(dir.file("lbls.gz"), labelFile(kLabels));
    EXPECT_EQ(lenet::parseIdxLabels(readFile(dir.file("lbls.gz")), "mem.idx1.gz"), kLabels);

    Bytes cut = images;
    cut.pop_back();
    expectError<FormatError>([&] { lenet::parseIdxImages(cut, "mem.idx3"); },
                             {"mem.idx3: file is 45 bytes, expected 46", "(truncated)"});
}

TEST(IdxTest, ClassesIsMaxLabelPlusOne) {
    TempDir dir("idx");
    writePair(dir, "imgs", "lbls");
    const Dataset d = lenet::loadIdxPair(dir.file("imgs"), dir.file("lbls"));
    EXPECT_EQ(d.labels, kLabels);
    EXPECT_EQ(d.classes, 6);
}

TEST(IdxTest, WrongMagic) {
    TempDir dir("idx");
    writeFile(dir.file("t10k-images-idx3-ubyte"), labelFile(kLabels));
    expectError<FormatError>([&] { lenet::readIdxImages(dir.file("t10k-images-idx3-ubyte")); },
                             {"t10k-images-idx3-ubyte: wrong magic number 0x00000801, expected "
                              "0x00000803 (an IDX image file)"});
    writeFile(dir.file("labels"), imageFile(2, 2, 2));
    expectError<FormatError>([&] { lenet::readIdxLabels(dir.file("labels")); },
                             {"wrong magic number 0x00000803", "expected 0x00000801"});
}

TEST(IdxTest, ZeroDimension) {
    TempDir dir("idx");
    writeFile(dir.file("imgs"), imageFile(4, 28, 0));
    expectError<FormatError>([&] { lenet::readIdxImages(dir.file("imgs")); },
                             {dir.file("imgs"), "zero dimension", "4 images of 28x0"});
    writeFile(dir.file("none"), imageFile(0, 28, 28));
    expectError<FormatError>([&] { lenet::readIdxImages(dir.file("none")); },
                             {"zero dimension", "0 images"});
}

TEST(IdxTest, TruncatedImages) {
    TempDir dir("idx");
    Bytes b = imageFile(10, 28, 28);
    b.resize(b.size() - 16);
    writeFile(dir.file("imgs"), b);
    expectError<FormatError>([&] { lenet::readIdxImages(dir.file("imgs")); },
                             {dir.file("imgs") + ": file is 7840 bytes, expected 7856 for 10 "
                                                 "images of 28x28 (truncated)"});
    writeFile(dir.file("short"), Bytes{0, 0, 8, 3, 0, 0});
    expectError<FormatError>([&] { lenet::readIdxImages(dir.file("short")); },
                             {"file is 6 bytes, too short"});
}

TEST(IdxTest, TrailingBytes) {
    TempDir dir("idx");
    Bytes b = imageFile(2, 3, 3);
    b.insert(b.end(), 12, 0);
    writeGzip(dir.file("imgs.gz"), b);
    expectError<FormatError>([&] { lenet::readIdxImages(dir.file("imgs.gz")); },
                             {"imgs.gz", "expected 34 for 2 images of 3x3 (12 trailing bytes)"});
    Bytes l = labelFile(kLabels);
    l.push_back(9);
    writeFile(dir.file("lbls"), l);
    expectError<FormatError>([&] { lenet::readIdxLabels(dir.file("lbls")); },
                             {"(1 trailing bytes)"});
}

TEST(IdxTest, TruncatedLabels) {
    TempDir dir("idx");
    Bytes l = labelFile(kLabels);
    l.pop_back();
    writeFile(dir.file("lbls"), l);
    expectError<FormatError>([&] { lenet::readIdxLabels(dir.file("lbls")); },
                             {dir.file("lbls"), "12 bytes, expected 13 for 5 labels (truncated)"});
}

TEST(IdxTest, CountMismatch) {
    TempDir dir("idx");
    writeFile(dir.file("imgs"), imageFile(4, 2, 2));
    writeFile(dir.file("lbls"), labelFile(kLabels));
    expectError<FormatError>(
        [&] { lenet::loadIdxPair(dir.file("imgs"), dir.file("lbls")); },
        {"count mismatch", dir.file("imgs") + " holds 4 images", dir.file("lbls") + " holds 5"});
}

TEST(IdxTest, LabelOutOfRange) {
    TempDir dir("idx");
    writeFile(dir.file("imgs"), imageFile(5, 2, 2));
    writeFile(dir.file("lbls"), labelFile(Bytes{1, 2, 3, 12, 4}));
    expectError<FormatError>([&] { lenet::loadIdxPair(dir.file("imgs"), dir.file("lbls"), 10); },
                             {dir.file("lbls"), "index 3", "is 12", "10 classes"});
}

TEST(IdxTest, CorruptGzip) {
    TempDir dir("idx");
    writeGzip(dir.file("imgs.gz"), imageFile(50, 28, 28));
    Bytes gz = readFile(dir.file("imgs.gz"));
    ASSERT_GT(gz.size(), 40u);
    for (std::size_t i = gz.size() / 2 - 8; i < gz.size() / 2 + 8; ++i)
        gz[i] = std::uint8_t(gz[i] ^ 0x5a);
    writeFile(dir.file("flipped.gz"), gz);
    expectError<FormatError>([&] { lenet::readIdxImages(dir.file("flipped.gz")); },
                             {dir.file("flipped.gz"), "corrupt gzip stream"});
}

TEST(IdxTest, TruncatedGzip) {
    TempDir dir("idx");
    writeGzip(dir.file("imgs.gz"), imageFile(50, 28, 28));
    Bytes gz = readFile(dir.file("imgs.gz"));
    gz.resize(gz.size() / 2);
    writeFile(dir.file("cut.gz"), gz);
    expectError<FormatError>([&] { lenet::readMaybeGzip(dir.file("cut.gz"), 1 << 20, ""); },
                             {dir.file("cut.gz"), "corrupt gzip stream", "truncated"});
}

TEST(IdxTest, MissingFileIsIoError) {
    TempDir dir("idx");
    expectError<IoError>([&] { lenet::readIdxImages(dir.file("absent")); },
                         {dir.file("absent") + ": cannot open: No such file or directory"});
    expectError<IoError>([&] { lenet::readMaybeGzip(dir.path(), 1 << 20, ""); },
                         {dir.path() + ": is a directory, not a file"});
}

TEST(IdxTest, AFifoIsRefusedWithoutBlocking) {
    TempDir dir("idx");
    ASSERT_EQ(::mkfifo(dir.file("imgs").c_str(), 0644), 0);
    expectError<IoError>([&] { lenet::readIdxImages(dir.file("imgs")); },
                         {dir.file("imgs") + ": is a FIFO, not a file"});
    expectError<IoError>([] { lenet::readIdxLabels("/dev/zero"); },
                         {"/dev/zero: is a character device, not a file"});
}

TEST(IdxTest, AGigabyteOfJunkIsRefusedByItsHeader) {
    TempDir dir("idx");
    makeSparse(dir.file("junk"), {}, std::uint64_t(1) << 30);
    expectError<FormatError>([&] { lenet::readIdxImages(dir.file("junk")); },
                             {dir.file("junk") + ": wrong magic number 0x00000000"});
    // A valid header and a gigabyte after it: refused by the size the header declares.
    makeSparse(dir.file("long"), imageFile(5, 3, 2), std::uint64_t(1) << 30);
    expectError<FormatError>(
        [&] { lenet::readIdxImages(dir.file("long")); },
        {dir.file("long") + ": file is 1073741824 bytes, expected 46 for 5 images of 3x2 "
                            "(1073741778 trailing bytes)"});
}

TEST(IdxTest, AGzipBombIsRefusedAtTheSizeItsHeaderDeclares) {
    TempDir dir("idx");
    // 5 labels declared, 64 MiB of zeros after them: inflating stops 64 KiB past the 13 bytes.
    gzFile gz = gzopen(dir.file("bomb.gz").c_str(), "wb9");
    ASSERT_NE(gz, nullptr);
    const Bytes header = labelFile(kLabels);
    ASSERT_EQ(gzwrite(gz, header.data(), unsigned(header.size())), int(header.size()));
    const Bytes zeros(std::size_t(1) << 20, 0);
    for (int i = 0; i < 64; ++i)
        ASSERT_EQ(gzwrite(gz, zeros.data(), unsigned(zeros.size())), int(zeros.size()));
    ASSERT_EQ(gzclose(gz), Z_OK);
    expectError<FormatError>([&] { lenet::readIdxLabels(dir.file("bomb.gz")); },
                             {dir.file("bomb.gz") + ": decompressed data is over 65549 bytes, "
                                                    "expected 13 for 5 labels"});
    // A few bytes too many are still counted exactly.
    Bytes extra = labelFile(kLabels);
    extra.resize(extra.size() + 7);
    writeGzip(dir.file("extra.gz"), extra);
    expectError<FormatError>([&] { lenet::readIdxLabels(dir.file("extra.gz")); },
                             {"decompressed data is 20 bytes, expected 13 for 5 labels "
                              "(7 trailing bytes)"});
    // Gzipped images (lenet predict) are bounded by their limit the same way.
    expectError<FormatError>(
        [&] { lenet::readMaybeGzip(dir.file("bomb.gz"), 1 << 20, "an image file may have"); },
        {dir.file("bomb.gz") + ": the decompressed data is more than the 1048576 bytes (1 MiB) "
                               "an image file may have"});
}

TEST(IdxSplitTest, FindsMnistNames) {
    TempDir dir("idx");
    writePair(dir, "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
    writePair(dir, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
    const Dataset train = lenet::loadSplit(dir.path(), Split::Train);
    expectSmallSet(train);
    EXPECT_EQ(train.source, dir.file("train-images-idx3-ubyte"));
    EXPECT_EQ(lenet::loadSplit(dir.path(), Split::Test).source, dir.file("t10k-images-idx3-ubyte"));
}

TEST(IdxSplitTest, FindsGzAndDotNames) {
    TempDir dir("idx");
    writePair(dir, "train-images.idx3-ubyte.gz", "train-labels.idx1-ubyte.gz", true);
    writePair(dir, "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", true);
    expectSmallSet(lenet::loadSplit(dir.path(), Split::Train));
    const Dataset test = lenet::loadSplit(dir.path(), Split::Test);
    expectSmallSet(test);
    EXPECT_EQ(test.source, dir.file("t10k-images-idx3-ubyte.gz"));
}

TEST(IdxSplitTest, FallsBackToAnyMatchingName) {
    TempDir dir("idx");
    writePair(dir, "fashion_train_images.bin", "fashion_train_labels.bin");
    writePair(dir, "Fashion-TEST.idx3", "Fashion-TEST.idx1");
    EXPECT_EQ(lenet::loadSplit(dir.path(), Split::Train).source,
              dir.file("fashion_train_images.bin"));
    EXPECT_EQ(lenet::loadSplit(dir.path(), Split::Test).source, dir.file("Fashion-TEST.idx3"));
}

TEST(IdxSplitTest, FailsClearlyOnEmptyOrMissingFolder) {
    TempDir dir("idx");
    expectError<IoError>([&] { lenet::loadSplit(dir.path(), Split::Train); },
                         {dir.path(), "no training images", "train-images-idx3-ubyte",
                          "train-images.idx3-ubyte.gz", "'train'"});
    expectError<IoError>([&] { lenet::loadSplit(dir.path(), Split::Test); },
                         {"no test images", "t10k-images-idx3-ubyte", "'t10k' or 'test'"});
    writeFile(dir.file("train-images-idx3-ubyte"), imageFile(5, 3, 2));
    expectError<IoError>([&] { lenet::loadSplit(dir.path(), Split::Train); },
                         {"no training labels", "train-labels-idx1-ubyte"});
    expectError<IoError>([&] { lenet::loadSplit(dir.file("nowhere"), Split::Train); },
                         {dir.file("nowhere"), "no such folder"});
}

TEST(IdxSplitTest, AnImageFileThatIsNoFileIsNamedAsWhatItIs) {
    TempDir dir("idx");
    writePair(dir, "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
    const std::string images = dir.file("train-images-idx3-ubyte");
    const auto expectNamed = [&](const std::string& kind) {
        expectError<IoError>([&] { lenet::loadSplit(dir.path(), Split::Train); },
                             {images + ": is " + kind});
    };
    fs::remove(images);
    fs::create_directory(images);
    expectNamed("a directory, not a file");
    fs::remove(images);
    ASSERT_EQ(::mkfifo(images.c_str(), 0644), 0);
    expectNamed("a FIFO, not a file");
    fs::remove(images);
    fs::create_symlink("train-images-idx3-ubyte", images);
    expectNamed("a link loop");
    fs::remove(images);
    fs::create_symlink(dir.file("gone"), images);
    expectNamed("a dangling link");
}

TEST(IdxSplitTest, DefaultDataDirHonoursEnvironment) {
    {
        const ScopedEnv data("LENET_DATA", "/some/where");
        EXPECT_EQ(lenet::defaultDataDir(), "/some/where");
    }
    const ScopedEnv data("LENET_DATA", std::nullopt);
    EXPECT_FALSE(lenet::defaultDataDir().empty());
}

TEST(IdxSplitTest, DefaultDataDirLooksInTheUserFolderLast) {
    TempDir dir("xdg");
    const ScopedEnv data("LENET_DATA", std::nullopt);
    const ScopedEnv xdg("XDG_DATA_HOME", dir.path());
    const fs::path cwd = fs::current_path();
    fs::current_path(dir.path());  // no ./data/mnist
    const std::string user = lenet::userDataDir();
    EXPECT_EQ(user, dir.path() + "/lenet-studio/mnist");
    // Nothing there yet: the user folder is still named (where `lenet data fetch` puts MNIST),
    // unless the source tree holds MNIST.
    const std::string before = lenet::defaultDataDir();
    fs::create_directories(user);
    for (const char* name : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"})
        writeFile(user + "/" + name, imageFile(1, 2, 2));
    EXPECT_TRUE(lenet::holdsDataSet(user));
    const std::string after = lenet::defaultDataDir();
    fs::current_path(cwd);
    if (before == user) {
        EXPECT_EQ(after, user);
    } else {
        // The source tree's data/mnist comes first and holds IDX files.
        EXPECT_TRUE(before.ends_with("/data/mnist")) << before;
        EXPECT_TRUE(lenet::holdsDataSet(before)) << before;
        EXPECT_EQ(after, before);
    }
}

TEST(IdxSplitTest, HoldsDataSetNeedsBothSplits) {
    TempDir dir("holds");
    EXPECT_FALSE(lenet::holdsDataSet(dir.path()));
    EXPECT_FALSE(lenet::holdsDataSet(dir.file("nowhere")));
    writeFile(dir.file("train-images-idx3-ubyte"), imageFile(1, 2, 2));
    writeFile(dir.file("train-labels-idx1-ubyte"), imageFile(1, 2, 2));
    writeFile(dir.file("my-test-images.idx3"), imageFile(1, 2, 2));
    EXPECT_FALSE(lenet::holdsDataSet(dir.path()));
    writeFile(dir.file("my-test-labels.idx1"), imageFile(1, 2, 2));
    EXPECT_TRUE(lenet::holdsDataSet(dir.path()));
}

TEST(IdxMnistTest, RealMnistIfPresent) {
    const std::string dir = lenet::defaultDataDir();
    bool present = false;
    for (const char* name : {"train-images-idx3-ubyte", "train-images-idx3-ubyte.gz",
                             "train-images.idx3-ubyte", "train-images.idx3-ubyte.gz"})
        present = present || fs::exists(fs::path(dir) / name);
    if (!present)
        GTEST_SKIP() << "MNIST not found in " << dir
                     << " (run scripts/setup.sh or set LENET_DATA to the folder)";

    const Dataset train = lenet::loadSplit(dir, Split::Train);
    const Dataset test = lenet::loadSplit(dir, Split::Test);
    EXPECT_EQ(train.size(), 60000);
    EXPECT_EQ(test.size(), 10000);
    for (const Dataset* d : {&train, &test}) {
        EXPECT_EQ(d->rows, 28);
        EXPECT_EQ(d->cols, 28);
        EXPECT_EQ(d->classes, 10);
    }
    EXPECT_EQ(Bytes(train.labels.begin(), train.labels.begin() + 10),
              (Bytes{5, 0, 4, 1, 9, 2, 1, 3, 1, 4}));
    EXPECT_EQ(Bytes(test.labels.begin(), test.labels.begin() + 10),
              (Bytes{7, 2, 1, 0, 4, 1, 4, 9, 5, 9}));
}
