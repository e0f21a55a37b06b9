// Looking kinds up in the table of kinds (kinds.h) and naming them in messages.
#include "lenet/kinds.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "lenet/error.h"
#include "lenet/text.h"

namespace lenet {

std::string cliFlag(std::string_view key) {
    std::string flag = "--" + std::string(key);
    std::replace(flag.begin(), flag.end(), '_', '-');
    return flag;
}

bool ValueRange::contains(double value) const {
    return std::isfinite(value) && (lowIncluded ? value >= low : value > low) &&
           (highIncluded ? value <= high : value < high);
}

std::string ValueRange::text() const {
    const auto number = [](double v) {
        std::ostringstream s;
        s << v;
        return s.str();
    };
    if (std::isinf(high)) return (lowIncluded ? ">= " : "> ") + number(low);
    return "in " + std::string(lowIncluded ? "[" : "(") + number(low) + ", " + number(high) +
           (highIncluded ? "]" : ")");
}

ValueRange atLeast(double low) {
    return {low, true, std::numeric_limits<double>::infinity(), false};
}

ValueRange above(double low) {
    return {low, false, std::numeric_limits<double>::infinity(), false};
}

ValueRange fraction() {
    return {0.0, true, 1.0, false};
}

std::string orList(const std::vector<std::string>& words) {
    std::string text;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i > 0) text += i + 1 == words.size() ? " or " : ", ";
        text += words[i];
    }
    return text;
}

namespace {

template <typename Kind>
const Kind& kindOrThrow(const std::vector<Kind>& kinds, const std::string& key, const char* what) {
    if (const Kind* k = findKind(kinds, key)) return *k;
    throw ConfigError("unknown " + std::string(what) + " '" + key + "' (expected " +
                      join(kindKeys(kinds), ", ") + ")");
}

}  // namespace

const LayerKind& layerKind(const std::string& type) {
    return kindOrThrow(layerKinds(), type, "layer type");
}

const ActivationKind& activationKind(const std::string& fn) {
    return kindOrThrow(activationKinds(), fn, "fn");
}

const OptimizerKind& optimizerKind(const std::string& optimizer) {
    return kindOrThrow(optimizerKinds(), optimizer, "optimizer");
}

bool usesField(const LayerSpec& l, std::string_view key) {
    const LayerKind* kind = findKind(layerKinds(), l.type);
    if (!kind) return false;
    const auto field = std::find_if(kind->fields.begin(), kind->fields.end(),
                                    [key](const LayerField& f) { return key == f.key; });
    if (field == kind->fields.end()) return false;
    if (field->written != Written::IfFnUses) return true;
    const ActivationKind* fn = findKind(activationKinds(), l.fn);
    return fn && std::any_of(fn->options.begin(), fn->options.end(),
                             [key](const char* option) { return key == option; });
}

}  // namespace lenet
