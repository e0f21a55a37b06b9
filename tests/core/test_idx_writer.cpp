// Tests of IDX writing: a round trip through loadIdxPair and loadSplit, the exact header bytes,
// replacing an existing pair, and the sets that cannot be written.
#include "lenet/data/idx_writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "lenet/data/idx.h"
#include "lenet/error.h"
#include "support/test_support.h"

using lenet::Dataset;
using lenet::test::expectError;
using lenet::test::TempDir;

namespace {

void expectEqualSets(const Dataset& a, const Dataset& b) {
    EXPECT_EQ(a.rows, b.rows);
    EXPECT_EQ(a.cols, b.cols);
    EXPECT_EQ(a.images, b.images);
    EXPECT_EQ(a.labels, b.labels);
}

}  // namespace

TEST(IdxWriter, RoundTripThroughLoadIdxPair) {
    TempDir dir("idx_writer");
    const Dataset data = lenet::test::syntheticDigits(37, 5);
    const std::string images = dir.file("set-images-idx3-ubyte");
    const std::string labels = dir.file("set-labels-idx1-ubyte");
    lenet::saveIdxPair(images, labels, data);
    const Dataset back = lenet::loadIdxPair(images, labels);
    expectEqualSets(back, data);
    EXPECT_EQ(back.source, images);
}

TEST(IdxWriter, MnistStyleNamesAreFoundByLoadSplit) {
    TempDir dir("idx_writer_split");
    const Dataset data = lenet::test::syntheticDigits(12, 9);
    lenet::saveIdxPair(dir.file("mydigits-train-images-idx3-ubyte"),
                       dir.file("mydigits-train-labels-idx1-ubyte"), data);
    expectEqualSets(lenet::loadSplit(dir.path(), lenet::Split::Train), data);
}

TEST(IdxWriter, HeadersAreBigEndian) {
    Dataset data;
    data.rows = 2;
    data.cols = 3;
    data.classes = 10;
    data.images = {1, 2, 3, 4, 5, 6};
    data.labels = {7};
    EXPECT_EQ(lenet::idxImageBytes(data),
              std::string("\x00\x00\x08\x03\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x03"
                          "\x01\x02\x03\x04\x05\x06",
                          22));
    EXPECT_EQ(lenet::idxLabelBytes(data), std::string("\x00\x00\x08\x01\x00\x00\x00\x01\x07", 9));
}

TEST(IdxWriter, ReplacesAnExistingPair) {
    TempDir dir("idx_writer_replace");
    const std::string images = dir.file("i");
    const std::string labels = dir.file("l");
    lenet::saveIdxPair(images, labels, lenet::test::syntheticDigits(20, 1));
    const Dataset smaller = lenet::test::syntheticDigits(3, 2);
    lenet::saveIdxPair(images, labels, smaller);
    expectEqualSets(lenet::loadIdxPair(images, labels), smaller);
    for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
        EXPECT_TRUE(entry.path().filename() == "i" || entry.path().filename() == "l")
            << "left behind: " << entry.path();
}

TEST(IdxWriter, RefusesSetsThatCannotBeWritten) {
    TempDir dir("idx_writer_bad");
    const std::string images = dir.file("i");
    const std::string labels = dir.file("l");
    Dataset empty;
    empty.rows = empty.cols = 28;
    expectError<lenet::Error>([&] { lenet::saveIdxPair(images, labels, empty); },
                              {images, "empty data set"});
    Dataset shortImages = lenet::test::syntheticDigits(4, 3);
    shortImages.images.pop_back();
    expectError<lenet::Error>([&] { lenet::saveIdxPair(images, labels, shortImages); },
                              {images, "3135 pixel bytes, expected 3136"});
    EXPECT_FALSE(std::filesystem::exists(images));
    expectError<lenet::IoError>(
        [&] {
            lenet::saveIdxPair(dir.file("missing/i"), dir.file("missing/l"),
                               lenet::test::syntheticDigits(2, 3));
        },
        {dir.file("missing/i")});
}
