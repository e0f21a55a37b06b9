// Calibration: the fit (temperature, the ranges of typical digits), its place in the model file,
// classes.txt, and the bundled model's verdicts: strokes that are not digits (a dash, an X, a
// dot, a filled square), drawn on a canvas-sized image and preprocessed as the canvas does, are
// called unsure, and (with MNIST) at least 98 % of the test digits are not.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "lenet/calibration.h"
#include "lenet/data/idx.h"
#include "lenet/data/preprocess.h"
#include "lenet/error.h"
#include "lenet/evaluate.h"
#include "lenet/file_io.h"
#include "lenet/model_io.h"
#include "lenet/presets.h"
#include "support/test_support.h"

namespace {

using lenet::test::expectError;
using lenet::test::TempDir;

// The canvas's size and default pen (ui/inspect/digit_canvas.h): 280 pixels, a 22-pixel pen.
constexpr int kCanvas = 280;
constexpr double kPen = 22.0;

struct Point {
    double x, y;
};

// Strokes (polylines) drawn with the canvas's pen, and `filled` rectangles [x0, y0, x1, y1].
lenet::InkImage drawing(const std::vector<std::vector<Point>>& strokes,
                        const std::vector<std::vector<double>>& filled = {}) {
    lenet::InkImage img{kCanvas, kCanvas, std::vector<float>(kCanvas * kCanvas, 0.0f)};
    for (int y = 0; y < kCanvas; ++y)
        for (int x = 0; x < kCanvas; ++x) {
            const double px = x + 0.5, py = y + 0.5;
            bool ink = false;
            for (const auto& r : filled)
                ink |= px >= r[0] && px <= r[2] && py >= r[1] && py <= r[3];
            for (const auto& s : strokes)
                for (std::size_t i = 0; i < s.size(); ++i) {
                    const Point a = s[i], b = s[std::min(i + 1, s.size() - 1)];
                    const double dx = b.x - a.x, dy = b.y - a.y, len = dx * dx + dy * dy;
                    const double t =
                        len > 0 ? std::clamp(((px - a.x) * dx + (py - a.y) * dy) / len, 0.0, 1.0)
                                : 0.0;
                    ink |= std::hypot(px - a.x - t * dx, py - a.y - t * dy) <= kPen / 2;
                }
            img.ink[std::size_t(y) * kCanvas + x] = ink ? 1.0f : 0.0f;
        }
    return img;
}

lenet::Verdict verdictOn(lenet::Network& net, const lenet::InkImage& canvas) {
    const lenet::Prepared p =
        lenet::prepare(canvas, lenet::Preprocessing::Auto, net.spec().inputFormat());
    EXPECT_TRUE(p.centred());  // a canvas-sized drawing is centred MNIST-style
    lenet::Workspace ws;
    return lenet::classify(net, p.image, ws);
}

TEST(Calibration, FitsTheTemperatureAndTheRangesOfTypicalImages) {
    // Logits that are the true class's score 2 (and 0 elsewhere) scaled by 1/0.5: a softmax at
    // T = 2 then gives the frequencies with which the labels follow them.
    const int n = 2000, k = 2;
    std::vector<float> out, ink;
    std::vector<std::uint8_t> labels;
    for (int i = 0; i < n; ++i) {
        out.insert(out.end(), {4.0f, 0.0f});
        // P(class 0) = softmax(2, 0)_0 = 0.881: 1762 of 2000.
        labels.push_back(i < 1762 ? 0 : 1);
        ink.push_back(float(i % 1000));
    }
    const lenet::Calibration c = lenet::fitCalibration(
        lenet::LossKind::CrossEntropy, out.data(), labels.data(), ink.data(), n, k, "synthetic");
    EXPECT_NEAR(c.temperature, 2.0f, 0.02f);
    EXPECT_EQ(c.images, n);
    EXPECT_EQ(c.source, "synthetic");
    EXPECT_FLOAT_EQ(c.threshold, -4.0f);  // minus the largest logit, the same for every image
    EXPECT_NEAR(c.minInk, 2.0f, 1.0f);    // 0.25 % and 99.75 % of 0..999
    EXPECT_NEAR(c.maxInk, 997.0f, 1.0f);
    const float x[2] = {4.0f, 0.0f};
    EXPECT_FALSE(lenet::judge(lenet::LossKind::CrossEntropy, c, x, 2, 500.0f).unsure);
    EXPECT_TRUE(lenet::judge(lenet::LossKind::CrossEntropy, c, x, 2, 5000.0f).unsure);
    const float far[2] = {1.0f, 0.0f};  // a smaller largest logit: an outlier
    EXPECT_TRUE(lenet::judge(lenet::LossKind::CrossEntropy, c, far, 2, 500.0f).unsure);
    EXPECT_FALSE(lenet::judge(lenet::LossKind::CrossEntropy, std::nullopt, far, 2, 0.0f).unsure);
}

TEST(Calibration, TheModelFileKeepsItAndTheClassNames) {
    TempDir dir("calibration");
    lenet::Network net(lenet::preset("lenet5-modern"));
    net.initialize(3);
    lenet::saveModel(dir.file("old.lenet"), net, {});
    EXPECT_FALSE(lenet::loadModel(dir.file("old.lenet")).network.calibration());
    lenet::Calibration c;
    c.temperature = 1.5f;
    c.threshold = -2.0f;
    c.minProbability = 0.6f;
    c.minInk = 20.0f;
    c.maxInk = 230.0f;
    c.images = 10000;
    c.source = "t10k-images-idx3-ubyte";
    net.setCalibration(c);
    const std::vector<std::string> names = {"zero", "one", "two",   "three", "four",
                                            "five", "six", "seven", "eight", "nine"};
    net.setClassNames(names);
    lenet::saveModel(dir.file("new.lenet"), net, {});
    const lenet::Model m = lenet::loadModel(dir.file("new.lenet"));
    EXPECT_EQ(m.network.calibration(), c);
    EXPECT_EQ(m.network.classNames(), names);
    EXPECT_EQ(m.network.className(3), "three");

    net.setClassNames({"a", "b"});
    lenet::saveModel(dir.file("two.lenet"), net, {});
    expectError<lenet::FormatError>([&] { lenet::loadModel(dir.file("two.lenet")); },
                                    {dir.file("two.lenet"), "classes", "10 class names"});
}

TEST(Calibration, ClassesTxtNamesTheClassesOfADataFolder) {
    TempDir dir("classes");
    EXPECT_TRUE(lenet::readClassNames(dir.path(), 10).empty());
    EXPECT_EQ(lenet::className({}, 7), "7");
    lenet::writeFileAtomically(dir.file("classes.txt"), "cat\r\ndog\nbird\n\n");
    EXPECT_EQ(lenet::readClassNames(dir.path(), 3),
              (std::vector<std::string>{"cat", "dog", "bird"}));
    expectError<lenet::FormatError>([&] { lenet::readClassNames(dir.path(), 4); },
                                    {dir.file("classes.txt"), "3 class names", "4 classes"});
    lenet::writeFileAtomically(dir.file("classes.txt"), "cat\n\ndog\n");
    expectError<lenet::FormatError>([&] { lenet::readClassNames(dir.path(), 2); },
                                    {dir.file("classes.txt"), "line 2 is empty"});
    expectError<lenet::ConfigError>(
        [&] {
            lenet::checkClassNames({"a", "b"}, 10, "classes.txt");
        },
        {"classes.txt names 2 classes but the network has 10 outputs"});
}

TEST(Calibration, AutoPreprocessingKeepsAnMnistDigitAndCentresADrawing) {
    const lenet::InputFormat format;  // 32x32
    lenet::InkImage digit{28, 28, std::vector<float>(28 * 28, 0.0f)};
    for (int r = 6; r < 22; ++r) digit.ink[std::size_t(r) * 28 + 14] = 1.0f;
    EXPECT_TRUE(lenet::looksLikeMnist(digit, format));
    EXPECT_FALSE(lenet::prepare(digit, lenet::Preprocessing::Auto, format).centred());
    EXPECT_TRUE(lenet::prepare(digit, lenet::Preprocessing::Mnist, format).centred());
    digit.ink[0] = 1.0f;  // ink in the corner: a 22x15 box, no longer laid out like MNIST
    EXPECT_FALSE(lenet::looksLikeMnist(digit, format));
    EXPECT_FALSE(lenet::looksLikeMnist(drawing({{{140, 40}, {140, 240}}}), format));
    EXPECT_EQ(lenet::preprocessingFromString("none"), lenet::Preprocessing::None);
    expectError<lenet::ConfigError>([] { lenet::preprocessingFromString("centre"); },
                                    {"unknown preprocessing 'centre'", "auto, mnist or none"});
}

class BundledModel : public ::testing::Test {
protected:
    lenet::Model m_model = lenet::loadModel(LENET_BUNDLED_MODEL);
};

TEST_F(BundledModel, IsCalibrated) {
    ASSERT_TRUE(m_model.network.calibration());
    const lenet::Calibration& c = *m_model.network.calibration();
    EXPECT_GT(c.temperature, 1.0f);  // the RBF penalties are large: a softmax at T = 1 is 100 %
    EXPECT_EQ(c.images, 10000);
}

TEST_F(BundledModel, CallsStrokesThatAreNotDigitsUnsure) {
    lenet::Network& net = m_model.network;
    const lenet::InkImage dash = drawing({{{70, 140}, {210, 140}}});
    const lenet::InkImage cross = drawing({{{70, 70}, {210, 210}}, {{210, 70}, {70, 210}}});
    const lenet::InkImage dot = drawing({{{140, 140}}});
    const lenet::InkImage square = drawing({}, {{80, 80, 200, 200}});
    for (const auto& [name, image] :
         {std::pair{"dash", dash}, {"X", cross}, {"dot", dot}, {"filled square", square}}) {
        EXPECT_TRUE(verdictOn(net, image).unsure) << name;
    }
    const lenet::Verdict one = verdictOn(net, drawing({{{140, 50}, {140, 230}}}));
    EXPECT_EQ(one.predicted, 1);
    EXPECT_FALSE(one.unsure);
    const lenet::Verdict three = verdictOn(
        net, drawing({{{90, 60}, {190, 60}, {140, 135}, {200, 190}, {150, 235}, {90, 220}}}));
    EXPECT_EQ(three.predicted, 3);
    EXPECT_FALSE(three.unsure);
    EXPECT_GT(three.probability, 0.9f);
    EXPECT_LT(three.probability, 1.0f);
}

TEST_F(BundledModel, LeavesAtLeast98PercentOfTheMnistTestDigitsSure) {
    const std::string dir = lenet::defaultDataDir();
    if (!lenet::holdsDataSet(dir)) GTEST_SKIP() << "MNIST not found in " << dir;
    const lenet::Dataset test = lenet::loadSplit(dir, lenet::Split::Test);
    const lenet::Evaluation ev = lenet::evaluate(m_model.network, test, 0);
    const auto unsure = std::count(ev.unsure.begin(), ev.unsure.end(), std::uint8_t(1));
    RecordProperty("unsure", int(unsure));
    EXPECT_LE(double(unsure), 0.02 * ev.count) << unsure << " of " << ev.count;
}

}  // namespace
