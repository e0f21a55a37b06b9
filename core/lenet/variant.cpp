#include "lenet/variant.h"

#include <algorithm>
#include <cstdio>
#include <initializer_list>

#include "lenet/error.h"
#include "lenet/kinds.h"
#include "lenet/text.h"

namespace lenet {
namespace {

/// True when `l`'s type is one of `types`.
bool is(const LayerSpec& l, std::initializer_list<LayerType> types) {
    const LayerKind* kind = findKind(layerKinds(), l.type);
    return kind && std::find(types.begin(), types.end(), kind->type) != types.end();
}

/// A new layer of `type` with LayerSpec's defaults.
LayerSpec layerOf(LayerType type) {
    LayerSpec l;
    for (const LayerKind& k : layerKinds()) {
        if (k.type == type) l.type = k.key;
    }
    return l;
}

/// Index of the output layer: the rbf layer or the last fc layer; -1 when there is neither.
int outputLayer(const std::vector<LayerSpec>& layers) {
    for (int i = int(layers.size()) - 1; i >= 0; --i) {
        if (is(layers[i], {LayerType::Rbf, LayerType::Fc})) return i;
    }
    return -1;
}

void setActivation(std::vector<LayerSpec>& layers, const std::string& fn) {
    if (!findKind(activationKinds(), fn)) {
        throw ConfigError("activation: unknown '" + fn + "' (expected " +
                          join(kindKeys(activationKinds()), ", ") + ")");
    }
    for (auto& l : layers) {
        if (is(l, {LayerType::Activation})) l.fn = fn;
    }
}

void setPooling(std::vector<LayerSpec>& layers, const std::string& kind) {
    std::vector<std::string> kinds;
    const char* type = nullptr;
    for (const LayerKind& k : layerKinds()) {
        if (!k.pooling) continue;
        kinds.emplace_back(k.pooling);
        if (kind == k.pooling) type = k.key;
    }
    if (!type) {
        throw ConfigError("pooling: unknown '" + kind + "' (expected " + join(kinds, ", ") + ")");
    }
    for (auto& l : layers) {
        if (isPool(l)) l.type = type;
    }
}

/// Gives each layer of `type` accepted by `select` the next value of `values`.
template <typename Select>
void setCounts(std::vector<LayerSpec>& layers, const std::vector<int>& values, const char* option,
               const char* what, Select&& select) {
    const auto count = std::count_if(layers.begin(), layers.end(), select);
    if (std::size_t(count) != values.size()) {
        throw ConfigError(std::string(option) + ": " + std::to_string(values.size()) + " values (" +
                          join(values, ",") + ") for " + std::to_string(count) + " " + what);
    }
    auto value = values.begin();
    for (auto& l : layers) {
        if (!select(l)) continue;
        if (*value < 1) throw ConfigError(std::string(option) + ": values must be >= 1");
        l.maps = *value++;
    }
}

void setHead(ArchitectureSpec& spec, const std::string& head) {
    auto& layers = spec.layers;
    const int out = outputLayer(layers);
    if (head != "softmax" && head != "rbf") {
        throw ConfigError("head: unknown '" + head + "' (expected softmax or rbf)");
    }
    if (out < 0) throw ConfigError("head: the architecture has no fc or rbf output layer");
    const bool isRbf = is(layers[out], {LayerType::Rbf});
    if (head == "softmax" && isRbf) {
        LayerSpec fc = layerOf(LayerType::Fc);
        fc.name = "OUTPUT";
        fc.maps = layers[out].classes;
        layers[out] = fc;
        spec.loss = LossKind::CrossEntropy;
    } else if (head == "rbf" && !isRbf) {
        LayerSpec f6 = layerOf(LayerType::Fc);
        f6.name = "F6";
        f6.maps = 84;
        LayerSpec squash = layerOf(LayerType::Activation);
        squash.fn = "scaled_tanh";
        LayerSpec rbf = layerOf(LayerType::Rbf);
        rbf.name = "OUTPUT";
        rbf.classes = layers[out].maps;
        layers.erase(layers.begin() + out, layers.end());
        layers.insert(layers.end(), {f6, squash, rbf});
        spec.loss = LossKind::Map;
        spec.mapJ = 10.0f;
    }
}

/// A batch-norm layer after every conv and hidden fc layer that is not followed by one.
void addBatchNorm(std::vector<LayerSpec>& layers) {
    const int out = outputLayer(layers);
    std::vector<LayerSpec> result;
    for (int i = 0; i < int(layers.size()); ++i) {
        result.push_back(layers[i]);
        const bool learns =
            is(layers[i], {LayerType::Conv}) || (is(layers[i], {LayerType::Fc}) && i != out);
        const bool hasOne = i + 1 < int(layers.size()) && is(layers[i + 1], {LayerType::BatchNorm});
        if (learns && !hasOne) {
            LayerSpec bn = layerOf(LayerType::BatchNorm);
            if (!layers[i].name.empty()) bn.name = "BN-" + layers[i].name;
            result.push_back(bn);
        }
    }
    layers = std::move(result);
}

void setDropout(std::vector<LayerSpec>& layers, float rate) {
    if (rate < 0.0f || rate >= 1.0f) throw ConfigError("dropout: the rate must be in [0, 1)");
    if (rate == 0.0f) {
        std::erase_if(layers, [](const LayerSpec& l) { return is(l, {LayerType::Dropout}); });
        return;
    }
    bool found = false;
    for (auto& l : layers) {
        if (is(l, {LayerType::Dropout})) {
            l.rate = rate;
            found = true;
        }
    }
    const int out = outputLayer(layers);
    if (!found && out >= 0) {
        LayerSpec d = layerOf(LayerType::Dropout);
        d.rate = rate;
        layers.insert(layers.begin() + out, d);
    }
}

}  // namespace

ArchitectureSpec applyVariant(ArchitectureSpec spec, const VariantOptions& o) {
    auto& layers = spec.layers;
    if (o.activation) setActivation(layers, *o.activation);
    if (o.pooling) setPooling(layers, *o.pooling);
    if (o.kernel) {
        if (*o.kernel < 1) throw ConfigError("kernel: must be >= 1");
        for (auto& l : layers) {
            if (is(l, {LayerType::Conv})) l.kernel = *o.kernel;
        }
    }
    if (o.channels) {
        setCounts(layers, *o.channels, "channels", "conv layers",
                  [](const LayerSpec& l) { return is(l, {LayerType::Conv}); });
    }
    if (o.head) setHead(spec, *o.head);
    if (o.fcWidths) {
        const int out = outputLayer(layers);
        const LayerSpec* output = out >= 0 ? &layers[out] : nullptr;
        setCounts(layers, *o.fcWidths, "fc", "hidden fc layers",
                  [output](const LayerSpec& l) { return is(l, {LayerType::Fc}) && &l != output; });
    }
    if (o.batchNorm) {
        if (*o.batchNorm) {
            addBatchNorm(layers);
        } else {
            std::erase_if(layers, [](const LayerSpec& l) { return is(l, {LayerType::BatchNorm}); });
        }
    }
    if (o.dropout) setDropout(layers, *o.dropout);
    if (o.kernel || o.channels) {
        for (auto& l : layers) l.in = 0;
    }
    return spec;
}

std::string describe(const VariantOptions& o) {
    std::string text;
    auto add = [&text](const std::string& key, const std::string& value) {
        text += (text.empty() ? "" : " ") + key + "=" + value;
    };
    if (o.activation) add("activation", *o.activation);
    if (o.pooling) add("pooling", *o.pooling);
    if (o.kernel) add("kernel", std::to_string(*o.kernel));
    if (o.channels) add("channels", join(*o.channels, ","));
    if (o.fcWidths) add("fc", join(*o.fcWidths, ","));
    if (o.head) add("head", *o.head);
    if (o.batchNorm) add("batchnorm", *o.batchNorm ? "on" : "off");
    if (o.dropout) {
        char b[32];
        std::snprintf(b, sizeof b, "%g", *o.dropout);
        add("dropout", b);
    }
    return text;
}

}  // namespace lenet
