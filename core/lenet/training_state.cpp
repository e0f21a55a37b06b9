#include "lenet/training_state.h"

#include <zlib.h>

namespace lenet {

DataIdentity identify(const Dataset& data) {
    uLong crc = crc32_z(0L, Z_NULL, 0);
    crc = crc32_z(crc, data.images.data(), data.images.size());
    crc = crc32_z(crc, data.labels.data(), data.labels.size());
    return {data.source, data.size(), data.rows, data.cols, std::uint32_t(crc)};
}

}  // namespace lenet
