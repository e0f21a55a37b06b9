// ONNX export and import (lenet/onnx.h): every preset round-trips to the same spec and
// bit-identical weights through a file the ONNX checker accepts; a PyTorch-style LeNet-5 imports
// as the engine's layers; broken files are refused naming what is wrong.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <nlohmann/json.hpp>

#include "lenet/error.h"
#include "lenet/evaluate.h"
#include "lenet/kinds.h"
#include "lenet/onnx.h"
#include "lenet/presets.h"
#include "lenet/spec_json.h"
#include "support/onnx_graphs.h"
#include "support/test_support.h"

namespace {

using lenet::FormatError;
using lenet::Model;
using lenet::Network;
using namespace lenet::test;

const lenet::Dataset& digits() {
    static const lenet::Dataset data = syntheticDigits(200, 3);
    return data;
}

std::vector<lenet::EpochMetrics> oneEpoch() {
    // epoch, loss, train, validation, test error, test loss, seconds, images/s, lr
    return {lenet::EpochMetrics{1, 0.5, 0.25, -1.0, 0.125, 0.4, 1.5, 1000.0, 1e-3}};
}

void expectSameWeights(const Network& a, const Network& b) {
    const auto pa = a.params();
    const auto pb = b.params();
    ASSERT_EQ(pa.size(), pb.size());
    for (std::size_t i = 0; i < pa.size(); ++i) {
        ASSERT_EQ(pa[i]->value.size(), pb[i]->value.size()) << pa[i]->name;
        EXPECT_EQ(std::memcmp(pa[i]->value.data(), pb[i]->value.data(),
                              pa[i]->value.size() * sizeof(float)),
                  0)
            << "param " << i << " (" << pa[i]->name << ") differs";
    }
}

TEST(OnnxExport, EveryPresetRoundTripsExactlyThroughTheChecker) {
    for (const lenet::ArchitectureSpec& spec : exportedSpecs()) {
        const std::string& name = spec.name;
        SCOPED_TRACE(name);
        Network net = briefTrained(spec, digits());
        net.setClassNames(
            {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"});
        net.setCalibration(lenet::calibrate(net, digits(), 1));
        const std::string bytes = lenet::encodeOnnx(net, oneEpoch());
        onnx::ModelProto proto;
        ASSERT_TRUE(proto.ParseFromString(bytes));
        EXPECT_NO_THROW(onnx::checker::check_model(proto));
        EXPECT_EQ(proto.opset_import(0).version(), lenet::kOnnxOpset);
        const Model back = lenet::decodeOnnx(bytes, name + ".onnx");
        EXPECT_EQ(lenet::toJson(back.network.spec()), lenet::toJson(net.spec()));
        expectSameWeights(back.network, net);
        EXPECT_EQ(back.history, oneEpoch());
        EXPECT_EQ(back.network.classNames(), net.classNames());
        EXPECT_EQ(back.network.calibration(), net.calibration());
    }
}

TEST(OnnxExport, KeepsTheSpecNameTestErrorAndInputConventionInTheMetadata) {
    const Network net = briefTrained(lenet::preset("lenet5-maxpool"), digits());
    onnx::ModelProto proto;
    ASSERT_TRUE(proto.ParseFromString(lenet::encodeOnnx(net, oneEpoch())));
    std::map<std::string, std::string> props;
    for (const auto& p : proto.metadata_props()) props[p.key()] = p.value();
    EXPECT_EQ(props["lenet.spec_name"], "lenet5-maxpool");
    EXPECT_EQ(props["lenet.test_error"], "0.125");
    EXPECT_NE(props["lenet.input"].find("pixel / 255"), std::string::npos);
    ASSERT_EQ(proto.graph().input_size(), 1);
    const auto& dims = proto.graph().input(0).type().tensor_type().shape().dim();
    ASSERT_EQ(dims.size(), 4);
    EXPECT_EQ(dims[2].dim_value(), 28);  // the raw MNIST image: the graph pads it to 32
    EXPECT_EQ(proto.graph().node(0).op_type(), "Pad");
    EXPECT_EQ(proto.graph().output(0).name(), "logits");
    EXPECT_EQ(proto.graph().output(1).name(), "probabilities");
}

TEST(OnnxExport, WritesTheFileAtomicallyAndRefusesDamagedWeights) {
    TempDir dir("onnx_export");
    Network net = briefTrained(lenet::preset("lenet1"), digits());
    lenet::exportOnnx(dir.file("a.onnx"), net, {});
    EXPECT_TRUE(lenet::isOnnxFile(dir.file("a.onnx")));
    const Model back = lenet::openModel(dir.file("a.onnx"));
    expectSameWeights(back.network, net);
    net.params()[0]->value[3] = std::numeric_limits<float>::quiet_NaN();
    expectError<lenet::Error>([&] { lenet::exportOnnx(dir.file("a.onnx"), net, {}); },
                              {"refusing to export", "NaN"});
    expectSameWeights(lenet::importOnnx(dir.file("a.onnx")).network, back.network);
}

TEST(OnnxImport, APyTorchLenet5BecomesTheEnginesLayers) {
    const onnx::ModelProto torch = torchLenet();
    const Model m = lenet::decodeOnnx(bytesOf(torch), "tests/lenet5.onnx");
    const lenet::ArchitectureSpec& spec = m.network.spec();
    EXPECT_EQ(spec.name, "lenet5");
    EXPECT_EQ(spec.input, (lenet::Shape{1, 28, 28}));
    EXPECT_EQ(spec.normalization, lenet::Normalization::Unit);
    std::vector<std::string> types;
    for (const auto& l : spec.layers) types.push_back(l.type + (l.fn.empty() ? "" : ":" + l.fn));
    EXPECT_EQ(types, (std::vector<std::string>{"conv", "activation:relu", "maxpool", "conv",
                                               "activation:relu", "maxpool", "fc",
                                               "activation:relu", "fc", "activation:relu", "fc"}));
    EXPECT_EQ(spec.layers[0].name, "conv1");
    EXPECT_EQ(spec.layers[0].padding, 2);
    EXPECT_EQ(spec.layers[10].name, "fc3");
    // Gemm's weights (transB) are the fc layer's as they are, bit for bit.
    const auto& fc3 = m.network.layer(10).params()[0].value;
    const auto& t = torch.graph().initializer();
    const auto it =
        std::find_if(t.begin(), t.end(), [](auto& x) { return x.name() == "fc3.weight"; });
    ASSERT_NE(it, t.end());
    EXPECT_TRUE(std::equal(fc3.begin(), fc3.end(), it->float_data().begin()));
    // The spec builds again from its JSON (the architecture editor's view of it).
    EXPECT_EQ(lenet::toJson(lenet::specFromJson(lenet::toJson(spec))), lenet::toJson(spec));
}

TEST(OnnxImport, FlattenMatMulAndANormalizationInsideTheGraphAreUnderstood) {
    TorchLenetOptions o;
    o.flatten = true;
    o.matmul = true;
    o.normalize = true;
    o.logSoftmax = false;
    const Model m = lenet::decodeOnnx(bytesOf(torchLenet(o)), "normalized.onnx");
    EXPECT_EQ(m.network.spec().normalization, lenet::Normalization::MeanStd);
    EXPECT_NEAR(m.network.spec().mean, 0.1307f, 1e-6f);
    EXPECT_NEAR(m.network.spec().stddev, 0.3081f, 1e-6f);
    EXPECT_EQ(m.network.spec().layers.back().type, "fc");
}

TEST(OnnxImport, TheInputScaleIsAnOptionAndKeptInTheSpec) {
    lenet::OnnxImportOptions options;
    options.inputScale = lenet::InputScale{0.1307f, 0.3081f};
    const Model m = lenet::decodeOnnx(bytesOf(torchLenet()), "lenet5.onnx", options);
    EXPECT_EQ(m.network.spec().normalization, lenet::Normalization::MeanStd);
    EXPECT_EQ(m.network.spec().mean, 0.1307f);
    EXPECT_EQ(m.network.spec().stddev, 0.3081f);
    const lenet::ArchitectureSpec again = lenet::specFromJson(lenet::toJson(m.network.spec()));
    EXPECT_EQ(again.mean, 0.1307f);
    EXPECT_EQ(again.stddev, 0.3081f);
}

TEST(OnnxImport, RefusesAnUnknownOpNamingTheNode) {
    onnx::ModelProto m = torchLenet();
    m.mutable_graph()->mutable_node(4)->set_op_type("Elu");
    expectError<FormatError>([&] { lenet::decodeOnnx(bytesOf(m), "bad.onnx"); },
                             {"bad.onnx", "'/Relu_1'", "(Elu)", "not supported"});
}

TEST(OnnxImport, RefusesShapesThatDoNotFit) {
    onnx::ModelProto m = torchLenet();
    for (auto& t : *m.mutable_graph()->mutable_initializer()) {
        if (t.name() != "fc1.weight") continue;
        t.set_dims(1, 399);  // 120 x 399 floats where 400 inputs arrive
        while (t.float_data_size() > 120 * 399) t.mutable_float_data()->RemoveLast();
    }
    expectError<FormatError>([&] { lenet::decodeOnnx(bytesOf(m), "shape.onnx"); },
                             {"shape.onnx", "'/fc1/Gemm'", "400 values"});
}

TEST(OnnxImport, RefusesATensorDeclaringTenGigabytesBeforeAllocating) {
    onnx::ModelProto m = torchLenet();
    onnx::TensorProto* t = m.mutable_graph()->add_initializer();
    t->set_name("huge");
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_dims(std::int64_t(10) << 28);  // 2.7e9 floats: 10 GiB
    expectError<FormatError>([&] { lenet::decodeOnnx(bytesOf(m), "huge.onnx"); },
                             {"huge.onnx", "'huge'", "declares more than"});
}

TEST(OnnxImport, RefusesExternalData) {
    onnx::ModelProto m = torchLenet();
    onnx::TensorProto& t = *m.mutable_graph()->mutable_initializer(0);
    t.clear_float_data();
    t.set_data_location(onnx::TensorProto::EXTERNAL);
    auto* location = t.add_external_data();
    location->set_key("location");
    location->set_value("/etc/passwd");
    expectError<FormatError>([&] { lenet::decodeOnnx(bytesOf(m), "external.onnx"); },
                             {"external.onnx", "external file"});
}

TEST(OnnxImport, RefusesEveryTruncationOfAnExport) {
    const Network net = briefTrained(lenet::preset("lenet1"), digits());
    const std::string bytes = lenet::encodeOnnx(net, oneEpoch());
    for (std::size_t size = 0; size < bytes.size(); ++size) {
        try {
            lenet::decodeOnnx(bytes.substr(0, size), "cut.onnx");
            ADD_FAILURE() << "a file cut to " << size << " of " << bytes.size()
                          << " bytes was read";
            return;
        } catch (const FormatError& e) {
            ASSERT_NE(std::string(e.what()).find("cut.onnx"), std::string::npos) << e.what();
        }
    }
}

TEST(OnnxImport, RefusesAnEditedGraphOfOurOwnExport) {
    const Network net = briefTrained(lenet::preset("lenet5-maxpool"), digits());
    onnx::ModelProto m;
    ASSERT_TRUE(m.ParseFromString(lenet::encodeOnnx(net, {})));
    m.mutable_graph()->mutable_node(4)->set_op_type("Sigmoid");
    expectError<FormatError>([&] { lenet::decodeOnnx(bytesOf(m), "edited.onnx"); },
                             {"edited.onnx", "(Sigmoid)", "not what the spec"});
}

}  // namespace
