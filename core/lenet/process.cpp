// runProcess: posix_spawn with the file actions for the working folder and the output files, the
// process group of its own, and a wait loop that polls the stop token.
#include "lenet/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "lenet/error.h"

extern char** environ;

namespace lenet {
namespace {

/// The caller's environment with `extra` ("KEY=value") added, replacing variables of those keys.
std::vector<std::string> environment(const std::vector<std::string>& extra) {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        const std::string entry = *e;
        const std::string key = entry.substr(0, entry.find('=') + 1);
        bool replaced = false;
        for (const std::string& x : extra) replaced |= x.starts_with(key);
        if (!replaced) env.push_back(entry);
    }
    env.insert(env.end(), extra.begin(), extra.end());
    return env;
}

/// Pointers to the strings of `strings`, null-terminated, for argv and envp.
std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> p;
    for (std::string& s : strings) p.push_back(s.data());
    p.push_back(nullptr);
    return p;
}

/// posix_spawn's attributes and file actions, destroyed with it.
struct SpawnSetup {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    SpawnSetup() {
        posix_spawnattr_init(&attr);
        posix_spawn_file_actions_init(&actions);
    }
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
};

/// Opens `path` (or /dev/null when empty) as the child's `fd`.
void redirect(SpawnSetup& s, int fd, const std::string& path) {
    const char* target = path.empty() ? "/dev/null" : path.c_str();
    const int flags = fd == STDIN_FILENO ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC;
    posix_spawn_file_actions_addopen(&s.actions, fd, target, flags, 0644);
}

/// True once `pid` has ended; it stays a zombie (its pid, and so its process group's id, cannot
/// be reused) until waitpid() reaps it.
bool hasEnded(pid_t pid) {
    siginfo_t info{};
    return ::waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

/// Ends the process group of `pid` (SIGTERM, SIGKILL after a second) and reaps `pid`.
void endGroup(pid_t pid) {
    ::kill(-pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (!hasEnded(pid) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ::kill(-pid, SIGKILL);  // the leader if it is still there, and whatever it started
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace

std::string findProgram(const std::string& name) {
    const char* path = std::getenv("PATH");
    if (!path || name.empty()) return {};
    std::string dirs = path;
    std::size_t start = 0;
    while (start <= dirs.size()) {
        std::size_t end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        const std::string dir = dirs.substr(start, end - start);
        const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
            ::access(candidate.c_str(), X_OK) == 0)
            return candidate;
        start = end + 1;
    }
    return {};
}

ProcessResult runProcess(const std::vector<std::string>& argv, const ProcessOptions& options,
                         std::stop_token stop) {
    SpawnSetup s;
    posix_spawnattr_setflags(
        &s.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&s.attr, 0);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&s.attr, &none);
    posix_spawnattr_setsigdefault(&s.attr, &all);
    if (!options.workingDir.empty())
        posix_spawn_file_actions_addchdir_np(&s.actions, options.workingDir.c_str());
    redirect(s, STDIN_FILENO, "");
    redirect(s, STDOUT_FILENO, "");
    redirect(s, STDERR_FILENO, options.stderrPath);

    std::vector<std::string> args = argv;
    std::vector<std::string> env = environment(options.env);
    const std::vector<char*> argp = pointers(args);
    const std::vector<char*> envp = pointers(env);
    pid_t pid = 0;
    if (const int err = posix_spawn(&pid, argp[0], &s.actions, &s.attr, argp.data(), envp.data()))
        throw IoError(argv[0] + ": cannot run it: " + std::strerror(err));

    ProcessResult result;
    int status = 0;
    for (;;) {
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        if (done < 0 && errno != EINTR)
            throw IoError(argv[0] + ": cannot wait for it: " + std::strerror(errno));
        if (stop.stop_requested()) {
            endGroup(pid);
            result.stopped = true;
            return result;
        }
        if (options.tick) options.tick();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    // Programs it started may live on in its group after it ended; they are not waited for.
    if (WIFEXITED(status)) result.exitStatus = WEXITSTATUS(status);
    return result;
}

}  // namespace lenet
