// The one factor by which the tests stretch every time limit and wait: the environment variable
// LENET_TEST_TIME_SCALE, a number >= 1 (default 1), set where the code runs slower than usual
// (the sanitizer builds of scripts/test.sh, a loaded machine). At 1 every limit is as written.
// Shared by the GoogleTest and the Qt tests; it needs neither.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace lenet::test {

/// LENET_TEST_TIME_SCALE, read once; 1 when unset or empty. A value that is not a number >= 1
/// ends the test program with a message saying so (a typo must not quietly keep the limits).
inline double timeScale() {
    static const double scale = [] {
        const char* text = std::getenv("LENET_TEST_TIME_SCALE");
        if (!text || !*text) return 1.0;
        char* end = nullptr;
        const double value = std::strtod(text, &end);
        if (*end != '\0' || !(value >= 1.0)) {
            std::fprintf(stderr, "LENET_TEST_TIME_SCALE must be a number >= 1, not '%s'\n", text);
            std::exit(EXIT_FAILURE);
        }
        return value;
    }();
    return scale;
}

/// `limit` stretched by timeScale(), for std::chrono waits and deadlines.
inline std::chrono::milliseconds scaled(std::chrono::milliseconds limit) {
    return std::chrono::milliseconds(
        static_cast<std::chrono::milliseconds::rep>(double(limit.count()) * timeScale()));
}

/// `ms` milliseconds stretched by timeScale(), for Qt's waits and timeouts (which take int).
inline int scaledMs(int ms) {
    return static_cast<int>(scaled(std::chrono::milliseconds(ms)).count());
}

/// `seconds` stretched by timeScale(), for bounds on measured durations.
inline double scaledSeconds(double seconds) {
    return seconds * timeScale();
}

}  // namespace lenet::test
