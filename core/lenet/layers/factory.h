// The layers' constructors, once per kernel set. Every file in layers/ is compiled once for each
// instruction set this build supports (see kernels.h); a layer made by a set's makeLayer runs
// that set's code, since its virtual functions are that set's.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "lenet/kinds.h"
#include "lenet/layer.h"
#include "lenet/spec.h"

// In each set's namespace:
//   makeLayer(kind, s, name, in)  the layer `s` describes; `kind` is the table's entry of its type
//   layoutSignature()             the sizes and alignments of the layer classes as the set sees
//                                 them: the same in every set, since code outside layers/ (built
//                                 once) reads the same objects
//   multiplyAddRate(seconds)      multiply-adds per second of one thread in the set's registers,
//                                 measured for about `seconds` (layers/peak.cpp)
namespace lenet::kernels_baseline {
std::unique_ptr<Layer> makeLayer(const LayerKind& kind, const LayerSpec& s, const std::string& name,
                                 Shape in);
std::size_t layoutSignature();
double multiplyAddRate(double seconds);
}  // namespace lenet::kernels_baseline

namespace lenet::kernels_avx2 {
std::unique_ptr<Layer> makeLayer(const LayerKind& kind, const LayerSpec& s, const std::string& name,
                                 Shape in);
std::size_t layoutSignature();
double multiplyAddRate(double seconds);
}  // namespace lenet::kernels_avx2
