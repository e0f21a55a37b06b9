// The ONNX exports checked by a runtime nobody here wrote: OpenCV's dnn module runs every preset's
// export (after a few batches of training) on 1,000 test images (MNIST's when it is there, else
// synthetic digits) and must give the engine's outputs: the same class for every image, and no
// output further from the engine's than 1e-4 of the image's largest output (a relative difference
// that stays meaningful for logits near zero). The figure of each preset is printed. The engine's
// import of a PyTorch-style LeNet-5 is checked against OpenCV running the original graph.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include "lenet/data/idx.h"
#include "lenet/error.h"
#include "lenet/evaluate.h"
#include "lenet/onnx.h"
#include "lenet/presets.h"
#include "support/onnx_graphs.h"
#include "support/test_support.h"

namespace {

using lenet::Dataset;
using lenet::Network;

constexpr int kImages = 1000;

/// The test images: MNIST's first 1,000 when MNIST is found, else synthetic digits.
const Dataset& testImages() {
    static const Dataset data = [] {
        try {
            Dataset d = lenet::loadSplit(lenet::defaultDataDir(), lenet::Split::Test);
            d.labels.resize(kImages);
            d.images.resize(std::size_t(kImages) * d.rows * d.cols);
            return d;
        } catch (const lenet::Error&) {
            return lenet::test::syntheticDigits(kImages, 7);
        }
    }();
    return data;
}

/// What OpenCV computes for output `output` of the ONNX model `bytes` on the images of `data`
/// (ink = pixel / 255, N x 1 x rows x cols), row-major N x classes.
std::vector<float> opencvOutputs(const std::string& bytes, const Dataset& data,
                                 const std::string& output) {
    cv::dnn::Net net = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
    const int dims[] = {data.size(), 1, data.rows, data.cols};
    cv::Mat blob(4, dims, CV_32F);
    float* p = blob.ptr<float>();
    for (std::size_t i = 0; i < data.images.size(); ++i) p[i] = float(data.images[i]) / 255.0f;
    net.setInput(blob);
    const cv::Mat out = net.forward(output);
    const float* o = out.ptr<float>();
    return std::vector<float>(o, o + out.total());
}

struct Agreement {
    double maxRelative = 0.0;  // max over images of max |opencv - engine| / max |engine|
    int classDifferences = 0;
};

Agreement compare(const std::vector<float>& engine, const std::vector<float>& other, int classes,
                  bool lowestWins) {
    Agreement a;
    const std::size_t n = engine.size() / std::size_t(classes);
    for (std::size_t i = 0; i < n; ++i) {
        const float* e = engine.data() + i * classes;
        const float* o = other.data() + i * classes;
        double scale = 0.0, diff = 0.0;
        for (int k = 0; k < classes; ++k) {
            scale = std::max(scale, double(std::fabs(e[k])));
            diff = std::max(diff, double(std::fabs(e[k] - o[k])));
        }
        a.maxRelative = std::max(a.maxRelative, diff / std::max(scale, 1e-30));
        const auto pick = [&](const float* v) {
            return int(
                (lowestWins ? std::min_element(v, v + classes) : std::max_element(v, v + classes)) -
                v);
        };
        a.classDifferences += pick(e) != pick(o);
    }
    return a;
}

TEST(OnnxOpenCv, EveryPresetsExportComputesTheEnginesOutputs) {
    const Dataset& data = testImages();
    ASSERT_EQ(data.size(), kImages);
    const Dataset train = lenet::test::syntheticDigits(200, 3);
    std::printf("max relative difference OpenCV dnn vs engine on %d images (%s):\n", kImages,
                data.source.c_str());
    for (const lenet::ArchitectureSpec& spec : lenet::test::exportedSpecs()) {
        const std::string& name = spec.name;
        SCOPED_TRACE(name);
        Network net = lenet::test::briefTrained(spec, train);
        const lenet::Evaluation ev = lenet::evaluate(net, data, 0);
        const bool rbf = net.spec().loss != lenet::LossKind::CrossEntropy;
        const std::string bytes = lenet::encodeOnnx(net, {});
        const Agreement a =
            compare(ev.outputs, opencvOutputs(bytes, data, rbf ? "penalties" : "logits"),
                    net.classes(), rbf);
        std::printf("  %-24s %.3g (%d classes differ)\n", name.c_str(), a.maxRelative,
                    a.classDifferences);
        RecordProperty(name, std::to_string(a.maxRelative));
        EXPECT_LE(a.maxRelative, 1e-4);
        EXPECT_EQ(a.classDifferences, 0);
    }
}

TEST(OnnxOpenCv, AnImportedPyTorchLenet5ComputesWhatTheGraphComputes) {
    const Dataset& data = testImages();
    for (const bool variant : {false, true}) {
        lenet::test::TorchLenetOptions o;
        o.normalize = variant;
        o.scaleConv1 = variant;
        o.logSoftmax = false;
        const onnx::ModelProto graph = lenet::test::torchLenet(o);
        const std::string bytes = lenet::test::bytesOf(graph);
        lenet::Model m = lenet::decodeOnnx(bytes, "lenet5.onnx");
        const lenet::Evaluation ev = lenet::evaluate(m.network, data, 0);
        const Agreement a = compare(
            ev.outputs, opencvOutputs(bytes, data, graph.graph().output(0).name()), 10, false);
        std::printf("imported PyTorch-style LeNet-5%s: max relative difference %.3g\n",
                    variant ? " (normalising inside, conv1 scaled)" : "", a.maxRelative);
        EXPECT_LE(a.maxRelative, 1e-4);
        EXPECT_EQ(a.classDifferences, 0);
    }
}

}  // namespace
