#include "cli_support.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <limits>
#include <sstream>
#include <stop_token>
#include <thread>
#include <type_traits>
#include <utility>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "lenet/error.h"
#include "lenet/file_io.h"
#include "lenet/kinds.h"
#include "lenet/model_io.h"
#include "lenet/presets.h"
#include "lenet/spec_json.h"
#include "lenet/text.h"

namespace lenet::cli {
namespace {

std::atomic<bool> g_interrupted{false};

/// The variant options with what they take and do, as addVariantOptions declares them.
struct VariantOption {
    const char* name;
    std::string type;
    const char* help;
};

std::vector<VariantOption> variantOptions() {
    std::vector<std::string> poolings;
    for (const LayerKind& k : layerKinds()) {
        if (k.pooling) poolings.emplace_back(k.pooling);
    }
    return {
        {"activation", join(kindKeys(activationKinds()), "|"), "Every activation layer's function"},
        {"pooling", join(poolings, "|"), "Every pooling layer"},
        {"kernel", "K", "Every convolution's kernel size"},
        {"channels", "C1,C3,...", "The convolutions' output maps, one per conv layer"},
        {"fc", "W1,W2,...", "The hidden fully connected layers' widths"},
        {"head", "softmax|rbf", "The output: an fc layer with softmax, or the paper's RBF layer"},
        {"batchnorm", "on|off", "A batch-norm layer after every conv and hidden fc layer, or none"},
        {"dropout", "RATE", "The rate of every dropout layer (one before the output if none)"},
    };
}

/// What `lenet train --help` says of the training settings that no kind's table describes.
const std::map<std::string, const char*> kTrainingHelp = {
    {"optimizer", "How the weights follow the gradients"},
    {"lr", "Learning rate"},
    {"schedule", "How the learning rate changes from epoch to epoch"},
    {"l1", "L1 penalty on the weights"},
    {"l2", "L2 penalty on the weights"},
    {"weight_decay", "Decoupled weight decay (AdamW style)"},
    {"batch", "Images per weight update"},
    {"epochs", "Passes over the training set"},
    {"seed", "Seed of the weights, the shuffling and the distortions"},
    {"threads", "Cores used (0 = all)"},
    {"validation", "Share of the training set held out for the validation error"},
    {"patience", "Early stopping after this many epochs without a better validation error"},
    {"distort", "Distort the training images at random (LeCun 1998)"},
    {"train_limit", "Train on the first N images only (0 = all)"},
    {"test_limit", "Test on the first N images only (0 = all)"},
};

/// The option name of a TrainingConfig key: "rms_decay" -> "rms-decay".
std::string optionName(std::string_view key) {
    return cliFlag(key).substr(2);
}

template <typename Integer>
void parseInteger(const std::string& flag, const std::string& text, Integer& out) {
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, out);
    if (ec == std::errc::result_out_of_range) {
        throw UsageError(flag + ": " + text + " is out of range (" +
                         std::to_string(std::numeric_limits<Integer>::min()) + " to " +
                         std::to_string(std::numeric_limits<Integer>::max()) + ")");
    }
    if (ec != std::errc() || ptr != end)
        throw UsageError(flag + ": '" + text + "' is not a valid integer");
}

std::vector<int> intList(const std::string& flag, const std::string& value) {
    std::vector<int> values;
    std::stringstream in(value);
    std::string item;
    while (std::getline(in, item, ',')) {
        try {
            values.emplace_back();
            parseValue(flag, item, values.back());
        } catch (const UsageError&) {
            throw UsageError(flag + ": '" + value + "' is not a comma-separated list of integers");
        }
    }
    if (values.empty()) throw UsageError(flag + " needs at least one value");
    return values;
}

/// The options of the distortion's magnitudes (training.distortion in a spec).
struct DistortionOption {
    const char* name;
    const char* help;
    float Distortion::*field;
};

constexpr DistortionOption kDistortionOptions[] = {
    {"max-shift", "With --distort: largest shift, in pixels, of each axis (default 2)",
     &Distortion::maxShift},
    {"max-rotation", "With --distort: largest rotation in degrees (default 10)",
     &Distortion::maxRotation},
    {"max-scale",
     "With --distort: largest relative scaling of each axis, so also squeezing, in [0, 1) "
     "(default 0.15)",
     &Distortion::maxScale},
    {"max-shear", "With --distort: largest horizontal shear factor (default 0.3)",
     &Distortion::maxShear},
    {"elastic-alpha",
     "With --distort: elastic distortions (Simard et al. 2003) of this strength in pixels, 34 as "
     "in the paper (0 = none)",
     &Distortion::elasticAlpha},
    {"elastic-sigma",
     "Smoothness of the elastic distortions' displacement field in pixels, in (0, 16]",
     &Distortion::elasticSigma},
};

}  // namespace

std::string Args::get(const std::string& k, const std::string& def) const {
    const auto it = options.find(k);
    return it == options.end() ? def : it->second;
}

int Args::getInt(const std::string& k, int def) const {
    if (has(k)) parseValue("--" + k, get(k), def);
    return def;
}

bool Args::flag(const std::string& k) const {
    bool on = false;
    if (has(k)) parseValue("--" + k, get(k), on);
    return on;
}

bool isBooleanWord(const std::string& word) {
    static const std::vector<std::string> words = {"true", "false", "1",  "0",
                                                   "yes",  "no",    "on", "off"};
    return std::find(words.begin(), words.end(), word) != words.end();
}

void parseValue(const std::string& flag, const std::string& text, bool& out) {
    if (!isBooleanWord(text))
        throw UsageError(flag + ": '" + text + "' is not one of true/false/1/0/yes/no/on/off");
    out = text == "true" || text == "1" || text == "yes" || text == "on";
}

void parseValue(const std::string& flag, const std::string& text, int& out) {
    parseInteger(flag, text, out);
}

void parseValue(const std::string& flag, const std::string& text, std::uint64_t& out) {
    parseInteger(flag, text, out);
}

void parseValue(const std::string& flag, const std::string& text, float& out) {
    const std::string digits = text.starts_with('+') ? text.substr(1) : text;
    const char* end = digits.data() + digits.size();
    double value = 0.0;
    const auto [ptr, ec] = std::from_chars(digits.data(), end, value);
    if ((ec != std::errc() && ec != std::errc::result_out_of_range) || ptr != end || digits.empty())
        throw UsageError(flag + ": '" + text + "' is not a valid number");
    if (!std::isfinite(value)) throw UsageError(flag + ": " + text + " is not a finite number");
    if (ec == std::errc::result_out_of_range ||
        std::abs(value) > double(std::numeric_limits<float>::max()))
        throw UsageError(flag + ": " + text + " is out of range");
    out = float(value);
}

void parseValue(const std::string&, const std::string& text, std::string& out) {
    out = text;
}

std::string nearest(const std::string& word, const std::vector<std::string>& candidates) {
    // Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
    // neighbouring characters cost 1.
    const auto distance = [](const std::string& a, const std::string& b) {
        std::vector<std::vector<std::size_t>> d(a.size() + 1,
                                                std::vector<std::size_t>(b.size() + 1));
        for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
        for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
        for (std::size_t i = 1; i <= a.size(); ++i) {
            for (std::size_t j = 1; j <= b.size(); ++j) {
                d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1,
                                    d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
        return d[a.size()][b.size()];
    };
    // A likely typo: at most a third of the word's letters wrong, and at least two allowed.
    std::size_t best = std::max<std::size_t>(2, word.size() / 3) + 1;
    std::string found;
    for (const std::string& c : candidates) {
        if (const std::size_t d = distance(word, c); d < best) {
            best = d;
            found = c;
        }
    }
    return found;
}

CLI::Option* addOption(CLI::App& app, const std::string& name, const std::string& type,
                       const std::string& help) {
    return app.add_option("--" + name, help)
        ->type_name(type)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

CLI::Option* addFlag(CLI::App& app, const std::string& name, const std::string& help) {
    return app.add_flag("--" + name)
        ->description(help)
        ->option_text("[true|false]")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

CLI::Option* addPositionals(CLI::App& app, const std::string& type, const std::string& help) {
    return app.add_option(type, help)
        ->expected(0, CLI::detail::expected_max_vector_size)
        ->allow_extra_args();
}

void addSpecOptions(CLI::App& app) {
    addOption(app, "preset", "NAME", "A built-in architecture (lenet presets lists them)");
    addOption(app, "spec", "FILE.json", "An architecture file");
}

void addVariantOptions(CLI::App& app) {
    for (const VariantOption& v : variantOptions())
        addOption(app, v.name, v.type, v.help)->group("Variant options");
}

void addTrainingOptions(CLI::App& app) {
    std::map<std::string, HyperParameter> hyper;
    for (const auto& k : optimizerKinds()) {
        for (const HyperParameter& h : k.hyperParameters) hyper.emplace(h.key, h);
    }
    for (const auto& k : scheduleKinds()) {
        for (const HyperParameter& h : k.hyperParameters) hyper.emplace(h.key, h);
    }
    const TrainingConfig defaults;
    forEachTrainingField(defaults, [&](const char* key, const auto& field) {
        using Field = std::decay_t<decltype(field)>;
        const std::string name = optionName(key);
        const auto h = hyper.find(key);
        const std::string help =
            h == hyper.end() ? kTrainingHelp.at(key)
                             : std::string(h->second.description) + ", " + h->second.range.text();
        if constexpr (std::is_same_v<Field, bool>) {
            addFlag(app, name, help)->group("Training options");
        } else {
            const std::string type = name == "optimizer"  ? join(kindKeys(optimizerKinds()), "|")
                                     : name == "schedule" ? join(kindKeys(scheduleKinds()), "|")
                                     : std::is_integral_v<Field> ? "N"
                                                                 : "X";
            addOption(app, name, type, help)->group("Training options");
        }
    });
    addOption(app, "init", join(kindKeys(initKinds()), "|"), "Weight initialisation")
        ->group("Training options");
    for (const DistortionOption& o : kDistortionOptions)
        addOption(app, o.name, "X", o.help)->group("Training options");
}

std::vector<std::string> variantAndTrainingOptions() {
    CLI::App app;
    addVariantOptions(app);
    addTrainingOptions(app);
    std::vector<std::string> names;
    for (const CLI::Option* o : app.get_options()) {
        if (o->get_lnames().empty() || o->get_lnames().front() == "help") continue;
        names.push_back(o->get_lnames().front());
    }
    return names;
}

Args parsedArgs(const CLI::App& app) {
    Args a;
    for (const CLI::Option* o : app.get_options()) {
        if (o->count() == 0) continue;
        if (o->get_positional()) {
            a.positional = o->results();
            continue;
        }
        const std::string name = o->get_lnames().front();
        for (const std::string& value : o->results()) {
            if (o->get_expected_max() == 0) {
                bool ignored;
                parseValue("--" + name, value, ignored);
            }
            a.options[name] = value;
            a.allValues[name].push_back(value);
        }
    }
    return a;
}

std::string percent(double fraction) {
    char b[32];
    std::snprintf(b, sizeof b, "%.2f%%", fraction * 100.0);
    return b;
}

std::string duration(double seconds) {
    char b[32];
    const int s = int(seconds + 0.5);
    if (s >= 3600) {
        std::snprintf(b, sizeof b, "%dh%02dm", s / 3600, (s / 60) % 60);
    } else if (s >= 60) {
        std::snprintf(b, sizeof b, "%dm%02ds", s / 60, s % 60);
    } else {
        std::snprintf(b, sizeof b, "%ds", s);
    }
    return b;
}

VariantOptions variantFromArgs(const Args& a) {
    VariantOptions v;
    if (a.has("activation")) v.activation = a.get("activation");
    if (a.has("pooling")) v.pooling = a.get("pooling");
    if (a.has("kernel")) v.kernel = a.getInt("kernel", 0);
    if (a.has("channels")) v.channels = intList("--channels", a.get("channels"));
    if (a.has("fc")) v.fcWidths = intList("--fc", a.get("fc"));
    if (a.has("head")) v.head = a.get("head");
    if (a.has("batchnorm")) v.batchNorm = a.flag("batchnorm");
    if (a.has("dropout")) {
        float rate = 0.0f;
        parseValue("--dropout", a.get("dropout"), rate);
        v.dropout = rate;
    }
    return v;
}

ArchitectureSpec specFromArgs(const Args& a) {
    if (a.has("preset") == a.has("spec")) {
        throw UsageError("give exactly one of --preset NAME or --spec FILE.json");
    }
    if (a.has("preset")) {
        const std::vector<std::string> names = presetNames();
        const std::string name = a.get("preset");
        if (std::find(names.begin(), names.end(), name) == names.end()) {
            const std::string near = nearest(name, names);
            throw UsageError("--preset: no preset is called '" + printable(name) + "'" +
                             (near.empty() ? "" : " (did you mean " + near + "?)") +
                             "; the presets are " + join(names, ", "));
        }
    }
    const ArchitectureSpec base =
        a.has("preset") ? preset(a.get("preset")) : loadSpecFile(a.get("spec"));
    try {
        return applyVariant(base, variantFromArgs(a));
    } catch (const ConfigError& e) {
        throw UsageError(std::string("option --") + e.what());
    }
}

void applyTrainingOptions(const Args& a, ArchitectureSpec& spec) {
    forEachTrainingField(spec.training, [&](const char* key, auto& field) {
        const std::string name = optionName(key);
        if (a.has(name)) parseValue("--" + name, a.get(name), field);
    });
    Distortion& d = spec.training.distortion;
    for (const DistortionOption& o : kDistortionOptions) {
        if (a.has(o.name)) parseValue("--" + std::string(o.name), a.get(o.name), d.*o.field);
    }
    try {
        validate(spec.training, SettingName::Flag);
    } catch (const ConfigError& e) {
        throw UsageError(e.what());
    }
    if (a.has("init")) spec.init = a.get("init");
}

std::string dataDir(const Args& a) {
    return a.has("data") ? a.get("data") : defaultDataDir();
}

Dataset loadData(const std::string& dir, Split split) {
    try {
        return loadSplit(dir, split);
    } catch (const IoError& e) {
        throw IoError(std::string(e.what()) +
                      "\n  (fetch MNIST with `lenet data fetch`, or pass --data DIR)");
    }
}

CliObserver::CliObserver(EpochLines lines, bool bar, std::string logPath,
                         std::vector<EpochMetrics> history)
    : m_lines(lines), m_bar(bar), m_logPath(std::move(logPath)), m_history(std::move(history)) {}

void CliObserver::onProgress(const Progress& p) {
    if (!m_bar) return;
    const double done = (double(p.epoch - 1) + double(p.batch) / p.batches) / p.epochs;
    const int width = 30, filled = int(done * width);
    std::fprintf(stderr, "\r  epoch %d/%d [%s%s] %5.1f%%  %8.0f img/s  ETA %-8s", p.epoch, p.epochs,
                 std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(),
                 done * 100.0, p.imagesPerSecond, duration(p.eta).c_str());
    std::fflush(stderr);
}

void CliObserver::onEpoch(const EpochMetrics& m, const Network&) {
    clearBar();
    m_history.push_back(m);
    if (m_lines == EpochLines::Json) {
        std::cout << toJson(m).dump() << std::endl;
    } else if (m_lines == EpochLines::Text) {
        std::printf("epoch %3d  lr %-9.3g loss %-9.4f train error %-7s", m.epoch, m.lr, m.loss,
                    percent(m.trainError).c_str());
        if (m.validationError >= 0)
            std::printf("  validation %-7s", percent(m.validationError).c_str());
        if (m.testError >= 0) std::printf("  test error %-7s", percent(m.testError).c_str());
        std::printf("  %6.1f s  %7.0f img/s\n", m.seconds, m.imagesPerSecond);
        std::fflush(stdout);
    }
    if (!m_logPath.empty()) writeLog();
}

void CliObserver::onMessage(const std::string& text) {
    clearBar();
    std::fprintf(stderr, "%s\n", text.c_str());
}

void CliObserver::clearBar() const {
    if (m_bar) std::fprintf(stderr, "\r%90s\r", "");
}

void CliObserver::writeLog() const {
    std::ostringstream csv;
    const char* separator = "";
    const EpochMetrics columns;
    forEachMetric(columns, [&](const char* key, const auto&) {
        csv << std::exchange(separator, ",") << key;
    });
    csv << '\n';
    for (const auto& m : m_history) {
        separator = "";
        forEachMetric(m, [&](const char*, const auto& field) {
            csv << std::exchange(separator, ",") << field;
        });
        csv << '\n';
    }
    writeFileAtomically(m_logPath, csv.str());
}

CtrlCStop::CtrlCStop()
    : m_watcher([this](std::stop_token own) {
          while (!own.stop_requested()) {
              if (g_interrupted) {
                  m_source.request_stop();
                  return;
              }
              std::this_thread::sleep_for(std::chrono::milliseconds(50));
          }
      }) {
    std::signal(SIGINT, [](int) { g_interrupted = true; });
}

bool CtrlCStop::pressed() const {
    return g_interrupted;
}

RunOutcome runTraining(Network& net, const Dataset& train, const Dataset& test,
                       const TrainingConfig& config, CliObserver& observer,
                       const std::string& command, const std::string& checkpointPath,
                       const Checkpoint* resumeFrom, LayerStatsRecorder* layerStats) {
    Trainer trainer(net, train, &test, config);
    trainer.layerStats = layerStats;
    if (resumeFrom) {
        trainer.resume(*resumeFrom);
        observer.onMessage("resumed from epoch " + std::to_string(resumeFrom->state.epochsDone) +
                           " of " + std::to_string(config.epochs) + " (the last complete one)");
    }
    if (!checkpointPath.empty())
        trainer.saveState = checkpointWriter(checkpointPath, net, config, train, &test);
    const CtrlCStop ctrlC;
    RunOutcome outcome;
    const std::size_t before = observer.history().size();
    try {
        outcome.stopReason = trainer.run(observer, ctrlC.token()).stopReason;
    } catch (const DivergenceError& e) {
        observer.onMessage("lenet " + command + ": " + e.what());
        outcome.stopReason = "diverged";
        outcome.diverged = true;
    }
    outcome.interrupted = ctrlC.pressed();
    double images = 0.0;
    const auto& h = observer.history();
    for (std::size_t i = before; i < h.size(); ++i) {
        outcome.seconds += h[i].seconds;
        images += h[i].imagesPerSecond * h[i].seconds;
    }
    outcome.imagesPerSecond = outcome.seconds > 0 ? images / outcome.seconds : 0.0;
    return outcome;
}

}  // namespace lenet::cli
