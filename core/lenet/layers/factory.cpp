#include "lenet/layers/factory.h"

#include <utility>
#include <vector>

#include "lenet/error.h"
#include "lenet/layers/activation.h"
#include "lenet/layers/batch_norm.h"
#include "lenet/layers/conv.h"
#include "lenet/layers/dropout.h"
#include "lenet/layers/fully_connected.h"
#include "lenet/layers/pool.h"
#include "lenet/layers/rbf.h"

// The kernel set this copy of layers/ belongs to: core/CMakeLists.txt defines it for the copies
// it compiles with extra instruction sets; the plain compile is the baseline.
#ifndef LENET_KERNEL_SET
#define LENET_KERNEL_SET kernels_baseline
#endif

namespace lenet::LENET_KERNEL_SET {
namespace {

/// A conv layer: its connection table from `connections`.
std::unique_ptr<Layer> makeConv(const LayerSpec& s, const std::string& name, Shape in) {
    std::vector<bool> table;
    if (s.connections == "lecun1998") {
        if (in.c != 6 || s.maps != 16) {
            throw ConfigError("layer '" + name +
                              "' (conv): the lecun1998 connection table "
                              "connects 6 input maps to 16 output maps, but this layer has " +
                              std::to_string(in.c) + " inputs and " + std::to_string(s.maps) +
                              " outputs");
        }
        table = lecun1998Table();
    } else if (s.connections != "full") {
        throw ConfigError("layer '" + name + "' (conv): unknown connections '" + s.connections +
                          "' (expected full or lecun1998)");
    }
    return std::make_unique<Conv>(name, in, s.maps, s.kernel, s.stride, s.padding,
                                  std::move(table));
}

}  // namespace

std::unique_ptr<Layer> makeLayer(const LayerKind& kind, const LayerSpec& s, const std::string& name,
                                 Shape in) {
    switch (kind.type) {
        case LayerType::Conv: return makeConv(s, name, in);
        case LayerType::Subsample:
            return std::make_unique<Pool>(Pool::Kind::Subsample, name, in, s.size);
        case LayerType::AvgPool:
            return std::make_unique<Pool>(Pool::Kind::Average, name, in, s.size);
        case LayerType::MaxPool: return std::make_unique<Pool>(Pool::Kind::Max, name, in, s.size);
        case LayerType::Fc:
            if (s.in != 0 && s.in != in.size()) {
                throw ConfigError("layer '" + name + "' (fc): expects " + std::to_string(s.in) +
                                  " inputs but the layer before gives " + in.str() + " = " +
                                  std::to_string(in.size()));
            }
            return std::make_unique<FullyConnected>(name, in, s.maps);
        case LayerType::Activation:
            return std::make_unique<Activation>(name, in, s.fn, s.slope, s.beta);
        case LayerType::BatchNorm: return std::make_unique<BatchNorm>(name, in, s.momentum, s.eps);
        case LayerType::Dropout: return std::make_unique<Dropout>(name, in, s.rate);
        case LayerType::Rbf:
            return std::make_unique<Rbf>(name, in, s.classes, s.trainable, s.prototypes);
    }
    return nullptr;  // not reached: the cases cover every LayerType
}

std::size_t layoutSignature() {
    std::size_t signature = 0;
    for (std::size_t v :
         {sizeof(Conv), alignof(Conv), sizeof(Pool), alignof(Pool), sizeof(FullyConnected),
          alignof(FullyConnected), sizeof(Activation), alignof(Activation), sizeof(BatchNorm),
          alignof(BatchNorm), sizeof(Dropout), alignof(Dropout), sizeof(Rbf), alignof(Rbf)}) {
        signature = signature * 1000003 + v;
    }
    return signature;
}

}  // namespace lenet::LENET_KERNEL_SET
