#include "lenet/spec_json.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <sstream>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "lenet/error.h"
#include "lenet/file_io.h"
#include "lenet/json_value.h"
#include "lenet/kinds.h"
#include "lenet/text.h"

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
        out = jsonValue<T>(*it, jsonPath(m_path, key));
    }

    template <typename T>
    void readRequired(const char* key, T& out) {
        if (!m_j.contains(key)) fail(jsonPath(m_path, key), "missing");
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
                fail(jsonPath(m_path, printable(key).c_str()), "unknown key");
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

LayerSpec layerFromJson(const json& j, const std::string& path) {
    LayerSpec l;
    ObjectReader r(j, path);
    r.readRequired("type", l.type);
    const LayerKind* kind = findKind(layerKinds(), l.type);
    if (!kind) {
        ObjectReader::fail(path + ".type", "unknown layer type '" + printable(l.type) + "' (" +
                                               join(kindKeys(layerKinds()), ", ") + ")");
    }
    r.read("name", l.name);
    for (const LayerField& f : kind->fields) {
        std::visit(
            [&](auto member) {
                if (f.written == Written::Required) {
                    r.readRequired(f.key, l.*member);
                } else {
                    r.read(f.key, l.*member);
                }
            },
            f.member);
    }
    r.finish();
    return l;
}

json layerToJson(const LayerSpec& l) {
    json j;
    j["type"] = l.type;
    if (!l.name.empty()) j["name"] = l.name;
    const LayerSpec defaults;
    for (const LayerField& f : layerKind(l.type).fields) {
        std::visit(
            [&](auto member) {
                const bool write = f.written == Written::UnlessDefault
                                       ? l.*member != defaults.*member
                                   : f.written == Written::IfFnUses ? usesField(l, f.key)
                                                                    : true;
                if (write) j[f.key] = l.*member;
            },
            f.member);
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
    r.read("elastic_alpha", d.elasticAlpha);
    r.read("elastic_sigma", d.elasticSigma);
    r.finish();
    return d;
}

}  // namespace

std::string toString(LossKind k) {
    for (const LossEntry& e : lossKinds()) {
        if (e.kind == k) return e.key;
    }
    return "?";
}

LossKind lossKindFromString(const std::string& s) {
    if (const LossEntry* e = findKind(lossKinds(), s)) return e->kind;
    throw ConfigError("unknown loss '" + s + "' (expected " + orList(kindKeys(lossKinds())) + ")");
}

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

std::vector<std::string> changedSettings(const ArchitectureSpec& spec,
                                         const ArchitectureSpec& base) {
    const json a = toJson(spec), b = toJson(base);
    std::vector<std::string> changes;
    for (const auto& [key, value] : a.items()) {
        if (key == "name" || key == "description" || (b.contains(key) && b[key] == value)) continue;
        if (key != "training" || !value.is_object()) {
            changes.push_back(key);
            continue;
        }
        for (const auto& [setting, v] : value.items()) {
            if (b[key].contains(setting) && b[key][setting] == v) continue;
            changes.push_back(setting + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
        }
    }
    return changes;
}

json toJson(const TrainingConfig& c) {
    json j;
    forEachTrainingField(c, [&](const char* key, const auto& field) { j[key] = field; });
    j["distortion"] = {{"max_shift", c.distortion.maxShift},
                       {"max_rotation", c.distortion.maxRotation},
                       {"max_scale", c.distortion.maxScale},
                       {"max_shear", c.distortion.maxShear}};
    // Written only when used, so that files without elastic distortions stay readable by
    // builds that do not know them.
    if (c.distortion.elasticAlpha > 0.0f) {
        j["distortion"]["elastic_alpha"] = c.distortion.elasticAlpha;
        j["distortion"]["elastic_sigma"] = c.distortion.elasticSigma;
    }
    return j;
}

void validate(const TrainingConfig& c, SettingName naming) {
    // The distortion's settings are in training.distortion; their options drop the prefix
    // (--elastic-alpha).
    const auto fail = [naming](std::string_view key, const std::string& what) {
        constexpr std::string_view kDistortion = "distortion.";
        const std::string_view flagKey =
            key.starts_with(kDistortion) ? key.substr(kDistortion.size()) : key;
        throw ConfigError(
            (naming == SettingName::Flag ? cliFlag(flagKey) : "training." + std::string(key)) +
            ": " + what);
    };
    const auto check = [&](std::string_view key, double value, const ValueRange& range,
                           const char* note = "") {
        if (range.contains(value)) return;
        std::ostringstream shown;
        shown << value;
        fail(key, "must be " + range.text() + note + ", not " + shown.str());
    };
    if (!findKind(optimizerKinds(), c.optimizer)) {
        fail("optimizer",
             "unknown '" + c.optimizer + "' (expected " + orList(kindKeys(optimizerKinds())) + ")");
    }
    if (!findKind(scheduleKinds(), c.schedule)) {
        fail("schedule",
             "unknown '" + c.schedule + "' (expected " + orList(kindKeys(scheduleKinds())) + ")");
    }
    check("lr", c.lr, above(0));
    check("batch", c.batch, atLeast(1));
    check("epochs", c.epochs, atLeast(1));
    check("threads", c.threads, atLeast(0), " (0 = all cores)");
    check("validation", c.validation, fraction());
    check("patience", c.patience, atLeast(0));
    if (c.patience > 0 && c.validation <= 0.0f) {
        fail("patience", "early stopping needs a validation split (validation > 0)");
    }
    check("l1", c.l1, atLeast(0));
    check("l2", c.l2, atLeast(0));
    check("weight_decay", c.weightDecay, atLeast(0));
    check("train_limit", c.trainLimit, atLeast(0), " (0 = all)");
    check("test_limit", c.testLimit, atLeast(0), " (0 = all)");
    check("distortion.max_shift", c.distortion.maxShift, atLeast(0));
    check("distortion.max_rotation", c.distortion.maxRotation, atLeast(0));
    check("distortion.max_scale", c.distortion.maxScale, fraction());
    check("distortion.max_shear", c.distortion.maxShear, atLeast(0));
    check("distortion.elastic_alpha", c.distortion.elasticAlpha, atLeast(0), " (0 = off)");
    // The smoothing kernel spans 6 sigma: bounded so that no spec makes it unbounded work.
    check("distortion.elastic_sigma", c.distortion.elasticSigma, ValueRange{0, false, 16, true});
    const auto checkAll = [&](const auto& kinds) {
        for (const auto& kind : kinds) {
            for (const HyperParameter& h : kind.hyperParameters) {
                std::visit([&](auto member) { check(h.key, double(c.*member), h.range); },
                           h.member);
            }
        }
    };
    checkAll(optimizerKinds());
    checkAll(scheduleKinds());
}

std::int64_t checkLimits(const ArchitectureSpec& spec) {
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
        const std::string where = "layers[" + std::to_string(i) + "] (" + printable(l.type) +
                                  (l.name.empty() ? "" : " '" + printable(l.name) + "'") + ")";
        const double in = d.values();
        const LayerKind* kind = findKind(layerKinds(), l.type);
        if (!kind) return kMaxParameters;
        if (kind->type == LayerType::Conv) {
            limit(where, "kernel ", l.kernel, "", kMaxWindow);
            limit(where, "stride ", l.stride, "", kMaxWindow);
            limit(where, "padding ", l.padding, "", kMaxWindow);
            const double spanH = d.h + 2.0 * l.padding - l.kernel;
            const double spanW = d.w + 2.0 * l.padding - l.kernel;
            if (l.maps < 1 || l.kernel < 1 || l.stride < 1 || l.padding < 0 || spanH < 0 ||
                spanW < 0)
                return kMaxParameters;
            const double weights = double(l.maps) * d.c * l.kernel * l.kernel;
            d = {double(l.maps), std::floor(spanH / l.stride) + 1,
                 std::floor(spanW / l.stride) + 1};
            params += weights + l.maps;
            multiplyAdds += weights * d.h * d.w;
        } else if (kind->pool) {
            limit(where, "size ", l.size, "", kMaxWindow);
            if (l.size < 1 || d.h < l.size || d.w < l.size) return kMaxParameters;
            params += 2.0 * d.c;
            multiplyAdds += in;
            d = {d.c, std::floor(d.h / l.size), std::floor(d.w / l.size)};
        } else if (kind->units) {  // fc, rbf
            const int units = l.*kind->units;
            if (units < 1) return kMaxParameters;
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
    return std::int64_t(params);
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
        ir.read("mean", s.mean);
        ir.read("std", s.stddev);
        ir.finish();
        try {
            s.normalization = normalizationFromString(norm);
        } catch (const ConfigError& e) {
            throw ConfigError(std::string("input.normalization: ") + e.what());
        }
        if (s.input.c < 1 || s.input.h < 1 || s.input.w < 1) {
            ObjectReader::fail("input", "channels, height and width must be >= 1");
        }
        if (!std::isfinite(s.mean) || !(s.stddev > 0.0f) || !std::isfinite(s.stddev)) {
            ObjectReader::fail("input", "mean must be finite and std finite and > 0");
        }
    }
    const json* layers = r.child("layers");
    if (!layers || !layers->is_array() || layers->empty()) {
        ObjectReader::fail("layers", "expected a non-empty array of layers");
    }
    for (std::size_t i = 0; i < layers->size(); ++i) {
        s.layers.push_back(layerFromJson((*layers)[i], "layers[" + std::to_string(i) + "]"));
    }
    std::string loss =
        toString(layerKind(s.layers.back().type).type == LayerType::Rbf ? LossKind::Map
                                                                        : LossKind::CrossEntropy);
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
    json input{{"channels", s.input.c},
               {"height", s.input.h},
               {"width", s.input.w},
               {"normalization", toString(s.normalization)}};
    const ArchitectureSpec defaults;
    if (s.mean != defaults.mean || s.stddev != defaults.stddev) {
        input["mean"] = s.mean;
        input["std"] = s.stddev;
    }
    return json{{"name", s.name},   {"description", s.description},  {"input", input},
                {"layers", layers}, {"loss", toString(s.loss)},      {"map_j", s.mapJ},
                {"init", s.init},   {"training", toJson(s.training)}};
}

ArchitectureSpec specFromJsonText(const std::string& text, const std::string& origin) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {
        // parse_error, and out_of_range for a number too large for a double (1e999).
        throw ConfigError(origin + ": not valid JSON: " + jsonErrorText(e));
    }
    try {
        return specFromJson(j);
    } catch (const ConfigError& e) {
        throw ConfigError(origin + ": " + e.what());
    }
}

ArchitectureSpec loadSpecFile(const std::string& path) {
    constexpr std::uint64_t kMaxSpecBytes = std::uint64_t(1) << 20;
    return specFromJsonText(readFile(path, kMaxSpecBytes, "an architecture spec may have"), path);
}

}  // namespace lenet
