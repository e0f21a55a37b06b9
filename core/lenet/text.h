// Small text helpers shared by the error messages and file formats of the engine.
#pragma once

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

}  // namespace lenet
