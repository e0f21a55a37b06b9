// What the architecture editor knows about layer kinds: the kinds it offers (layer types and,
// for activation layers, the functions), the defaults of a new layer, how a layer changes kind,
// and which of a LayerSpec's fields the editor's "units" and "kernel" columns stand for.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <QString>

#include "lenet/spec.h"

namespace lenet::ui {

/// The layer types of the table of kinds without "activation": the editor lists activation
/// layers by their function instead.
const std::vector<std::string>& layerTypes();

/// The editor's name for a layer's kind: its type, or its function for an activation layer.
std::string kindOf(const lenet::LayerSpec& layer);

/// True when `kind` is an activation function (relu, scaled_tanh, ...) rather than a type.
bool isActivationKind(const std::string& kind);

/// A new layer of `kind` (a type or an activation function) with the editor's defaults. A conv
/// layer is LeNet's 6 maps of 5x5, or, given the input's `channels` (> 0), that many maps of 3x3
/// with padding 1, so that inserting it keeps the shapes around it.
lenet::LayerSpec newLayer(const std::string& kind, int channels = 0);

/// `layer` turned into `kind`: its name, and its unit count where both kinds have one, carry
/// over; every other field takes the new kind's defaults (nothing stale is saved with it).
lenet::LayerSpec withKind(const lenet::LayerSpec& layer, const std::string& kind);

/// conv maps, fc units and rbf classes: the "units" of a layer, when it has any (the table's
/// LayerKind::units). unitsOf and setUnits require hasUnits.
bool hasUnits(const lenet::LayerSpec& layer);
int unitsOf(const lenet::LayerSpec& layer);
void setUnits(lenet::LayerSpec& layer, int units);

/// A conv kernel or a pooling window: the "kernel" of a layer, when it has one (the table's
/// LayerKind::window). kernelOf and setKernel require hasKernel.
bool hasKernel(const lenet::LayerSpec& layer);
int kernelOf(const lenet::LayerSpec& layer);
void setKernel(lenet::LayerSpec& layer, int kernel);

/// One sentence on what a kind does, for tool tips: its description in the table of kinds.
QString describeKind(const std::string& kind);

/// The description of the layer field `key` (stride, slope, rate, ...), for tool tips.
QString describeField(std::string_view key);

/// A display name or description from the table of kinds, translated (context "lenet::Kinds").
QString translatedKindText(const char* text);

}  // namespace lenet::ui
