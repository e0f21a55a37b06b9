#include "lenet/model_io.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <zlib.h>

#include <nlohmann/json.hpp>

#include "lenet/error.h"
#include "lenet/file_io.h"
#include "lenet/json_value.h"
#include "lenet/spec_json.h"
#include "lenet/text.h"

namespace lenet {
namespace {

using nlohmann::json;

constexpr char kMagic[8] = {'L', 'E', 'N', 'E', 'T', 'M', 'D', 'L'};

template <typename T>
void put(std::string& out, T v) {
    unsigned char b[sizeof(T)];
    for (std::size_t i = 0; i < sizeof(T); ++i)
        b[i] = (unsigned char)((std::uint64_t(v) >> (8 * i)) & 0xff);
    out.append(reinterpret_cast<const char*>(b), sizeof(T));
}

void putFloat(std::string& out, float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, 4);
    put(out, u);
}

// One named array: u16 name length, name, u8 rank, u32 dims, f32 values.
void putArray(std::string& out, const std::string& name, const std::vector<int>& dims,
              const std::vector<float>& values) {
    put<std::uint16_t>(out, std::uint16_t(name.size()));
    out += name;
    put<std::uint8_t>(out, std::uint8_t(dims.size()));
    for (int d : dims) put<std::uint32_t>(out, std::uint32_t(d));
    for (float v : values) putFloat(out, v);
}

/// Bounds-checked little-endian reader over the file's bytes.
class Reader {
public:
    Reader(const std::string& bytes, const std::string& path) : m_b(bytes), m_path(path) {}

    template <typename T>
    T get(const char* what) {
        need(sizeof(T), what);
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i) {
            v |= std::uint64_t(static_cast<unsigned char>(m_b[m_pos + i])) << (8 * i);
        }
        m_pos += sizeof(T);
        return T(v);
    }

    std::string bytes(std::size_t n, const char* what) {
        need(n, what);
        std::string s = m_b.substr(m_pos, n);
        m_pos += n;
        return s;
    }

    void floats(float* out, std::size_t n, const char* what) {
        need(n * 4, what);
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint32_t u = get<std::uint32_t>(what);
            std::memcpy(out + i, &u, 4);
        }
    }

    std::size_t pos() const { return m_pos; }
    std::size_t remaining() const { return m_b.size() - m_pos; }

    [[noreturn]] void fail(const std::string& what) const {
        throw FormatError(m_path + ": " + what + " (at byte " + std::to_string(m_pos) + ")");
    }

private:
    void need(std::size_t n, const char* what) const {
        if (n > m_b.size() - m_pos) {
            fail(std::string("the file ends inside ") + what + " (truncated?)");
        }
    }

    const std::string& m_b;
    const std::string& m_path;
    std::size_t m_pos = 0;
};

// What is wrong with epoch `i` of a history, or "": epochs numbered in order from 1, error rates
// in [0, 1], losses, times, speeds and rates not negative; -1 marks what was not measured.
std::string epochProblem(const EpochMetrics& m, std::size_t i) {
    const std::string where = "history[" + std::to_string(i) + "].";
    if (m.epoch != int(i) + 1) {
        return where + "epoch is " + std::to_string(m.epoch) + ", expected " +
               std::to_string(i + 1) + " (epochs are numbered in order from 1)";
    }
    const auto check = [&](const char* key, double v, bool fraction, bool optional) {
        const bool fits = v >= 0.0 && (!fraction || v <= 1.0);
        if (fits || (optional && v == -1.0)) return std::string();
        return where + key + " is " + numberText(v) +
               (fraction ? ", an error rate is a fraction in [0, 1]" : ", it cannot be negative") +
               (optional ? " (or -1: not measured)" : "");
    };
    for (const std::string& problem :
         {check("loss", m.loss, false, false), check("train_error", m.trainError, true, false),
          check("validation_error", m.validationError, true, true),
          check("test_error", m.testError, true, true), check("test_loss", m.testLoss, false, true),
          check("seconds", m.seconds, false, false),
          check("images_per_second", m.imagesPerSecond, false, false),
          check("lr", m.lr, false, false)}) {
        if (!problem.empty()) return problem;
    }
    return {};
}

json calibrationToJson(const Calibration& c) {
    return {{"temperature", c.temperature},
            {"threshold", c.threshold},
            {"min_probability", c.minProbability},
            {"min_ink", c.minInk},
            {"max_ink", c.maxInk},
            {"images", c.images},
            {"source", c.source}};
}

// The header's optional "calibration" and "classes" set on `net`; throws FormatError naming
// `path` and the member when a value is missing, of the wrong type or impossible.
void readModelInfo(const json& meta, Network& net, const std::string& path) {
    try {
        if (meta.contains("calibration")) {
            const json& j = meta.at("calibration");
            Calibration c;
            c.temperature = jsonMember<float>(j, "temperature", "calibration");
            c.threshold = jsonMember<float>(j, "threshold", "calibration");
            c.minProbability = jsonMember<float>(j, "min_probability", "calibration");
            c.minInk = jsonMember<float>(j, "min_ink", "calibration");
            c.maxInk = jsonMember<float>(j, "max_ink", "calibration");
            c.images = jsonMember<int>(j, "images", "calibration");
            c.source = jsonMember<std::string>(j, "source", "calibration");
            if (!(c.temperature > 0.0f) || c.images <= 0)
                throw ConfigError("calibration: the temperature and the image count must be > 0");
            net.setCalibration(c);
        }
        if (meta.contains("classes")) {
            const json& a = meta.at("classes");
            if (!a.is_array() || int(a.size()) != net.classes())
                throw ConfigError("classes: expected a list of " + std::to_string(net.classes()) +
                                  " class names");
            std::vector<std::string> names;
            for (const json& n : a)
                names.push_back(
                    jsonValue<std::string>(n, "classes[" + std::to_string(names.size()) + "]"));
            net.setClassNames(std::move(names));
        }
    } catch (const ConfigError& e) {
        throw FormatError(path + ": " + e.what());
    }
}

// A checkpoint's state array: name, rank, dimensions and values, with its size checked against
// the bytes left before the values are read.
NamedArray readArray(Reader& r) {
    NamedArray a;
    a.name = r.bytes(r.get<std::uint16_t>("a state array name length"), "a state array name");
    const auto ndims = r.get<std::uint8_t>("a state array rank");
    std::size_t count = 1;
    for (int d = 0; d < ndims; ++d) {
        a.dims.push_back(int(r.get<std::uint32_t>("a state array shape")));
        const auto dim = std::size_t(std::uint32_t(a.dims.back()));
        if (dim != 0 && count > r.remaining() / 4 / dim) {
            r.fail("state array '" + printable(a.name) + "' is larger than the rest of the file");
        }
        count *= dim;
    }
    a.values.resize(count);
    r.floats(a.values.data(), count, "the state array values");
    return a;
}

}  // namespace

std::string valuesProblem(const std::vector<float>& values, ValueRule rule, const std::string& what,
                          const std::string& why) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        const float v = values[i];
        const bool fits = std::isfinite(v) && (rule == ValueRule::Finite ||
                                               (rule == ValueRule::NonNegative && v >= 0.0f) ||
                                               (rule == ValueRule::Positive && v > 0.0f));
        if (!fits) {
            return what + ": element " + std::to_string(i) + " is " + numberText(v) +
                   (std::isfinite(v) && !why.empty() ? ", " + why : "");
        }
    }
    return {};
}

std::string weightsProblem(const Network& net) {
    for (int l = 0; l < net.layerCount(); ++l) {
        const Layer& layer = net.layer(l);
        for (const Param& p : layer.params()) {
            const std::string what =
                "layer " + printable(layer.name()) + " (" + layer.kind() + ") " + p.name;
            std::string problem = p.variance ? valuesProblem(p.value, ValueRule::NonNegative, what,
                                                             "a variance cannot be negative")
                                             : valuesProblem(p.value, ValueRule::Finite, what);
            if (!problem.empty()) return problem;
            for (std::size_t i = 0; i < p.mask.size(); ++i) {
                if (p.mask[i] == 0.0f && p.value[i] != 0.0f) {
                    return what + ": element " + std::to_string(i) + " is " +
                           numberText(p.value[i]) +
                           " where the connection table has no connection (it must be 0)";
                }
            }
        }
    }
    return {};
}

json historyToJson(const std::vector<EpochMetrics>& history) {
    json a = json::array();
    for (const auto& m : history) a.push_back(toJson(m));
    return a;
}

std::vector<EpochMetrics> historyFromJson(const json& a, const std::string& path) {
    if (!a.is_array()) throw FormatError(path + ": the training history is not a list of epochs");
    std::vector<EpochMetrics> h;
    try {
        for (const auto& e : a) {
            EpochMetrics m;
            const std::string where = "history[" + std::to_string(h.size()) + "]";
            forEachMetric(m, [&](const char* key, auto& field) {
                field = jsonMember<std::decay_t<decltype(field)>>(e, key, where);
            });
            if (const std::string problem = epochProblem(m, h.size()); !problem.empty())
                throw ConfigError(problem);
            h.push_back(m);
        }
    } catch (const ConfigError& e) {
        throw FormatError(path + ": the training history is malformed: " + e.what());
    }
    return h;
}

json toJson(const EpochMetrics& m) {
    json j;
    forEachMetric(m, [&](const char* key, const auto& field) { j[key] = field; });
    return j;
}

json modelHeader(const Network& net, const std::vector<EpochMetrics>& history) {
    json header{{"spec", toJson(net.spec())}, {"history", historyToJson(history)}};
    if (net.calibration()) header["calibration"] = calibrationToJson(*net.calibration());
    if (!net.classNames().empty()) header["classes"] = net.classNames();
    return header;
}

Model modelFromHeader(const json& meta, const std::string& path) {
    if (!meta.is_object() || !meta.contains("spec")) {
        throw FormatError(path + ": the JSON header has no architecture spec");
    }
    ArchitectureSpec spec;
    std::vector<EpochMetrics> history;
    try {
        spec = specFromJson(meta.at("spec"));
    } catch (const ConfigError& e) {
        throw FormatError(path + ": the architecture in the file is invalid: " + e.what());
    }
    if (meta.contains("history")) history = historyFromJson(meta.at("history"), path);
    // A spec can parse and still not build (e.g. shapes that do not fit): also a bad file.
    Network net = [&] {
        try {
            return Network(spec);
        } catch (const ConfigError& e) {
            throw FormatError(path + ": the architecture in the file is invalid: " + e.what());
        }
    }();
    readModelInfo(meta, net, path);
    return Model{std::move(net), std::move(history)};
}

std::string encodeModelFile(const Network& net, const std::vector<EpochMetrics>& history,
                            const json* checkpoint, const std::vector<NamedArray>& arrays) {
    std::string out(kMagic, sizeof kMagic);
    put<std::uint32_t>(out, checkpoint ? kCheckpointFileVersion : kModelFileVersion);
    json header = modelHeader(net, history);
    if (checkpoint) header["checkpoint"] = *checkpoint;
    const std::string meta = header.dump();
    put<std::uint32_t>(out, std::uint32_t(meta.size()));
    out += meta;
    std::uint32_t tensors = 0;
    for (int l = 0; l < net.layerCount(); ++l)
        tensors += std::uint32_t(net.layer(l).params().size());
    if (checkpoint) tensors += std::uint32_t(arrays.size());
    put<std::uint32_t>(out, tensors);
    for (int l = 0; l < net.layerCount(); ++l) {
        for (const Param& p : net.layer(l).params())
            putArray(out, net.layer(l).name() + "." + p.name, p.dims, p.value);
    }
    if (checkpoint) {
        for (const NamedArray& a : arrays) putArray(out, a.name, a.dims, a.values);
    }
    const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(out.data()), uInt(out.size()));
    put<std::uint32_t>(out, std::uint32_t(crc));
    return out;
}

void writeModelFile(const std::string& path, const Network& net,
                    const std::vector<EpochMetrics>& history, const json* checkpoint,
                    const std::vector<NamedArray>& arrays) {
    std::string problem = weightsProblem(net);
    for (const NamedArray& a : arrays) {
        if (problem.empty()) problem = valuesProblem(a.values, ValueRule::Finite, a.name);
    }
    if (!problem.empty()) {
        throw Error("refusing to write " + path + ": " + problem +
                    " (the weights are damaged; nothing was written)");
    }
    writeFileAtomically(path, encodeModelFile(net, history, checkpoint, arrays));
}

void saveModel(const std::string& path, const Network& net,
               const std::vector<EpochMetrics>& history) {
    writeModelFile(path, net, history);
}

std::string readModelFile(const std::string& path) {
    InputFile in(path);
    // The magic, the version and the JSON header's length.
    constexpr std::size_t kFixedHeader = sizeof kMagic + 8;
    std::string bytes = in.read(kFixedHeader);
    Reader r(bytes, path);
    if (bytes.size() < kFixedHeader || bytes.compare(0, sizeof kMagic, kMagic, sizeof kMagic) != 0)
        return bytes;
    r.bytes(sizeof kMagic, "the magic");
    const auto version = r.get<std::uint32_t>("the version");
    const auto metaSize = r.get<std::uint32_t>("the header length");
    if (version != kModelFileVersion && version != kCheckpointFileVersion) return bytes;
    constexpr std::uint64_t kMaxMeta = std::uint64_t(1) << 24;
    if (metaSize > kMaxMeta)
        throw FormatError(path + ": the JSON header is " + byteCount(metaSize) +
                          " long, more than the " + byteCount(kMaxMeta) + " it may have");
    bytes += in.read(std::size_t(std::min<std::uint64_t>(metaSize, in.size())));
    // The file needs no more than the architecture's weights (and for a checkpoint three more
    // copies: two optimiser buffers and the best weights), each array with its name and shape.
    // Twice that and a mebibyte are allowed, so that a file somewhat too long (say, the weights
    // of a wider network) is refused by the decoder naming the array that does not fit.
    std::int64_t parameters = kMaxParameters;
    std::size_t layers = 256;
    std::string architecture = "any architecture";
    try {
        const ArchitectureSpec spec =
            specFromJson(json::parse(bytes.substr(kFixedHeader)).at("spec"));
        parameters = checkLimits(spec);
        layers = spec.layers.size();
        architecture = "the architecture '" + spec.name + "'";
    } catch (const std::exception&) {  // the decoder names what is wrong with the header
    }
    constexpr std::uint64_t kArrayFraming = 512;  // name, rank and shape of one array, at most
    const std::uint64_t copies = version == kCheckpointFileVersion ? 4 : 1;
    const std::uint64_t need =
        kFixedHeader + metaSize + 8 +
        copies * (4 * std::uint64_t(parameters) + 4 * (layers + 1) * kArrayFraming);
    return bytes + in.readRest(2 * need + (std::uint64_t(1) << 20),
                               std::string("allowed for a ") +
                                   (version == kCheckpointFileVersion ? "checkpoint" : "model") +
                                   " of " + architecture + " (twice what it needs, and 1 MiB)");
}

Model loadModel(const std::string& path) {
    return parseModel(readModelFile(path), path);
}

Model parseModel(const std::string& bytes, const std::string& origin) {
    return decodeModelFile(bytes, origin);
}

Model decodeModelFile(const std::string& bytes, const std::string& path, json* checkpoint,
                      std::vector<NamedArray>* arrays) {
    Reader r(bytes, path);
    if (bytes.size() < sizeof kMagic ||
        bytes.compare(0, sizeof kMagic, kMagic, sizeof kMagic) != 0) {
        throw FormatError(path +
                          ": not a LeNet Studio model file (the magic 'LENETMDL' is missing)");
    }
    r.bytes(sizeof kMagic, "the magic");
    const auto version = r.get<std::uint32_t>("the version");
    if (version != kModelFileVersion && version != kCheckpointFileVersion) {
        throw FormatError(path + ": model file version " + std::to_string(version) +
                          " is not supported (this build reads version " +
                          std::to_string(kModelFileVersion) +
                          "), and it is not a checkpoint (version " +
                          std::to_string(kCheckpointFileVersion) + ") either");
    }
    const bool isCheckpoint = version == kCheckpointFileVersion;
    if (bytes.size() < 4) r.fail("too short for a checksum");
    const std::size_t body = bytes.size() - 4;
    std::uint32_t stored = 0;
    for (int i = 0; i < 4; ++i)
        stored |= std::uint32_t(static_cast<unsigned char>(bytes[body + i])) << (8 * i);
    const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), uInt(body));
    if (std::uint32_t(crc) != stored) {
        throw FormatError(path + ": checksum mismatch: the file is corrupt or truncated");
    }
    const auto metaSize = r.get<std::uint32_t>("the header length");
    const std::string metaText = r.bytes(metaSize, "the JSON header");
    json meta;
    try {
        meta = json::parse(metaText);
    } catch (const json::exception& e) {  // also out_of_range: a number too large for a double
        throw FormatError(path + ": the JSON header is not valid JSON: " + jsonErrorText(e));
    }
    Model model = modelFromHeader(meta, path);
    if (isCheckpoint != (meta.contains("checkpoint") && meta.at("checkpoint").is_object())) {
        throw FormatError(path + (isCheckpoint
                                      ? ": a version 2 file (checkpoint) without its training state"
                                      : ": a version 1 file (model) with a training state"));
    }
    Network& net = model.network;
    const ArchitectureSpec& spec = net.spec();
    const auto tensors = r.get<std::uint32_t>("the tensor count");
    std::size_t expected = 0;
    for (int l = 0; l < net.layerCount(); ++l) expected += net.layer(l).params().size();
    if (isCheckpoint ? tensors < expected : tensors != expected) {
        r.fail("the file has " + std::to_string(tensors) + " weight arrays but the architecture '" +
               printable(spec.name) + "' has " + std::to_string(expected));
    }
    for (int l = 0; l < net.layerCount(); ++l) {
        for (Param& p : net.layer(l).params()) {
            const std::string want = net.layer(l).name() + "." + p.name;
            const auto nameSize = r.get<std::uint16_t>("a weight name length");
            const std::string name = r.bytes(nameSize, "a weight name");
            if (name != want) {
                r.fail("expected weights '" + printable(want) + "', found '" + printable(name) +
                       "'");
            }
            const auto ndims = r.get<std::uint8_t>("a weight rank");
            std::vector<int> dims;
            for (int d = 0; d < ndims; ++d)
                dims.push_back(int(r.get<std::uint32_t>("a weight shape")));
            if (dims != p.dims) {
                r.fail("weights '" + printable(want) + "' are " + join(dims, "x") +
                       ", the architecture needs " + join(p.dims, "x"));
            }
            r.floats(p.value.data(), p.value.size(), "the weight values");
        }
    }
    std::vector<NamedArray> extra;
    for (std::size_t i = expected; i < tensors; ++i) extra.push_back(readArray(r));
    if (r.pos() != body) {
        r.fail(std::to_string(body - r.pos()) + " unexpected bytes after the weights");
    }
    if (const std::string problem = weightsProblem(net); !problem.empty())
        throw FormatError(path + ": " + problem);
    if (checkpoint) *checkpoint = isCheckpoint ? meta.at("checkpoint") : json();
    if (arrays) *arrays = std::move(extra);
    return model;
}

}  // namespace lenet
