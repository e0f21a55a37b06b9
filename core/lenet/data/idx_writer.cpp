// IDX encoding (big-endian header, raw bytes) and the atomic writes of both files.
#include "lenet/data/idx_writer.h"

#include <cstdint>

#include "lenet/error.h"
#include "lenet/file_io.h"

namespace lenet {
namespace {

constexpr std::uint32_t kImageMagic = 0x00000803;
constexpr std::uint32_t kLabelMagic = 0x00000801;

void putBigEndian32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(char(std::uint8_t(v >> shift)));
}

}  // namespace

std::string idxImageBytes(const Dataset& data) {
    std::string out;
    out.reserve(16 + data.images.size());
    putBigEndian32(out, kImageMagic);
    putBigEndian32(out, std::uint32_t(data.size()));
    putBigEndian32(out, std::uint32_t(data.rows));
    putBigEndian32(out, std::uint32_t(data.cols));
    out.append(reinterpret_cast<const char*>(data.images.data()), data.images.size());
    return out;
}

std::string idxLabelBytes(const Dataset& data) {
    std::string out;
    out.reserve(8 + data.labels.size());
    putBigEndian32(out, kLabelMagic);
    putBigEndian32(out, std::uint32_t(data.size()));
    out.append(reinterpret_cast<const char*>(data.labels.data()), data.labels.size());
    return out;
}

void saveIdxPair(const std::string& imagesPath, const std::string& labelsPath,
                 const Dataset& data) {
    if (data.size() == 0)
        throw Error(imagesPath +
                    ": cannot write an empty data set (IDX files hold at least one "
                    "image)");
    if (data.rows <= 0 || data.cols <= 0)
        throw Error(imagesPath + ": cannot write images of " + std::to_string(data.rows) + "x" +
                    std::to_string(data.cols) + " pixels");
    const std::size_t expected = std::size_t(data.size()) * data.rows * data.cols;
    if (data.images.size() != expected)
        throw Error(imagesPath + ": the data set holds " + std::to_string(data.images.size()) +
                    " pixel bytes, expected " + std::to_string(expected) + " for " +
                    std::to_string(data.size()) + " images of " + std::to_string(data.rows) + "x" +
                    std::to_string(data.cols));
    writeFileAtomically(imagesPath, idxImageBytes(data));
    writeFileAtomically(labelsPath, idxLabelBytes(data));
}

}  // namespace lenet
