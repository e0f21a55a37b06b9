// parseImageFile/readImageFile: PNG (through libpng's simplified API) and PGM (P2/P5, parsed
// here) as ink.
#include "lenet/data/image_file.h"

#include "lenet/data/idx.h"

#include "lenet/error.h"

#include <png.h>

#include <cctype>
#include <cstring>

namespace lenet {

namespace {

/// Images larger than this (4096x4096) are refused rather than allocated: far more than a
/// drawing of a digit needs, and small enough to decode and centre in well under a second.
constexpr std::uint64_t kMaxPixels = std::uint64_t(1) << 24;
/// Image files (or their gunzipped bytes) larger than this (64 MiB) are refused before they are
/// read or inflated further: four bytes a pixel of the largest image, an ASCII PGM of it.
constexpr std::uint64_t kMaxImageFileBytes = std::uint64_t(1) << 26;

/// Grey levels in [0,1] (1 = white) -> ink, inverting dark-on-light images.
InkImage fromGrey(int rows, int cols, std::vector<float> grey) {
    double sum = 0.0;
    for (float v : grey) sum += v;
    if (!grey.empty() && sum / double(grey.size()) > 0.5)
        for (float& v : grey) v = 1.0f - v;
    return InkImage{rows, cols, std::move(grey)};
}

InkImage readPng(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    png_image image;
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) {
        const std::string why = image.message;
        png_image_free(&image);
        throw FormatError(path + ": not a readable PNG: " + why);
    }
    if (std::uint64_t(image.width) * image.height > kMaxPixels) {
        const std::string size = std::to_string(image.width) + "x" + std::to_string(image.height);
        png_image_free(&image);
        throw FormatError(path + ": image of " + size + " pixels is too large (at most " +
                          std::to_string(kMaxPixels) + " pixels)");
    }
    image.format = PNG_FORMAT_GRAY;
    std::vector<png_byte> pixels(PNG_IMAGE_SIZE(image));
    const png_color white{255, 255, 255};
    if (!png_image_finish_read(&image, &white, pixels.data(), 0, nullptr)) {
        const std::string why = image.message;
        png_image_free(&image);
        throw FormatError(path + ": corrupt PNG: " + why);
    }
    std::vector<float> grey(pixels.size());
    for (std::size_t i = 0; i < pixels.size(); ++i) grey[i] = float(pixels[i]) / 255.0f;
    return fromGrey(int(image.height), int(image.width), std::move(grey));
}

/// Netpbm header tokens: whitespace and '#' comments between unsigned decimal numbers.
class PgmReader {
public:
    PgmReader(const std::string& path, const std::vector<std::uint8_t>& bytes)
        : m_path(path), m_bytes(bytes) {}

    std::size_t pos() const { return m_pos; }
    void skip(std::size_t n) { m_pos += n; }

    unsigned long number(const char* what) {
        skipSpaceAndComments();
        if (m_pos >= m_bytes.size())
            throw FormatError(m_path + ": PGM ends before the " + std::string(what) +
                              " (truncated)");
        if (!std::isdigit(m_bytes[m_pos]))
            throw FormatError(m_path + ": PGM " + what + " is not a number (byte " +
                              std::to_string(m_pos) + ")");
        unsigned long v = 0;
        while (m_pos < m_bytes.size() && std::isdigit(m_bytes[m_pos])) {
            v = v * 10 + (m_bytes[m_pos++] - '0');
            if (v > 0xffffffffUL) throw FormatError(m_path + ": PGM " + what + " is too large");
        }
        return v;
    }

private:
    void skipSpaceAndComments() {
        while (m_pos < m_bytes.size()) {
            if (m_bytes[m_pos] == '#') {
                while (m_pos < m_bytes.size() && m_bytes[m_pos] != '\n' && m_bytes[m_pos] != '\r')
                    ++m_pos;
            } else if (std::isspace(m_bytes[m_pos])) {
                ++m_pos;
            } else {
                break;
            }
        }
    }

    const std::string& m_path;
    const std::vector<std::uint8_t>& m_bytes;
    std::size_t m_pos = 2;
};

InkImage readPgm(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    const bool binary = bytes[1] == '5';
    PgmReader in(path, bytes);
    const unsigned long width = in.number("width");
    const unsigned long height = in.number("height");
    const unsigned long maxval = in.number("maximum grey value");
    if (width == 0 || height == 0)
        throw FormatError(path + ": PGM has a zero dimension (" + std::to_string(width) + "x" +
                          std::to_string(height) + ")");
    if (std::uint64_t(width) * height > kMaxPixels)
        throw FormatError(path + ": PGM of " + std::to_string(width) + "x" +
                          std::to_string(height) + " pixels is too large (at most " +
                          std::to_string(kMaxPixels) + " pixels)");
    if (maxval == 0 || maxval > 65535)
        throw FormatError(path + ": PGM maximum grey value " + std::to_string(maxval) +
                          " is outside [1, 65535]");

    const std::size_t count = std::size_t(width) * height;
    const std::size_t sampleBytes = maxval > 255 ? 2 : 1;
    if (binary) {
        if (in.pos() >= bytes.size() || !std::isspace(bytes[in.pos()]))
            throw FormatError(path + ": PGM header is not followed by whitespace");
        in.skip(1);
    }
    // Every sample takes sampleBytes in P5, a digit and a separator in P2: checked before the
    // pixels are allocated, so that a header alone cannot claim a gigabyte.
    const std::size_t need = binary ? count * sampleBytes : 2 * count - 1;
    const std::size_t have = bytes.size() - in.pos();
    if (have < need) {
        const std::string size = std::to_string(width) + "x" + std::to_string(height);
        throw FormatError(path + ": PGM pixel data is " + std::to_string(have) + " bytes, " +
                          (binary ? "expected " + std::to_string(need) + " for " + size
                                  : "too short for " + size + " values (at least " +
                                        std::to_string(need) + " bytes)") +
                          " (truncated)");
    }
    std::vector<float> grey(count);
    if (binary) {
        const std::uint8_t* p = bytes.data() + in.pos();
        for (std::size_t i = 0; i < count; ++i) {
            const unsigned v = sampleBytes == 2 ? unsigned(p[2 * i]) << 8 | p[2 * i + 1] : p[i];
            if (v > maxval)
                throw FormatError(path + ": PGM pixel " + std::to_string(i) + " is " +
                                  std::to_string(v) + ", above the maximum " +
                                  std::to_string(maxval));
            grey[i] = float(v) / float(maxval);
        }
    } else {
        for (std::size_t i = 0; i < count; ++i) {
            const unsigned long v = in.number("pixel data");
            if (v > maxval)
                throw FormatError(path + ": PGM pixel " + std::to_string(i) + " is " +
                                  std::to_string(v) + ", above the maximum " +
                                  std::to_string(maxval));
            grey[i] = float(v) / float(maxval);
        }
    }
    return fromGrey(int(height), int(width), std::move(grey));
}

}  // namespace

InkImage readImageFile(const std::string& path) {
    return parseImageFile(readMaybeGzip(path, kMaxImageFileBytes, "an image file may have"), path);
}

InkImage parseImageFile(const std::vector<std::uint8_t>& bytes, const std::string& path) {
    static const std::uint8_t pngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (bytes.size() >= 8 && std::memcmp(bytes.data(), pngSignature, 8) == 0)
        return readPng(path, bytes);
    if (bytes.size() >= 2 && bytes[0] == 'P' && (bytes[1] == '2' || bytes[1] == '5'))
        return readPgm(path, bytes);
    throw FormatError(path + ": not a PNG or PGM (P2/P5) image");
}

}  // namespace lenet
