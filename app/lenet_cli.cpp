// `lenet`: the headless command line of LeNet Studio: presets, train, eval, predict, inspect.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "lenet/data/idx.h"
#include "lenet/data/preprocess.h"
#include "lenet/error.h"
#include "lenet/file_io.h"
#include "lenet/loss.h"
#include "lenet/model_io.h"
#include "lenet/network.h"
#include "lenet/presets.h"
#include "lenet/trainer.h"

namespace {

using nlohmann::json;
using namespace lenet;

constexpr const char* kUsage =
    R"(lenet - train and use LeNet-5 and its variants (LeNet Studio's command line)

Usage:
  lenet presets
  lenet train (--preset NAME | --spec FILE.json) [options]
  lenet eval --model FILE [--data DIR] [--threads T] [--test-limit N] [--json]
  lenet predict --model FILE [--json] IMAGE...
  lenet inspect (--model FILE | --preset NAME | --spec FILE.json)

Train options (each also a key of the spec's "training" object, '-' for '_'):
  --epochs N  --batch B  --lr X  --optimizer sgd|momentum|nesterov|adam|rmsprop|sdlm
  --schedule constant|step|cosine|lecun1998  --step-epochs N  --step-gamma X  --min-lr X
  --momentum X  --beta1 X  --beta2 X  --rms-decay X  --epsilon X  --sdlm-mu X  --sdlm-samples N
  --l1 X  --l2 X  --weight-decay X  --seed S  --threads T (0 = all cores)
  --validation F  --patience N  --distort true|false  --train-limit N  --test-limit N
  --init lecun_uniform|xavier|he   (architecture initialisation)
  --data DIR     IDX folder (default: the setup script's data/mnist, or $LENET_DATA)
  --out MODEL    save the trained model (written atomically)
  --log RUN.csv  per-epoch metrics as CSV
  --json         one JSON object per epoch and a final summary on stdout

Exit status: 0 on success, 1 on any error (one message on stderr naming the file or option),
2 on a usage error, 3 when training diverged (NaN/Inf; the last good weights are kept).
)";

std::atomic<bool> g_interrupted{false};

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// --key value pairs and positional arguments.
struct Args {
    std::map<std::string, std::string> options;
    std::vector<std::string> positional;
    std::vector<std::string> flags;  // options without a value

    bool has(const std::string& k) const { return options.count(k) || hasFlag(k); }
    bool hasFlag(const std::string& k) const {
        return std::find(flags.begin(), flags.end(), k) != flags.end();
    }
    std::string get(const std::string& k, const std::string& def = "") const {
        const auto it = options.find(k);
        return it == options.end() ? def : it->second;
    }
};

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

ArchitectureSpec specFromArgs(const Args& a) {
    if (a.has("preset") == a.has("spec")) {
        throw UsageError("give exactly one of --preset NAME or --spec FILE.json");
    }
    return a.has("preset") ? preset(a.get("preset")) : loadSpecFile(a.get("spec"));
}

/// Applies --key value options to the training config by the JSON keys of TrainingConfig.
void applyTrainingOptions(const Args& a, ArchitectureSpec& spec) {
    json t = toJson(spec.training);
    static const std::vector<std::string> other = {"preset", "spec", "data", "out", "log", "init"};
    for (const auto& [key, value] : a.options) {
        if (std::find(other.begin(), other.end(), key) != other.end()) continue;
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
                      "\n  (fetch MNIST with scripts/setup.sh --no-run, or pass --data DIR)");
    }
}

/// Terminal progress: a bar on stderr (when it is a terminal) and one line per epoch on stdout.
class CliObserver : public TrainingObserver {
public:
    CliObserver(bool json, bool bar, std::string logPath)
        : m_json(json), m_bar(bar), m_logPath(std::move(logPath)) {}

    void onProgress(const Progress& p) override {
        if (!m_bar) return;
        const double done = (double(p.epoch - 1) + double(p.batch) / p.batches) / p.epochs;
        const int width = 30, filled = int(done * width);
        std::fprintf(stderr, "\r  epoch %d/%d [%s%s] %5.1f%%  %8.0f img/s  ETA %-8s", p.epoch,
                     p.epochs, std::string(filled, '#').c_str(),
                     std::string(width - filled, '.').c_str(), done * 100.0, p.imagesPerSecond,
                     duration(p.eta).c_str());
        std::fflush(stderr);
    }

    void onEpoch(const EpochMetrics& m, const Network&) override {
        if (m_bar) std::fprintf(stderr, "\r%90s\r", "");
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

    void onMessage(const std::string& text) override {
        if (m_bar) std::fprintf(stderr, "\r%90s\r", "");
        std::fprintf(stderr, "%s\n", text.c_str());
    }

    const std::vector<EpochMetrics>& history() const { return m_history; }

private:
    void writeLog() const {
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

    bool m_json;
    bool m_bar;
    std::string m_logPath;
    std::vector<EpochMetrics> m_history;
};

int cmdPresets() {
    for (const auto& name : presetNames()) {
        const ArchitectureSpec s = preset(name);
        const Network net(s);
        std::printf("%-24s %7d params  %s\n", name.c_str(), net.parameterCount(),
                    s.description.c_str());
    }
    return 0;
}

int cmdTrain(const Args& a) {
    ArchitectureSpec spec = specFromArgs(a);
    applyTrainingOptions(a, spec);
    const TrainingConfig& cfg = spec.training;
    Network net(spec);
    net.initialize(cfg.seed);
    const std::string dir = dataDir(a);
    const Dataset train = loadData(dir, Split::Train);
    const Dataset test = loadData(dir, Split::Test);
    const bool jsonOut = a.hasFlag("json");
    const bool bar = ::isatty(STDERR_FILENO);
    if (!jsonOut) {
        std::printf("training %s (%d parameters) on %d images from %s, testing on %d\n",
                    spec.name.c_str(), net.parameterCount(),
                    cfg.trainLimit ? std::min(cfg.trainLimit, train.size()) : train.size(),
                    dir.c_str(),
                    cfg.testLimit ? std::min(cfg.testLimit, test.size()) : test.size());
        std::printf("optimizer %s, lr %g (%s), batch %d, %d epochs, seed %llu, %s threads%s\n",
                    cfg.optimizer.c_str(), cfg.lr, cfg.schedule.c_str(), cfg.batch, cfg.epochs,
                    (unsigned long long)cfg.seed,
                    cfg.threads ? std::to_string(cfg.threads).c_str() : "all",
                    cfg.distort ? ", distortions on" : "");
    }
    CliObserver observer(jsonOut, bar, a.get("log"));
    Trainer trainer(net, train, &test, cfg);

    std::stop_source stopSource;
    std::signal(SIGINT, [](int) { g_interrupted = true; });
    std::jthread watcher([&](std::stop_token own) {
        while (!own.stop_requested()) {
            if (g_interrupted) {
                stopSource.request_stop();
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });

    int status = 0;
    std::string stopReason;
    try {
        stopReason = trainer.run(observer, stopSource.get_token()).stopReason;
    } catch (const DivergenceError& e) {
        std::fprintf(stderr, "%slenet train: %s\n", bar ? "\n" : "", e.what());
        stopReason = "diverged";
        status = 3;
    }
    const auto& h = observer.history();
    double seconds = 0.0, images = 0.0;
    for (const auto& m : h) {
        seconds += m.seconds;
        images += m.imagesPerSecond * m.seconds;
    }
    if (a.has("out") && (!h.empty() || status == 3)) {
        saveModel(a.get("out"), net, h);
        if (!jsonOut) std::printf("saved %s\n", a.get("out").c_str());
    }
    if (!stopReason.empty() && status == 0)
        std::fprintf(stderr, "run ended: %s\n", stopReason.c_str());
    const double testError = h.empty() ? -1.0 : h.back().testError;
    if (jsonOut) {
        std::cout << json{{"preset", spec.name},
                          {"epochs", int(h.size())},
                          {"test_error", testError},
                          {"train_error", h.empty() ? -1.0 : h.back().trainError},
                          {"train_seconds", seconds},
                          {"images_per_second", seconds > 0 ? images / seconds : 0.0},
                          {"parameters", net.parameterCount()},
                          {"batch", cfg.batch},
                          {"threads", cfg.threads},
                          {"stop_reason", stopReason}}
                         .dump()
                  << std::endl;
    } else if (!h.empty()) {
        std::printf("done: %s, %zu epochs, test error %s, %.1f s training, %.0f img/s\n",
                    spec.name.c_str(), h.size(), percent(testError).c_str(), seconds,
                    seconds > 0 ? images / seconds : 0.0);
    }
    return status;
}

int cmdEval(const Args& a) {
    if (!a.has("model")) throw UsageError("eval needs --model FILE");
    Model model = loadModel(a.get("model"));
    const Dataset test = loadData(dataDir(a), Split::Test);
    const int limit = a.has("test-limit") ? std::stoi(a.get("test-limit")) : 0;
    const int threads = a.has("threads") ? std::stoi(a.get("threads")) : 0;
    const auto t0 = std::chrono::steady_clock::now();
    const Evaluation ev =
        evaluate(model.network, test, threads, {0, limit > 0 ? std::min(limit, test.size()) : 0});
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const int k = ev.classes;
    if (a.hasFlag("json")) {
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
    const InputFormat format = net.spec().inputFormat();
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
        Tensor input(1, net.inputShape());
        toInput(ink, format, input.data());
        const Tensor& out = net.forward(input, ws, Context{});
        std::vector<float> scores(k);
        classScores(net.spec().loss, out.data(), k, scores.data());
        const int cls = predictClass(net.spec().loss, out.data(), k);
        if (a.hasFlag("json")) {
            std::cout << json{{"image", path},
                              {"class", cls},
                              {"scores", scores},
                              {"outputs", std::vector<float>(out.data(), out.data() + k)}}
                             .dump()
                      << std::endl;
        } else {
            std::printf("%s: %d  (", path.c_str(), cls);
            for (int i = 0; i < k; ++i) std::printf("%s%d:%.3f", i ? " " : "", i, scores[i]);
            std::printf(")\n");
        }
    }
    return 0;
}

int cmdInspect(const Args& a) {
    if (a.has("model")) {
        const Model m = loadModel(a.get("model"));
        std::printf("%s: %s\n%s", a.get("model").c_str(), m.network.spec().name.c_str(),
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
    std::printf("%s: %s\n%s", net.spec().name.c_str(), net.spec().description.c_str(),
                describe(net).c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" ||
        std::string(argv[1]) == "help") {
        std::fputs(kUsage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const std::string cmd = argv[1];
    try {
        const Args a = parseArgs(argc, argv, 2, {"json", "distort"});
        if (cmd == "presets") return cmdPresets();
        if (cmd == "train") return cmdTrain(a);
        if (cmd == "eval") return cmdEval(a);
        if (cmd == "predict") return cmdPredict(a);
        if (cmd == "inspect") return cmdInspect(a);
        throw UsageError("unknown command '" + cmd + "'");
    } catch (const UsageError& e) {
        std::fprintf(stderr, "lenet %s: %s (see lenet --help)\n", cmd.c_str(), e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "lenet %s: %s\n", cmd.c_str(), e.what());
        return 1;
    }
}
