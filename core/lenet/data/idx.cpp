// IDX reading (raw or gzip), data set folder lookup and the default data folder.
#include "lenet/data/idx.h"

#include "lenet/error.h"
#include "lenet/file_io.h"
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
#include <new>
#include <optional>
#include <utility>

namespace lenet {

namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kImageMagic = 0x00000803;
constexpr std::uint32_t kLabelMagic = 0x00000801;
constexpr std::size_t kImageHeader = 16;
constexpr std::size_t kLabelHeader = 8;
constexpr std::uint32_t kMaxSide = 65535;

std::string hex32(std::uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", unsigned(v));
    return buf;
}

std::uint32_t bigEndian32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 |
           std::uint32_t(p[3]);
}

/// The bytes of a file or of memory, gunzipped on the fly when they start with the gzip magic
/// (1f 8b), handed out no further than asked: a header is checked before the payload it declares
/// is read or inflated, and a gzip stream is inflated no further than the reader wants.
class Decoded {
public:
    Decoded(const std::vector<std::uint8_t>& bytes, std::string origin)
        : m_origin(std::move(origin)),
          m_size(bytes.size()),
          m_next(bytes.data()),
          m_avail(bytes.size()) {
        start();
    }
    explicit Decoded(InputFile& file) : m_origin(file.path()), m_size(file.size()), m_file(&file) {
        m_buffer.resize(kInputStep);
        fill();
        start();
    }
    ~Decoded() {
        if (m_gzip) inflateEnd(&m_zs);
    }
    Decoded(const Decoded&) = delete;
    Decoded& operator=(const Decoded&) = delete;

    const std::string& origin() const { return m_origin; }
    bool gzipped() const { return m_gzip; }
    /// The decoded size, known without reading on for raw bytes.
    std::optional<std::uint64_t> knownSize() const {
        if (m_gzip) return std::nullopt;
        return m_size;
    }
    /// "file is " or "decompressed data is ", for size messages.
    const char* sizeWord() const { return m_gzip ? "decompressed data is " : "file is "; }

    /// Up to `n` more decoded bytes appended to `out`; fewer only at the end.
    void read(std::vector<std::uint8_t>& out, std::size_t n) {
        const std::size_t used = out.size();
        out.resize(used + n);
        out.resize(used +
                   (m_gzip ? inflateInto(out.data() + used, n) : copyInto(out.data() + used, n)));
    }

private:
    static constexpr std::size_t kInputStep = std::size_t(1) << 16;

    void start() {
        if (m_avail < 2 || m_next[0] != 0x1f || m_next[1] != 0x8b) return;
        if (inflateInit2(&m_zs, 16 + MAX_WBITS) != Z_OK)
            throw Error(m_origin + ": cannot initialise zlib");
        m_gzip = true;
    }

    /// Moves the unread input to the front of the buffer and reads more after it; false when
    /// there is no more (always for bytes in memory).
    bool fill() {
        if (!m_file) return false;
        if (m_avail > 0) std::memmove(m_buffer.data(), m_next, m_avail);  // m_next may be null
        const std::size_t n = m_file->read(m_buffer.data() + m_avail, m_buffer.size() - m_avail);
        m_fileRead += n;
        m_next = m_buffer.data();
        m_avail += n;
        return n > 0;
    }

    void consume(std::size_t n) {
        m_next += n;
        m_avail -= n;
    }

    std::size_t copyInto(std::uint8_t* out, std::size_t n) {
        std::size_t done = 0;
        while (done < n && (m_avail > 0 || fill())) {
            const std::size_t k = std::min(n - done, m_avail);
            std::memcpy(out + done, m_next, k);
            consume(k);
            done += k;
        }
        return done;
    }

    std::size_t inflateInto(std::uint8_t* out, std::size_t n) {
        std::size_t done = 0;
        while (done < n) {
            if (m_memberEnded) {
                // Concatenated gzip members are legal; anything else after the stream is not.
                if (m_avail < 2) fill();
                if (m_avail == 0) break;
                if (m_avail < 2 || m_next[0] != 0x1f || m_next[1] != 0x8b) {
                    const std::uint64_t left =
                        m_avail + (m_file ? m_size - std::min(m_size, m_fileRead) : 0);
                    throw FormatError(m_origin + ": corrupt gzip stream: " + std::to_string(left) +
                                      " unexpected bytes after the end of the compressed data");
                }
                inflateReset(&m_zs);
                m_memberEnded = false;
            }
            if (m_avail == 0) fill();
            m_zs.next_in = const_cast<Bytef*>(m_next);
            m_zs.avail_in = uInt(std::min<std::size_t>(m_avail, std::size_t(1) << 30));
            const uInt given = m_zs.avail_in;
            m_zs.next_out = out + done;
            m_zs.avail_out = uInt(std::min<std::size_t>(n - done, std::size_t(1) << 30));
            const uInt room = m_zs.avail_out;
            const int rc = inflate(&m_zs, Z_NO_FLUSH);
            consume(given - m_zs.avail_in);
            done += room - m_zs.avail_out;
            if (rc == Z_STREAM_END) {
                m_memberEnded = true;
            } else if (rc == Z_OK || rc == Z_BUF_ERROR) {
                if (m_zs.avail_out != 0 && m_avail == 0 && !fill())
                    throw FormatError(m_origin +
                                      ": corrupt gzip stream: the compressed data ends early "
                                      "(truncated .gz file)");
            } else {
                const std::string why = m_zs.msg ? m_zs.msg : "inflate error " + std::to_string(rc);
                throw FormatError(m_origin + ": corrupt gzip stream: " + why);
            }
        }
        return done;
    }

    std::string m_origin;
    std::uint64_t m_size;  // of the input
    InputFile* m_file = nullptr;
    std::vector<std::uint8_t> m_buffer;  // input read from m_file
    std::uint64_t m_fileRead = 0;
    const std::uint8_t* m_next = nullptr;  // the input not yet used
    std::size_t m_avail = 0;
    bool m_gzip = false;
    bool m_memberEnded = false;
    z_stream m_zs{};
};

/// Everything `in` decodes to, refused past `maxBytes` (FormatError naming the limit and `what`
/// it is for) before more is read or inflated.
std::vector<std::uint8_t> readAll(Decoded& in, std::uint64_t maxBytes, const std::string& what) {
    const auto size = in.knownSize();
    if (size) checkSize(in.origin(), *size, maxBytes, what);
    std::vector<std::uint8_t> bytes;
    // Each read zero-fills its step first: a file of known size is read in one step (and one
    // small one that finds its end), else the steps grow with the data up to 1 MiB. Fixed 1 MiB
    // steps cost a 700-byte PNG 2 MiB of page faults, 10 ms of `lenet predict`'s time per image.
    constexpr std::uint64_t kFirstStep = std::uint64_t(1) << 16;
    constexpr std::uint64_t kStep = std::uint64_t(1) << 20;
    std::uint64_t step = size ? *size + 1 : kFirstStep;
    for (std::size_t before = 1; before != bytes.size() && bytes.size() <= maxBytes;) {
        before = bytes.size();
        in.read(bytes, std::size_t(std::min(step, maxBytes + 1 - bytes.size())));
        step = std::min(kStep, std::max<std::uint64_t>(kFirstStep, bytes.size()));
    }
    if (bytes.size() > maxBytes)
        throw FormatError(in.origin() + (in.gzipped() ? ": the decompressed data" : ": the file") +
                          " is more than the " + byteCount(maxBytes) + " " + what);
    return bytes;
}

/// What an IDX file's header declares: its payload and, for messages, what that holds.
struct IdxShape {
    std::uint64_t payload = 0;
    std::string what;  // "60000 images of 28x28"
};

/// One kind of IDX file: magic, header size, and the checks of its header.
struct IdxKind {
    std::uint32_t magic;
    std::uint32_t otherMagic;
    std::size_t header;
    const char* name;       // "an IDX image file"
    const char* otherName;  // "this is a label file"
    IdxShape (*shape)(const std::uint8_t* header, const std::string& origin);
};

IdxShape imageShape(const std::uint8_t* h, const std::string& path) {
    const std::uint32_t count = bigEndian32(h + 4);
    const std::uint32_t rows = bigEndian32(h + 8);
    const std::uint32_t cols = bigEndian32(h + 12);
    const std::string shape =
        std::to_string(count) + " images of " + std::to_string(rows) + "x" + std::to_string(cols);
    if (count == 0 || rows == 0 || cols == 0)
        throw FormatError(path + ": zero dimension in the header (" + shape + ")");
    if (rows > kMaxSide || cols > kMaxSide ||
        count > std::uint32_t(std::numeric_limits<int>::max()))
        throw FormatError(path + ": implausible dimensions in the header (" + shape + ")");
    return {std::uint64_t(count) * rows * cols, shape};
}

IdxShape labelShape(const std::uint8_t* h, const std::string& path) {
    const std::uint32_t count = bigEndian32(h + 4);
    if (count == 0) throw FormatError(path + ": zero dimension in the header (0 labels)");
    if (count > std::uint32_t(std::numeric_limits<int>::max()))
        throw FormatError(path + ": implausible label count " + std::to_string(count));
    return {count, std::to_string(count) + " labels"};
}

constexpr IdxKind kImages{
    kImageMagic, kLabelMagic, kImageHeader, "an IDX image file", "this is a label file",
    &imageShape};
constexpr IdxKind kLabels{
    kLabelMagic, kImageMagic, kLabelHeader, "an IDX label file", "this is an image file",
    &labelShape};

/// Inflated bytes beyond what a gzipped IDX header declares that are still counted (to name
/// them exactly) before the file is refused.
constexpr std::size_t kTrailingCounted = std::size_t(1) << 16;

/// The header and payload of an IDX file of `kind`, read header first: the magic and the
/// dimensions are checked before anything more is read, a raw file's size must be exactly what
/// the header declares, and a gzip stream is inflated no further than that plus a margin.
std::vector<std::uint8_t> readIdx(Decoded& in, const IdxKind& kind) {
    const std::string& path = in.origin();
    std::vector<std::uint8_t> bytes;
    in.read(bytes, kind.header);
    if (bytes.size() >= 4) {
        const std::uint32_t magic = bigEndian32(bytes.data());
        if (magic != kind.magic)
            throw FormatError(path + ": wrong magic number " + hex32(magic) + ", expected " +
                              hex32(kind.magic) + " (" + kind.name + ")" +
                              (magic == kind.otherMagic ? "; " + std::string(kind.otherName) : ""));
    }
    if (bytes.size() < kind.header)
        throw FormatError(path + ": " + in.sizeWord() + std::to_string(bytes.size()) +
                          " bytes, too short for the " + std::to_string(kind.header) +
                          "-byte header of " + kind.name);
    const IdxShape shape = kind.shape(bytes.data(), path);
    const std::uint64_t expected = kind.header + shape.payload;
    const auto sizeProblem = [&](std::uint64_t actual, const std::string& trailing) {
        std::string msg = path + ": " + in.sizeWord() + std::to_string(actual) +
                          " bytes, expected " + std::to_string(expected) + " for " + shape.what;
        return FormatError(msg + (actual < expected ? " (truncated)" : " (" + trailing + ")"));
    };
    if (const auto size = in.knownSize(); size && *size != expected)
        throw sizeProblem(*size, std::to_string(*size - expected) + " trailing bytes");
    // In steps, so that memory follows what is there, not what a header claims.
    constexpr std::uint64_t kStep = std::uint64_t(1) << 24;
    for (std::size_t before = 0; bytes.size() < expected && before != bytes.size();) {
        before = bytes.size();
        in.read(bytes, std::size_t(std::min(kStep, expected - bytes.size())));
    }
    if (bytes.size() < expected) throw sizeProblem(bytes.size(), "");
    std::vector<std::uint8_t> rest;
    in.read(rest, kTrailingCounted + 1);
    if (rest.size() > kTrailingCounted)
        throw FormatError(path + ": " + in.sizeWord() + "over " +
                          std::to_string(expected + kTrailingCounted) + " bytes, expected " +
                          std::to_string(expected) + " for " + shape.what +
                          " (inflating stopped there)");
    if (!rest.empty())
        throw sizeProblem(expected + rest.size(), std::to_string(rest.size()) + " trailing bytes");
    return bytes;
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
    if (!matches.empty()) {
        std::sort(matches.begin(), matches.end());
        return matches.front();
    }
    // An MNIST name that is there but no regular file (a folder, a FIFO, a dangling link, a link
    // loop) is still the one meant: reading it says what it is, not that nothing was found.
    for (const std::string& name : mnistNames(split, kind)) {
        const fs::file_type type = fs::symlink_status(dir / name, ec).type();
        if (type != fs::file_type::not_found && type != fs::file_type::none)
            return (dir / name).string();
    }
    return {};
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

std::vector<std::uint8_t> readMaybeGzip(const std::string& path, std::uint64_t maxBytes,
                                        const std::string& what) {
    InputFile file(path);
    Decoded in(file);
    return readAll(in, maxBytes, what);
}

namespace {

IdxImages toImages(const std::vector<std::uint8_t>& bytes) {
    IdxImages out;
    out.count = int(bigEndian32(bytes.data() + 4));
    out.rows = int(bigEndian32(bytes.data() + 8));
    out.cols = int(bigEndian32(bytes.data() + 12));
    out.pixels.assign(bytes.begin() + kImageHeader, bytes.end());
    return out;
}

std::vector<std::uint8_t> toLabels(const std::vector<std::uint8_t>& bytes) {
    return {bytes.begin() + kLabelHeader, bytes.end()};
}

}  // namespace

IdxImages readIdxImages(const std::string& path) {
    InputFile file(path);
    Decoded in(file);
    return toImages(readIdx(in, kImages));
}

IdxImages parseIdxImages(const std::vector<std::uint8_t>& bytes, const std::string& path) {
    Decoded in(bytes, path);
    return toImages(readIdx(in, kImages));
}

std::vector<std::uint8_t> readIdxLabels(const std::string& path) {
    InputFile file(path);
    Decoded in(file);
    return toLabels(readIdx(in, kLabels));
}

std::vector<std::uint8_t> parseIdxLabels(const std::vector<std::uint8_t>& bytes,
                                         const std::string& path) {
    Decoded in(bytes, path);
    return toLabels(readIdx(in, kLabels));
}

Dataset loadIdxPair(const std::string& imagesPath, const std::string& labelsPath, int maxClasses) {
    if (maxClasses < 1 || maxClasses > 256)
        throw Error(labelsPath + ": maxClasses must be in [1, 256], not " +
                    std::to_string(maxClasses));
    IdxImages images;
    std::vector<std::uint8_t> labels;
    try {
        images = readIdxImages(imagesPath);
        labels = readIdxLabels(labelsPath);
    } catch (const std::bad_alloc&) {
        throw OutOfMemoryError("out of memory while loading the data set " + imagesPath +
                               " (it does not fit in the memory this process may use; a smaller "
                               "set, or more memory, is needed)");
    }
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
    Dataset d = loadIdxPair(images, labels);
    d.classNames = readClassNames(dir, d.classes);
    if (!d.classNames.empty()) d.classes = int(d.classNames.size());
    return d;
}

std::vector<std::string> readClassNames(const std::string& dir, int classes) {
    const std::string path = (fs::path(dir) / "classes.txt").string();
    std::error_code ec;
    if (!fs::exists(path, ec)) return {};
    constexpr std::uint64_t kMaxNamesBytes = std::uint64_t(1) << 20;
    const std::string text = readFile(path, kMaxNamesBytes, "a class-name list may have");
    std::vector<std::string> names;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string name = text.substr(start, end - start);
        if (!name.empty() && name.back() == '\r') name.pop_back();
        names.push_back(name);
        start = end + 1;
    }
    while (!names.empty() && names.back().empty()) names.pop_back();
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i].empty())
            throw FormatError(path + ": line " + std::to_string(i + 1) +
                              " is empty (one class name a line)");
    if (int(names.size()) < classes)
        throw FormatError(path + ": " + std::to_string(names.size()) +
                          " class names, but the labels use " + std::to_string(classes) +
                          " classes (one name a line, class 0 first)");
    return names;
}

std::string className(const std::vector<std::string>& names, int k) {
    return k >= 0 && k < int(names.size()) ? names[std::size_t(k)] : std::to_string(k);
}

void checkClassNames(const std::vector<std::string>& names, int classes,
                     const std::string& origin) {
    if (names.empty() || int(names.size()) == classes) return;
    throw ConfigError(origin + " names " + std::to_string(names.size()) +
                      " classes but the network has " + std::to_string(classes) +
                      " outputs: give one name per class");
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
