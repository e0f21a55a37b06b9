// libFuzzer target: the ONNX reader (lenet::decodeOnnx), for our own exports and foreign graphs.
// A model it accepts is run forward once on a zero input. A lenet::Error is the expected answer
// to a bad file.
#include <cstddef>
#include <cstdint>
#include <string>

#include "lenet/error.h"
#include "lenet/network.h"
#include "lenet/onnx.h"

#include "forward_once.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    try {
        lenet::Model model = lenet::decodeOnnx(bytes, "fuzz.onnx");
        lenet::fuzz::forwardOnce(model.network);
    } catch (const lenet::Error&) {
    }
    return 0;
}
