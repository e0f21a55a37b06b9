#include "cli_support.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <stop_token>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

#include "lenet/error.h"
#include "lenet/file_io.h"
#include "lenet/model_io.h"
#include "lenet/presets.h"
#include "lenet/spec_json.h"

namespace lenet::cli {
namespace {

using nlohmann::json;

std::atomic<bool> g_interrupted{false};

/// The options that select a variant, handled by variantFromArgs.
const std::vector<std::string> kVariantOptions = {"activation", "pooling", "kernel",    "channels",
                                                  "fc",         "head",    "batchnorm", "dropout"};

std::vector<int> intList(const std::string& key, const std::string& value) {
    std::vector<int> values;
    std::stringstream in(value);
    std::string item;
    while (std::getline(in, item, ',')) {
        try {
            std::size_t used = 0;
            values.push_back(std::stoi(item, &used));
            if (used != item.size()) throw std::invalid_argument("trailing");
        } catch (const std::logic_error&) {
            throw UsageError("option --" + key + ": '" + value +
                             "' is not a comma-separated list of integers");
        }
    }
    if (values.empty()) throw UsageError("option --" + key + " needs at least one value");
    return values;
}

}  // namespace

bool Args::hasFlag(const std::string& k) const {
    return std::find(flags.begin(), flags.end(), k) != flags.end();
}

std::string Args::get(const std::string& k, const std::string& def) const {
    const auto it = options.find(k);
    return it == options.end() ? def : it->second;
}

int Args::getInt(const std::string& k, int def) const {
    if (!options.count(k)) return def;
    const std::string value = get(k);
    try {
        std::size_t used = 0;
        const int v = std::stoi(value, &used);
        if (used == value.size()) return v;
    } catch (const std::logic_error&) {
    }
    throw UsageError("option --" + k + ": '" + value + "' is not a valid integer");
}

Args parseArgs(int argc, char** argv, int first, const std::vector<std::string>& valueless) {
    Args a;
    for (int i = first; i < argc; ++i) {
        std::string s = argv[i];
        if (s.rfind("--", 0) == 0) {
            std::string key = s.substr(2), value;
            const auto eq = key.find('=');
            if (eq != std::string::npos) {
                value = key.substr(eq + 1);
                key = key.substr(0, eq);
                a.options[key] = value;
            } else if (std::find(valueless.begin(), valueless.end(), key) != valueless.end()) {
                a.flags.push_back(key);
            } else {
                if (i + 1 >= argc) throw UsageError("option --" + key + " needs a value");
                a.options[key] = argv[++i];
            }
        } else {
            a.positional.push_back(s);
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
    if (a.has("channels")) v.channels = intList("channels", a.get("channels"));
    if (a.has("fc")) v.fcWidths = intList("fc", a.get("fc"));
    if (a.has("head")) v.head = a.get("head");
    if (a.has("batchnorm")) {
        const std::string s = a.get("batchnorm");
        if (s != "on" && s != "off") throw UsageError("option --batchnorm: expected on or off");
        v.batchNorm = s == "on";
    }
    if (a.has("dropout")) {
        const std::string s = a.get("dropout");
        try {
            std::size_t used = 0;
            v.dropout = std::stof(s, &used);
            if (used != s.size()) throw std::invalid_argument("trailing");
        } catch (const std::logic_error&) {
            throw UsageError("option --dropout: '" + s + "' is not a valid number");
        }
    }
    return v;
}

ArchitectureSpec specFromArgs(const Args& a) {
    if (a.has("preset") == a.has("spec")) {
        throw UsageError("give exactly one of --preset NAME or --spec FILE.json");
    }
    const ArchitectureSpec base =
        a.has("preset") ? preset(a.get("preset")) : loadSpecFile(a.get("spec"));
    try {
        return applyVariant(base, variantFromArgs(a));
    } catch (const ConfigError& e) {
        throw UsageError(std::string("option --") + e.what());
    }
}

void applyTrainingOptions(const Args& a, ArchitectureSpec& spec,
                          const std::vector<std::string>& ignored) {
    json t = toJson(spec.training);
    for (const auto& [key, value] : a.options) {
        if (key == "init" || std::count(ignored.begin(), ignored.end(), key) ||
            std::count(kVariantOptions.begin(), kVariantOptions.end(), key)) {
            continue;
        }
        std::string k = key;
        std::replace(k.begin(), k.end(), '-', '_');
        if (!t.contains(k) || k == "distortion") throw UsageError("unknown option --" + key);
        json& field = t[k];
        try {
            std::size_t used = 0;
            if (field.is_boolean()) {
                if (value != "true" && value != "false") throw std::invalid_argument("bool");
                field = value == "true";
                used = value.size();
            } else if (field.is_number_integer() || field.is_number_unsigned()) {
                field = std::stoll(value, &used);
            } else if (field.is_number()) {
                field = std::stod(value, &used);
            } else {
                field = value;
                used = value.size();
            }
            if (used != value.size()) throw std::invalid_argument("trailing");
        } catch (const std::logic_error&) {
            throw UsageError("option --" + key + ": '" + value + "' is not a valid " +
                             (field.is_boolean()  ? "true/false"
                              : field.is_number() ? "number"
                                                  : "value"));
        }
    }
    if (a.hasFlag("distort")) t["distort"] = true;
    try {
        spec.training = trainingFromJson(t, "");
    } catch (const ConfigError& e) {
        throw UsageError(std::string("invalid option: ") + e.what());
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

CliObserver::CliObserver(bool json, bool bar, std::string logPath,
                         std::vector<EpochMetrics> history)
    : m_json(json), m_bar(bar), m_logPath(std::move(logPath)), m_history(std::move(history)) {}

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
    if (m_json) {
        std::cout << toJson(m).dump() << std::endl;
    } else {
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
                       const Checkpoint* resumeFrom) {
    Trainer trainer(net, train, &test, config);
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
