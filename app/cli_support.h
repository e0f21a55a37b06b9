// What the `lenet` commands share: their options (declared on CLI11 apps) and the checked
// reading of their values, the spec/variant/training options, data loading with a hint, the
// terminal observer, and one training run with Ctrl-C and divergence handled the same way for
// `train` and `compare`.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "lenet/checkpoint.h"
#include "lenet/data/idx.h"
#include "lenet/network.h"
#include "lenet/spec.h"
#include "lenet/trainer.h"
#include "lenet/variant.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace lenet::cli {

/// A wrong command line: exit status 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// What the command line gave a command, as CLI11 parsed it against the command's declared
/// options: each option given, by its name without "--" (a flag's value is its word:
/// "true" when bare), the positional arguments and the name of the chosen subcommand.
struct Args {
    std::map<std::string, std::string> options;
    /// Every value of each option, in the order given: --grid comes once per key.
    std::map<std::string, std::vector<std::string>> allValues;
    std::vector<std::string> positional;
    std::string subcommand;  // `lenet data fetch`: "fetch"

    bool has(const std::string& k) const { return options.count(k) != 0; }
    std::string get(const std::string& k, const std::string& def = "") const;
    /// The integer value of option `k` (or `def` when absent); throws UsageError when invalid.
    int getInt(const std::string& k, int def) const;
    /// The value of flag `k`: false when absent; throws UsageError when not a boolean word.
    bool flag(const std::string& k) const;
};

/// `text`, the value of option `flag` ("--lr"), as the option's type: a boolean is one of
/// true/false/1/0/yes/no/on/off, a number has nothing after it, is finite and fits the type.
/// Throws UsageError naming the option and the value ("--lr: nan is not a finite number").
void parseValue(const std::string& flag, const std::string& text, bool& out);
void parseValue(const std::string& flag, const std::string& text, int& out);
void parseValue(const std::string& flag, const std::string& text, std::uint64_t& out);
void parseValue(const std::string& flag, const std::string& text, float& out);
void parseValue(const std::string& flag, const std::string& text, std::string& out);

/// True when `word` is one of the boolean words parseValue takes.
bool isBooleanWord(const std::string& word);

/// The word of `candidates` nearest to `word` by edit distance (a swap of two neighbouring
/// letters counts once), or "" when none is close enough to be a likely typo.
std::string nearest(const std::string& word, const std::vector<std::string>& candidates);

/// Declares `--name` on `app`: an option with a value, described by `type` ("FILE", "N",
/// "a|b|c") and `help`. Every value is taken as text and checked where the command reads it.
CLI::Option* addOption(CLI::App& app, const std::string& name, const std::string& type,
                       const std::string& help);
/// Declares the boolean flag `--name`: bare it means true; --name=WORD or --name WORD with a
/// boolean word sets it.
CLI::Option* addFlag(CLI::App& app, const std::string& name, const std::string& help);
/// Declares the positional arguments of `app`, described as `type` ("IMAGE").
CLI::Option* addPositionals(CLI::App& app, const std::string& type, const std::string& help);
/// --preset NAME and --spec FILE.json.
void addSpecOptions(CLI::App& app);
/// The variant options: --activation, --pooling, --kernel, --channels, --fc, --head,
/// --batchnorm, --dropout.
void addVariantOptions(CLI::App& app);
/// The training options: every key of TrainingConfig ('-' for '_'; forEachTrainingField),
/// --init, and the distortion's magnitudes: --max-shift, --max-rotation, --max-scale, --max-shear,
/// --elastic-alpha and --elastic-sigma.
void addTrainingOptions(CLI::App& app);
/// The names (without "--") of the options addVariantOptions and addTrainingOptions declare:
/// what `lenet compare` takes after a ':'.
std::vector<std::string> variantAndTrainingOptions();

/// The options and positional arguments CLI11 parsed into `app` (a parsed subcommand).
Args parsedArgs(const CLI::App& app);

std::string percent(double fraction);
std::string duration(double seconds);

/// --preset NAME or --spec FILE.json, with the variant options (--activation, --pooling, ...)
/// applied.
ArchitectureSpec specFromArgs(const Args& a);

/// The variant options (--activation, --pooling, --kernel, --channels, --fc, --head, --batchnorm,
/// --dropout) given in `a`.
VariantOptions variantFromArgs(const Args& a);

/// Applies the --key value training options (the JSON keys of TrainingConfig, '-' for '_'),
/// --init and the distortion's magnitudes (--max-shift ... --elastic-sigma) to `spec`, then checks
/// the settings (validate(): UsageError naming the option and its range).
void applyTrainingOptions(const Args& a, ArchitectureSpec& spec);

/// --data DIR or the default data folder.
std::string dataDir(const Args& a);

/// One split of the data set; a missing file's error says how to fetch MNIST.
Dataset loadData(const std::string& dir, Split split);

/// What CliObserver prints on stdout after each epoch.
enum class EpochLines {
    Text,  // one line of figures
    Json,  // one JSON object
    None,  // nothing (runs side by side: their caller reports each run when it ends)
};

/// Terminal progress: a bar on stderr (when it is a terminal) and one line per epoch on stdout
/// (or one JSON object per epoch, or nothing), optionally the run log as CSV.
class CliObserver : public TrainingObserver {
public:
    /// `history`: the epochs of the run done before (a resumed run), kept for the log and
    /// history().
    CliObserver(EpochLines lines, bool bar, std::string logPath,
                std::vector<EpochMetrics> history = {});

    void onProgress(const Progress& p) override;
    void onEpoch(const EpochMetrics& m, const Network&) override;
    void onMessage(const std::string& text) override;

    const std::vector<EpochMetrics>& history() const { return m_history; }

private:
    void clearBar() const;
    void writeLog() const;

    EpochLines m_lines;
    bool m_bar;
    std::string m_logPath;
    std::vector<EpochMetrics> m_history;
};

/// From its construction on, Ctrl-C (SIGINT) requests a stop of token() instead of ending the
/// program.
class CtrlCStop {
public:
    CtrlCStop();
    std::stop_token token() const { return m_source.get_token(); }
    /// True once Ctrl-C was pressed.
    bool pressed() const;

private:
    std::stop_source m_source;
    std::jthread m_watcher;  // last: stopped and joined before m_source goes
};

/// How one run ended.
struct RunOutcome {
    std::string
        stopReason;         // empty when all epochs ran; "stopped", "diverged", "early stopping..."
    bool diverged = false;  // the last good weights are in the network
    bool interrupted = false;  // Ctrl-C
    double seconds = 0.0;      // training time over the epochs, evaluations excluded
    double imagesPerSecond = 0.0;
};

/// Trains `net` with `config`, stopping cleanly at the next batch on Ctrl-C. A divergence is
/// reported on stderr as "lenet <command>: ..." and in the outcome (not thrown). With
/// `checkpointPath` not empty, writes a checkpoint there after every epoch. With `resumeFrom`,
/// continues that checkpoint's run (its weights are copied into `net`; Trainer::resume's checks
/// throw ConfigError) and says so on stderr. `layerStats` (when given) becomes the trainer's.
RunOutcome runTraining(Network& net, const Dataset& train, const Dataset& test,
                       const TrainingConfig& config, CliObserver& observer,
                       const std::string& command, const std::string& checkpointPath = {},
                       const Checkpoint* resumeFrom = nullptr,
                       LayerStatsRecorder* layerStats = nullptr);

}  // namespace lenet::cli
