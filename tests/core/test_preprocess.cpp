// Tests of preprocessing: padding and normalisation, MNIST-style centring, affine maps,
// reproducible distortions and reading PGM/PNG files as ink.
#include "lenet/data/image_file.h"
#include "lenet/data/preprocess.h"
#include "lenet/error.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <png.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using lenet::InkImage;
using lenet::Normalization;
using lenet::test::expectError;
using lenet::test::TempDir;

namespace {

InkImage blank(int rows, int cols) {
    return InkImage{rows, cols, std::vector<float>(std::size_t(rows) * cols, 0.0f)};
}

float& at(InkImage& img, int r, int c) {
    return img.ink[std::size_t(r) * img.cols + c];
}

float at(const InkImage& img, int r, int c) {
    return img.ink[std::size_t(r) * img.cols + c];
}

void fillRect(InkImage& img, int top, int left, int height, int width, float v = 1.0f) {
    for (int r = top; r < top + height; ++r)
        for (int c = left; c < left + width; ++c) at(img, r, c) = v;
}

/// Intensity-weighted centre of mass, pixel (r, c) centred at (r + 0.5, c + 0.5).
std::pair<double, double> centreOfMass(const InkImage& img) {
    double mass = 0, y = 0, x = 0;
    for (int r = 0; r < img.rows; ++r)
        for (int c = 0; c < img.cols; ++c) {
            mass += at(img, r, c);
            y += at(img, r, c) * (r + 0.5);
            x += at(img, r, c) * (c + 0.5);
        }
    return {y / mass, x / mass};
}

/// Height and width of the box around pixels with ink > 0.05.
std::pair<int, int> inkBox(const InkImage& img) {
    int top = img.rows, bottom = -1, left = img.cols, right = -1;
    for (int r = 0; r < img.rows; ++r)
        for (int c = 0; c < img.cols; ++c)
            if (at(img, r, c) > 0.05f) {
                top = std::min(top, r);
                bottom = std::max(bottom, r);
                left = std::min(left, c);
                right = std::max(right, c);
            }
    return {bottom - top + 1, right - left + 1};
}

void writeText(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    ASSERT_TRUE(out.good()) << path;
}

/// Writes `pixels` (`height` rows of `width` samples in libpng's `format`) as a PNG file; a
/// failure carries libpng's message.
testing::AssertionResult writePng(const std::string& path, png_uint_32 width, png_uint_32 height,
                                  png_uint_32 format, const void* pixels) {
    png_image image;
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = width;
    image.height = height;
    image.format = format;
    if (png_image_write_to_file(&image, path.c_str(), 0, pixels, 0, nullptr))
        return testing::AssertionSuccess();
    return testing::AssertionFailure() << image.message;
}

void expectMnistShape(const lenet::MnistStyleSteps& steps, int scaledRows, int scaledCols) {
    EXPECT_EQ(steps.scaled.rows, scaledRows);
    EXPECT_EQ(steps.scaled.cols, scaledCols);
    ASSERT_EQ(steps.centred.rows, 28);
    ASSERT_EQ(steps.centred.cols, 28);
    const auto [cy, cx] = centreOfMass(steps.centred);
    EXPECT_NEAR(cy, 14.0, 0.5);
    EXPECT_NEAR(cx, 14.0, 0.5);
}

}  // namespace

TEST(PreprocessTest, NormalizationNamesRoundTrip) {
    for (Normalization n : {Normalization::Lecun, Normalization::MeanStd,
                            Normalization::MinusOneOne, Normalization::Unit})
        EXPECT_EQ(lenet::normalizationFromString(lenet::toString(n)), n);
    EXPECT_EQ(lenet::toString(Normalization::MinusOneOne), "minus1to1");
    expectError<lenet::ConfigError>([] { lenet::normalizationFromString("zscore"); },
                                    {"unknown normalization 'zscore'"});
}

TEST(PreprocessTest, ToInkScalesTo01) {
    const std::uint8_t pixels[] = {0, 51, 255, 128};
    const InkImage img = lenet::toInk(pixels, 2, 2);
    EXPECT_EQ(img.rows, 2);
    EXPECT_EQ(img.cols, 2);
    EXPECT_FLOAT_EQ(img.ink[0], 0.0f);
    EXPECT_FLOAT_EQ(img.ink[1], 0.2f);
    EXPECT_FLOAT_EQ(img.ink[2], 1.0f);
    EXPECT_FLOAT_EQ(img.ink[3], 128.0f / 255.0f);
}

TEST(PreprocessTest, InkSumOfPixelsIsThatOfTheirImageBitForBit) {
    // The pixel version adds in eight running sums, the image version in one: exact either way.
    std::mt19937 rng(5);
    std::uniform_int_distribution<int> pixel(0, 255);
    for (int count : {0, 1, 7, 8, 784, 1001, 1 << 22}) {
        std::vector<std::uint8_t> pixels(static_cast<std::size_t>(count));
        for (auto& p : pixels) p = std::uint8_t(pixel(rng));
        const float fromImage = lenet::inkSum(lenet::toInk(pixels.data(), count, 1));
        const float fromPixels = lenet::inkSum(pixels.data(), pixels.size());
        EXPECT_EQ(std::memcmp(&fromImage, &fromPixels, sizeof(float)), 0)
            << count << ": " << fromImage << " vs " << fromPixels;
    }
}

TEST(PreprocessTest, ToInputPadsMnistWithLecunBackground) {
    InkImage img = blank(28, 28);
    fillRect(img, 0, 0, 28, 28);
    std::vector<float> out(32 * 32, 99.0f);
    lenet::toInput(img, lenet::InputFormat{}, out.data());
    for (int r = 0; r < 32; ++r)
        for (int c = 0; c < 32; ++c) {
            const bool inside = r >= 2 && r < 30 && c >= 2 && c < 30;
            EXPECT_FLOAT_EQ(out[std::size_t(r) * 32 + c], inside ? 1.175f : -0.1f)
                << "at " << r << "," << c;
        }
    EXPECT_FLOAT_EQ(out[0], -0.1f);
    EXPECT_FLOAT_EQ(out[31], -0.1f);
    EXPECT_FLOAT_EQ(out[31 * 32], -0.1f);
    EXPECT_FLOAT_EQ(out[32 * 32 - 1], -0.1f);
}

TEST(PreprocessTest, ToInputPlacesPixelsAndNormalises) {
    InkImage img = blank(28, 28);
    at(img, 0, 0) = 1.0f;
    at(img, 27, 27) = 0.5f;
    lenet::InputFormat format;
    format.normalization = Normalization::Unit;
    std::vector<float> out(32 * 32);
    lenet::toInput(img, format, out.data());
    EXPECT_FLOAT_EQ(out[2 * 32 + 2], 1.0f);
    EXPECT_FLOAT_EQ(out[29 * 32 + 29], 0.5f);
    EXPECT_FLOAT_EQ(out[0], 0.0f);

    format.normalization = Normalization::MinusOneOne;
    lenet::toInput(img, format, out.data());
    EXPECT_FLOAT_EQ(out[2 * 32 + 2], 1.0f);
    EXPECT_FLOAT_EQ(out[29 * 32 + 29], 0.0f);
    EXPECT_FLOAT_EQ(out[0], -1.0f);

    format.normalization = Normalization::MeanStd;
    lenet::toInput(img, format, out.data());
    EXPECT_NEAR(out[2 * 32 + 2], (1.0f - 0.1307f) / 0.3081f, 1e-5);
    EXPECT_NEAR(out[0], -0.1307f / 0.3081f, 1e-5);

    format.height = 28;
    format.width = 28;
    format.normalization = Normalization::Unit;
    std::vector<float> same(28 * 28);
    lenet::toInput(img, format, same.data());
    EXPECT_EQ(same, img.ink);
}

TEST(PreprocessTest, ToInputCropsSymmetrically) {
    InkImage img = blank(4, 4);
    at(img, 1, 1) = 0.25f;
    at(img, 2, 2) = 0.75f;
    lenet::InputFormat format{2, 2, Normalization::Unit};
    std::vector<float> out(4);
    lenet::toInput(img, format, out.data());
    EXPECT_EQ(out, (std::vector<float>{0.25f, 0.0f, 0.0f, 0.75f}));
}

TEST(PreprocessTest, MnistStyleScalesAndCentresOffCentreRectangle) {
    InkImage img = blank(100, 60);
    fillRect(img, 10, 5, 40, 10);
    const lenet::MnistStyleSteps steps = lenet::mnistStyleSteps(img);
    EXPECT_EQ(steps.cropped.rows, 40);
    EXPECT_EQ(steps.cropped.cols, 10);
    expectMnistShape(steps, 20, 5);
    EXPECT_EQ(inkBox(steps.centred), (std::pair<int, int>{20, 5}));
    EXPECT_EQ(lenet::mnistStyle(img).ink, steps.centred.ink);
}

TEST(PreprocessTest, MnistStyleUpscalesSmallBlob) {
    InkImage img = blank(12, 12);
    fillRect(img, 1, 3, 7, 7);
    const lenet::MnistStyleSteps steps = lenet::mnistStyleSteps(img);
    expectMnistShape(steps, 20, 20);
    for (float v : steps.scaled.ink) EXPECT_FLOAT_EQ(v, 1.0f);
}

TEST(PreprocessTest, MnistStyleDownscalesLargeCanvasWithAntiAliasing) {
    InkImage img = blank(400, 400);
    for (int i = 40; i < 360; ++i) fillRect(img, i, i / 2 + 30, 1, 25);
    const lenet::MnistStyleSteps steps = lenet::mnistStyleSteps(img);
    expectMnistShape(steps, 20, 12);
    bool partial = false;
    for (float v : steps.scaled.ink) {
        EXPECT_GE(v, 0.0f);
        EXPECT_LE(v, 1.0f);
        partial = partial || (v > 0.05f && v < 0.95f);
    }
    EXPECT_TRUE(partial) << "area averaging should give grey edge pixels";
}

TEST(PreprocessTest, MnistStyleOnEmptyImageThrows) {
    InkImage img = blank(28, 28);
    at(img, 3, 3) = 0.01f;
    expectError<lenet::Error>([&] { lenet::mnistStyle(img); },
                              {"the image has no ink (nothing drawn?)"});
}

TEST(PreprocessTest, AffineIdentityKeepsImage) {
    InkImage img = blank(28, 28);
    for (std::size_t i = 0; i < img.ink.size(); ++i) img.ink[i] = float((i * 37) % 101) / 100.0f;
    EXPECT_EQ(lenet::affine(img, 0, 0, 0, 1, 1, 0).ink, img.ink);
}

TEST(PreprocessTest, AffineShiftMovesInkOnePixel) {
    InkImage img = blank(28, 28);
    at(img, 10, 12) = 1.0f;
    InkImage right = blank(28, 28);
    at(right, 10, 13) = 1.0f;
    InkImage down = blank(28, 28);
    at(down, 11, 12) = 1.0f;
    EXPECT_EQ(lenet::affine(img, 1, 0, 0, 1, 1, 0).ink, right.ink);
    EXPECT_EQ(lenet::affine(img, 0, 1, 0, 1, 1, 0).ink, down.ink);
}

TEST(PreprocessTest, AffineHalfTurnMirrorsAboutCentre) {
    InkImage img = blank(28, 28);
    at(img, 3, 5) = 1.0f;
    const InkImage turned = lenet::affine(img, 0, 0, 180, 1, 1, 0);
    EXPECT_NEAR(at(turned, 24, 22), 1.0f, 1e-5);
    float total = 0;
    for (float v : turned.ink) total += v;
    EXPECT_NEAR(total, 1.0f, 1e-5);
}

TEST(PreprocessTest, DistortIsReproducibleForASeed) {
    InkImage img = blank(28, 28);
    fillRect(img, 6, 10, 16, 6);
    const lenet::Distortion d;
    std::mt19937 a(42), b(42), c(43);
    const InkImage first = lenet::distort(img, d, a);
    EXPECT_EQ(first.ink, lenet::distort(img, d, b).ink);
    EXPECT_NE(first.ink, lenet::distort(img, d, c).ink);
    EXPECT_NE(first.ink, img.ink);
    EXPECT_EQ(first.rows, 28);
    EXPECT_EQ(first.cols, 28);
}

TEST(PreprocessTest, ElasticDistortionIsReproducibleSmoothAndKeepsTheInk) {
    InkImage img = blank(28, 28);
    fillRect(img, 6, 10, 16, 6);
    lenet::Distortion still{0, 0, 0, 0};  // no affine part
    std::mt19937 a(7);
    EXPECT_EQ(lenet::distort(img, still, a).ink, img.ink);
    still.elasticAlpha = 34.0f;
    std::mt19937 b(7), c(7), d(8);
    const InkImage first = lenet::distort(img, still, b);
    EXPECT_EQ(first.ink, lenet::distort(img, still, c).ink);
    EXPECT_NE(first.ink, lenet::distort(img, still, d).ink);
    EXPECT_NE(first.ink, img.ink);
    float before = 0, after = 0;
    for (float v : img.ink) before += v;
    for (float v : first.ink) after += v;
    // The stroke is bent, locally thinned or thickened, not erased (one draw: +30 %).
    EXPECT_NEAR(after, before, 0.5f * before);
    // A tiny field barely moves anything.
    still.elasticAlpha = 0.01f;
    std::mt19937 e(7);
    const InkImage faint = lenet::distort(img, still, e);
    for (std::size_t i = 0; i < img.ink.size(); ++i) EXPECT_NEAR(faint.ink[i], img.ink[i], 0.01f);
}

TEST(ImageFileTest, ReadsBinaryPgm) {
    TempDir dir("pre");
    const std::string header = "P5\n# a comment\n3 2\n255\n";
    const unsigned char pixels[] = {0, 255, 51, 0, 0, 0};
    writeText(dir.file("a.pgm"), header + std::string(reinterpret_cast<const char*>(pixels), 6));
    const InkImage img = lenet::readImageFile(dir.file("a.pgm"));
    ASSERT_EQ(img.rows, 2);
    ASSERT_EQ(img.cols, 3);
    EXPECT_FLOAT_EQ(at(img, 0, 1), 1.0f);
    EXPECT_FLOAT_EQ(at(img, 0, 2), 0.2f);
    EXPECT_FLOAT_EQ(at(img, 1, 0), 0.0f);
}

TEST(ImageFileTest, ReadsAsciiPgmAndInvertsDarkOnLight) {
    TempDir dir("pre");
    writeText(dir.file("b.pgm"), "P2 2 2 10\n10 10\n0 10\n");
    const InkImage img = lenet::readImageFile(dir.file("b.pgm"));
    ASSERT_EQ(img.rows, 2);
    ASSERT_EQ(img.cols, 2);
    EXPECT_EQ(img.ink, (std::vector<float>{0.0f, 0.0f, 1.0f, 0.0f}));
}

TEST(ImageFileTest, Reads16BitPgm) {
    TempDir dir("pre");
    const unsigned char pixels[] = {0x00, 0x00, 0x03, 0xe8, 0x01, 0xf4, 0x00, 0x00};
    writeText(dir.file("c.pgm"),
              "P5 4 1 1000\n" + std::string(reinterpret_cast<const char*>(pixels), 8));
    const InkImage img = lenet::readImageFile(dir.file("c.pgm"));
    ASSERT_EQ(img.cols, 4);
    EXPECT_EQ(img.ink, (std::vector<float>{0.0f, 1.0f, 0.5f, 0.0f}));
}

TEST(ImageFileTest, RejectsBadFiles) {
    TempDir dir("pre");
    writeText(dir.file("short.pgm"), "P5 4 4 255\nabc");
    expectError<lenet::FormatError>([&] { lenet::readImageFile(dir.file("short.pgm")); },
                                    {"short.pgm: PGM pixel data is 3 bytes, expected 16"});
    writeText(dir.file("x.txt"), "hello");
    EXPECT_THROW(lenet::readImageFile(dir.file("x.txt")), lenet::FormatError);
    EXPECT_THROW(lenet::readImageFile(dir.file("missing.png")), lenet::IoError);
}

TEST(ImageFileTest, ReadsPngAndInvertsDarkDigitOnWhite) {
    TempDir dir("pre");
    std::vector<png_byte> grey(20 * 16, 255);
    for (int r = 4; r < 16; ++r)
        for (int c = 6; c < 9; ++c) grey[std::size_t(r) * 16 + c] = 0;
    const std::string path = dir.file("digit.png");
    ASSERT_TRUE(writePng(path, 16, 20, PNG_FORMAT_GRAY, grey.data()));

    const InkImage img = lenet::readImageFile(path);
    ASSERT_EQ(img.rows, 20);
    ASSERT_EQ(img.cols, 16);
    for (int r = 0; r < 20; ++r)
        for (int c = 0; c < 16; ++c) {
            const bool ink = r >= 4 && r < 16 && c >= 6 && c < 9;
            EXPECT_FLOAT_EQ(at(img, r, c), ink ? 1.0f : 0.0f) << "at " << r << "," << c;
        }
}

TEST(ImageFileTest, ReadsPngWithAlphaOnWhite) {
    TempDir dir("pre");
    std::vector<png_byte> greyAlpha(8 * 8 * 2, 0);
    for (int i = 0; i < 8; ++i) greyAlpha[std::size_t(i * 8 + i) * 2 + 1] = 255;
    const std::string path = dir.file("alpha.png");
    ASSERT_TRUE(writePng(path, 8, 8, PNG_FORMAT_GA, greyAlpha.data()));

    const InkImage img = lenet::readImageFile(path);
    ASSERT_EQ(img.rows, 8);
    for (int r = 0; r < 8; ++r)
        for (int c = 0; c < 8; ++c)
            EXPECT_FLOAT_EQ(at(img, r, c), r == c ? 1.0f : 0.0f) << "at " << r << "," << c;
}

TEST(ImageFileTest, ParsesBytesInMemoryAndNamesTheOrigin) {
    const std::string pgm = "P2 2 1 4\n4 0\n";
    const InkImage img =
        lenet::parseImageFile(std::vector<std::uint8_t>(pgm.begin(), pgm.end()), "mem.pgm");
    EXPECT_EQ(img.ink, (std::vector<float>{1.0f, 0.0f}));
    expectError<lenet::FormatError>(
        [] {
            lenet::parseImageFile({'G', 'I', 'F', '8'}, "mem.gif");
        },
        {"mem.gif: not a PNG or PGM (P2/P5) image"});
}

TEST(ImageFileTest, PgmHeaderCannotClaimMorePixelsThanTheDataHolds) {
    // Checked before the pixels are allocated: 4096x4096 ASCII values need at least 2^25 - 1
    // bytes, and a 16-bit P5 image two bytes per pixel.
    TempDir dir("pre");
    writeText(dir.file("ascii.pgm"), "P2 4096 4096 255\n1 2 3\n");
    expectError<lenet::FormatError>(
        [&] { lenet::readImageFile(dir.file("ascii.pgm")); },
        {"ascii.pgm: PGM pixel data is 7 bytes, too short for 4096x4096 values (at least "
         "33554431 bytes) (truncated)"});
    writeText(dir.file("wide.pgm"), "P5 3 1 65535\n\x01\x02\x03\x04\x05");
    expectError<lenet::FormatError>([&] { lenet::readImageFile(dir.file("wide.pgm")); },
                                    {"PGM pixel data is 5 bytes, expected 6 for 3x1 (truncated)"});
}

TEST(ImageFileTest, RefusesImagesOverTheSizeLimit) {
    TempDir dir("pre");
    writeText(dir.file("huge.pgm"), "P5 8192 4096 255\n");
    expectError<lenet::FormatError>(
        [&] { lenet::readImageFile(dir.file("huge.pgm")); },
        {"huge.pgm: PGM of 8192x4096 pixels is too large (at most 16777216 pixels)"});
}
