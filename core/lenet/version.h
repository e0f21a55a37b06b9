// The project's version (set once, in the top CMakeLists.txt) and the line --version prints.
#pragma once

#include <string>
#include <string_view>

namespace lenet {

/// "0.2.0".
const char* version();

/// "0.2.0 (kernels: avx2+fma, 2 threads)": the version, the kernel set in use and the threads a
/// run uses by default. Throws Error as activeKernelSet() does.
std::string versionDetails();

/// "<program> " + versionDetails(): what --version prints.
std::string versionLine(std::string_view program);

}  // namespace lenet
