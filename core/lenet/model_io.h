// The model file: a versioned header, the architecture spec and training history as JSON, the
// named weights as little-endian float32 arrays with shapes, and a CRC-32 of everything before it.
//
//   "LENETMDL"  u32 version  u32 json_bytes  json  u32 tensors
//   per tensor: u16 name_bytes  name ("C1.weight")  u8 ndims  u32 dims[ndims]  f32 values[prod]
//   u32 crc32 (zlib) of all bytes above
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "lenet/network.h"
#include "lenet/trainer.h"

namespace lenet {

inline constexpr unsigned kModelFileVersion = 1;

struct Model {
    Network network;
    std::vector<EpochMetrics> history;
};

/// Writes `path` atomically (a temporary file in the same folder, fsync, rename).
/// Throws IoError naming the path.
void saveModel(const std::string& path, const Network& net,
               const std::vector<EpochMetrics>& history);

/// Reads a model file, checking the magic, version, every length against the file size, the
/// checksum, and that the weights match the architecture (names, shapes). Throws FormatError or
/// IoError naming the file and what is wrong; never returns a half-loaded model.
Model loadModel(const std::string& path);

/// The same checks on the bytes of a model file held in memory (a bundled resource); `origin`
/// names it in the errors.
Model parseModel(const std::string& bytes, const std::string& origin);

/// One epoch's metrics as the JSON object of the model file's history and `lenet train --json`.
nlohmann::json toJson(const EpochMetrics& m);

}  // namespace lenet
