// libFuzzer target: the JSON architecture parser. An accepted spec is built into a Network,
// initialised and run forward once on a zero input, where specs that parse but do not fit
// together would fail. A lenet::Error is the expected answer to a bad spec.
#include <cstddef>
#include <cstdint>
#include <string>

#include "lenet/error.h"
#include "lenet/network.h"
#include "lenet/spec.h"
#include "lenet/spec_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        lenet::Network net(lenet::specFromJsonText(text, "fuzz.json"));
        net.initialize(net.spec().training.seed);
        lenet::Tensor input(1, net.inputShape());
        lenet::Workspace ws;
        net.forward(input, ws, lenet::Context{});
    } catch (const lenet::Error&) {
    }
    return 0;
}
