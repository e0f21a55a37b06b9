#include "lenet/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "lenet/error.h"

namespace lenet {
namespace {

/// Throws IoError "path: is a FIFO, not a file" (or a directory, a device, a socket).
[[noreturn]] void refuseKind(const std::string& path, mode_t mode) {
    const char* kind = S_ISDIR(mode)    ? "a directory"
                       : S_ISFIFO(mode) ? "a FIFO"
                       : S_ISCHR(mode)  ? "a character device"
                       : S_ISBLK(mode)  ? "a block device"
                       : S_ISSOCK(mode) ? "a socket"
                                        : "of an unknown kind";
    throw IoError(path + ": is " + kind + ", not a file");
}

/// Throws IoError for `path` that stat() or open() failed on with `err`, naming a dangling link
/// or a link loop as such.
[[noreturn]] void refuseOpen(const std::string& path, int err) {
    if (err == ELOOP)
        throw IoError(path + ": is a link loop (a symbolic link that leads to itself)");
    struct stat st {};
    if (err == ENOENT && ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
        char target[4096];
        const ssize_t n = ::readlink(path.c_str(), target, sizeof target);
        throw IoError(path + ": is a dangling link" +
                      (n > 0 ? " (to " + std::string(target, std::size_t(n)) + ", which is missing)"
                             : std::string()));
    }
    throw IoError(path + ": cannot open: " + std::strerror(err));
}

}  // namespace

InputFile::InputFile(std::string path) : m_path(std::move(path)) {
    struct stat st {};
    if (::stat(m_path.c_str(), &st) != 0) refuseOpen(m_path, errno);
    if (!S_ISREG(st.st_mode)) refuseKind(m_path, st.st_mode);
    m_fd = ::open(m_path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (m_fd < 0) refuseOpen(m_path, errno);
    const int flags = ::fcntl(m_fd, F_GETFL);
    if (::fstat(m_fd, &st) != 0 || flags < 0 || ::fcntl(m_fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        const int err = errno;
        ::close(m_fd);
        throw IoError(m_path + ": cannot read: " + std::strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(m_fd);
        refuseKind(m_path, st.st_mode);
    }
    m_size = std::uint64_t(st.st_size);
}

InputFile::~InputFile() {
    ::close(m_fd);
}

std::size_t InputFile::read(void* out, std::size_t n) {
    char* bytes = static_cast<char*>(out);
    std::size_t done = 0;
    while (done < n) {
        const ssize_t r = ::read(m_fd, bytes + done, n - done);
        if (r == 0) break;
        if (r < 0) {
            if (errno == EINTR) continue;
            throw IoError(m_path + ": cannot read: " + std::strerror(errno));
        }
        done += std::size_t(r);
    }
    m_read += done;
    return done;
}

std::string InputFile::read(std::size_t n) {
    std::string bytes(n, '\0');
    bytes.resize(read(bytes.data(), n));
    return bytes;
}

std::string InputFile::readRest(std::uint64_t maxBytes, const std::string& what) {
    checkSize(m_path, m_size, maxBytes, what);
    std::string bytes = read(std::size_t(m_size > m_read ? m_size - m_read : 0));
    // A file that grew since it was opened (or that stat() gives no size for, as in /proc) is
    // read on in steps.
    constexpr std::uint64_t kStep = std::uint64_t(1) << 16;
    while (m_read <= maxBytes) {
        const std::string more = read(std::size_t(std::min(kStep, maxBytes + 1 - m_read)));
        if (more.empty()) break;
        bytes += more;
    }
    checkSize(m_path, m_read, maxBytes, what);
    return bytes;
}

std::string byteCount(std::uint64_t bytes) {
    std::string s = std::to_string(bytes) + " bytes";
    static const char* const units[] = {"GiB", "MiB", "KiB"};
    for (int i = 0; i < 3; ++i) {
        const std::uint64_t unit = std::uint64_t(1) << (10 * (3 - i));
        if (bytes >= unit && bytes % unit == 0)
            return s + " (" + std::to_string(bytes / unit) + " " + units[i] + ")";
    }
    return s;
}

void checkSize(const std::string& path, std::uint64_t size, std::uint64_t limit,
               const std::string& what) {
    if (size > limit)
        throw FormatError(path + ": the file is " + byteCount(size) + ", more than the " +
                          byteCount(limit) + " " + what);
}

std::string readFile(const std::string& path, std::uint64_t maxBytes, const std::string& what) {
    InputFile in(path);
    return in.readRest(maxBytes, what);
}

AtomicFile::AtomicFile(std::string path)
    : m_path(std::move(path)), m_tmp(m_path + ".tmp-" + std::to_string(::getpid())) {
    m_fd = ::open(m_tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (m_fd < 0) throw IoError(m_path + ": cannot create " + m_tmp + ": " + std::strerror(errno));
}

AtomicFile::~AtomicFile() {
    if (m_fd < 0) return;
    ::close(m_fd);
    ::unlink(m_tmp.c_str());
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : m_path(std::move(other.m_path)),
      m_tmp(std::move(other.m_tmp)),
      m_fd(std::exchange(other.m_fd, -1)) {}

void AtomicFile::fail(const std::string& what) {
    const std::string err = std::strerror(errno);
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
    ::unlink(m_tmp.c_str());
    throw IoError(m_path + ": " + what + ": " + err);
}

void AtomicFile::write(const void* data, std::size_t size) {
    const char* bytes = static_cast<const char*>(data);
    std::size_t done = 0;
    while (done < size) {
        const ssize_t w = ::write(m_fd, bytes + done, size - done);
        if (w < 0) {
            if (errno == EINTR) continue;
            fail("write failed");
        }
        done += std::size_t(w);
    }
}

void AtomicFile::commit() {
    if (::fsync(m_fd) != 0) fail("could not flush to disk");
    const int fd = std::exchange(m_fd, -1);
    if (::close(fd) != 0) fail("could not flush to disk");
    if (std::rename(m_tmp.c_str(), m_path.c_str()) != 0)
        fail("could not rename the temporary file into place");
    // The rename itself survives a power cut only once the folder's entry is on disk. Folders
    // that cannot be opened or synced (some file systems refuse) keep the file as renamed; only a
    // reported I/O error is one.
    const std::size_t slash = m_path.find_last_of('/');
    const std::string folder = slash == std::string::npos ? "." : m_path.substr(0, slash + 1);
    const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return;
    const bool ioError = ::fsync(dir) != 0 && errno == EIO;
    ::close(dir);
    if (ioError) throw IoError(m_path + ": written, but its folder could not be flushed to disk");
}

void writeFileAtomically(const std::string& path, const std::string& bytes) {
    AtomicFile file(path);
    file.write(bytes.data(), bytes.size());
    file.commit();
}

}  // namespace lenet
