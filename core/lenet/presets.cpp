#include "lenet/presets.h"

#include <algorithm>

#include "lenet/error.h"
#include "lenet/resources.h"
#include "lenet/spec_json.h"
#include "lenet/text.h"

namespace lenet {
namespace {

const std::string kSuffix = ".json";

}  // namespace

std::vector<std::string> presetNames() {
    std::vector<std::string> names;
    for (const auto& [file, text] : embeddedResources()) {
        if (file.size() > kSuffix.size() && file.ends_with(kSuffix)) {
            names.push_back(file.substr(0, file.size() - kSuffix.size()));
        }
    }
    // Sorting the file names puts "a-b.json" before "a.json"; the names themselves are sorted.
    std::sort(names.begin(), names.end());
    return names;
}

ArchitectureSpec preset(const std::string& name) {
    const auto& files = embeddedResources();
    const auto it = files.find(name + kSuffix);
    if (it == files.end()) {
        throw ConfigError("unknown preset '" + name + "' (available: " + join(presetNames(), ", ") +
                          ")");
    }
    return specFromJsonText(it->second, "preset " + name);
}

}  // namespace lenet
