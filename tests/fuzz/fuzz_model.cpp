// libFuzzer target: the model-file loader (lenet::parseModel). The harness rewrites the trailing
// CRC-32 to match the mutated bytes so that mutations reach the header, JSON and weight parsing
// behind the checksum (the checksum test itself is a unit test). A loaded model is run forward
// once on a zero input. A lenet::Error is the expected answer to a bad file.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "lenet/error.h"
#include "lenet/model_io.h"
#include "lenet/network.h"

#include "forward_once.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    if (bytes.size() >= 4) {
        const std::size_t body = bytes.size() - 4;
        const std::uint32_t crc =
            std::uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), uInt(body)));
        for (int i = 0; i < 4; ++i) bytes[body + i] = char((crc >> (8 * i)) & 0xff);
    }
    try {
        lenet::Model model = lenet::parseModel(bytes, "fuzz.lenet");
        lenet::fuzz::forwardOnce(model.network);
    } catch (const lenet::Error&) {
    }
    return 0;
}
