// Bounded reads of regular files and crash-safe writes, with errors that name the path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace lenet {

/// A regular file open for reading: the one way core reads the files it is given (models, specs,
/// checkpoints, images, IDX files, data sets to check). Anything else is refused before a byte is
/// read, by stat() before the open (no device is opened) and fstat() of the open descriptor after
/// it, naming what it is ("x: is a FIFO, not a file", "is a directory", "is a character device",
/// "is a dangling link", "is a link loop"). The open itself is non-blocking, so a FIFO put in
/// place between the two checks cannot block either. Errors are IoError.
class InputFile {
public:
    explicit InputFile(std::string path);
    ~InputFile();
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;

    const std::string& path() const { return m_path; }
    /// The size fstat() gave when the file was opened.
    std::uint64_t size() const { return m_size; }
    /// Up to `n` more bytes into `out`; fewer only at the end of the file.
    std::size_t read(void* out, std::size_t n);
    /// Up to `n` more bytes; fewer only at the end of the file.
    std::string read(std::size_t n);
    /// The rest of the file, refused (FormatError, see checkSize) when the whole file holds more
    /// than `maxBytes`: by its size before anything more is read, and by what is read, so a file
    /// that grows meanwhile is read to one byte over the limit at most.
    std::string readRest(std::uint64_t maxBytes, const std::string& what);

private:
    std::string m_path;
    int m_fd = -1;
    std::uint64_t m_size = 0;
    std::uint64_t m_read = 0;  // bytes read so far
};

/// "1048576 bytes (1 MiB)": a size for messages.
std::string byteCount(std::uint64_t bytes);

/// Throws FormatError "path: the file is <size>, more than the <limit> <what>" when `size`
/// exceeds `limit`; `what` says whose limit it is ("a spec may have").
void checkSize(const std::string& path, std::uint64_t size, std::uint64_t limit,
               const std::string& what);

/// The limit of readFile() when its caller gives none.
inline constexpr std::uint64_t kMaxFileBytes = std::uint64_t(1) << 28;

/// The bytes of the regular file `path`, refused (FormatError, see checkSize) when it holds more
/// than `maxBytes`, by its size before anything is read and by what is read. Throws IoError
/// naming the path and the reason when it is not a regular file or cannot be read.
std::string readFile(const std::string& path, std::uint64_t maxBytes = kMaxFileBytes,
                     const std::string& what = "a file read whole may have");

/// A file written under a temporary name next to `path` (path.tmp-PID) and put in place by
/// commit(): fsync, rename and fsync of the folder. A reader never sees a half written file; a
/// failure, or destruction before commit(), removes the temporary file and leaves any previous
/// file at `path` as it was. Errors are IoError naming `path`.
class AtomicFile {
public:
    /// Creates the temporary file.
    explicit AtomicFile(std::string path);
    ~AtomicFile();
    AtomicFile(AtomicFile&& other) noexcept;
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    AtomicFile& operator=(AtomicFile&&) = delete;

    /// Appends `size` bytes.
    void write(const void* data, std::size_t size);
    /// Flushes the temporary file to disk and renames it onto path(). Requires: not committed.
    void commit();

    const std::string& path() const { return m_path; }

private:
    /// Closes and removes the temporary file, then throws IoError "path: what: errno's text".
    [[noreturn]] void fail(const std::string& what);

    std::string m_path;
    std::string m_tmp;
    int m_fd = -1;  // -1 once committed or moved from
};

/// `bytes` to `path` through an AtomicFile.
void writeFileAtomically(const std::string& path, const std::string& bytes);

}  // namespace lenet
