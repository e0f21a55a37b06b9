#include "lenet/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "lenet/error.h"
#include "lenet/file_io.h"
#include "lenet/text.h"

namespace lenet {
namespace {

namespace fs = std::filesystem;

/// What is read of a command line or a lock file at most.
constexpr std::uint64_t kMaxOwnerBytes = 1 << 16;

/// "pid N: the command line" of this process, arguments separated by spaces.
std::string ownerLine() {
    std::string command;
    try {
        command = readFile("/proc/self/cmdline", kMaxOwnerBytes);
    } catch (const Error&) {
    }
    while (!command.empty() && command.back() == '\0') command.pop_back();
    std::replace(command.begin(), command.end(), '\0', ' ');
    return "pid " + std::to_string(::getpid()) + (command.empty() ? "" : ": " + printable(command));
}

/// What the lock file at `lockPath` says about its owner, at most one line.
std::string ownerOf(const std::string& lockPath) {
    std::string owner;
    try {
        owner = readFile(lockPath, kMaxOwnerBytes, "a lock file may have");
    } catch (const Error&) {
    }
    owner = owner.substr(0, std::min(owner.find('\n'), std::size_t(300)));
    return owner.empty() ? "a process that has not said which" : printable(owner);
}

}  // namespace

bool sameFile(const std::string& a, const std::string& b) {
    struct stat sa {};
    struct stat sb {};
    if (::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    std::error_code ea, eb;
    const fs::path pa = fs::weakly_canonical(fs::absolute(a, ea), ea);
    const fs::path pb = fs::weakly_canonical(fs::absolute(b, eb), eb);
    return !ea && !eb ? pa == pb : fs::path(a).lexically_normal() == fs::path(b).lexically_normal();
}

std::string OutputLock::lockPath(const std::string& path) {
    return path + ".lock";
}

OutputLock::OutputLock(std::string path) : m_lockPath(lockPath(path)) {
    // The owner removes the lock file when done; whoever opened the old file before that must
    // not believe it holds the lock, so the locked file must still be the one at the path.
    for (;;) {
        m_fd = ::open(m_lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (m_fd < 0)
            throw IoError(path + ": cannot create the lock file " + m_lockPath + ": " +
                          std::strerror(errno));
        if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
            const int err = errno;
            ::close(m_fd);
            m_fd = -1;
            if (err != EWOULDBLOCK)
                throw IoError(path + ": cannot lock " + m_lockPath + ": " + std::strerror(err));
            throw IoError(path + " is being written by another process (" + ownerOf(m_lockPath) +
                          "); wait until it ends or choose another file (lock file " + m_lockPath +
                          ")");
        }
        struct stat held {};
        struct stat named {};
        if (::fstat(m_fd, &held) == 0 && ::stat(m_lockPath.c_str(), &named) == 0 &&
            held.st_dev == named.st_dev && held.st_ino == named.st_ino)
            break;
        ::close(m_fd);
    }
    const std::string owner = ownerLine() + "\n";
    if (::ftruncate(m_fd, 0) != 0 || ::write(m_fd, owner.data(), owner.size()) < 0) {
        const int err = errno;
        ::unlink(m_lockPath.c_str());
        ::close(m_fd);
        throw IoError(path + ": cannot write the lock file " + m_lockPath + ": " +
                      std::strerror(err));
    }
}

OutputLock::~OutputLock() {
    ::unlink(m_lockPath.c_str());
    ::close(m_fd);
}

}  // namespace lenet
