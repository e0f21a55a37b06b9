// IDX reading (raw or gzip), data set folder lookup and the default data folder.
#include "lenet/data/idx.h"

#include "lenet/error.h"
#include "lenet/text.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>

namespace lenet {

namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kImageMagic = 0x00000803;
constexpr std::uint32_t kLabelMagic = 0x00000801;
constexpr std::size_t kImageHeader = 16;
constexpr std::size_t kLabelHeader = 8;
constexpr std::uint32_t kMaxSide = 65535;

/// File contents plus whether they were gunzipped, so size messages can say which size.
struct FileBytes {
    std::vector<std::uint8_t> bytes;
    bool gzipped = false;
};

std::string hex32(std::uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", unsigned(v));
    return buf;
}

std::uint32_t bigEndian32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 |
           std::uint32_t(p[3]);
}

std::vector<std::uint8_t> readRaw(const std::string& path) {
    errno = 0;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                         &std::fclose);
    if (!file) throw IoError(path + ": cannot open: " + std::strerror(errno));
    constexpr std::size_t kChunk = std::size_t(1) << 20;
    std::vector<std::uint8_t> bytes;
    for (;;) {
        const std::size_t used = bytes.size();
        bytes.resize(used + kChunk);
        errno = 0;
        const std::size_t n = std::fread(bytes.data() + used, 1, kChunk, file.get());
        bytes.resize(used + n);
        if (n < kChunk) {
            if (std::ferror(file.get()))
                throw IoError(path + ": cannot read: " + std::strerror(errno));
            break;
        }
    }
    return bytes;
}

std::vector<std::uint8_t> gunzip(const std::string& path, const std::vector<std::uint8_t>& in) {
    if (in.size() > std::numeric_limits<uInt>::max())
        throw FormatError(path + ": compressed file too large (over 4 GiB)");
    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) throw Error(path + ": cannot initialise zlib");
    std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, &inflateEnd);

    // Output grows in steps of four times the input (at least 4 KiB, at most 1 MiB), so that a
    // small file does not pay for zeroing a megabyte.
    const std::size_t chunk = std::clamp<std::size_t>(in.size() * 4, 4096, std::size_t(1) << 20);
    std::vector<std::uint8_t> out;
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = uInt(in.size());
    for (;;) {
        const std::size_t used = out.size();
        out.resize(used + chunk);
        zs.next_out = out.data() + used;
        zs.avail_out = uInt(chunk);
        const int rc = inflate(&zs, Z_NO_FLUSH);
        out.resize(used + (chunk - zs.avail_out));
        if (rc == Z_STREAM_END) {
            // Concatenated gzip members are legal; anything else after the stream is not.
            if (zs.avail_in == 0) break;
            if (zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b) {
                inflateReset(&zs);
                continue;
            }
            throw FormatError(path + ": corrupt gzip stream: " + std::to_string(zs.avail_in) +
                              " unexpected bytes after the end of the compressed data");
        }
        if (rc == Z_BUF_ERROR || (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0))
            throw FormatError(path +
                              ": corrupt gzip stream: the compressed data ends early "
                              "(truncated .gz file)");
        if (rc != Z_OK) {
            std::string why = zs.msg ? zs.msg : "inflate error " + std::to_string(rc);
            throw FormatError(path + ": corrupt gzip stream: " + why);
        }
    }
    return out;
}

bool isGzip(const std::vector<std::uint8_t>& bytes) {
    return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

FileBytes decode(std::vector<std::uint8_t> bytes, const std::string& origin) {
    FileBytes f;
    f.gzipped = isGzip(bytes);
    f.bytes = f.gzipped ? gunzip(origin, bytes) : std::move(bytes);
    return f;
}

std::string sizeWord(const FileBytes& f) {
    return f.gzipped ? "decompressed data is " : "file is ";
}

/// Describes a payload size mismatch: truncated or trailing bytes.
std::string sizeProblem(const FileBytes& f, std::uint64_t expected, const std::string& what) {
    std::uint64_t actual = f.bytes.size();
    std::string msg = sizeWord(f) + std::to_string(actual) + " bytes, expected " +
                      std::to_string(expected) + " for " + what;
    if (actual < expected) return msg + " (truncated)";
    return msg + " (" + std::to_string(actual - expected) + " trailing bytes)";
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

bool contains(const std::string& s, const char* part) {
    return s.find(part) != std::string::npos;
}

/// MNIST file names for one split and kind ("images"/"labels"), in order of preference.
std::vector<std::string> mnistNames(Split split, const std::string& kind) {
    const std::string prefix = split == Split::Train ? "train-" : "t10k-";
    const std::string idx = kind == "images" ? "idx3-ubyte" : "idx1-ubyte";
    std::vector<std::string> names;
    for (const char* sep : {"-", "."})
        for (const char* ext : {"", ".gz"}) names.push_back(prefix + kind + sep + idx + ext);
    return names;
}

bool isFile(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

/// The first existing MNIST-named file, else the first (by name) file in `dir` whose name
/// contains a split key and a kind key; empty when there is none.
std::string findFile(const fs::path& dir, Split split, const std::string& kind) {
    for (const std::string& name : mnistNames(split, kind))
        if (isFile(dir / name)) return (dir / name).string();

    const std::vector<const char*> splitKeys = split == Split::Train
                                                   ? std::vector<const char*>{"train"}
                                                   : std::vector<const char*>{"t10k", "test"};
    const std::vector<const char*> kindKeys = kind == "images"
                                                  ? std::vector<const char*>{"images", "idx3"}
                                                  : std::vector<const char*>{"labels", "idx1"};
    std::vector<std::string> matches;
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
        if (!isFile(e.path())) continue;
        std::string name = lower(e.path().filename().string());
        auto has = [&](const std::vector<const char*>& keys) {
            return std::any_of(keys.begin(), keys.end(),
                               [&](const char* k) { return contains(name, k); });
        };
        if (has(splitKeys) && has(kindKeys)) matches.push_back(e.path().string());
    }
    if (matches.empty()) return {};
    std::sort(matches.begin(), matches.end());
    return matches.front();
}

std::string lookedFor(Split split, const std::string& kind) {
    const char* splitDesc = split == Split::Train ? "'train'" : "'t10k' or 'test'";
    const char* kindDesc = kind == "images" ? "'images' or 'idx3'" : "'labels' or 'idx1'";
    return join(mnistNames(split, kind), ", ") + ", or any file whose name contains " + splitDesc +
           " and " + kindDesc;
}

bool holdsIdxFiles(const fs::path& dir) {
    for (const std::string& name : mnistNames(Split::Train, "images"))
        if (isFile(dir / name)) return true;
    return false;
}

}  // namespace

std::vector<std::uint8_t> readMaybeGzip(const std::string& path) {
    return maybeGunzip(readRaw(path), path);
}

std::vector<std::uint8_t> maybeGunzip(std::vector<std::uint8_t> bytes, const std::string& origin) {
    return decode(std::move(bytes), origin).bytes;
}

IdxImages readIdxImages(const std::string& path) {
    return parseIdxImages(readRaw(path), path);
}

IdxImages parseIdxImages(std::vector<std::uint8_t> bytes, const std::string& path) {
    const FileBytes f = decode(std::move(bytes), path);
    if (f.bytes.size() >= 4) {
        const std::uint32_t magic = bigEndian32(f.bytes.data());
        if (magic != kImageMagic)
            throw FormatError(path + ": wrong magic number " + hex32(magic) + ", expected " +
                              hex32(kImageMagic) + " (an IDX image file)" +
                              (magic == kLabelMagic ? "; this is a label file" : ""));
    }
    if (f.bytes.size() < kImageHeader)
        throw FormatError(path + ": " + sizeWord(f) + std::to_string(f.bytes.size()) +
                          " bytes, too short for the 16-byte header of an IDX image file");
    const std::uint32_t count = bigEndian32(f.bytes.data() + 4);
    const std::uint32_t rows = bigEndian32(f.bytes.data() + 8);
    const std::uint32_t cols = bigEndian32(f.bytes.data() + 12);
    const std::string shape =
        std::to_string(count) + " images of " + std::to_string(rows) + "x" + std::to_string(cols);
    if (count == 0 || rows == 0 || cols == 0)
        throw FormatError(path + ": zero dimension in the header (" + shape + ")");
    if (rows > kMaxSide || cols > kMaxSide ||
        count > std::uint32_t(std::numeric_limits<int>::max()))
        throw FormatError(path + ": implausible dimensions in the header (" + shape + ")");
    const std::uint64_t payload = std::uint64_t(count) * rows * cols;
    if (f.bytes.size() != kImageHeader + payload)
        throw FormatError(path + ": " + sizeProblem(f, kImageHeader + payload, shape));

    IdxImages out;
    out.count = int(count);
    out.rows = int(rows);
    out.cols = int(cols);
    out.pixels.assign(f.bytes.begin() + kImageHeader, f.bytes.end());
    return out;
}

std::vector<std::uint8_t> readIdxLabels(const std::string& path) {
    return parseIdxLabels(readRaw(path), path);
}

std::vector<std::uint8_t> parseIdxLabels(std::vector<std::uint8_t> bytes, const std::string& path) {
    const FileBytes f = decode(std::move(bytes), path);
    if (f.bytes.size() >= 4) {
        const std::uint32_t magic = bigEndian32(f.bytes.data());
        if (magic != kLabelMagic)
            throw FormatError(path + ": wrong magic number " + hex32(magic) + ", expected " +
                              hex32(kLabelMagic) + " (an IDX label file)" +
                              (magic == kImageMagic ? "; this is an image file" : ""));
    }
    if (f.bytes.size() < kLabelHeader)
        throw FormatError(path + ": " + sizeWord(f) + std::to_string(f.bytes.size()) +
                          " bytes, too short for the 8-byte header of an IDX label file");
    const std::uint32_t count = bigEndian32(f.bytes.data() + 4);
    if (count == 0) throw FormatError(path + ": zero dimension in the header (0 labels)");
    if (count > std::uint32_t(std::numeric_limits<int>::max()))
        throw FormatError(path + ": implausible label count " + std::to_string(count));
    const std::uint64_t expected = kLabelHeader + std::uint64_t(count);
    if (f.bytes.size() != expected)
        throw FormatError(path + ": " +
                          sizeProblem(f, expected, std::to_string(count) + " labels"));
    return {f.bytes.begin() + kLabelHeader, f.bytes.end()};
}

Dataset loadIdxPair(const std::string& imagesPath, const std::string& labelsPath, int maxClasses) {
    if (maxClasses < 1 || maxClasses > 256)
        throw Error(labelsPath + ": maxClasses must be in [1, 256], not " +
                    std::to_string(maxClasses));
    IdxImages images = readIdxImages(imagesPath);
    std::vector<std::uint8_t> labels = readIdxLabels(labelsPath);
    if (std::size_t(images.count) != labels.size())
        throw FormatError("image/label count mismatch: " + imagesPath + " holds " +
                          std::to_string(images.count) + " images but " + labelsPath + " holds " +
                          std::to_string(labels.size()) + " labels");
    int maxLabel = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] >= maxClasses)
            throw FormatError(labelsPath + ": label at index " + std::to_string(i) + " is " +
                              std::to_string(labels[i]) + ", out of range for " +
                              std::to_string(maxClasses) + " classes (at most " +
                              std::to_string(maxClasses - 1) + ")");
        maxLabel = std::max(maxLabel, int(labels[i]));
    }
    Dataset d;
    d.rows = images.rows;
    d.cols = images.cols;
    d.classes = maxLabel + 1;
    d.images = std::move(images.pixels);
    d.labels = std::move(labels);
    d.source = imagesPath;
    d.labelsSource = labelsPath;
    return d;
}

Dataset loadSplit(const std::string& dir, Split split) {
    const char* splitName = split == Split::Train ? "training" : "test";
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw IoError(dir + ": no such folder (looking for the " + splitName + " set)");
    const std::string images = findFile(dir, split, "images");
    if (images.empty())
        throw IoError(dir + ": no " + splitName + " images found; looked for " +
                      lookedFor(split, "images"));
    const std::string labels = findFile(dir, split, "labels");
    if (labels.empty())
        throw IoError(dir + ": found " + images + " but no " + splitName + " labels; looked for " +
                      lookedFor(split, "labels"));
    return loadIdxPair(images, labels);
}

bool holdsDataSet(const std::string& dir) {
    for (const Split split : {Split::Train, Split::Test})
        for (const char* kind : {"images", "labels"})
            if (findFile(dir, split, kind).empty()) return false;
    return true;
}

std::string userDataDir() {
    fs::path base;
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && fs::path(xdg).is_absolute()) {
        base = xdg;
    } else if (const char* home = std::getenv("HOME"); home && *home) {
        base = fs::path(home) / ".local" / "share";
    } else {
        return {};
    }
    return (base / "lenet-studio" / "mnist").lexically_normal().string();
}

std::string defaultDataDir() {
    if (const char* env = std::getenv("LENET_DATA"); env && *env) return env;
    const fs::path sourceData = fs::path(LENET_SOURCE_DIR) / "data" / "mnist";
    const std::string user = userDataDir();
    std::vector<fs::path> candidates{fs::path("data") / "mnist", sourceData};
    if (!user.empty()) candidates.emplace_back(user);
    for (const fs::path& dir : candidates) {
        if (holdsIdxFiles(dir)) {
            std::error_code ec;
            fs::path abs = fs::absolute(dir, ec);
            return (ec ? dir : abs).lexically_normal().string();
        }
    }
    return user.empty() ? sourceData.lexically_normal().string() : user;
}

}  // namespace lenet
