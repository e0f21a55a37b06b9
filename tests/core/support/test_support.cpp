// Helpers shared by the core test suites (see test_support.h).
#include "support/test_support.h"

#include <atomic>
#include <chrono>
#include <system_error>

namespace fs = std::filesystem;

namespace lenet::test {

TempDir::TempDir(const std::string& tag) {
    static std::atomic<int> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    m_path = fs::temp_directory_path() /
             ("lenet_test_" + tag + "_" + std::to_string(stamp) + "_" + std::to_string(counter++));
    fs::create_directories(m_path);
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(m_path, ec);
}

}  // namespace lenet::test
