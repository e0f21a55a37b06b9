#include "lenet/onnx.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <map>
#include <span>

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <nlohmann/json.hpp>

#include "lenet/error.h"
#include "lenet/file_io.h"
#include "lenet/json_value.h"
#include "lenet/kinds.h"
#include "lenet/spec_json.h"
#include "lenet/text.h"
#include "lenet/version.h"

namespace lenet {
namespace {

static_assert(std::endian::native == std::endian::little, "raw_data is little-endian");

using nlohmann::json;
using onnx::AttributeProto;
using onnx::GraphProto;
using onnx::ModelProto;
using onnx::NodeProto;
using onnx::TensorProto;

constexpr int kIrVersion = 7;    // ONNX 1.7's: opset 13 and older readers
constexpr int kImageSide = 28;   // MNIST: the raw image the exported graphs take
constexpr int kMaxNodes = 4096;  // far above any LeNet graph
constexpr char kSpecKey[] = "lenet.spec";
constexpr char kImageInput[] = "image";
constexpr char kProducer[] = "LeNet Studio";

// ---- Export -------------------------------------------------------------------------------

const Param& param(const Layer& layer, const std::string& name) {
    for (const Param& p : layer.params())
        if (p.name == name) return p;
    throw Error("layer " + layer.name() + " has no parameter " + name);
}

void addInts(NodeProto& n, const char* name, std::vector<std::int64_t> values) {
    AttributeProto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(AttributeProto::INTS);
    for (std::int64_t v : values) a->add_ints(v);
}

void addInt(NodeProto& n, const char* name, std::int64_t value) {
    AttributeProto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(AttributeProto::INT);
    a->set_i(value);
}

void addFloat(NodeProto& n, const char* name, float value) {
    AttributeProto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(AttributeProto::FLOAT);
    a->set_f(value);
}

void setTensorType(onnx::ValueInfoProto& v, const std::string& name,
                   const std::vector<std::int64_t>& dims) {
    v.set_name(name);
    auto* t = v.mutable_type()->mutable_tensor_type();
    t->set_elem_type(TensorProto::FLOAT);
    auto* shape = t->mutable_shape();
    shape->add_dim()->set_dim_param("N");
    for (std::int64_t d : dims) shape->add_dim()->set_dim_value(d);
}

/// Appends nodes and initialisers to a graph; every node's one output is named after the node.
class GraphWriter {
public:
    explicit GraphWriter(GraphProto& g) : m_g(g) {}

    std::string constant(const std::string& name, const std::vector<std::int64_t>& dims,
                         std::span<const float> values) {
        TensorProto* t = m_g.add_initializer();
        t->set_name(name);
        t->set_data_type(TensorProto::FLOAT);
        for (std::int64_t d : dims) t->add_dims(d);
        t->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()),
                                    values.size() * sizeof(float)));
        return name;
    }
    std::string scalar(const std::string& name, float value) {
        return constant(name, {1}, std::span<const float>(&value, 1));
    }
    std::string int64s(const std::string& name, const std::vector<std::int64_t>& values) {
        TensorProto* t = m_g.add_initializer();
        t->set_name(name);
        t->set_data_type(TensorProto::INT64);
        t->add_dims(std::int64_t(values.size()));
        for (std::int64_t v : values) t->add_int64_data(v);
        return name;
    }
    NodeProto& node(const std::string& op, const std::string& name,
                    const std::vector<std::string>& inputs) {
        NodeProto* n = m_g.add_node();
        n->set_op_type(op);
        n->set_name(name);
        for (const std::string& in : inputs) n->add_input(in);
        n->add_output(name);
        return *n;
    }

private:
    GraphProto& m_g;
};

// The affine map a * ink + b of a normalisation (preprocess.cpp's toInput).
std::pair<float, float> inputAffine(const InputFormat& f) {
    switch (f.normalization) {
        case Normalization::Lecun: return {1.275f, -0.1f};
        case Normalization::MeanStd: return {1.0f / f.stddev, -f.mean / f.stddev};
        case Normalization::MinusOneOne: return {2.0f, -1.0f};
        case Normalization::Unit: break;
    }
    return {1.0f, 0.0f};
}

// The raw image's side for an input side: MNIST's 28 when the input is as large or larger.
int imageSide(int input) {
    return std::min(input, kImageSide);
}

// The graph input, its padding to the architecture's input and its normalisation; returns the
// value the first layer reads.
std::string writeInput(GraphWriter& w, GraphProto& g, const ArchitectureSpec& spec) {
    const int rows = imageSide(spec.input.h), cols = imageSide(spec.input.w);
    setTensorType(*g.add_input(), kImageInput, {spec.input.c, rows, cols});
    std::string x = kImageInput;
    const int top = (spec.input.h - rows) / 2, left = (spec.input.w - cols) / 2;
    const int bottom = spec.input.h - rows - top, right = spec.input.w - cols - left;
    if (top || left || bottom || right) {
        // Background ink is 0: the normalisation after it turns it into toInput's background.
        const std::string pads = w.int64s("input.pads", {0, 0, top, left, 0, 0, bottom, right});
        x = w.node("Pad", "input/pad", {x, pads}).output(0);
    }
    const auto [a, b] = inputAffine(spec.inputFormat());
    if (a != 1.0f) x = w.node("Mul", "input/scale", {x, w.scalar("input.scale.a", a)}).output(0);
    if (b != 0.0f) x = w.node("Add", "input/shift", {x, w.scalar("input.shift.b", b)}).output(0);
    return x;
}

// The nodes of one layer on value `x`; `flat`: x is N x values (after a Gemm), else N x C x H x W.
std::string writeLayer(GraphWriter& w, const Layer& layer, const LayerSpec& s, std::string x,
                       bool& flat) {
    const std::string& n = layer.name();
    const std::int64_t c = layer.inputShape().c;
    const std::vector<std::int64_t> channel =
        flat ? std::vector<std::int64_t>{c} : std::vector<std::int64_t>{c, 1, 1};
    auto perChannel = [&](const std::string& p) {
        return w.constant(n + "." + p, channel, param(layer, p).value);
    };
    auto flatten = [&] {
        if (!flat) addInt(w.node("Flatten", n + "/flatten", {x}), "axis", 1);
        if (!flat) x = n + "/flatten";
        flat = true;
    };
    auto window = [&](NodeProto& node, int size) {
        addInts(node, "kernel_shape", {size, size});
        addInts(node, "strides", {size, size});
        return node.output(0);
    };
    switch (layerKind(s.type).type) {
        case LayerType::Conv: {
            const Param& weight = param(layer, "weight");
            const std::vector<std::int64_t> dims(weight.dims.begin(), weight.dims.end());
            NodeProto& conv =
                w.node("Conv", n + "/conv",
                       {x, w.constant(n + ".weight", dims, weight.value),
                        w.constant(n + ".bias", {s.maps}, param(layer, "bias").value)});
            addInts(conv, "kernel_shape", {s.kernel, s.kernel});
            addInts(conv, "strides", {s.stride, s.stride});
            addInts(conv, "pads", {s.padding, s.padding, s.padding, s.padding});
            return conv.output(0);
        }
        case LayerType::Subsample: {
            // The engine's sum of the window: the average times the window's area.
            x = window(w.node("AveragePool", n + "/avgpool", {x}), s.size);
            x = w.node("Mul", n + "/sum", {x, w.scalar(n + ".area", float(s.size * s.size))})
                    .output(0);
            x = w.node("Mul", n + "/coef", {x, perChannel("coef")}).output(0);
            return w.node("Add", n + "/bias", {x, perChannel("bias")}).output(0);
        }
        case LayerType::AvgPool: return window(w.node("AveragePool", n + "/avgpool", {x}), s.size);
        case LayerType::MaxPool: return window(w.node("MaxPool", n + "/maxpool", {x}), s.size);
        case LayerType::Fc: {
            flatten();
            const Param& weight = param(layer, "weight");
            NodeProto& gemm = w.node(
                "Gemm", n + "/gemm",
                {x, w.constant(n + ".weight", {weight.dims[0], weight.dims[1]}, weight.value),
                 w.constant(n + ".bias", {weight.dims[0]}, param(layer, "bias").value)});
            addInt(gemm, "transB", 1);
            return gemm.output(0);
        }
        case LayerType::Activation:
            switch (activationKind(s.fn).fn) {
                case ActivationFn::ScaledTanh:
                    x = w.node("Mul", n + "/slope", {x, w.scalar(n + ".s", 2.0f / 3.0f)}).output(0);
                    x = w.node("Tanh", n + "/tanh", {x}).output(0);
                    return w.node("Mul", n + "/amplitude", {x, w.scalar(n + ".a", 1.7159f)})
                        .output(0);
                case ActivationFn::Tanh: return w.node("Tanh", n + "/tanh", {x}).output(0);
                case ActivationFn::Sigmoid: return w.node("Sigmoid", n + "/sigmoid", {x}).output(0);
                case ActivationFn::Relu: return w.node("Relu", n + "/relu", {x}).output(0);
                case ActivationFn::LeakyRelu: {
                    NodeProto& leaky = w.node("LeakyRelu", n + "/leaky_relu", {x});
                    addFloat(leaky, "alpha", s.slope);
                    return leaky.output(0);
                }
                case ActivationFn::LogRelu:
                    x = w.node("Relu", n + "/relu", {x}).output(0);
                    x = w.node("Add", n + "/plus1", {x, w.scalar(n + ".one", 1.0f)}).output(0);
                    x = w.node("Log", n + "/log", {x}).output(0);
                    return w.node("Mul", n + "/beta", {x, w.scalar(n + ".b", s.beta)}).output(0);
                case ActivationFn::SigmoidAffine:
                    x = w.node("Mul", n + "/alpha", {x, perChannel("alpha")}).output(0);
                    x = w.node("Add", n + "/beta", {x, perChannel("beta")}).output(0);
                    return w.node("Sigmoid", n + "/sigmoid", {x}).output(0);
                case ActivationFn::SwishBeta: {
                    const std::string bx =
                        w.node("Mul", n + "/beta", {x, perChannel("beta")}).output(0);
                    const std::string sg = w.node("Sigmoid", n + "/sigmoid", {bx}).output(0);
                    return w.node("Mul", n + "/swish", {x, sg}).output(0);
                }
            }
            break;
        case LayerType::BatchNorm: {
            const std::vector<std::int64_t> dims{c};
            NodeProto& bn =
                w.node("BatchNormalization", n + "/batchnorm",
                       {x, w.constant(n + ".gamma", dims, param(layer, "gamma").value),
                        w.constant(n + ".beta", dims, param(layer, "beta").value),
                        w.constant(n + ".running_mean", dims, param(layer, "running_mean").value),
                        w.constant(n + ".running_var", dims, param(layer, "running_var").value)});
            addFloat(bn, "epsilon", s.eps);
            return bn.output(0);
        }
        case LayerType::Dropout: return x;  // evaluation: the identity
        case LayerType::Rbf: {
            // ||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2, as two Gemms (OpenCV runs them all).
            flatten();
            const Param& centres = param(layer, "centres");
            const std::int64_t k = centres.dims[0], in = centres.dims[1];
            std::vector<float> norms(std::size_t(k), 0.0f);
            for (std::int64_t i = 0; i < k; ++i)
                for (std::int64_t j = 0; j < in; ++j)
                    norms[std::size_t(i)] += centres.value[std::size_t(i * in + j)] *
                                             centres.value[std::size_t(i * in + j)];
            const std::vector<float> ones(std::size_t(k * in), 1.0f);
            const std::string xx = w.node("Mul", n + "/square", {x, x}).output(0);
            NodeProto& sum =
                w.node("Gemm", n + "/x2", {xx, w.constant(n + ".ones", {k, in}, ones)});
            addInt(sum, "transB", 1);
            // -2 x rather than Gemm's alpha, which OpenCV 4.6 ignores; both are exact.
            const std::string minus2x =
                w.node("Mul", n + "/minus2x", {x, w.scalar(n + ".minus2", -2.0f)}).output(0);
            NodeProto& cross = w.node("Gemm", n + "/cross",
                                      {minus2x, w.constant(n + ".centres", {k, in}, centres.value),
                                       w.constant(n + ".c2", {k}, norms)});
            addInt(cross, "transB", 1);
            return w.node("Add", n + "/distance", {sum.output(0), cross.output(0)}).output(0);
        }
    }
    return x;
}

// The graph of `net` (no metadata).
void writeGraph(GraphProto& g, const Network& net) {
    GraphWriter w(g);
    const ArchitectureSpec& spec = net.spec();
    g.set_name(spec.name);
    std::string x = writeInput(w, g, spec);
    bool flat = false;
    for (int l = 0; l < net.layerCount(); ++l)
        x = writeLayer(w, net.layer(l), spec.layers[std::size_t(l)], x, flat);
    // The last node's output gets the output's name.
    const bool rbf = spec.loss != LossKind::CrossEntropy;
    const std::string out = rbf ? "penalties" : "logits";
    g.mutable_node(g.node_size() - 1)->set_output(0, out);
    setTensorType(*g.add_output(), out, {net.classes()});
    if (!rbf) {
        NodeProto& softmax = w.node("Softmax", "probabilities", {out});
        addInt(softmax, "axis", 1);
        setTensorType(*g.add_output(), "probabilities", {net.classes()});
    }
}

void addProp(ModelProto& m, const std::string& key, const std::string& value) {
    auto* p = m.add_metadata_props();
    p->set_key(key);
    p->set_value(value);
}

// ---- Import: bounds before trust ------------------------------------------------------------

/// A tensor's values, checked against its declared shape before anything is allocated.
struct Values {
    std::vector<std::int64_t> dims;
    std::vector<float> floats;       // FLOAT tensors
    std::vector<std::int64_t> ints;  // INT64 tensors

    std::int64_t count() const {
        std::int64_t n = 1;
        for (std::int64_t d : dims) n *= d;
        return n;
    }
};

// The `count` values of `t`: its raw bytes or its typed list (`typed`), whichever it has.
template <typename T, typename Typed>
void readValues(const TensorProto& t, std::int64_t count, const Typed& typed, std::vector<T>& out,
                const std::string& where) {
    const std::string declared = " (" + std::to_string(count) + " declared)";
    if (!t.raw_data().empty()) {
        if (t.raw_data().size() != std::size_t(count) * sizeof(T))
            throw FormatError(where + " has " + std::to_string(t.raw_data().size()) +
                              " bytes of values, not " + std::to_string(sizeof(T)) + " per value" +
                              declared);
        out.resize(std::size_t(count));
        std::memcpy(out.data(), t.raw_data().data(), t.raw_data().size());
    } else {
        if (typed.size() != count)
            throw FormatError(where + " has " + std::to_string(typed.size()) + " values" +
                              declared);
        out.assign(typed.begin(), typed.end());
    }
}

Values readTensor(const TensorProto& t, const std::string& where) {
    if (t.data_location() == TensorProto::EXTERNAL || t.external_data_size() > 0) {
        throw FormatError(where + " keeps its values in an external file, which is not read");
    }
    Values v;
    std::int64_t count = 1;
    for (std::int64_t d : t.dims()) {
        if (d < 0) throw FormatError(where + " has a negative dimension");
        if (d != 0 && count > kMaxParameters / d) {
            throw FormatError(where + " declares more than " + std::to_string(kMaxParameters) +
                              " values, over the engine's limit");
        }
        count *= d;
        v.dims.push_back(d);
    }
    if (t.data_type() == TensorProto::FLOAT) {
        readValues(t, count, t.float_data(), v.floats, where);
    } else if (t.data_type() == TensorProto::INT64) {
        readValues(t, count, t.int64_data(), v.ints, where);
    } else {
        throw FormatError(where + " is of ONNX data type " + std::to_string(t.data_type()) +
                          "; only float (and int64 shapes) are read");
    }
    return v;
}

std::string nodeName(const NodeProto& n) {
    return "node '" + printable(n.name()) + "' (" + printable(n.op_type()) + ")";
}

// Every tensor of the file checked (bounds, no external data), then the ONNX checker.
void checkModel(const ModelProto& m, const std::string& origin) {
    const GraphProto& g = m.graph();
    if (g.node_size() > kMaxNodes)
        throw FormatError(origin + ": the graph has " + std::to_string(g.node_size()) +
                          " nodes, more than the " + std::to_string(kMaxNodes) + " read");
    std::int64_t total = 0;
    for (const TensorProto& t : g.initializer()) {
        total += readTensor(t, origin + ": initialiser '" + printable(t.name()) + "'").count();
        if (total > kMaxParameters)
            throw FormatError(origin + ": the initialisers hold more than " +
                              std::to_string(kMaxParameters) + " values, over the engine's limit");
    }
    for (const NodeProto& n : g.node()) {
        for (const AttributeProto& a : n.attribute()) {
            if (a.has_t())
                readTensor(a.t(), origin + ": " + nodeName(n) + " attribute " + a.name());
            if (a.has_g() || a.graphs_size() > 0)
                throw FormatError(origin + ": " + nodeName(n) + " has a subgraph, not supported");
        }
    }
    try {
        onnx::checker::check_model(m);
    } catch (const std::exception& e) {
        throw FormatError(origin + ": the ONNX checker refuses the model: " + e.what());
    }
}

std::string propValue(const ModelProto& m, const std::string& key) {
    for (const auto& p : m.metadata_props())
        if (p.key() == key) return p.value();
    return {};
}

// ---- Import of our own exports --------------------------------------------------------------

json parseProp(const ModelProto& m, const std::string& key, const std::string& origin) {
    try {
        return json::parse(propValue(m, key));
    } catch (const json::exception& e) {
        throw FormatError(origin + ": the metadata " + key +
                          " is not valid JSON: " + jsonErrorText(e));
    }
}

Model decodeOwn(const ModelProto& m, const std::string& origin) {
    json header{{"spec", parseProp(m, kSpecKey, origin)}};
    for (const char* key : {"history", "classes", "calibration"}) {
        const std::string prop = std::string("lenet.") + key;
        if (!propValue(m, prop).empty()) header[key] = parseProp(m, prop, origin);
    }
    Model model = modelFromHeader(header, origin);
    Network& net = model.network;
    std::map<std::string, const TensorProto*> initialisers;
    for (const TensorProto& t : m.graph().initializer()) initialisers[t.name()] = &t;
    for (int l = 0; l < net.layerCount(); ++l) {
        for (Param& p : net.layer(l).params()) {
            const std::string name = net.layer(l).name() + "." + p.name;
            const auto it = initialisers.find(name);
            if (it == initialisers.end())
                throw FormatError(origin + ": the weights '" + printable(name) +
                                  "' of the spec in its metadata are missing");
            const Values v = readTensor(*it->second, origin + ": initialiser '" + name + "'");
            if (v.floats.size() != p.value.size())
                throw FormatError(origin + ": initialiser '" + printable(name) + "' has " +
                                  std::to_string(v.floats.size()) + " values, the spec needs " +
                                  std::to_string(p.value.size()));
            p.value = v.floats;
        }
    }
    if (const std::string problem = weightsProblem(net); !problem.empty())
        throw FormatError(origin + ": " + problem);
    // The graph must be the one the spec and the weights make: nothing edited, nothing missing.
    GraphProto expected;
    writeGraph(expected, net);
    const GraphProto& g = m.graph();
    if (expected.node_size() != g.node_size())
        throw FormatError(origin + ": the graph has " + std::to_string(g.node_size()) +
                          " nodes, the spec in its metadata makes " +
                          std::to_string(expected.node_size()));
    for (int i = 0; i < g.node_size(); ++i) {
        if (expected.node(i).SerializeAsString() != g.node(i).SerializeAsString())
            throw FormatError(origin + ": " + nodeName(g.node(i)) +
                              " is not what the spec in its metadata makes (" +
                              nodeName(expected.node(i)) + ")");
    }
    for (const TensorProto& t : expected.initializer()) {
        const auto it = initialisers.find(t.name());
        const Values want = readTensor(t, origin);
        const auto same = [&](const Values& have) {
            return have.dims == want.dims && have.floats == want.floats && have.ints == want.ints;
        };
        if (it == initialisers.end() || !same(readTensor(*it->second, origin)))
            throw FormatError(origin + ": initialiser '" + printable(t.name()) +
                              "' is missing or not what the spec and the weights make");
    }
    return model;
}

// ---- Import of foreign graphs ----------------------------------------------------------------

/// Builds a spec and its weights from a chain of nodes.
class ForeignGraph {
public:
    ForeignGraph(const ModelProto& m, const std::string& origin, const OnnxImportOptions& options)
        : m_model(m), m_origin(origin), m_options(options) {}

    Model convert();

private:
    struct Pending {
        LayerSpec spec;
        std::vector<std::vector<float>> params;  // in the layer's params() order
    };

    [[noreturn]] void refuse(const NodeProto& n, const std::string& why) const {
        throw FormatError(m_origin + ": " + nodeName(n) + ": " + why);
    }
    const Values& constantInput(const NodeProto& n, int i, bool floats = true) const;
    std::int64_t intAttr(const NodeProto& n, const char* name, std::int64_t fallback) const;
    float floatAttr(const NodeProto& n, const char* name, float fallback) const;
    std::vector<std::int64_t> intsAttr(const NodeProto& n, const char* name) const;
    void checkAttributes(const NodeProto& n, std::initializer_list<const char*> known) const;
    void readInput();
    void add(const NodeProto& n, const std::string& weightName, LayerSpec spec,
             std::vector<std::vector<float>> params, std::int64_t c, std::int64_t h,
             std::int64_t w);
    void conv(const NodeProto& n);
    void pool(const NodeProto& n, const char* type);
    void gemm(const NodeProto& n);
    void matmul(const NodeProto& n);
    void batchNorm(const NodeProto& n);
    void activation(const NodeProto& n, const std::string& fn, float slope = 0.01f);
    void reshape(const NodeProto& n);
    void affine(const NodeProto& n);

    const ModelProto& m_model;
    const std::string& m_origin;
    const OnnxImportOptions& m_options;
    std::map<std::string, Values> m_constants;
    std::string m_current;  // the value the chain has reached
    Shape m_shape;          // its shape (c, h, w) per sample
    bool m_flat = false;    // N x values rather than N x C x H x W
    Shape m_input;
    double m_a = 1.0, m_b = 0.0;  // the graph's own affine map of its input, before any layer
    bool m_foldable = false;      // the last node was a Conv or Gemm: Mul/Add fold into it
    bool m_ended = false;         // a Softmax/LogSoftmax was read: nothing may follow
    std::vector<Pending> m_layers;
    std::map<std::string, int> m_names;  // layer names taken from weight names
};

const Values& ForeignGraph::constantInput(const NodeProto& n, int i, bool floats) const {
    if (i >= n.input_size()) refuse(n, "input " + std::to_string(i + 1) + " is missing");
    const auto it = m_constants.find(n.input(i));
    if (it == m_constants.end())
        refuse(n, "input '" + printable(n.input(i)) + "' is not a constant (an initialiser)");
    const std::size_t held = floats ? it->second.floats.size() : it->second.ints.size();
    if (held != std::size_t(it->second.count()))
        refuse(n, "input '" + printable(n.input(i)) + "' is not a " + (floats ? "float" : "int64") +
                      " constant");
    return it->second;
}

std::int64_t ForeignGraph::intAttr(const NodeProto& n, const char* name,
                                   std::int64_t fallback) const {
    for (const AttributeProto& a : n.attribute())
        if (a.name() == name) return a.i();
    return fallback;
}

float ForeignGraph::floatAttr(const NodeProto& n, const char* name, float fallback) const {
    for (const AttributeProto& a : n.attribute())
        if (a.name() == name) return a.f();
    return fallback;
}

std::vector<std::int64_t> ForeignGraph::intsAttr(const NodeProto& n, const char* name) const {
    for (const AttributeProto& a : n.attribute())
        if (a.name() == name) return {a.ints().begin(), a.ints().end()};
    return {};
}

void ForeignGraph::checkAttributes(const NodeProto& n,
                                   std::initializer_list<const char*> known) const {
    for (const AttributeProto& a : n.attribute()) {
        if (std::none_of(known.begin(), known.end(), [&](const char* k) { return a.name() == k; }))
            refuse(n, "attribute '" + printable(a.name()) + "' is not supported");
    }
}

void ForeignGraph::readInput() {
    const GraphProto& g = m_model.graph();
    for (const auto& in : g.input()) {
        if (m_constants.count(in.name())) continue;  // an initialiser listed as an input
        if (!m_current.empty())
            throw FormatError(m_origin + ": the graph has more than one input ('" +
                              printable(m_current) + "', '" + printable(in.name()) + "')");
        m_current = in.name();
        const auto& t = in.type().tensor_type();
        const auto& dims = t.shape().dim();
        const auto fixed = [&](int i) {
            return dims[i].has_dim_value() && dims[i].dim_value() >= 1 &&
                   dims[i].dim_value() <= kMaxLayerValues;
        };
        if (t.elem_type() != TensorProto::FLOAT || dims.size() != 4 || !fixed(1) || !fixed(2) ||
            !fixed(3))
            throw FormatError(m_origin + ": the graph input '" + printable(in.name()) +
                              "' is not a float image N x C x H x W of fixed C, H and W");
        if (double(dims[1].dim_value()) * double(dims[2].dim_value()) *
                double(dims[3].dim_value()) >
            double(kMaxLayerValues))
            throw FormatError(m_origin + ": the graph input '" + printable(in.name()) +
                              "' has more than the engine's " + std::to_string(kMaxLayerValues) +
                              " values per image");
        m_input = {int(dims[1].dim_value()), int(dims[2].dim_value()), int(dims[3].dim_value())};
        m_shape = m_input;
    }
    if (m_current.empty()) throw FormatError(m_origin + ": the graph has no input");
}

void ForeignGraph::add(const NodeProto& n, const std::string& weightName, LayerSpec spec,
                       std::vector<std::vector<float>> params, std::int64_t c, std::int64_t h,
                       std::int64_t w) {
    if (c < 1 || h < 1 || w < 1 || double(c) * double(h) * double(w) > double(kMaxLayerValues))
        refuse(n, "its output (" + std::to_string(c) + "x" + std::to_string(h) + "x" +
                      std::to_string(w) + ") is empty or over the engine's limit of " +
                      std::to_string(kMaxLayerValues) + " values per image");
    // PyTorch names weights "<module>.weight": the module's name becomes the layer's.
    const auto dot = weightName.rfind('.');
    if (dot != std::string::npos && dot > 0 && dot < 32) {
        const std::string name = weightName.substr(0, dot);
        const bool plain = std::all_of(name.begin(), name.end(), [](char ch) {
            return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.';
        });
        if (plain && m_names[name]++ == 0) spec.name = name;
    }
    m_layers.push_back({std::move(spec), std::move(params)});
    m_shape = {int(c), int(h), int(w)};
}

void ForeignGraph::conv(const NodeProto& n) {
    checkAttributes(n, {"kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"});
    if (m_flat) refuse(n, "a convolution after a flattening");
    const Values& w = constantInput(n, 1);
    if (w.dims.size() != 4 || w.dims[1] != m_shape.c || w.dims[2] != w.dims[3] || w.dims[0] < 1)
        refuse(n, "the weights are " + join(w.dims, "x") + ", expected maps x " +
                      std::to_string(m_shape.c) + " x k x k");
    const std::int64_t maps = w.dims[0], k = w.dims[2];
    std::vector<float> bias(std::size_t(maps), 0.0f);
    if (n.input_size() > 2 && !n.input(2).empty()) {
        const Values& b = constantInput(n, 2);
        if (b.count() != maps) refuse(n, "the bias does not have one value per map");
        bias = b.floats;
    }
    const auto strides = intsAttr(n, "strides");
    const auto pads = intsAttr(n, "pads");
    const auto dilations = intsAttr(n, "dilations");
    const auto kernel = intsAttr(n, "kernel_shape");
    if (intAttr(n, "group", 1) != 1) refuse(n, "grouped convolutions are not supported");
    for (const AttributeProto& a : n.attribute())
        if (a.name() == "auto_pad" && a.s() != "NOTSET") refuse(n, "auto_pad is not supported");
    if (!kernel.empty() && kernel != std::vector<std::int64_t>{k, k})
        refuse(n, "kernel_shape does not fit the weights");
    if (!dilations.empty() && dilations != std::vector<std::int64_t>{1, 1})
        refuse(n, "dilated convolutions are not supported");
    const std::int64_t stride = strides.empty() ? 1 : strides[0];
    if (!strides.empty() && strides != std::vector<std::int64_t>{stride, stride})
        refuse(n, "the strides differ along the axes");
    const std::int64_t pad = pads.empty() ? 0 : pads[0];
    if (!pads.empty() && pads != std::vector<std::int64_t>{pad, pad, pad, pad})
        refuse(n, "the padding is not the same on every side");
    if (k > kMaxWindow || stride < 1 || stride > kMaxWindow || pad < 0 || pad > kMaxWindow)
        refuse(n, "the kernel, stride or padding is out of range");
    const std::int64_t oh = (m_shape.h + 2 * pad - k), ow = (m_shape.w + 2 * pad - k);
    if (oh < 0 || ow < 0) refuse(n, "the kernel is larger than its padded input");
    LayerSpec s;
    s.type = "conv";
    s.maps = int(maps);
    s.kernel = int(k);
    s.stride = int(stride);
    s.padding = int(pad);
    add(n, n.input(1), s, {w.floats, bias}, maps, oh / stride + 1, ow / stride + 1);
    m_foldable = true;
}

void ForeignGraph::pool(const NodeProto& n, const char* type) {
    checkAttributes(n, {"kernel_shape", "strides", "pads", "ceil_mode", "count_include_pad",
                        "auto_pad", "dilations", "storage_order"});
    if (m_flat) refuse(n, "pooling after a flattening");
    const auto kernel = intsAttr(n, "kernel_shape");
    const auto strides = intsAttr(n, "strides");
    const auto pads = intsAttr(n, "pads");
    if (kernel.size() != 2 || kernel[0] != kernel[1] || kernel[0] < 1 || kernel[0] > kMaxWindow)
        refuse(n, "only square pooling windows are supported");
    if (strides != kernel)
        refuse(n, "only non-overlapping windows (strides equal to the window) are supported");
    if (!pads.empty() && std::any_of(pads.begin(), pads.end(), [](auto p) { return p != 0; }))
        refuse(n, "padded pooling is not supported");
    if (intAttr(n, "ceil_mode", 0) != 0) refuse(n, "ceil_mode is not supported");
    for (const AttributeProto& a : n.attribute())
        if (a.name() == "auto_pad" && a.s() != "NOTSET" && a.s() != "VALID")
            refuse(n, "auto_pad is not supported");
    const auto dilations = intsAttr(n, "dilations");
    if (!dilations.empty() && dilations != std::vector<std::int64_t>{1, 1})
        refuse(n, "dilated pooling is not supported");
    const int size = int(kernel[0]);
    if (m_shape.h < size || m_shape.w < size) refuse(n, "the window is larger than its input");
    LayerSpec s;
    s.type = type;
    s.size = size;
    add(n, "", s, {}, m_shape.c, m_shape.h / size, m_shape.w / size);
    m_foldable = false;
}

void ForeignGraph::gemm(const NodeProto& n) {
    checkAttributes(n, {"alpha", "beta", "transA", "transB"});
    if (intAttr(n, "transA", 0) != 0) refuse(n, "transA is not supported");
    const Values& b = constantInput(n, 1);
    const bool transB = intAttr(n, "transB", 0) != 0;
    const std::int64_t in = m_shape.size();
    if (b.dims.size() != 2 || b.dims[transB ? 1 : 0] != in)
        refuse(n, "the weights are " + join(b.dims, "x") + ", they do not fit an input of " +
                      std::to_string(in) + " values");
    const std::int64_t units = b.dims[transB ? 0 : 1];
    const float alpha = floatAttr(n, "alpha", 1.0f), beta = floatAttr(n, "beta", 1.0f);
    std::vector<float> weight(std::size_t(units * in));
    for (std::int64_t u = 0; u < units; ++u)
        for (std::int64_t i = 0; i < in; ++i)
            weight[std::size_t(u * in + i)] =
                alpha * b.floats[std::size_t(transB ? u * in + i : i * units + u)];
    std::vector<float> bias(std::size_t(units), 0.0f);
    if (n.input_size() > 2 && !n.input(2).empty()) {
        const Values& c = constantInput(n, 2);
        if (c.count() != units) refuse(n, "the bias does not have one value per unit");
        for (std::size_t u = 0; u < bias.size(); ++u) bias[u] = beta * c.floats[u];
    }
    LayerSpec s;
    s.type = "fc";
    s.maps = int(units);
    add(n, n.input(1), s, {weight, bias}, units, 1, 1);
    m_flat = true;
    m_foldable = true;
}

void ForeignGraph::matmul(const NodeProto& n) {
    checkAttributes(n, {});
    const Values& b = constantInput(n, 1);
    if (!m_flat) refuse(n, "a matrix product of an image (flatten it first)");
    const std::int64_t in = m_shape.size();
    if (b.dims.size() != 2 || b.dims[0] != in)
        refuse(n, "the weights do not fit an input of " + std::to_string(in) + " values");
    const std::int64_t units = b.dims[1];
    std::vector<float> weight(std::size_t(units * in));
    for (std::int64_t u = 0; u < units; ++u)
        for (std::int64_t i = 0; i < in; ++i)
            weight[std::size_t(u * in + i)] = b.floats[std::size_t(i * units + u)];
    LayerSpec s;
    s.type = "fc";
    s.maps = int(units);
    add(n, n.input(1), s, {weight, std::vector<float>(std::size_t(units), 0.0f)}, units, 1, 1);
    m_foldable = true;  // the Add of the bias folds into it
}

void ForeignGraph::batchNorm(const NodeProto& n) {
    checkAttributes(n, {"epsilon", "momentum", "training_mode", "spatial"});
    if (intAttr(n, "training_mode", 0) != 0) refuse(n, "training mode is not supported");
    std::vector<std::vector<float>> params;
    for (int i = 1; i <= 4; ++i) {
        const Values& v = constantInput(n, i);
        if (v.count() != m_shape.c) refuse(n, "its parameters do not have one value per channel");
        params.push_back(v.floats);
    }
    LayerSpec s;
    s.type = "batchnorm";
    s.eps = floatAttr(n, "epsilon", 1e-5f);
    s.momentum = 1.0f - floatAttr(n, "momentum", 0.9f);
    if (!(s.eps > 0.0f) || !(s.momentum > 0.0f && s.momentum <= 1.0f))
        refuse(n, "epsilon or momentum is out of range");
    add(n, n.input(1), s, params, m_shape.c, m_shape.h, m_shape.w);
    m_foldable = false;
}

void ForeignGraph::activation(const NodeProto& n, const std::string& fn, float slope) {
    checkAttributes(n, {"alpha"});
    LayerSpec s;
    s.type = "activation";
    s.fn = fn;
    s.slope = slope;
    add(n, "", s, {}, m_shape.c, m_shape.h, m_shape.w);
    m_foldable = false;
}

void ForeignGraph::reshape(const NodeProto& n) {
    if (n.op_type() == "Flatten") {
        checkAttributes(n, {"axis"});
        if (intAttr(n, "axis", 1) != 1) refuse(n, "only axis 1 is supported");
    } else {
        checkAttributes(n, {"allowzero"});
        const Values& shape = constantInput(n, 1, false);
        const std::int64_t size = m_shape.size();
        const bool fits = shape.ints.size() == 2 &&
                          (shape.ints[0] == -1 || shape.ints[0] == 0 || shape.ints[0] == 1) &&
                          (shape.ints[1] == size || (shape.ints[1] == -1 && shape.ints[0] != -1));
        if (!fits) refuse(n, "only a reshape to N x " + std::to_string(size) + " is supported");
    }
    m_flat = true;
    m_foldable = false;  // a per-channel constant would now be per value
    m_shape = {m_shape.size(), 1, 1};
}

void ForeignGraph::affine(const NodeProto& n) {
    checkAttributes(n, {});
    const std::string& op = n.op_type();
    if (n.input_size() != 2) refuse(n, "expected two inputs");
    const bool first = n.input(0) == m_current;
    if (!first && (op == "Sub" || op == "Div"))
        refuse(n, "only the chain's value minus or divided by a constant is supported");
    const Values& c = constantInput(n, first ? 1 : 0);
    const bool mul = op == "Mul" || op == "Div";
    auto value = [&](std::size_t i) {
        const float v = c.floats[i];
        return op == "Div" ? 1.0f / v : op == "Sub" ? -v : v;
    };
    if (m_layers.empty()) {
        if (c.count() != 1) refuse(n, "only a scalar scaling of the input is supported");
        const double v = value(0);
        m_a = mul ? m_a * v : m_a;
        m_b = mul ? m_b * v : m_b + v;
        return;
    }
    Pending& last = m_layers.back();
    const int units = m_shape.c;
    if (!m_foldable || (c.count() != 1 && c.count() != units))
        refuse(n, "only a scalar or per-channel constant right after a Conv or Gemm is supported");
    for (int u = 0; u < units; ++u) {
        const float v = value(c.count() == 1 ? 0 : std::size_t(u));
        if (mul) {
            const std::size_t per = last.params[0].size() / std::size_t(units);
            for (std::size_t i = 0; i < per; ++i) last.params[0][std::size_t(u) * per + i] *= v;
            last.params[1][std::size_t(u)] *= v;
        } else {
            last.params[1][std::size_t(u)] += v;
        }
    }
}

Model ForeignGraph::convert() {
    const GraphProto& g = m_model.graph();
    for (const TensorProto& t : g.initializer())
        m_constants[t.name()] =
            readTensor(t, m_origin + ": initialiser '" + printable(t.name()) + "'");
    readInput();
    for (const NodeProto& n : g.node()) {
        const std::string& op = n.op_type();
        if (!n.domain().empty() && n.domain() != "ai.onnx")
            refuse(n, "ops of the domain '" + printable(n.domain()) + "' are not supported");
        if (op == "Constant") {
            if (n.output_size() != 1 || n.attribute_size() != 1 || n.attribute(0).name() != "value")
                refuse(n, "only a constant tensor 'value' is supported");
            m_constants[n.output(0)] =
                readTensor(n.attribute(0).t(), m_origin + ": " + nodeName(n));
            continue;
        }
        if (n.input_size() < 1 || n.output_size() < 1) refuse(n, "it has no input or no output");
        const bool onChain =
            n.input(0) == m_current ||
            ((op == "Mul" || op == "Add") && n.input_size() == 2 && n.input(1) == m_current);
        if (!onChain)
            refuse(n, "it does not take the value the chain has reached ('" + printable(m_current) +
                          "'): only a chain of layers is supported");
        if (m_ended) refuse(n, "nothing may follow the Softmax");
        if (op == "Conv")
            conv(n);
        else if (op == "Gemm")
            gemm(n);
        else if (op == "MatMul")
            matmul(n);
        else if (op == "MaxPool")
            pool(n, "maxpool");
        else if (op == "AveragePool")
            pool(n, "avgpool");
        else if (op == "BatchNormalization")
            batchNorm(n);
        else if (op == "Relu")
            activation(n, "relu");
        else if (op == "LeakyRelu")
            activation(n, "leaky_relu", floatAttr(n, "alpha", 0.01f));
        else if (op == "Tanh")
            activation(n, "tanh");
        else if (op == "Sigmoid")
            activation(n, "sigmoid");
        else if (op == "Flatten" || op == "Reshape")
            reshape(n);
        else if (op == "Mul" || op == "Add" || op == "Sub" || op == "Div")
            affine(n);
        else if (op == "Softmax" || op == "LogSoftmax")
            m_ended = true;  // logits are enough
        else if (op != "Dropout" && op != "Identity")
            refuse(n, "the op is not supported (see docs/onnx.md for the ops that are)");
        m_current = n.output(0);
    }
    if (g.output_size() < 1 || g.output(0).name() != m_current)
        throw FormatError(m_origin + ": the graph's output is not the end of its chain of layers");
    if (m_layers.empty() || m_layers.back().spec.type != "fc")
        throw FormatError(m_origin +
                          ": the graph does not end with a Gemm (or MatMul): the "
                          "engine needs one output per class");

    ArchitectureSpec spec;
    const auto slash = m_origin.find_last_of('/');
    std::string stem = m_origin.substr(slash == std::string::npos ? 0 : slash + 1);
    if (stem.size() > 5 && stem.ends_with(".onnx")) stem.resize(stem.size() - 5);
    spec.name = stem;
    spec.description =
        "Imported from " + m_origin +
        (m_model.producer_name().empty() ? std::string()
                                         : " (made by " + printable(m_model.producer_name()) + " " +
                                               printable(m_model.producer_version()) + ")");
    spec.input = m_input;
    const InputScale scale = m_options.inputScale.value_or(InputScale{});
    if (m_a == 1.0 && m_b == 0.0) {
        spec.mean = scale.mean;
        spec.stddev = scale.std;
    } else {
        // ink -> (ink - mean) / std -> a * that + b, as one (ink - mean') / std'.
        const double a = m_a / scale.std, b = m_b - m_a * scale.mean / scale.std;
        // Both as floats, and a scale the engine can apply (std > 0, both finite).
        constexpr double kLargest = 1e30;
        if (!(a > 1.0 / kLargest && a < kLargest && std::fabs(b / a) < kLargest))
            throw FormatError(m_origin +
                              ": the graph scales its input by a factor that is not a positive "
                              "number of a float's range (or shifts it out of that range)");
        spec.stddev = float(1.0 / a);
        spec.mean = float(-b / a);
    }
    spec.normalization =
        spec.mean == 0.0f && spec.stddev == 1.0f ? Normalization::Unit : Normalization::MeanStd;
    spec.loss = LossKind::CrossEntropy;
    for (const Pending& p : m_layers) spec.layers.push_back(p.spec);
    Network net = [&] {
        try {
            return Network(spec);
        } catch (const ConfigError& e) {
            throw FormatError(m_origin +
                              ": the graph makes no network the engine can run: " + e.what());
        }
    }();
    for (int l = 0; l < net.layerCount(); ++l) {
        auto& params = net.layer(l).params();
        for (std::size_t i = 0; i < params.size(); ++i) {
            const std::vector<float>& v = m_layers[std::size_t(l)].params[i];
            if (v.size() != params[i].value.size())
                throw FormatError(m_origin + ": layer " + net.layer(l).name() + " " +
                                  params[i].name + " has " + std::to_string(v.size()) +
                                  " values, expected " + std::to_string(params[i].value.size()));
            params[i].value = v;
        }
    }
    if (const std::string problem = weightsProblem(net); !problem.empty())
        throw FormatError(m_origin + ": " + problem);
    return Model{std::move(net), {}};
}

constexpr char kModelMagic[] = "LENETMDL";

}  // namespace

std::string encodeOnnx(const Network& net, const std::vector<EpochMetrics>& history) {
    if (const std::string problem = weightsProblem(net); !problem.empty())
        throw Error("refusing to export " + printable(net.spec().name) + ": " + problem);
    ModelProto m;
    m.set_ir_version(kIrVersion);
    auto* opset = m.add_opset_import();
    opset->set_domain("");
    opset->set_version(kOnnxOpset);
    m.set_producer_name(kProducer);
    m.set_producer_version(version());
    m.set_doc_string(net.spec().description);
    writeGraph(*m.mutable_graph(), net);
    const json header = modelHeader(net, history);
    addProp(m, "lenet.spec_name", net.spec().name);
    addProp(m, "lenet.history", header.at("history").dump());
    if (!history.empty() && history.back().testError >= 0.0)
        addProp(m, "lenet.test_error", numberText(history.back().testError));
    for (const char* key : {"classes", "calibration"})
        if (header.contains(key)) addProp(m, std::string("lenet.") + key, header.at(key).dump());
    addProp(
        m, "lenet.input",
        "image: N x C x H x W, ink in [0, 1] (pixel / 255); padded and normalised in the graph");
    // Last: a file cut between two fields of the model still parses, but loses the spec.
    addProp(m, kSpecKey, header.at("spec").dump());
    try {
        onnx::checker::check_model(m);
    } catch (const std::exception& e) {
        throw Error("the ONNX export of " + printable(net.spec().name) +
                    " does not pass the ONNX checker: " + e.what());
    }
    return m.SerializeAsString();
}

void exportOnnx(const std::string& path, const Network& net,
                const std::vector<EpochMetrics>& history) {
    writeFileAtomically(path, encodeOnnx(net, history));
}

Model decodeOnnx(const std::string& bytes, const std::string& origin,
                 const OnnxImportOptions& options) {
    if (const auto& s = options.inputScale;
        s && !(std::isfinite(s->mean) && std::isfinite(s->std) && s->std > 0.0f))
        throw ConfigError("the input scale of " + origin + " needs a finite mean and a std > 0");
    ModelProto m;
    if (!m.ParseFromString(bytes))
        throw FormatError(origin +
                          ": not an ONNX model (the protobuf does not parse: truncated "
                          "or not ONNX)");
    if (!m.has_graph() || m.graph().node_size() == 0)
        throw FormatError(origin + ": not an ONNX model (no graph: truncated or not ONNX)");
    checkModel(m, origin);
    if (!propValue(m, kSpecKey).empty()) return decodeOwn(m, origin);
    if (m.producer_name() == kProducer)
        throw FormatError(origin + ": made by " + kProducer +
                          " but without the spec its metadata ends with (truncated?)");
    return ForeignGraph(m, origin, options).convert();
}

Model importOnnx(const std::string& path, const OnnxImportOptions& options) {
    // The weights, their names and the graph: no more than four bytes per value of the largest
    // network the engine builds, and 16 MiB.
    const std::uint64_t limit = 4 * std::uint64_t(kMaxParameters) + (std::uint64_t(1) << 24);
    return decodeOnnx(readFile(path, limit, "an ONNX model may have"), path, options);
}

bool isOnnxFile(const std::string& path) {
    InputFile in(path);
    const std::string head = in.read(sizeof kModelMagic - 1);
    if (head == kModelMagic) return false;
    // A ModelProto starts with its ir_version: field 1, a varint (0x08).
    return path.ends_with(".onnx") || (!head.empty() && head[0] == '\x08');
}

Model openModel(const std::string& path, const OnnxImportOptions& options) {
    return isOnnxFile(path) ? importOnnx(path, options) : loadModel(path);
}

}  // namespace lenet
