// Output files a run owns: a check that a run's outputs are different files, and an advisory
// lock that keeps a second process from writing the same output.
#pragma once

#include <string>

namespace lenet {

/// True when `a` and `b` name the same file: the same inode when both exist, else the same
/// path once made absolute and normal (links resolved as far as they exist).
bool sameFile(const std::string& a, const std::string& b);

/// An exclusive advisory lock (flock) on the output file `path`, held through the lock file
/// `path` + ".lock" (the output itself is replaced by rename on every write, so it cannot carry
/// the lock). The lock file holds the owner's pid and command line; it is removed when the lock
/// is released. A crashed owner's lock is released by the kernel, so a stale lock file is
/// simply taken over.
class OutputLock {
public:
    /// Takes the lock at once or throws IoError naming `path` and the process that holds it.
    explicit OutputLock(std::string path);
    ~OutputLock();
    OutputLock(const OutputLock&) = delete;
    OutputLock& operator=(const OutputLock&) = delete;

    /// The lock file's name for the output `path`.
    static std::string lockPath(const std::string& path);

private:
    std::string m_lockPath;
    int m_fd = -1;
};

}  // namespace lenet
