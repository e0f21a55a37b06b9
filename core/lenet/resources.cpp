#include "lenet/resources.h"

#include "lenet/error.h"

namespace lenet {

const std::string& embeddedResource(const std::string& name) {
    const auto& files = embeddedResources();
    const auto it = files.find(name);
    if (it == files.end()) throw Error("resource '" + name + "' is not embedded in this build");
    return it->second;
}

}  // namespace lenet
