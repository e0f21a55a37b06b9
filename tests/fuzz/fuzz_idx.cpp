// libFuzzer target: the IDX reader (raw and gzip). Every input is read both as an image file and
// as a label file; a lenet::Error is the expected answer to a bad file, anything else is a bug.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "lenet/data/idx.h"
#include "lenet/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::vector<std::uint8_t> bytes(data, data + size);
    try {
        const lenet::IdxImages images = lenet::parseIdxImages(bytes, "fuzz.idx3");
        if (images.pixels.size() != std::size_t(images.count) * images.rows * images.cols)
            __builtin_trap();
    } catch (const lenet::Error&) {
    }
    try {
        lenet::parseIdxLabels(bytes, "fuzz.idx1");
    } catch (const lenet::Error&) {
    }
    return 0;
}
