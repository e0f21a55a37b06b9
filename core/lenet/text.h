// Small text helpers shared by the error messages and file formats of the engine.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>
#include <type_traits>

namespace lenet {

/// The elements of `values` (strings or numbers) as text, separated by `separator`:
/// join({"a", "b"}, ", ") == "a, b", join({28, 28}, "x") == "28x28".
template <typename Range>
std::string join(const Range& values, std::string_view separator) {
    std::string text;
    bool first = true;
    for (const auto& v : values) {
        if (!first) text += separator;
        first = false;
        if constexpr (std::is_arithmetic_v<std::decay_t<decltype(v)>>) {
            text += std::to_string(v);
        } else {
            text += v;
        }
    }
    return text;
}

/// A value read from a file, in a message: the shortest text that reads back as `v` (a float or
/// a double); NaN, Inf and -Inf by name. numberText(-0.5f) == "-0.5".
template <typename T>
std::string numberText(T v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "Inf" : "-Inf";
    char text[32];
    const auto end = std::to_chars(text, text + sizeof text, v).ptr;
    return std::string(text, end);
}

/// A CSV field: `s` as it is, or quoted (quotes doubled) when it holds a comma, a quote or a line
/// break.
inline std::string csvField(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string quoted = "\"";
    for (char c : s) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

/// A size in bytes as a user reads it: "512 bytes", "752.6 MB", "8.8 TB" (powers of 1000).
inline std::string byteText(double bytes) {
    static constexpr const char* kUnits[] = {"bytes", "kB", "MB", "GB", "TB", "PB", "EB"};
    int unit = 0;
    while (bytes >= 1000.0 && unit < 6) {
        bytes /= 1000.0;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, kUnits[unit]);
    return text;
}

/// `text` (a name read from a file) fit to print: control characters and DEL as C escapes
/// (\n, \t, \x1b, ...), everything else unchanged. printable("C3\x1b[2J") == "C3\\x1b[2J".
inline std::string printable(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u != 0x7f) {
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\r') {
            out += "\\r";
        } else {
            out += "\\x";
            out += kHex[u >> 4];
            out += kHex[u & 0xf];
        }
    }
    return out;
}

}  // namespace lenet
