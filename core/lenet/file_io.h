// Whole-file reads and crash-safe writes, with errors that name the path.
#pragma once

#include <string>

namespace lenet {

/// The bytes of `path`. Throws IoError naming the path and the OS's reason.
std::string readFile(const std::string& path);

/// `bytes` to `path` through a temporary name, fsync, rename and fsync of the folder: a reader
/// never sees a half written file, and a failure leaves any previous file in place. Throws
/// IoError naming the path.
void writeFileAtomically(const std::string& path, const std::string& bytes);

}  // namespace lenet
