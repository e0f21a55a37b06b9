// What the model fuzzers do with a model they could read: one forward pass on a zero input.
#pragma once

#include "lenet/network.h"

namespace lenet::fuzz {

inline void forwardOnce(Network& net) {
    const Tensor input(1, net.inputShape());
    Workspace ws;
    net.forward(input, ws, Context{});
}

}  // namespace lenet::fuzz
