// libFuzzer target: the PNG/PGM input of `lenet predict`: decode, MNIST-style centring and the
// conversion to a 32x32 network input, as the command does. A lenet::Error (a bad file or an
// image without ink) is the expected answer; anything else is a bug.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "lenet/data/image_file.h"
#include "lenet/data/preprocess.h"
#include "lenet/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::vector<std::uint8_t> bytes(data, data + size);
    try {
        const lenet::InkImage drawing = lenet::parseImageFile(bytes, "fuzz.img");
        const lenet::InkImage ink = lenet::mnistStyle(drawing);
        const lenet::InputFormat format;
        std::vector<float> input(std::size_t(format.height) * format.width);
        lenet::toInput(ink, format, input.data());
    } catch (const lenet::Error&) {
    }
    return 0;
}
