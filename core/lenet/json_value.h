// One JSON value read as a C++ field with its type and range checked: what the spec, model and
// checkpoint readers share (nlohmann's get<int>() of 1e300 is undefined behaviour, of 2^32+6 a
// silent 6).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "lenet/error.h"

namespace lenet {

/// `v` as a T (bool, an integer type, a floating-point type or std::string). Throws
/// ConfigError("<where>: <what is wrong>") when `v` has another type or its value does not fit.
template <typename T>
T jsonValue(const nlohmann::json& v, const std::string& where) {
    const auto fail = [&](const std::string& what) { throw ConfigError(where + ": " + what); };
    if constexpr (std::is_same_v<T, bool>) {
        if (!v.is_boolean()) fail("expected true or false");
    } else if constexpr (std::is_integral_v<T>) {
        if (!v.is_number_integer()) fail("expected an integer");
        bool fits;
        if (v.is_number_unsigned()) {
            fits = v.get<std::uint64_t>() <= std::uint64_t(std::numeric_limits<T>::max());
        } else if (const std::int64_t i = v.get<std::int64_t>(); i < 0) {
            fits = std::is_signed_v<T> && i >= std::int64_t(std::numeric_limits<T>::min());
        } else {
            fits = std::uint64_t(i) <= std::uint64_t(std::numeric_limits<T>::max());
        }
        if (!fits) {
            fail("integer " + v.dump() + " is out of range (" +
                 std::to_string(std::numeric_limits<T>::min()) + " to " +
                 std::to_string(std::numeric_limits<T>::max()) + ")");
        }
    } else if constexpr (std::is_floating_point_v<T>) {
        if (!v.is_number()) fail("expected a number");
        if (!(std::abs(v.get<double>()) <= double(std::numeric_limits<T>::max())))
            fail("number " + v.dump() + " is out of range");
    } else {
        static_assert(std::is_same_v<T, std::string>, "bool, integer, floating point or string");
        if (!v.is_string()) fail("expected a string");
    }
    return v.get<T>();
}

/// "<where>.<key>", or `key` when `where` is empty: how the messages name a member.
inline std::string jsonPath(const std::string& where, const char* key) {
    return where.empty() ? key : where + "." + key;
}

/// Member `key` of the object `j`; ConfigError "<where>.<key>: missing" when `j` is not an
/// object or has no such member (nlohmann's at() would say "[json.exception...] key not found").
inline const nlohmann::json& jsonAt(const nlohmann::json& j, const char* key,
                                    const std::string& where) {
    if (!j.is_object() || !j.contains(key)) throw ConfigError(jsonPath(where, key) + ": missing");
    return j.at(key);
}

/// Member `key` of the object `j` through jsonValue; ConfigError "<where>.<key>: missing" when
/// `j` is not an object or has no such member.
template <typename T>
T jsonMember(const nlohmann::json& j, const char* key, const std::string& where) {
    return jsonValue<T>(jsonAt(j, key, where), jsonPath(where, key));
}

/// What a nlohmann exception says without its "[json.exception.parse_error.101] " tag: the
/// part of the text a user can act on ("parse error at line 1, column 9: ...").
inline std::string jsonErrorText(const nlohmann::json::exception& e) {
    const std::string text = e.what();
    const std::size_t tagEnd = text.find("] ");
    return text.starts_with("[json.exception.") && tagEnd != std::string::npos
               ? text.substr(tagEnd + 2)
               : text;
}

}  // namespace lenet
