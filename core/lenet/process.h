// Running another program without a shell (posix_spawn), in its own process group, while a stop
// token is polled: what the data fetch runs npm with.
#pragma once

#include <functional>
#include <stop_token>
#include <string>
#include <vector>

namespace lenet {

/// The path of the executable file `name` in a folder of $PATH, or "" when there is none.
std::string findProgram(const std::string& name);

struct ProcessOptions {
    std::string workingDir;        // "" = the caller's
    std::vector<std::string> env;  // "KEY=value" pairs added to (or replacing in) the caller's
    std::string stderrPath;        // where its stderr goes ("" = /dev/null)
    /// Called on the caller's thread about every 100 ms while the program runs.
    std::function<void()> tick;
};

struct ProcessResult {
    bool stopped = false;  // the stop token fired: the program's process group was ended
    int exitStatus = -1;   // its exit status; -1 when a signal ended it (or stopped)
};

/// Runs `argv` (argv[0] a path to the program; stdin and stdout are /dev/null) and waits for it.
/// When `stop` is requested, sends SIGTERM to the program's process group, SIGKILL after a second,
/// and waits. Throws IoError when the program cannot be started or an output file cannot be
/// created.
ProcessResult runProcess(const std::vector<std::string>& argv, const ProcessOptions& options,
                         std::stop_token stop);

}  // namespace lenet
