#include "lenet/version.h"

#include "lenet/kernels.h"
#include "lenet/parallel.h"

namespace lenet {

const char* version() {
    return LENET_VERSION;
}

std::string versionDetails() {
    const int threads = hardwareThreads();
    return std::string(version()) + " (kernels: " + kernelSetName(activeKernelSet()) + ", " +
           std::to_string(threads) + (threads == 1 ? " thread)" : " threads)");
}

std::string versionLine(std::string_view program) {
    return std::string(program) + " " + versionDetails();
}

}  // namespace lenet
