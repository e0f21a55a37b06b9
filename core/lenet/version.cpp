#include "lenet/version.h"

#include "lenet/kernels.h"
#include "lenet/parallel.h"

namespace lenet {

const char* version() {
    return LENET_VERSION;
}

std::string versionLine(std::string_view program) {
    const int threads = hardwareThreads();
    return std::string(program) + " " + version() +
           " (kernels: " + kernelSetName(activeKernelSet()) + ", " + std::to_string(threads) +
           (threads == 1 ? " thread)" : " threads)");
}

}  // namespace lenet
