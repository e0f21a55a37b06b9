// Whole-file reads and crash-safe writes, with errors that name the path.
#pragma once

#include <cstddef>
#include <string>

namespace lenet {

/// The bytes of `path`. Throws IoError naming the path and the OS's reason.
std::string readFile(const std::string& path);

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
