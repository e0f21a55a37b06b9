// The named architectures shipped in resources/architectures/*.json (compiled in).
#pragma once

#include <string>
#include <vector>

#include "lenet/spec.h"

namespace lenet {

/// Preset names (the file names without .json), sorted.
std::vector<std::string> presetNames();

/// The preset's spec. Throws ConfigError listing the presets when `name` is not one.
ArchitectureSpec preset(const std::string& name);

}  // namespace lenet
