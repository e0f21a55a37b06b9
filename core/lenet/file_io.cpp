#include "lenet/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "lenet/error.h"

namespace lenet {

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError(path + ": cannot open: " + std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw IoError(path + ": read error");
    return ss.str();
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
