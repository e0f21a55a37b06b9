// Helpers shared by the core test suites: a temporary folder and checking that a call throws a
// given error naming given phrases (and, from tests/support, the synthetic digits).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "lenet/data/idx.h"
#include "support/synthetic_digits.h"

namespace lenet::test {

/// A fresh folder under the system temp directory, named lenet_test_<tag>_<stamp>_<n> and
/// removed with everything in it.
class TempDir {
public:
    explicit TempDir(const std::string& tag);
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string file(const std::string& name) const { return (m_path / name).string(); }
    std::string path() const { return m_path.string(); }

private:
    std::filesystem::path m_path;
};

/// Runs `f`, expecting an exception of type E whose message contains every phrase.
template <class E>
void expectError(const std::function<void()>& f, const std::vector<std::string>& phrases) {
    try {
        f();
        ADD_FAILURE() << "no exception thrown";
    } catch (const E& e) {
        const std::string what = e.what();
        for (const std::string& phrase : phrases) {
            EXPECT_NE(what.find(phrase), std::string::npos)
                << "message \"" << what << "\" lacks \"" << phrase << "\"";
        }
    } catch (const std::exception& e) {
        ADD_FAILURE() << "wrong exception type: " << e.what();
    }
}

}  // namespace lenet::test
