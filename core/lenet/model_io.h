// The model file: a versioned header, the architecture spec and training history as JSON, the
// named weights as little-endian float32 arrays with shapes, and a CRC-32 of everything before it.
//
//   "LENETMDL"  u32 version  u32 json_bytes  json  u32 tensors
//   per tensor: u16 name_bytes  name ("C1.weight")  u8 ndims  u32 dims[ndims]  f32 values[prod]
//   u32 crc32 (zlib) of all bytes above
//
// A checkpoint (version 2) is the same file with a "checkpoint" object in the JSON header and,
// after the network's weights, further named arrays of the training state in the same layout;
// it opens as a model like a version 1 file. The header may also hold the network's
// "calibration" ({temperature, threshold, images, source}, see calibration.h) and "classes" (its
// class names); files without them stay readable (not calibrated, digits).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "lenet/metrics.h"
#include "lenet/network.h"

namespace lenet {

/// The version of plain model files.
inline constexpr unsigned kModelFileVersion = 1;
/// The version of checkpoint files: version 1 plus the training state.
inline constexpr unsigned kCheckpointFileVersion = 2;

struct Model {
    Network network;
    std::vector<EpochMetrics> history;
};

/// Writes `path` atomically (a temporary file in the same folder, fsync, rename).
/// Throws IoError naming the path.
void saveModel(const std::string& path, const Network& net,
               const std::vector<EpochMetrics>& history);

/// Reads a model file (or a checkpoint, as a model), checking the magic, version, every length
/// against the file size, the checksum, and that the weights match the architecture (names,
/// shapes). Throws FormatError or IoError naming the file and what is wrong; never returns a
/// half-loaded model.
Model loadModel(const std::string& path);

/// The bytes of the model or checkpoint file at `path` (a regular file, see InputFile), read
/// header first: a file that does not start with a model file's magic and a known version is not
/// read further (decodeModelFile names what is wrong with what was read), and the rest is read
/// only when the file is no larger than its architecture's weights can make it (FormatError
/// naming the architecture and both sizes).
std::string readModelFile(const std::string& path);

/// The same checks on the bytes of a model file held in memory (a bundled resource); `origin`
/// names it in the errors.
Model parseModel(const std::string& bytes, const std::string& origin);

/// A named float array of a checkpoint beyond the network's weights ("optimizer.s1.C1.weight").
struct NamedArray {
    std::string name;
    std::vector<int> dims;
    std::vector<float> values;
};

/// The bytes of a model file: version 1 when `checkpoint` is null, else version 2 with
/// `*checkpoint` (a JSON object) as the header's "checkpoint" and `arrays` after the weights.
std::string encodeModelFile(const Network& net, const std::vector<EpochMetrics>& history,
                            const nlohmann::json* checkpoint = nullptr,
                            const std::vector<NamedArray>& arrays = {});

/// parseModel for either version. When not null, `checkpoint` receives the header's
/// "checkpoint" object (null for a version 1 file) and `arrays` the arrays after the weights.
Model decodeModelFile(const std::string& bytes, const std::string& origin,
                      nlohmann::json* checkpoint = nullptr,
                      std::vector<NamedArray>* arrays = nullptr);

/// writeFileAtomically of encodeModelFile's bytes, after checking that the weights (and
/// `arrays`) are fit to be saved: throws Error "refusing to write <path>: <valuesProblem>"
/// rather than write NaN or Inf. saveModel and saveCheckpoint write through it.
void writeModelFile(const std::string& path, const Network& net,
                    const std::vector<EpochMetrics>& history,
                    const nlohmann::json* checkpoint = nullptr,
                    const std::vector<NamedArray>& arrays = {});

/// The model file's JSON header: {"spec", "history", "calibration" (when calibrated), "classes"
/// (when named)}. The ONNX export keeps the same members in its metadata (lenet/onnx.h).
nlohmann::json modelHeader(const Network& net, const std::vector<EpochMetrics>& history);

/// The model such a header describes, its weights as a new Network has them. Throws FormatError
/// naming `path` and what is wrong: no spec, a spec that does not parse or build, a malformed
/// history, calibration or class list.
Model modelFromHeader(const nlohmann::json& header, const std::string& path);

/// One epoch's metrics as the JSON object of the model file's history and `lenet train --json`.
nlohmann::json toJson(const EpochMetrics& m);

/// A training history as the model file's "history" list, and back: throws FormatError naming
/// `path`, the epoch and the field when a value is missing, not a number of its field's type or
/// impossible (epochs not numbered in order from 1, an error rate outside [0, 1], a negative loss).
nlohmann::json historyToJson(const std::vector<EpochMetrics>& history);
std::vector<EpochMetrics> historyFromJson(const nlohmann::json& a, const std::string& path);

/// What the values of a saved array must be beyond finite.
enum class ValueRule {
    Finite,
    NonNegative,  // a variance or a mean square
    Positive,     // SDLM's step factors 1 / (mu + h)
};

/// What is wrong with `values` under `rule`, or "" when nothing: "<what>: element 3 is -0.5,
/// <why>" (`why` says what the values are: "a variance cannot be negative"), "<what>: element 17
/// is NaN". The one check of loaded arrays: weights, optimiser buffers, best weights.
std::string valuesProblem(const std::vector<float>& values, ValueRule rule, const std::string& what,
                          const std::string& why = {});

/// What is wrong with the weights of `net`, or "": a NaN or an infinity ("layer C3 (conv)
/// weight: element 17 is NaN"), a negative batch-norm running variance, a non-zero weight where
/// a connection table has no connection. What a loaded model and a model to save are checked
/// with.
std::string weightsProblem(const Network& net);

}  // namespace lenet
