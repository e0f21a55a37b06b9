#include "cli_compare.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

#include "compare_plan.h"
#include "lenet/compare_report.h"
#include "lenet/error.h"
#include "lenet/file_io.h"
#include "lenet/parallel.h"
#include "lenet/presets.h"
#include "lenet/text.h"

namespace lenet::cli {
namespace {

/// Exit status of --collect when a planned run has no result.
constexpr int kRunsMissing = 4;

/// Throws UsageError "<context>'key' is not a variant or training option" unless it is one.
void checkOptionKey(const std::string& key, const std::string& context) {
    const std::vector<std::string> keys = variantAndTrainingOptions();
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        const std::string near = nearest(key, keys);
        throw UsageError(context + "'" + key + "' is not a variant or training option" +
                         (near.empty() ? "" : " (did you mean " + near + "?)"));
    }
}

bool isPreset(const std::string& name) {
    const auto names = presetNames();
    return std::find(names.begin(), names.end(), name) != names.end();
}

/// One PRESET_OR_SPEC[:key=value...] argument, resolved to a spec with the options of `global`
/// and then its own applied.
ArchitectureSpec resolve(const std::string& argument, const Args& global) {
    std::stringstream parts(argument);
    std::string base, pair;
    std::getline(parts, base, ':');
    Args args = global;
    while (std::getline(parts, pair, ':')) {
        const auto eq = pair.find('=');
        if (eq == std::string::npos || eq == 0) {
            throw UsageError(argument + ": '" + pair + "' is not key=value");
        }
        const std::string key = pair.substr(0, eq);
        checkOptionKey(key, argument + ": ");
        args.options[key] = pair.substr(eq + 1);
    }
    if (isPreset(base)) {
        args.options["preset"] = base;
    } else if (std::filesystem::exists(base)) {
        args.options["spec"] = base;
    } else {
        throw UsageError("'" + base + "' is neither a preset (see lenet presets) nor a spec file");
    }
    try {
        ArchitectureSpec spec = specFromArgs(args);
        applyTrainingOptions(args, spec);
        Network check(spec);  // refuse a variant that does not fit before anything trains
        return spec;
    } catch (const UsageError& e) {
        throw UsageError(argument + ": " + e.what());
    } catch (const ConfigError& e) {
        throw ConfigError(argument + ": " + e.what());
    }
}

/// `argument` with the spec file it names (if it names one) by its absolute path, so that a job
/// run from another folder finds it.
std::string withAbsoluteSpec(const std::string& argument) {
    const std::size_t colon = argument.find(':');
    const std::string base = argument.substr(0, colon);
    if (isPreset(base) || !std::filesystem::exists(base)) return argument;
    return std::filesystem::absolute(base).lexically_normal().string() +
           (colon == std::string::npos ? "" : argument.substr(colon));
}

/// One --grid key with its values.
struct GridKey {
    std::string key;
    std::vector<std::string> values;
};

/// The --grid options: "key=v1,v2,..." each ("key=a,b;c,d" for list values such as --fc).
std::vector<GridKey> parseGrid(const Args& a) {
    std::vector<GridKey> grid;
    const auto given = a.allValues.find("grid");
    if (given == a.allValues.end()) return grid;
    for (const std::string& item : given->second) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0)
            throw UsageError("--grid: '" + item + "' is not key=value1,value2,...");
        GridKey g{item.substr(0, eq), {}};
        checkOptionKey(g.key, "--grid: ");
        if (std::any_of(grid.begin(), grid.end(), [&](const GridKey& k) { return k.key == g.key; }))
            throw UsageError("--grid: " + g.key + " is given twice; give all its values in one");
        const std::string values = item.substr(eq + 1);
        const char separator = values.find(';') != std::string::npos ? ';' : ',';
        std::stringstream parts(values);
        std::string value;
        while (std::getline(parts, value, separator)) {
            if (value.empty())
                throw UsageError("--grid " + g.key + ": an empty value in '" + values + "'");
            if (value.find(':') != std::string::npos)
                throw UsageError("--grid " + g.key + ": a value cannot hold ':' ('" + value + "')");
            if (std::count(g.values.begin(), g.values.end(), value))
                throw UsageError("--grid " + g.key + ": " + value + " is given twice");
            g.values.push_back(value);
        }
        if (values.empty() || values.back() == separator)
            throw UsageError("--grid " + g.key + ": an empty value in '" + values + "'");
        grid.push_back(g);
    }
    return grid;
}

/// Every run the command line asks for: each PRESET_OR_SPEC times every combination of the grid's
/// values (the last key varying fastest) times the --repeat seeds. A run is named by what sets
/// it apart: its PRESET_OR_SPEC when there are several, and each grid key with several values.
std::vector<PlannedRun> planRuns(const Args& a) {
    if (a.positional.empty()) throw UsageError("compare needs at least one PRESET_OR_SPEC");
    const int repeat = a.getInt("repeat", 1);
    if (repeat < 1) throw UsageError("option --repeat: must be >= 1");
    const std::vector<GridKey> grid = parseGrid(a);
    std::vector<Settings> combinations{{}};
    for (const GridKey& g : grid) {
        std::vector<Settings> longer;
        for (const Settings& c : combinations) {
            for (const std::string& value : g.values) {
                longer.push_back(c);
                longer.back().emplace_back(g.key, value);
            }
        }
        combinations = longer;
    }
    std::vector<PlannedRun> runs;
    for (const std::string& base : a.positional) {
        for (const Settings& settings : combinations) {
            std::vector<std::string> name;
            if (a.positional.size() > 1) name.push_back(base);
            std::string argument = withAbsoluteSpec(base);
            for (std::size_t k = 0; k < settings.size(); ++k) {
                const auto& [key, value] = settings[k];
                argument += ":" + key + "=" + value;
                if (grid[k].values.size() > 1) name.push_back(key + "=" + value);
            }
            if (name.empty()) name.push_back(base);
            const ArchitectureSpec spec = resolve(argument, a);
            for (int k = 0; k < repeat; ++k) {
                PlannedRun run{join(name, " "), settings, argument, spec};
                if (k > 0) {
                    run.spec.training.seed += std::uint64_t(k);
                    run.argument += ":seed=" + std::to_string(run.spec.training.seed);
                }
                runs.push_back(run);
            }
        }
    }
    return runs;
}

/// "lenet compare: 300 training and 200 test images from DIR".
std::string titleOf(const TrainingConfig& first, const Dataset& train, const Dataset& test,
                    const std::string& data) {
    const int trainCount =
        first.trainLimit ? std::min(first.trainLimit, train.size()) : train.size();
    const int testCount = first.testLimit ? std::min(first.testLimit, test.size()) : test.size();
    return "lenet compare: " + std::to_string(trainCount) + " training and " +
           std::to_string(testCount) + " test images from " + data;
}

void writeResults(const std::string& dir, const std::vector<CompareRun>& runs,
                  const std::string& title) {
    const auto rows = summarize(runs);
    const std::string each = runsMarkdown(runs);
    writeFileAtomically(dir + "/results.md", "# " + title + "\n\n" + markdownTable(rows) +
                                                 (each.empty() ? "" : "\n## Each run\n\n" + each));
    writeFileAtomically(dir + "/results.csv", csvTable(rows));
    writeFileAtomically(dir + "/runs.csv", runsCsv(runs));
    writeFileAtomically(dir + "/curves.csv", curvesCsv(runs));
    writeFileAtomically(dir + "/curves.svg", curvesSvg(runs, title));
}

void makeOutputFolder(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw IoError(dir + ": cannot create the output folder: " + ec.message());
}

/// A run's threads when `jobs` runs share the machine: its share of its thread count (all cores
/// when 0), at least one.
int threadsPerRun(int threads, int jobs) {
    if (jobs == 1) return threads;
    return std::max(1, (threads > 0 ? threads : hardwareThreads()) / jobs);
}

struct Trained {
    CompareRun run;
    bool interrupted = false;
};

/// Trains `planned` on its share of the threads when `jobs` runs go side by side. With
/// `header` (one run at a time) prints it and a line per epoch; otherwise nothing.
Trained trainOne(const PlannedRun& planned, const Dataset& train, const Dataset& test, int jobs,
                 const std::string& header) {
    TrainingConfig cfg = planned.spec.training;
    cfg.threads = threadsPerRun(cfg.threads, jobs);
    Network net(planned.spec);
    net.initialize(cfg.seed);
    const bool quiet = header.empty();
    if (!quiet) {
        std::printf("\n%s, seed %llu: %d parameters, %s lr %g, batch %d, %d epochs\n",
                    header.c_str(), (unsigned long long)cfg.seed, net.parameterCount(),
                    cfg.optimizer.c_str(), cfg.lr, cfg.batch, cfg.epochs);
        std::fflush(stdout);
    }
    CliObserver observer(quiet ? EpochLines::None : EpochLines::Text,
                         !quiet && ::isatty(STDERR_FILENO), "");
    const RunOutcome outcome = runTraining(net, train, test, cfg, observer,
                                           quiet ? "compare (" + planned.name + ")" : "compare");
    Trained t;
    t.run.variant = planned.name;
    t.run.settings = planned.settings;
    t.run.seed = cfg.seed;
    t.run.parameters = net.parameterCount();
    t.run.batch = cfg.batch;
    t.run.history = observer.history();
    t.run.diverged = outcome.diverged;
    if (outcome.stopReason.rfind("early stopping", 0) == 0)
        t.run.earlyStopEpoch = int(t.run.history.size());
    t.interrupted = outcome.interrupted;
    return t;
}

/// "lr=0.1, seed 2: test error 3.50% (best 3.00%), 2 epochs, 4.1 s".
std::string endLine(const CompareRun& run) {
    char figures[160];
    double seconds = 0.0;
    for (const auto& m : run.history) seconds += m.seconds;
    const double final = run.history.empty() ? -1.0 : run.history.back().testError;
    std::snprintf(figures, sizeof figures, ", seed %llu: %s%s, %zu epoch%s, %.1f s training",
                  (unsigned long long)run.seed, run.diverged ? "diverged; " : "",
                  final < 0 ? "no test error" : ("test error " + percent(final)).c_str(),
                  run.history.size(), run.history.size() == 1 ? "" : "s", seconds);
    return run.variant + figures;
}

/// Trains `runs`, `jobs` at a time, each on its share of the threads, and writes the results
/// into `dir` (in the order of `runs`) after each run that ends.
int trainAll(const std::vector<PlannedRun>& runs, int jobs, const Args& a, const std::string& dir) {
    const std::string data = dataDir(a);
    const Dataset train = loadData(data, Split::Train);
    const Dataset test = loadData(data, Split::Test);
    const std::string title = titleOf(runs.front().spec.training, train, test, data);
    const int total = int(runs.size());
    jobs = std::min(jobs, total);
    if (jobs > 1) {
        const int threads = threadsPerRun(runs.front().spec.training.threads, jobs);
        std::printf("%d runs, %d side by side on %d thread%s each\n", total, jobs, threads,
                    threads == 1 ? "" : "s");
        std::fflush(stdout);
    }
    std::vector<std::optional<CompareRun>> results(runs.size());
    std::mutex mutex;  // guards results, ended, failure, stdout and the result files
    int ended = 0;
    std::exception_ptr failure;
    std::atomic<int> next{0};
    std::atomic<bool> stop{false};
    const auto work = [&] {
        for (int i = next++; i < total && !stop; i = next++) {
            try {
                const std::string header = jobs > 1
                                               ? ""
                                               : "[" + std::to_string(i + 1) + "/" +
                                                     std::to_string(total) + "] " + runs[i].name;
                const Trained t = trainOne(runs[i], train, test, jobs, header);
                const std::lock_guard lock(mutex);
                results[i] = t.run;
                ++ended;
                if (jobs > 1) {
                    std::printf("[%d/%d] %s\n", ended, total, endLine(t.run).c_str());
                    std::fflush(stdout);
                }
                std::vector<CompareRun> done;
                for (const auto& r : results) {
                    if (r) done.push_back(*r);
                }
                writeResults(dir, done, title);
                if (t.interrupted) stop = true;
            } catch (...) {
                const std::lock_guard lock(mutex);
                if (!failure) failure = std::current_exception();
                stop = true;
            }
        }
    };
    {
        std::vector<std::jthread> others;
        for (int j = 1; j < jobs; ++j) others.emplace_back(work);
        work();
    }
    if (failure) std::rethrow_exception(failure);
    if (stop) {
        std::fprintf(stderr, "interrupted: the results so far are in %s\n", dir.c_str());
        return 1;
    }
    std::vector<CompareRun> all;
    for (const auto& r : results) all.push_back(*r);
    std::printf("\n%s\nwritten: %s/results.md, results.csv, runs.csv, curves.csv, curves.svg\n",
                markdownTable(summarize(all)).c_str(), dir.c_str());
    return 0;
}

/// Refuses the options of `given` that `mode` does not take.
void refuse(const Args& a, const std::vector<std::string>& given, const std::string& mode) {
    for (const std::string& option : given) {
        if (a.has(option)) throw UsageError("--" + option + " cannot be given with " + mode);
    }
}

/// `--result FILE`: one run, its result written to FILE (what a planned job runs).
int runForPlan(const Args& a) {
    refuse(a, {"grid", "repeat", "jobs", "plan", "out"}, "--result");
    if (a.positional.size() != 1)
        throw UsageError("--result takes exactly one PRESET_OR_SPEC (a planned job's run)");
    const PlannedRun planned = planRuns(a).front();
    const std::string data = dataDir(a);
    const Dataset train = loadData(data, Split::Train);
    const Dataset test = loadData(data, Split::Test);
    const Trained t = trainOne(planned, train, test, 1, planned.name);
    if (t.interrupted) {
        std::fprintf(stderr, "interrupted: no result written\n");
        return 1;
    }
    const std::string path = a.get("result");
    writeRunResult(path, t.run, planned.spec);
    std::printf("%s\nwritten: %s\n", endLine(t.run).c_str(), path.c_str());
    return 0;
}

/// `--plan DIR`: the runs as jobs for GNU parallel or Slurm.
int plan(const Args& a, const std::vector<PlannedRun>& runs) {
    refuse(a, {"jobs", "out"}, "--plan (the runner decides how many run at once)");
    const std::string dir = a.get("plan");
    const std::string data = std::filesystem::absolute(dataDir(a)).lexically_normal().string();
    const Dataset train = loadData(data, Split::Train);
    const Dataset test = loadData(data, Split::Test);
    std::vector<std::string> options;
    for (const std::string& key : variantAndTrainingOptions()) {
        if (a.has(key)) options.push_back("--" + key + "=" + a.get(key));
    }
    options.push_back("--data=" + data);
    writePlan(dir, runs, options, titleOf(runs.front().spec.training, train, test, data));
    std::printf(
        "planned %zu runs in %s: jobs.txt (one command line each), slurm.sbatch, plan.json\n"
        "run them with:   parallel --jobs N < %s/jobs.txt\n"
        "             or: sbatch %s/slurm.sbatch\n"
        "then merge them: lenet compare --collect %s\n",
        runs.size(), dir.c_str(), dir.c_str(), dir.c_str(), dir.c_str());
    return 0;
}

/// `--collect DIR`: the results of a plan's runs merged, the missing ones named.
int collect(const Args& a) {
    refuse(a, {"grid", "repeat", "jobs", "plan", "result"}, "--collect (the plan names the runs)");
    if (!a.positional.empty())
        throw UsageError("--collect takes no PRESET_OR_SPEC: the plan names the runs");
    const std::string dir = a.get("collect");
    const Plan plan = readPlan(dir);
    std::vector<CompareRun> runs;
    std::vector<std::string> missing;
    for (std::size_t i = 0; i < plan.runs.size(); ++i) {
        const PlanEntry& entry = plan.runs[i];
        std::string why;
        if (auto run = readRunResult(entry, why)) {
            runs.push_back(*run);
        } else {
            missing.push_back("  line " + std::to_string(i + 1) + " of jobs.txt, " + entry.name +
                              ", seed " + std::to_string(entry.seed) + ": " + why);
        }
    }
    const std::string out = a.get("out", dir);
    if (!runs.empty()) {
        makeOutputFolder(out);
        writeResults(out, runs, plan.title);
        std::printf("%s\nwritten: %s/results.md, results.csv, runs.csv, curves.csv, curves.svg\n",
                    markdownTable(summarize(runs)).c_str(), out.c_str());
    }
    if (missing.empty()) return 0;
    std::fprintf(stderr, "lenet compare: %zu of %zu planned runs have no result%s:\n%s\n",
                 missing.size(), plan.runs.size(),
                 runs.empty() ? " (nothing written)" : " (left out of the results)",
                 join(missing, "\n").c_str());
    return kRunsMissing;
}

}  // namespace

void declareCompare(CLI::App& app) {
    addPositionals(app, "PRESET_OR_SPEC",
                   "A preset or a spec file, with options for it alone after ':' "
                   "(lenet5-maxpool:pooling=avg:lr=0.01)");
    addOption(app, "grid", "KEY=V1,V2,...",
              "Train every combination of the values of the keys given (any variant or "
              "training option; ';' between values that hold ','); once per key")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    addOption(app, "repeat", "K", "Runs of each variant, seeds S, S+1, ... (default 1)");
    addOption(app, "jobs", "N", "Runs side by side, each on its share of the threads (default 1)");
    addOption(app, "out", "DIR", "Where the results go (default: compare; with --collect: DIR)");
    addOption(app, "plan", "DIR",
              "Train nothing: write the runs as jobs (DIR/jobs.txt, DIR/slurm.sbatch)");
    addOption(app, "collect", "DIR", "Merge the results of the planned runs in DIR");
    addOption(app, "result", "FILE", "Train one run and write its result to FILE (a job's run)");
    addOption(app, "data", "DIR", "IDX folder (default: see lenet --help)");
    addTrainingOptions(app);
    addVariantOptions(app);
}

int cmdCompare(const Args& a) {
    if (a.has("collect")) return collect(a);
    if (a.has("result")) return runForPlan(a);
    const int jobs = a.getInt("jobs", 1);
    if (jobs < 1) throw UsageError("option --jobs: must be >= 1");
    const std::vector<PlannedRun> runs = planRuns(a);
    if (a.has("plan")) return plan(a, runs);
    const std::string dir = a.get("out", "compare");
    makeOutputFolder(dir);
    return trainAll(runs, jobs, a, dir);
}

}  // namespace lenet::cli
