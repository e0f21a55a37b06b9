#include "cli_compare.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include <CLI/CLI.hpp>

#include "lenet/compare_report.h"
#include "lenet/error.h"
#include "lenet/file_io.h"
#include "lenet/presets.h"

namespace lenet::cli {
namespace {

/// One PRESET_OR_SPEC[:key=value...] argument, resolved to a spec with its own options applied.
struct Entry {
    std::string label;  // the argument as given: the variant's name in the results
    ArchitectureSpec spec;
};

Entry resolve(const std::string& argument, const Args& global) {
    std::stringstream parts(argument);
    std::string base, pair;
    std::getline(parts, base, ':');
    Args args = global;
    const std::vector<std::string> keys = variantAndTrainingOptions();
    while (std::getline(parts, pair, ':')) {
        const auto eq = pair.find('=');
        if (eq == std::string::npos || eq == 0) {
            throw UsageError(argument + ": '" + pair + "' is not key=value");
        }
        const std::string key = pair.substr(0, eq);
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
            const std::string near = nearest(key, keys);
            throw UsageError(argument + ": '" + key + "' is not a variant or training option" +
                             (near.empty() ? "" : " (did you mean " + near + "?)"));
        }
        args.options[key] = pair.substr(eq + 1);
    }
    const auto names = presetNames();
    if (std::find(names.begin(), names.end(), base) != names.end()) {
        args.options["preset"] = base;
    } else if (std::filesystem::exists(base)) {
        args.options["spec"] = base;
    } else {
        throw UsageError("'" + base + "' is neither a preset (see lenet presets) nor a spec file");
    }
    try {
        Entry e{argument, specFromArgs(args)};
        applyTrainingOptions(args, e.spec);
        Network check(e.spec);  // refuse a variant that does not fit before anything trains
        return e;
    } catch (const UsageError& e) {
        throw UsageError(argument + ": " + e.what());
    } catch (const ConfigError& e) {
        throw ConfigError(argument + ": " + e.what());
    }
}

void writeResults(const std::string& dir, const std::vector<CompareRun>& runs,
                  const std::string& title) {
    const auto rows = summarize(runs);
    writeFileAtomically(dir + "/results.md", "# " + title + "\n\n" + markdownTable(rows));
    writeFileAtomically(dir + "/results.csv", csvTable(rows));
    writeFileAtomically(dir + "/curves.csv", curvesCsv(runs));
    writeFileAtomically(dir + "/curves.svg", curvesSvg(runs, title));
}

}  // namespace

void declareCompare(CLI::App& app) {
    addPositionals(app, "PRESET_OR_SPEC",
                   "A preset or a spec file, with options for it alone after ':' "
                   "(lenet5-maxpool:pooling=avg:lr=0.01)");
    addOption(app, "repeat", "K", "Runs of each variant, seeds S, S+1, ... (default 1)");
    addOption(app, "out", "DIR", "Where the results go (default: compare)");
    addOption(app, "data", "DIR", "IDX folder (default: see lenet --help)");
    addTrainingOptions(app);
    addVariantOptions(app);
}

int cmdCompare(const Args& a) {
    if (a.positional.empty()) throw UsageError("compare needs at least one PRESET_OR_SPEC");
    const int repeat = a.getInt("repeat", 1);
    if (repeat < 1) throw UsageError("option --repeat: must be >= 1");
    std::vector<Entry> entries;
    for (const auto& argument : a.positional) entries.push_back(resolve(argument, a));

    const std::string dir = a.get("out", "compare");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw IoError(dir + ": cannot create the output folder: " + ec.message());
    const std::string data = dataDir(a);
    const Dataset train = loadData(data, Split::Train);
    const Dataset test = loadData(data, Split::Test);
    const TrainingConfig& first = entries.front().spec.training;
    const int trainCount =
        first.trainLimit ? std::min(first.trainLimit, train.size()) : train.size();
    const int testCount = first.testLimit ? std::min(first.testLimit, test.size()) : test.size();
    const std::string title = "lenet compare: " + std::to_string(trainCount) + " training and " +
                              std::to_string(testCount) + " test images from " + data;

    std::vector<CompareRun> runs;
    const int total = int(entries.size()) * repeat;
    for (const Entry& entry : entries) {
        for (int k = 0; k < repeat; ++k) {
            TrainingConfig cfg = entry.spec.training;
            cfg.seed += std::uint64_t(k);
            Network net(entry.spec);
            net.initialize(cfg.seed);
            std::printf("\n[%d/%d] %s, seed %llu: %d parameters, %s lr %g, batch %d, %d epochs\n",
                        int(runs.size()) + 1, total, entry.label.c_str(),
                        (unsigned long long)cfg.seed, net.parameterCount(), cfg.optimizer.c_str(),
                        cfg.lr, cfg.batch, cfg.epochs);
            std::fflush(stdout);
            CliObserver observer(false, ::isatty(STDERR_FILENO), "");
            const RunOutcome outcome = runTraining(net, train, test, cfg, observer, "compare");
            CompareRun run;
            run.variant = entry.label;
            run.seed = cfg.seed;
            run.parameters = net.parameterCount();
            run.batch = cfg.batch;
            run.history = observer.history();
            run.diverged = outcome.diverged;
            if (outcome.stopReason.rfind("early stopping", 0) == 0)
                run.earlyStopEpoch = int(run.history.size());
            runs.push_back(run);
            writeResults(dir, runs, title);
            if (outcome.interrupted) {
                std::fprintf(stderr, "interrupted: the results so far are in %s\n", dir.c_str());
                return 1;
            }
        }
    }
    std::printf("\n%s\nwritten: %s/results.md, results.csv, curves.csv, curves.svg\n",
                markdownTable(summarize(runs)).c_str(), dir.c_str());
    return 0;
}

}  // namespace lenet::cli
