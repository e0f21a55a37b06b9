#include "support/onnx_graphs.h"

#include <random>
#include <vector>

#include "lenet/presets.h"
#include "lenet/trainer.h"

namespace lenet::test {
namespace {

using onnx::AttributeProto;
using onnx::NodeProto;
using onnx::TensorProto;

class Builder {
public:
    Builder(onnx::GraphProto& g, std::uint32_t seed) : m_g(g), m_rng(seed) {}

    std::string weights(const std::string& name, const std::vector<std::int64_t>& dims,
                        float scale) {
        TensorProto* t = m_g.add_initializer();
        t->set_name(name);
        t->set_data_type(TensorProto::FLOAT);
        std::int64_t count = 1;
        for (std::int64_t d : dims) {
            t->add_dims(d);
            count *= d;
        }
        std::uniform_real_distribution<float> u(-scale, scale);
        for (std::int64_t i = 0; i < count; ++i) t->add_float_data(u(m_rng));
        return name;
    }
    std::string scalar(const std::string& name, float v) {
        TensorProto* t = m_g.add_initializer();
        t->set_name(name);
        t->set_data_type(TensorProto::FLOAT);
        t->add_float_data(v);
        return name;
    }
    NodeProto& node(const std::string& op, const std::string& name,
                    const std::vector<std::string>& inputs) {
        NodeProto& n = *m_g.add_node();
        n.set_op_type(op);
        n.set_name(name);
        n.mutable_input()->Add(inputs.begin(), inputs.end());
        *n.add_output() = name + "_output_0";
        return n;
    }
    static void ints(NodeProto& n, const char* name, std::vector<std::int64_t> v) {
        AttributeProto* a = n.add_attribute();
        a->set_name(name);
        a->set_type(AttributeProto::INTS);
        for (std::int64_t x : v) a->add_ints(x);
    }
    static void integer(NodeProto& n, const char* name, std::int64_t v) {
        AttributeProto* a = n.add_attribute();
        a->set_name(name);
        a->set_type(AttributeProto::INT);
        a->set_i(v);
    }

private:
    onnx::GraphProto& m_g;
    std::mt19937 m_rng;
};

}  // namespace

Network briefTrained(const ArchitectureSpec& spec, const Dataset& data) {
    TrainingConfig cfg;  // Adam at 1e-3, no validation, no distortions
    cfg.batch = 16;
    cfg.epochs = 1;
    cfg.trainLimit = 64;
    Network net(spec);
    net.initialize(cfg.seed);
    Trainer trainer(net, data, nullptr, cfg);
    TrainingObserver observer;
    trainer.run(observer);
    return net;
}

std::vector<ArchitectureSpec> exportedSpecs() {
    std::vector<ArchitectureSpec> specs;
    for (const std::string& name : presetNames()) specs.push_back(preset(name));
    ArchitectureSpec other = preset("lenet5-maxpool");
    other.name = "activations";
    const char* const fns[] = {"leaky_relu", "tanh", "sigmoid_affine", "log_relu"};
    int next = 0;
    for (LayerSpec& l : other.layers) {
        if (l.type != "activation") continue;
        l.fn = fns[next++ % 4];
        l.slope = 0.05f;
        l.beta = 2.0f;
    }
    specs.push_back(other);
    return specs;
}

onnx::ModelProto torchLenet(const TorchLenetOptions& o) {
    onnx::ModelProto m;
    m.set_ir_version(7);
    m.set_producer_name("pytorch");
    m.set_producer_version("1.13.0");
    auto* opset = m.add_opset_import();
    opset->set_domain("");
    opset->set_version(13);
    onnx::GraphProto& g = *m.mutable_graph();
    g.set_name("torch_jit");
    auto* in = g.add_input();
    in->set_name("input.1");
    auto* type = in->mutable_type()->mutable_tensor_type();
    type->set_elem_type(TensorProto::FLOAT);
    type->mutable_shape()->add_dim()->set_dim_param("N");
    for (int d : {1, 28, 28}) type->mutable_shape()->add_dim()->set_dim_value(d);

    Builder b(g, o.seed);
    std::string x = "input.1";
    if (o.normalize) {
        x = b.node("Sub", "/Sub", {x, b.scalar("mean", 0.1307f)}).output(0);
        x = b.node("Div", "/Div", {x, b.scalar("std", 0.3081f)}).output(0);
    }
    auto conv = [&](const std::string& name, int in, int out, int pad) {
        NodeProto& n = b.node("Conv", "/" + name + "/Conv",
                              {x, b.weights(name + ".weight", {out, in, 5, 5}, 0.4f),
                               b.weights(name + ".bias", {out}, 0.1f)});
        Builder::ints(n, "dilations", {1, 1});
        Builder::integer(n, "group", 1);
        Builder::ints(n, "kernel_shape", {5, 5});
        Builder::ints(n, "pads", {pad, pad, pad, pad});
        Builder::ints(n, "strides", {1, 1});
        x = n.output(0);
    };
    const char* const reluNames[] = {"/Relu", "/Relu_1", "/Relu_2", "/Relu_3"};
    int relus = 0;
    auto relu = [&] { x = b.node("Relu", reluNames[relus++], {x}).output(0); };
    int pools = 0;
    auto pool = [&] {
        NodeProto& n = b.node("MaxPool", pools++ ? "/MaxPool_1" : "/MaxPool", {x});
        Builder::integer(n, "ceil_mode", 0);
        Builder::ints(n, "kernel_shape", {2, 2});
        Builder::ints(n, "pads", {0, 0, 0, 0});
        Builder::ints(n, "strides", {2, 2});
        x = n.output(0);
    };
    auto gemm = [&](const std::string& name, int in, int out) {
        NodeProto& n = b.node("Gemm", "/" + name + "/Gemm",
                              {x, b.weights(name + ".weight", {out, in}, 0.2f),
                               b.weights(name + ".bias", {out}, 0.1f)});
        AttributeProto* alpha = n.add_attribute();
        alpha->set_name("alpha");
        alpha->set_type(AttributeProto::FLOAT);
        alpha->set_f(1.0f);
        Builder::integer(n, "transB", 1);
        x = n.output(0);
    };
    conv("conv1", 1, 6, 2);
    if (o.scaleConv1) {
        x = b.node("Mul", "/scale/Mul", {x, b.weights("scale.weight", {6, 1, 1}, 2.0f)}).output(0);
        x = b.node("Add", "/scale/Add", {b.weights("scale.bias", {1}, 0.5f), x}).output(0);
    }
    relu();
    pool();
    conv("conv2", 6, 16, 0);
    relu();
    pool();
    if (o.flatten) {
        NodeProto& n = b.node("Flatten", "/Flatten", {x});
        Builder::integer(n, "axis", 1);
        x = n.output(0);
    } else {
        NodeProto& c = b.node("Constant", "/Constant", {});
        AttributeProto* value = c.add_attribute();
        value->set_name("value");
        value->set_type(AttributeProto::TENSOR);
        TensorProto* shape = value->mutable_t();
        shape->set_data_type(TensorProto::INT64);
        shape->add_dims(2);
        shape->add_int64_data(-1);
        shape->add_int64_data(400);
        x = b.node("Reshape", "/Reshape", {x, c.output(0)}).output(0);
    }
    gemm("fc1", 400, 120);
    relu();
    gemm("fc2", 120, 84);
    relu();
    if (o.matmul) {
        x = b.node("MatMul", "/fc3/MatMul", {x, b.weights("fc3.weight", {84, 10}, 0.2f)}).output(0);
        x = b.node("Add", "/fc3/Add", {b.weights("fc3.bias", {10}, 0.1f), x}).output(0);
    } else {
        gemm("fc3", 84, 10);
    }
    if (o.logSoftmax) {
        NodeProto& n = b.node("LogSoftmax", "/LogSoftmax", {x});
        Builder::integer(n, "axis", 1);
        x = n.output(0);
    }
    auto* out = g.add_output();
    out->set_name(x);
    auto* ot = out->mutable_type()->mutable_tensor_type();
    ot->set_elem_type(TensorProto::FLOAT);
    ot->mutable_shape()->add_dim()->set_dim_param("N");
    ot->mutable_shape()->add_dim()->set_dim_value(10);
    return m;
}

std::string bytesOf(const onnx::ModelProto& model) {
    return model.SerializeAsString();
}

}  // namespace lenet::test
