// Layer kinds for the architecture editor; the field meanings follow lenet/spec.h.
#include "ui/architecture/layer_kinds.h"

#include <algorithm>

#include <QCoreApplication>

#include "lenet/layers/activation.h"

namespace lenet::ui {
namespace {

bool isPool(const std::string& type) {
    return type == "subsample" || type == "avgpool" || type == "maxpool";
}

QString tr(const char* text) {
    return QCoreApplication::translate("lenet::ui::LayerKinds", text);
}

}  // namespace

const std::vector<std::string>& layerTypes() {
    static const std::vector<std::string> types = {"conv", "subsample", "avgpool", "maxpool",
                                                   "fc",   "batchnorm", "dropout", "rbf"};
    return types;
}

std::string kindOf(const lenet::LayerSpec& layer) {
    return layer.type == "activation" ? layer.fn : layer.type;
}

bool isActivationKind(const std::string& kind) {
    const auto& fns = lenet::activationNames();
    return std::find(fns.begin(), fns.end(), kind) != fns.end();
}

lenet::LayerSpec newLayer(const std::string& kind, int channels) {
    lenet::LayerSpec layer;
    if (isActivationKind(kind)) {
        layer.type = "activation";
        layer.fn = kind;
        return layer;
    }
    layer.type = kind;
    if (kind == "conv" && channels > 0) {
        layer.maps = channels;
        layer.kernel = 3;
        layer.padding = 1;
    } else if (kind == "conv") {
        layer.maps = 6;
    } else if (kind == "fc") {
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
    return layer.type == "conv" || layer.type == "fc" || layer.type == "rbf";
}

int unitsOf(const lenet::LayerSpec& layer) {
    return layer.type == "rbf" ? layer.classes : layer.maps;
}

void setUnits(lenet::LayerSpec& layer, int units) {
    if (layer.type == "rbf") {
        layer.classes = units;
    } else {
        layer.maps = units;
    }
}

bool hasKernel(const lenet::LayerSpec& layer) {
    return layer.type == "conv" || isPool(layer.type);
}

int kernelOf(const lenet::LayerSpec& layer) {
    return layer.type == "conv" ? layer.kernel : layer.size;
}

void setKernel(lenet::LayerSpec& layer, int kernel) {
    if (layer.type == "conv") {
        layer.kernel = kernel;
    } else {
        layer.size = kernel;
    }
}

QString describeKind(const std::string& kind) {
    if (kind == "conv") return tr("Convolution: maps x kernel x kernel weights per input map");
    if (kind == "subsample") {
        return tr("LeCun's subsampling: sum of each window x a trainable coefficient + bias");
    }
    if (kind == "avgpool") return tr("Average pooling over non-overlapping windows");
    if (kind == "maxpool") return tr("Max pooling over non-overlapping windows");
    if (kind == "fc") return tr("Fully connected: every unit sees the whole flattened input");
    if (kind == "batchnorm") return tr("Batch normalisation per channel");
    if (kind == "dropout") return tr("Dropout: zeroes a random share of values while training");
    if (kind == "rbf") {
        return tr("RBF output: squared distance of the input to one centre per class");
    }
    if (kind == "scaled_tanh") return tr("Activation 1.7159 tanh(2x/3) (LeCun 1998)");
    if (kind == "tanh") return tr("Activation tanh(x)");
    if (kind == "sigmoid") return tr("Activation 1 / (1 + e^-x)");
    if (kind == "relu") return tr("Activation max(x, 0)");
    if (kind == "leaky_relu") return tr("Activation x > 0 ? x : slope x");
    if (kind == "log_relu") return tr("Activation beta ln(1 + max(x, 0))");
    if (kind == "sigmoid_affine") {
        return tr("Activation sigmoid(a x + b) with trainable a, b per channel");
    }
    if (kind == "swish_beta") return tr("Activation x sigmoid(b x) with a trainable b per channel");
    return QString::fromStdString(kind);
}

}  // namespace lenet::ui
