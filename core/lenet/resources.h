// Data files from resources/ compiled into the engine (presets, RBF bitmaps).
#pragma once

#include <map>
#include <string>

namespace lenet {

/// File name (e.g. "lenet5-1998.json") -> file contents, for every embedded resource file.
const std::map<std::string, std::string>& embeddedResources();

/// Contents of one embedded file. Throws Error naming the file when it is not embedded.
const std::string& embeddedResource(const std::string& name);

}  // namespace lenet
