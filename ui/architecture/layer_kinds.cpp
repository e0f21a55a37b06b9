// Layer kinds for the architecture editor, read from the table of kinds (lenet/kinds.h).
#include "ui/architecture/layer_kinds.h"

#include <algorithm>

#include <QCoreApplication>

#include "lenet/kinds.h"

namespace lenet::ui {
namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("lenet::ui::LayerKinds", text);
}

/// The table's entry of `layer`'s type, or nullptr for an unknown type.
const lenet::LayerKind* kind(const lenet::LayerSpec& layer) {
    return lenet::findKind(lenet::layerKinds(), layer.type);
}

const char* typeKey(lenet::LayerType type) {
    for (const lenet::LayerKind& k : lenet::layerKinds()) {
        if (k.type == type) return k.key;
    }
    return "";
}

}  // namespace

QString translatedKindText(const char* text) {
    return QCoreApplication::translate("lenet::Kinds", text);
}

const std::vector<std::string>& layerTypes() {
    static const std::vector<std::string> types = [] {
        std::vector<std::string> keys;
        for (const lenet::LayerKind& k : lenet::layerKinds()) {
            if (k.type != lenet::LayerType::Activation) keys.emplace_back(k.key);
        }
        return keys;
    }();
    return types;
}

std::string kindOf(const lenet::LayerSpec& layer) {
    const lenet::LayerKind* k = kind(layer);
    return k && k->type == lenet::LayerType::Activation ? layer.fn : layer.type;
}

bool isActivationKind(const std::string& kind) {
    return lenet::findKind(lenet::activationKinds(), kind) != nullptr;
}

lenet::LayerSpec newLayer(const std::string& kind, int channels) {
    lenet::LayerSpec layer;
    if (isActivationKind(kind)) {
        layer.type = typeKey(lenet::LayerType::Activation);
        layer.fn = kind;
        return layer;
    }
    layer.type = kind;
    const lenet::LayerKind* k = ::lenet::ui::kind(layer);
    if (k && k->type == lenet::LayerType::Conv && channels > 0) {
        layer.maps = channels;
        layer.kernel = 3;
        layer.padding = 1;
    } else if (k && k->type == lenet::LayerType::Conv) {
        layer.maps = 6;
    } else if (k && k->type == lenet::LayerType::Fc) {
        layer.maps = 84;
    }
    return layer;
}

lenet::LayerSpec withKind(const lenet::LayerSpec& layer, const std::string& kind) {
    if (kind == kindOf(layer)) return layer;
    lenet::LayerSpec result = newLayer(kind);
    result.name = layer.name;
    if (hasUnits(layer) && hasUnits(result)) setUnits(result, unitsOf(layer));
    if (hasKernel(layer) && hasKernel(result)) setKernel(result, kernelOf(layer));
    return result;
}

bool hasUnits(const lenet::LayerSpec& layer) {
    const lenet::LayerKind* k = kind(layer);
    return k && k->units;
}

int unitsOf(const lenet::LayerSpec& layer) {
    return layer.*kind(layer)->units;
}

void setUnits(lenet::LayerSpec& layer, int units) {
    layer.*kind(layer)->units = units;
}

bool hasKernel(const lenet::LayerSpec& layer) {
    const lenet::LayerKind* k = kind(layer);
    return k && k->window;
}

int kernelOf(const lenet::LayerSpec& layer) {
    return layer.*kind(layer)->window;
}

void setKernel(lenet::LayerSpec& layer, int kernel) {
    layer.*kind(layer)->window = kernel;
}

QString describeKind(const std::string& kind) {
    if (const auto* fn = lenet::findKind(lenet::activationKinds(), kind)) {
        return tr("Activation %1").arg(translatedKindText(fn->description));
    }
    if (const auto* type = lenet::findKind(lenet::layerKinds(), kind)) {
        return translatedKindText(type->description);
    }
    return QString::fromStdString(kind);
}

QString describeField(std::string_view key) {
    for (const lenet::LayerKind& k : lenet::layerKinds()) {
        for (const lenet::LayerField& f : k.fields) {
            if (key == f.key) return translatedKindText(f.description);
        }
    }
    return QString::fromUtf8(key.data(), qsizetype(key.size()));
}

}  // namespace lenet::ui
