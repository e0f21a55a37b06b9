// What the `lenet` commands share: argument parsing, the spec/variant/training options, data
// loading with a hint, the terminal observer, and one training run with Ctrl-C and divergence
// handled the same way for `train` and `compare`.
#pragma once

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

namespace lenet::cli {

/// A wrong command line: exit status 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// --key value pairs (or --key=value) and positional arguments.
struct Args {
    std::map<std::string, std::string> options;
    std::vector<std::string> positional;
    std::vector<std::string> flags;  // options without a value

    bool has(const std::string& k) const { return options.count(k) || hasFlag(k); }
    bool hasFlag(const std::string& k) const;
    std::string get(const std::string& k, const std::string& def = "") const;
    /// The integer value of option `k` (or `def` when absent); throws UsageError when invalid.
    int getInt(const std::string& k, int def) const;
};

/// Parses argv[first..]; the options named in `valueless` take no value.
Args parseArgs(int argc, char** argv, int first, const std::vector<std::string>& valueless);

std::string percent(double fraction);
std::string duration(double seconds);

/// --preset NAME or --spec FILE.json, with the variant options (--activation, --pooling, ...)
/// applied.
ArchitectureSpec specFromArgs(const Args& a);

/// The variant options (--activation, --pooling, --kernel, --channels, --fc, --head, --batchnorm,
/// --dropout) given in `a`.
VariantOptions variantFromArgs(const Args& a);

/// Applies the --key value training options (the JSON keys of TrainingConfig, '-' for '_') and
/// --init to `spec`. `ignored` lists further options the command handles itself.
void applyTrainingOptions(const Args& a, ArchitectureSpec& spec,
                          const std::vector<std::string>& ignored);

/// --data DIR or the default data folder.
std::string dataDir(const Args& a);

/// One split of the data set; a missing file's error says how to fetch MNIST.
Dataset loadData(const std::string& dir, Split split);

/// Terminal progress: a bar on stderr (when it is a terminal) and one line per epoch on stdout
/// (or one JSON object per epoch), optionally the run log as CSV.
class CliObserver : public TrainingObserver {
public:
    /// `history`: the epochs of the run done before (a resumed run), kept for the log and
    /// history().
    CliObserver(bool json, bool bar, std::string logPath, std::vector<EpochMetrics> history = {});

    void onProgress(const Progress& p) override;
    void onEpoch(const EpochMetrics& m, const Network&) override;
    void onMessage(const std::string& text) override;

    const std::vector<EpochMetrics>& history() const { return m_history; }

private:
    void clearBar() const;
    void writeLog() const;

    bool m_json;
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
/// throw ConfigError) and says so on stderr.
RunOutcome runTraining(Network& net, const Dataset& train, const Dataset& test,
                       const TrainingConfig& config, CliObserver& observer,
                       const std::string& command, const std::string& checkpointPath = {},
                       const Checkpoint* resumeFrom = nullptr);

}  // namespace lenet::cli
