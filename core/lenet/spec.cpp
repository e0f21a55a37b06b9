#include "lenet/spec.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "lenet/error.h"
#include "lenet/file_io.h"
#include "lenet/json_value.h"

namespace lenet {
namespace {

using nlohmann::json;

/// Reads the members of one JSON object, checking types, and refuses keys it was not asked for.
class ObjectReader {
public:
    ObjectReader(const json& j, std::string path) : m_j(j), m_path(std::move(path)) {
        if (!j.is_object()) fail(m_path, "expected an object");
    }

    template <typename T>
    void read(const char* key, T& out) {
        m_known.insert(key);
        const auto it = m_j.find(key);
        if (it == m_j.end()) return;
        const std::string where = m_path.empty() ? key : m_path + "." + key;
        out = jsonValue<T>(*it, where);
    }

    void readRequired(const char* key, std::string& out) {
        if (!m_j.contains(key)) fail(m_path.empty() ? key : m_path + "." + key, "missing");
        read(key, out);
    }

    const json* child(const char* key) {
        m_known.insert(key);
        const auto it = m_j.find(key);
        return it == m_j.end() ? nullptr : &*it;
    }

    /// Call after reading: any key not asked for is an error.
    void finish() const {
        for (const auto& [key, value] : m_j.items()) {
            if (!m_known.count(key)) {
                fail(m_path.empty() ? key : m_path + "." + key, "unknown key");
            }
        }
    }

    [[noreturn]] static void fail(const std::string& where, const std::string& what) {
        throw ConfigError(where + ": " + what);
    }

private:
    const json& m_j;
    std::string m_path;
    std::set<std::string> m_known;
};

const std::set<std::string> kLayerTypes = {"conv",       "subsample", "avgpool", "maxpool", "fc",
                                           "activation", "batchnorm", "dropout", "rbf"};

LayerSpec layerFromJson(const json& j, const std::string& path) {
    LayerSpec l;
    ObjectReader r(j, path);
    r.readRequired("type", l.type);
    if (!kLayerTypes.count(l.type)) {
        ObjectReader::fail(path + ".type",
                           "unknown layer type '" + l.type +
                               "' (conv, subsample, avgpool, maxpool, fc, activation, batchnorm, "
                               "dropout, rbf)");
    }
    r.read("name", l.name);
    if (l.type == "conv") {
        r.read("maps", l.maps);
        r.read("kernel", l.kernel);
        r.read("stride", l.stride);
        r.read("padding", l.padding);
        r.read("connections", l.connections);
    } else if (l.type == "subsample" || l.type == "avgpool" || l.type == "maxpool") {
        r.read("size", l.size);
    } else if (l.type == "fc") {
        r.read("units", l.maps);
        r.read("in", l.in);
    } else if (l.type == "activation") {
        r.readRequired("fn", l.fn);
        r.read("slope", l.slope);
        r.read("beta", l.beta);
    } else if (l.type == "batchnorm") {
        r.read("momentum", l.momentum);
        r.read("eps", l.eps);
    } else if (l.type == "dropout") {
        r.read("rate", l.rate);
    } else if (l.type == "rbf") {
        r.read("classes", l.classes);
        r.read("trainable", l.trainable);
        r.read("prototypes", l.prototypes);
    }
    r.finish();
    return l;
}

json layerToJson(const LayerSpec& l) {
    json j;
    j["type"] = l.type;
    if (!l.name.empty()) j["name"] = l.name;
    if (l.type == "conv") {
        j["maps"] = l.maps;
        j["kernel"] = l.kernel;
        if (l.stride != 1) j["stride"] = l.stride;
        if (l.padding != 0) j["padding"] = l.padding;
        if (l.connections != "full") j["connections"] = l.connections;
    } else if (l.type == "subsample" || l.type == "avgpool" || l.type == "maxpool") {
        j["size"] = l.size;
    } else if (l.type == "fc") {
        j["units"] = l.maps;
        if (l.in != 0) j["in"] = l.in;
    } else if (l.type == "activation") {
        j["fn"] = l.fn;
        if (l.fn == "leaky_relu") j["slope"] = l.slope;
        if (l.fn == "log_relu") j["beta"] = l.beta;
    } else if (l.type == "batchnorm") {
        j["momentum"] = l.momentum;
        j["eps"] = l.eps;
    } else if (l.type == "dropout") {
        j["rate"] = l.rate;
    } else if (l.type == "rbf") {
        j["classes"] = l.classes;
        j["trainable"] = l.trainable;
        j["prototypes"] = l.prototypes;
    }
    return j;
}

Distortion distortionFromJson(const json& j, const std::string& path) {
    Distortion d;
    ObjectReader r(j, path);
    r.read("max_shift", d.maxShift);
    r.read("max_rotation", d.maxRotation);
    r.read("max_scale", d.maxScale);
    r.read("max_shear", d.maxShear);
    r.finish();
    return d;
}

}  // namespace

std::string toString(LossKind k) {
    switch (k) {
        case LossKind::Map: return "map";
        case LossKind::Penalty: return "penalty";
        case LossKind::CrossEntropy: return "cross_entropy";
    }
    return "?";
}

LossKind lossKindFromString(const std::string& s) {
    if (s == "map") return LossKind::Map;
    if (s == "penalty") return LossKind::Penalty;
    if (s == "cross_entropy") return LossKind::CrossEntropy;
    throw ConfigError("unknown loss '" + s + "' (expected map, penalty or cross_entropy)");
}

InputFormat ArchitectureSpec::inputFormat() const {
    InputFormat f;
    f.height = input.h;
    f.width = input.w;
    f.normalization = normalization;
    return f;
}

namespace {

// Every scalar field of TrainingConfig with its JSON key, for reading and for writing: one list,
// so that the two cannot drift apart. `Config` is TrainingConfig or const TrainingConfig.
template <typename Config, typename Visit>
void forEachTrainingField(Config& c, Visit&& visit) {
    visit("optimizer", c.optimizer);
    visit("lr", c.lr);
    visit("momentum", c.momentum);
    visit("beta1", c.beta1);
    visit("beta2", c.beta2);
    visit("rms_decay", c.rmsDecay);
    visit("epsilon", c.epsilon);
    visit("sdlm_mu", c.sdlmMu);
    visit("sdlm_samples", c.sdlmSamples);
    visit("schedule", c.schedule);
    visit("step_epochs", c.stepEpochs);
    visit("step_gamma", c.stepGamma);
    visit("min_lr", c.minLr);
    visit("l1", c.l1);
    visit("l2", c.l2);
    visit("weight_decay", c.weightDecay);
    visit("batch", c.batch);
    visit("epochs", c.epochs);
    visit("seed", c.seed);
    visit("threads", c.threads);
    visit("validation", c.validation);
    visit("patience", c.patience);
    visit("distort", c.distort);
    visit("train_limit", c.trainLimit);
    visit("test_limit", c.testLimit);
}

}  // namespace

TrainingConfig trainingFromJson(const json& j, const std::string& path) {
    TrainingConfig c;
    ObjectReader r(j, path);
    forEachTrainingField(c, [&](const char* key, auto& field) { r.read(key, field); });
    if (const json* d = r.child("distortion")) {
        c.distortion = distortionFromJson(*d, path.empty() ? "distortion" : path + ".distortion");
    }
    r.finish();
    validate(c);
    return c;
}

json toJson(const TrainingConfig& c) {
    json j;
    forEachTrainingField(c, [&](const char* key, const auto& field) { j[key] = field; });
    j["distortion"] = {{"max_shift", c.distortion.maxShift},
                       {"max_rotation", c.distortion.maxRotation},
                       {"max_scale", c.distortion.maxScale},
                       {"max_shear", c.distortion.maxShear}};
    return j;
}

void validate(const TrainingConfig& c) {
    static const std::set<std::string> optimizers = {"sgd",  "momentum", "nesterov",
                                                     "adam", "rmsprop",  "sdlm"};
    static const std::set<std::string> schedules = {"constant", "step", "cosine", "lecun1998"};
    auto fail = [](const std::string& what) { throw ConfigError("training." + what); };
    if (!optimizers.count(c.optimizer)) {
        fail("optimizer: unknown '" + c.optimizer +
             "' (expected sgd, momentum, nesterov, adam, rmsprop or sdlm)");
    }
    if (!schedules.count(c.schedule)) {
        fail("schedule: unknown '" + c.schedule +
             "' (expected constant, step, cosine or lecun1998)");
    }
    if (!(c.lr > 0.0f)) fail("lr: must be > 0");
    if (c.batch < 1) fail("batch: must be >= 1");
    if (c.epochs < 1) fail("epochs: must be >= 1");
    if (c.threads < 0) fail("threads: must be >= 0 (0 = all cores)");
    if (c.validation < 0.0f || c.validation >= 1.0f) fail("validation: must be in [0, 1)");
    if (c.patience < 0) fail("patience: must be >= 0");
    if (c.patience > 0 && c.validation <= 0.0f) {
        fail("patience: early stopping needs a validation split (validation > 0)");
    }
    if (c.sdlmSamples < 1) fail("sdlm_samples: must be >= 1");
    if (c.stepEpochs < 1) fail("step_epochs: must be >= 1");
    if (c.l1 < 0.0f || c.l2 < 0.0f || c.weightDecay < 0.0f)
        fail("l1/l2/weight_decay: must be >= 0");
    if (c.trainLimit < 0 || c.testLimit < 0) fail("train_limit/test_limit: must be >= 0");
}

void checkLimits(const ArchitectureSpec& spec) {
    // Sizes as doubles: exact far beyond the limits, and no product can overflow.
    struct Dims {
        double c, h, w;
        double values() const { return c * h * w; }
        std::string str() const {
            return std::to_string(std::int64_t(c)) + "x" + std::to_string(std::int64_t(h)) + "x" +
                   std::to_string(std::int64_t(w));
        }
    };
    // Throws "<where>: <before><value><after>, over the limit of <max>".
    auto limit = [](const std::string& where, const std::string& before, double value,
                    const std::string& after, std::int64_t max) {
        if (value > double(max)) {
            throw ConfigError(where + ": " + before + std::to_string(std::int64_t(value)) + after +
                              ", over the limit of " + std::to_string(max));
        }
    };
    const std::string perImage = " values per image";
    Dims d{double(spec.input.c), double(spec.input.h), double(spec.input.w)};
    limit("input", d.str() + " = ", d.values(), perImage, kMaxLayerValues);
    double params = 0.0;
    double multiplyAdds = 0.0;
    for (std::size_t i = 0; i < spec.layers.size(); ++i) {
        const LayerSpec& l = spec.layers[i];
        const std::string where = "layers[" + std::to_string(i) + "] (" + l.type +
                                  (l.name.empty() ? "" : " '" + l.name + "'") + ")";
        const double in = d.values();
        const bool pool = l.type == "subsample" || l.type == "avgpool" || l.type == "maxpool";
        if (l.type == "conv") {
            limit(where, "kernel ", l.kernel, "", kMaxWindow);
            limit(where, "stride ", l.stride, "", kMaxWindow);
            limit(where, "padding ", l.padding, "", kMaxWindow);
            const double spanH = d.h + 2.0 * l.padding - l.kernel;
            const double spanW = d.w + 2.0 * l.padding - l.kernel;
            if (l.maps < 1 || l.kernel < 1 || l.stride < 1 || l.padding < 0 || spanH < 0 ||
                spanW < 0)
                return;
            const double weights = double(l.maps) * d.c * l.kernel * l.kernel;
            d = {double(l.maps), std::floor(spanH / l.stride) + 1,
                 std::floor(spanW / l.stride) + 1};
            params += weights + l.maps;
            multiplyAdds += weights * d.h * d.w;
        } else if (pool) {
            limit(where, "size ", l.size, "", kMaxWindow);
            if (l.size < 1 || d.h < l.size || d.w < l.size) return;
            params += 2.0 * d.c;
            multiplyAdds += in;
            d = {d.c, std::floor(d.h / l.size), std::floor(d.w / l.size)};
        } else if (l.type == "fc" || l.type == "rbf") {
            const int units = l.type == "fc" ? l.maps : l.classes;
            if (units < 1) return;
            params += double(units) * (in + 1);
            multiplyAdds += double(units) * in;
            d = {double(units), 1, 1};
        } else {  // activation, batchnorm, dropout: per-channel parameters at most
            params += 4.0 * d.c;
            multiplyAdds += in;
        }
        limit(where, "output " + d.str() + " = ", d.values(), perImage, kMaxLayerValues);
        limit(where, "", params, " parameters up to this layer", kMaxParameters);
        limit(where, "", multiplyAdds, " multiply-adds per image up to this layer",
              kMaxMultiplyAdds);
    }
}

ArchitectureSpec specFromJson(const json& j) {
    ArchitectureSpec s;
    ObjectReader r(j, "");
    r.readRequired("name", s.name);
    r.read("description", s.description);
    if (const json* in = r.child("input")) {
        ObjectReader ir(*in, "input");
        ir.read("channels", s.input.c);
        ir.read("height", s.input.h);
        ir.read("width", s.input.w);
        std::string norm = toString(s.normalization);
        ir.read("normalization", norm);
        ir.finish();
        try {
            s.normalization = normalizationFromString(norm);
        } catch (const ConfigError& e) {
            throw ConfigError(std::string("input.normalization: ") + e.what());
        }
        if (s.input.c < 1 || s.input.h < 1 || s.input.w < 1) {
            ObjectReader::fail("input", "channels, height and width must be >= 1");
        }
    }
    const json* layers = r.child("layers");
    if (!layers || !layers->is_array() || layers->empty()) {
        ObjectReader::fail("layers", "expected a non-empty array of layers");
    }
    for (std::size_t i = 0; i < layers->size(); ++i) {
        s.layers.push_back(layerFromJson((*layers)[i], "layers[" + std::to_string(i) + "]"));
    }
    std::string loss = s.layers.back().type == "rbf" ? "map" : "cross_entropy";
    r.read("loss", loss);
    try {
        s.loss = lossKindFromString(loss);
    } catch (const ConfigError& e) {
        throw ConfigError(std::string("loss: ") + e.what());
    }
    r.read("map_j", s.mapJ);
    r.read("init", s.init);
    if (const json* t = r.child("training")) s.training = trainingFromJson(*t, "training");
    r.finish();
    checkLimits(s);
    return s;
}

json toJson(const ArchitectureSpec& s) {
    json layers = json::array();
    for (const auto& l : s.layers) layers.push_back(layerToJson(l));
    return json{{"name", s.name},
                {"description", s.description},
                {"input",
                 {{"channels", s.input.c},
                  {"height", s.input.h},
                  {"width", s.input.w},
                  {"normalization", toString(s.normalization)}}},
                {"layers", layers},
                {"loss", toString(s.loss)},
                {"map_j", s.mapJ},
                {"init", s.init},
                {"training", toJson(s.training)}};
}

ArchitectureSpec specFromJsonText(const std::string& text, const std::string& origin) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {
        // parse_error, and out_of_range for a number too large for a double (1e999).
        throw ConfigError(origin + ": not valid JSON: " + e.what());
    }
    try {
        return specFromJson(j);
    } catch (const ConfigError& e) {
        throw ConfigError(origin + ": " + e.what());
    }
}

ArchitectureSpec loadSpecFile(const std::string& path) {
    return specFromJsonText(readFile(path), path);
}

}  // namespace lenet
