#include "lenet/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <initializer_list>
#include <numeric>
#include <optional>
#include <random>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "lenet/error.h"
#include "lenet/evaluate.h"
#include "lenet/layer_stats.h"
#include "lenet/loss.h"
#include "lenet/optimizer.h"
#include "lenet/parallel.h"
#include "lenet/spec_json.h"
#include "lenet/text.h"

namespace lenet {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::vector<std::vector<float>> copyValues(const std::vector<Param*>& params) {
    std::vector<std::vector<float>> v;
    for (const Param* p : params) v.push_back(p->value);
    return v;
}

void restoreValues(const std::vector<Param*>& params, const std::vector<std::vector<float>>& v) {
    for (std::size_t i = 0; i < params.size(); ++i) params[i]->value = v[i];
}

// The optimiser checks the weights it updates; running statistics (batch norm) are checked here.
bool finiteStatistics(const std::vector<Param*>& params) {
    for (const Param* p : params) {
        if (p->trainable) continue;
        for (float v : p->value) {
            if (!std::isfinite(v)) return false;
        }
    }
    return true;
}

// A loss this many times the first batch's is a run that has blown up, even while it is finite.
constexpr double kExplodedLossFactor = 1e4;

std::string formatRate(double lr) {
    std::ostringstream s;
    s << lr;
    return s.str();
}

// `j` without the keys in `drop`.
nlohmann::json without(nlohmann::json j, std::initializer_list<const char*> drop) {
    for (const char* key : drop) j.erase(key);
    return j;
}

std::string describeData(const DataIdentity& d) {
    std::ostringstream s;
    s << d.size << " images of " << d.rows << "x" << d.cols << " from " << d.source << " (checksum "
      << std::hex << d.checksum << ")";
    return s.str();
}

// Throws ConfigError when `given` is not the data set `saved` describes.
void checkSameData(const char* which, const DataIdentity& saved, const DataIdentity& given) {
    if (saved.size == given.size && saved.rows == given.rows && saved.cols == given.cols &&
        saved.checksum == given.checksum) {
        return;
    }
    throw ConfigError(std::string("the checkpoint was trained with a ") + which + " set of " +
                      describeData(saved) + ", but the " + which + " set given has " +
                      describeData(given) + "; resume with the same data");
}

}  // namespace

void TrainingControl::pause() {
    const std::lock_guard lock(m_mutex);
    m_paused = true;
}

void TrainingControl::resume() {
    {
        const std::lock_guard lock(m_mutex);
        m_paused = false;
        m_steps = 0;
    }
    m_wake.notify_all();
}

void TrainingControl::step() {
    {
        const std::lock_guard lock(m_mutex);
        m_paused = true;
        ++m_steps;
    }
    m_wake.notify_all();
}

bool TrainingControl::isPaused() const {
    const std::lock_guard lock(m_mutex);
    return m_paused;
}

void TrainingControl::setLearningRate(float rate) {
    const std::lock_guard lock(m_mutex);
    m_learningRate = rate;
}

bool TrainingControl::mayRun() {
    if (!m_paused) return true;
    if (m_steps == 0) return false;
    --m_steps;
    return true;
}

bool TrainingControl::awaitBatch(std::stop_token stop, const std::function<void()>& beforeWaiting) {
    std::unique_lock lock(m_mutex);
    if (mayRun()) return !stop.stop_requested();
    lock.unlock();
    beforeWaiting();
    lock.lock();
    return m_wake.wait(lock, stop, [this] { return mayRun(); });
}

std::optional<float> TrainingControl::takeLearningRate() {
    const std::lock_guard lock(m_mutex);
    return std::exchange(m_learningRate, std::nullopt);
}

Trainer::Trainer(Network& net, const Dataset& train, const Dataset* test, TrainingConfig config)
    : m_net(net), m_data(train), m_test(test), m_cfg(std::move(config)) {
    validate(m_cfg);
    const Shape in = net.inputShape();
    if (in.c != 1) {
        throw ConfigError(printable(net.spec().name) + ": the input has " + std::to_string(in.c) +
                          " channels; the IDX data sets are grey images (1 channel)");
    }
    for (const Dataset* d : {&train, test}) {
        if (!d) continue;
        checkLabels(*d, net.classes());
        if (d->rows > in.h || d->cols > in.w) {
            throw ConfigError(d->source + " has " + std::to_string(d->rows) + "x" +
                              std::to_string(d->cols) + " images; the network takes " +
                              std::to_string(in.h) + "x" + std::to_string(in.w));
        }
    }
    const int total =
        m_cfg.trainLimit > 0 ? std::min(m_cfg.trainLimit, train.size()) : train.size();
    const int held = int(std::round(total * double(m_cfg.validation)));
    if (total - held < 1) throw ConfigError("the training set is empty after the validation split");
    m_trainRange = {0, total - held};
    m_validationRange = {total - held, total};
    if (test) {
        const int t = m_cfg.testLimit > 0 ? std::min(m_cfg.testLimit, test->size()) : test->size();
        m_testRange = {0, t};
    }
}

/// One call of Trainer::run: the run's state (the TrainingState it continues from and carries
/// forward, and what lives only while it runs) and its steps. Made and used inside the run's
/// ThreadArena.
class Trainer::Run {
public:
    Run(const Trainer& trainer, TrainingObserver& observer, std::stop_token stop,
        TrainingControl* control);

    /// The epochs from the state's epochsDone on.
    TrainResult epochs();

private:
    /// What the batches of the epoch in progress add up to.
    struct EpochTotals {
        double lossSum = 0.0;
        long long errors = 0;
        long long seen = 0;  // samples trained
    };

    void startEpoch();
    void curvaturePass();
    EpochTotals trainBatches();
    bool mayTrain(int b);
    void guardedBatch(int b, EpochTotals& totals);
    std::string stepOrProblem(double meanLoss);
    [[noreturn]] void diverged(int b, const std::string& problem);
    void keepLastGood(std::string where);
    void endEpoch(const EpochTotals& totals);
    void earlyStopping(const EpochMetrics& m);
    void report(int b);

    const Trainer& m_trainer;
    const TrainingConfig& m_cfg;
    Network& m_net;
    const Dataset& m_data;
    TrainingObserver& m_observer;
    std::stop_token m_stop;
    TrainingControl* m_control;

    // Fixed for the run.
    const int m_nTrain;
    const int m_batch;  // samples per batch
    const int m_batches;
    const InputFormat m_format;
    const Distortion* m_distortion;  // null when not distorting
    const std::vector<Param*> m_params;

    TrainingState m_state;  // what the run continues from; complete at each complete epoch's end
    Optimizer m_optimizer;
    Workspace m_ws;
    ParamArrays m_grads;
    Tensor m_input;
    std::vector<std::uint8_t> m_labels;
    std::vector<int> m_order;  // the samples of m_trainRange in this epoch's order
    std::mt19937 m_shuffleRng;
    ParamArrays m_lastGood;  // the last weights known to give a finite loss
    std::string m_lastGoodWhere;
    Clock::time_point m_lastGoodTime;

    // Time and progress; paused time is taken out of m_runStart and m_epochStart.
    Clock::time_point m_runStart;
    Clock::time_point m_lastReport;
    Clock::time_point m_epochStart;
    double m_trainSeconds = 0.0;  // training time of the epochs before this one
    long long m_imagesDone;
    const long long m_imagesTotal;
    Progress m_progress;

    // The epoch in progress.
    int m_epoch = 0;  // 0-based
    float m_lr = 0.0f;
};

Trainer::Run::Run(const Trainer& trainer, TrainingObserver& observer, std::stop_token stop,
                  TrainingControl* control)
    : m_trainer(trainer),
      m_cfg(trainer.m_cfg),
      m_net(trainer.m_net),
      m_data(trainer.m_data),
      m_observer(observer),
      m_stop(std::move(stop)),
      m_control(control),
      m_nTrain(trainer.m_trainRange.size()),
      m_batch(std::min(m_cfg.batch, m_nTrain)),
      m_batches((m_nTrain + m_batch - 1) / m_batch),
      m_format(m_net.spec().inputFormat()),
      m_distortion(m_cfg.distort ? &m_cfg.distortion : nullptr),
      m_params(m_net.params()),
      m_state(trainer.m_start),
      m_optimizer(m_cfg),
      m_grads(m_net.makeParamArrays()),
      m_order(m_nTrain),
      m_shuffleRng(std::uint32_t(m_cfg.seed ^ (m_cfg.seed >> 32))),
      m_lastGood(copyValues(m_params)),
      m_lastGoodWhere(m_state.epochsDone > 0
                          ? "the weights at the end of epoch " + std::to_string(m_state.epochsDone)
                          : "the weights the run started with"),
      m_lastGoodTime(Clock::now()),
      m_runStart(Clock::now()),
      m_lastReport(m_runStart),
      m_imagesDone((long long)m_nTrain * m_state.epochsDone),
      m_imagesTotal((long long)m_nTrain * m_cfg.epochs) {
    m_optimizer.restore(m_state.optimizer);
    std::iota(m_order.begin(), m_order.end(), trainer.m_trainRange.begin);
    // Each epoch shuffles the previous epoch's order: a resumed run replays those shuffles.
    for (int e = 0; e < m_state.epochsDone; ++e)
        std::shuffle(m_order.begin(), m_order.end(), m_shuffleRng);
    for (const EpochMetrics& m : m_state.history) m_trainSeconds += m.seconds;
    m_progress.epochs = m_cfg.epochs;
    m_progress.batches = m_batches;
}

TrainResult Trainer::Run::epochs() {
    for (m_epoch = m_state.epochsDone; m_epoch < m_cfg.epochs && m_state.stopReason.empty();
         ++m_epoch) {
        startEpoch();
        const EpochTotals totals = trainBatches();
        if (totals.seen == 0) break;
        endEpoch(totals);
    }
    return {std::move(m_state.history), std::move(m_state.stopReason)};
}

void Trainer::Run::startEpoch() {
    // The schedule, scaled from the point where a TrainingControl overrode the rate.
    m_lr = float(scheduledLr(m_cfg, m_epoch, m_cfg.epochs) * m_state.lrScale);
    std::shuffle(m_order.begin(), m_order.end(), m_shuffleRng);
    m_epochStart = Clock::now();
    if (optimizerKind(m_cfg.optimizer).needsCurvature) {
        curvaturePass();
        if (LayerStatsRecorder* stats = m_trainer.layerStats; stats && stats->enabled())
            stats->setStepSizes(m_net, m_optimizer.state().s1, m_lr);
    }
    m_progress.epoch = m_epoch + 1;
}

// LeCun 1998: h re-estimated on a few hundred samples before each pass.
void Trainer::Run::curvaturePass() {
    const int samples = std::min(m_cfg.sdlmSamples, m_nTrain);
    ParamArrays sum = m_net.makeParamArrays(), part;
    for (int first = 0; first < samples; first += 100) {
        const int n = std::min(100, samples - first);
        m_input.resize(n, m_net.inputShape());
        fillBatch(m_data, m_order, first, n, m_format, nullptr, 0, m_input, m_labels);
        m_net.curvatureBatch(m_input, m_labels, m_ws, part);
        for (std::size_t p = 0; p < sum.size(); ++p) {
            for (std::size_t i = 0; i < sum[p].size(); ++i) sum[p][i] += part[p][i];
        }
    }
    for (auto& a : sum) {
        for (float& v : a) v /= float(samples);
    }
    m_optimizer.setCurvature(sum);
}

// The epoch's batches, until a stop request.
Trainer::Run::EpochTotals Trainer::Run::trainBatches() {
    EpochTotals totals;
    for (int b = 0; b < m_batches; ++b) {
        if (!mayTrain(b)) {
            m_state.stopReason = "stopped";
            break;
        }
        m_progress.lr = m_lr;
        guardedBatch(b, totals);
        if (secondsSince(m_lastGoodTime) > 2.0) {
            keepLastGood("the weights of epoch " + std::to_string(m_epoch + 1) + ", batch " +
                         std::to_string(b + 1));
        }
        if (secondsSince(m_lastReport) >= m_trainer.progressInterval || b + 1 == m_batches)
            report(b + 1);
    }
    return totals;
}

// False when the run is to stop before batch `b`. With a TrainingControl, waits while it pauses
// the run (reporting the batches not reported yet first) and takes its learning rate.
bool Trainer::Run::mayTrain(int b) {
    if (!m_control) return !m_stop.stop_requested();
    const Clock::time_point pauseStart = Clock::now();
    const bool go = m_control->awaitBatch(m_stop, [&] {
        if (!m_progress.batchLosses.empty()) report(b);
    });
    // Paused time is not training time.
    const Clock::duration paused = Clock::now() - pauseStart;
    m_runStart += paused;
    m_epochStart += paused;
    if (!go) return false;
    if (const std::optional<float> chosen = m_control->takeLearningRate()) {
        // Later epochs follow the schedule from the chosen rate.
        m_state.lrScale = double(*chosen) / scheduledLr(m_cfg, m_epoch, m_cfg.epochs);
        m_lr = *chosen;
    }
    return true;
}

// Trains batch `b` of the epoch and takes the optimiser's step, or throws DivergenceError.
void Trainer::Run::guardedBatch(int b, EpochTotals& totals) {
    const int first = b * m_batch;
    const int n = std::min(m_batch, m_nTrain - first);
    m_input.resize(n, m_net.inputShape());
    fillBatch(m_data, m_order, first, n, m_format, m_distortion,
              mixSeed(m_cfg.seed, std::uint64_t(m_epoch) + 1), m_input, m_labels);
    Context ctx;
    ctx.training = true;
    ctx.seed = mixSeed(m_cfg.seed, std::uint64_t(m_state.step) + 0x5eed);
    const BatchResult r = m_net.trainBatch(m_input, m_labels, m_ws, m_grads, ctx);
    const double meanLoss = r.lossSum / n;
    if (m_state.step == 0) m_state.firstLoss = meanLoss;
    LayerStatsRecorder* stats = m_trainer.layerStats;
    const bool sampled = stats && stats->samples(m_state.step, m_batch);
    if (sampled) stats->beforeStep(m_net);
    const std::string problem = stepOrProblem(meanLoss);
    if (!problem.empty()) diverged(b, problem);
    if (sampled) stats->afterStep(m_epoch + 1, m_state.step + 1, m_net, m_ws, m_grads);
    totals.lossSum += r.lossSum;
    totals.errors += r.errors;
    totals.seen += n;
    m_imagesDone += n;
    ++m_state.step;
    m_progress.batchLosses.push_back(float(meanLoss));
}

// The divergence guard: takes the optimiser's step unless the batch's mean loss shows that the
// run has diverged; says what went wrong, or nothing.
std::string Trainer::Run::stepOrProblem(double meanLoss) {
    if (!std::isfinite(meanLoss)) return "the loss is " + std::to_string(meanLoss);
    if (meanLoss > kExplodedLossFactor * (std::abs(m_state.firstLoss) + 1.0)) {
        return "the loss exploded to " + formatRate(meanLoss) + " (it started at " +
               formatRate(m_state.firstLoss) + ")";
    }
    if (!m_optimizer.step(m_params, m_grads, m_lr) || !finiteStatistics(m_params))
        return "a weight became NaN/Inf";
    return {};
}

// Restores the last good weights and throws DivergenceError saying what went wrong in batch `b`;
// FormatError when it is the first batch after a resume: then the checkpoint is at fault, not
// the learning rate.
void Trainer::Run::diverged(int b, const std::string& problem) {
    restoreValues(m_params, m_lastGood);
    const TrainingState& start = m_trainer.m_start;
    if (start.epochsDone > 0 && m_state.step == start.step) {
        throw FormatError(m_trainer.m_resumedFrom +
                          ": the checkpoint is damaged: the first batch "
                          "after resuming it (epoch " +
                          std::to_string(m_epoch + 1) + ", batch " + std::to_string(b + 1) +
                          ") diverged: " + problem +
                          ". Resume from an earlier checkpoint or train again; nothing was "
                          "written");
    }
    std::ostringstream msg;
    msg << "training diverged in epoch " << m_epoch + 1 << ", batch " << b + 1 << ": " << problem
        << " at learning rate " << m_lr << ". Restored " << m_lastGoodWhere
        << " (the last known good ones). Try a lower learning rate, e.g. "
        << formatRate(m_cfg.lr / 10) << ".";
    throw DivergenceError(msg.str());
}

// The network's weights become the last good ones, `where` says which they are.
void Trainer::Run::keepLastGood(std::string where) {
    m_lastGood = copyValues(m_params);
    m_lastGoodWhere = std::move(where);
    m_lastGoodTime = Clock::now();
}

// The epoch's metrics and evaluations, early stopping and, after a complete epoch, saveState.
void Trainer::Run::endEpoch(const EpochTotals& totals) {
    EpochMetrics m;
    m.epoch = m_epoch + 1;
    m.seconds = secondsSince(m_epochStart);
    m_trainSeconds += m.seconds;
    m.loss = totals.lossSum / double(totals.seen);
    m.trainError = double(totals.errors) / double(totals.seen);
    m.imagesPerSecond = totals.seen / m.seconds;
    m.lr = m_lr;
    keepLastGood("the weights at the end of epoch " + std::to_string(m_epoch + 1));
    if (m_trainer.m_validationRange.size() > 0) {
        m.validationError =
            evaluate(m_net, m_data, m_cfg.threads, m_trainer.m_validationRange).error();
    }
    if (m_trainer.m_test && m_trainer.m_testRange.size() > 0) {
        const Evaluation ev =
            evaluate(m_net, *m_trainer.m_test, m_cfg.threads, m_trainer.m_testRange);
        m.testError = ev.error();
        m.testLoss = ev.loss;
    }
    m_state.history.push_back(m);
    if (LayerStatsRecorder* stats = m_trainer.layerStats; stats && stats->enabled())
        stats->endEpoch(m_epoch + 1, m_net);
    m_observer.onEpoch(m, m_net);
    if (m_cfg.patience > 0) earlyStopping(m);
    if (totals.seen < m_nTrain) return;
    m_state.epochsDone = m_epoch + 1;
    if (!m_trainer.saveState) return;
    m_state.optimizer = m_optimizer.state();  // the optimiser's buffers: copied only to be saved
    m_trainer.saveState(m_state);
}

// Keeps the weights of the best validation epoch; restores them and ends the run when the
// validation error has not improved for `patience` epochs.
void Trainer::Run::earlyStopping(const EpochMetrics& m) {
    if (m.validationError < m_state.bestValidation) {
        m_state.bestValidation = m.validationError;
        m_state.bestEpoch = m.epoch;
        m_state.bestWeights = copyValues(m_params);
    } else if (m.epoch - m_state.bestEpoch >= m_cfg.patience) {
        restoreValues(m_params, m_state.bestWeights);
        m_state.stopReason = "early stopping: validation error has not improved for " +
                             std::to_string(m_cfg.patience) +
                             " epochs; restored the weights of epoch " +
                             std::to_string(m_state.bestEpoch);
        m_observer.onMessage(m_state.stopReason);
    }
}

// Sends the batches since the previous report; `b` batches of this epoch are done.
void Trainer::Run::report(int b) {
    const double elapsedTrain = m_trainSeconds + secondsSince(m_epochStart);
    m_progress.batch = b;
    m_progress.step = m_state.step;
    m_progress.elapsed = secondsSince(m_runStart);
    m_progress.imagesPerSecond = elapsedTrain > 0 ? m_imagesDone / elapsedTrain : 0;
    m_progress.eta = m_progress.imagesPerSecond > 0
                         ? (m_imagesTotal - m_imagesDone) / m_progress.imagesPerSecond
                         : 0;
    m_observer.onProgress(m_progress);
    m_progress.batchLosses.clear();
    m_lastReport = Clock::now();
}

TrainResult Trainer::run(TrainingObserver& observer, std::stop_token stop,
                         TrainingControl* control) {
    m_net.setCalibration({});  // fitted for the weights before: no longer true once they change
    TrainResult result;
    ThreadArena arena(m_cfg.threads);
    arena.run([&] { result = Run(*this, observer, std::move(stop), control).epochs(); });
    return result;
}

void Trainer::resume(const Checkpoint& checkpoint) {
    const auto layout = [](const Network& net) {
        return without(toJson(net.spec()), {"name", "description", "training"});
    };
    if (layout(checkpoint.network) != layout(m_net)) {
        throw ConfigError(
            "the checkpoint's architecture '" + printable(checkpoint.network.spec().name) +
            "' is not the one of the network to train ('" + printable(m_net.spec().name) + "')");
    }
    const nlohmann::json saved = without(toJson(checkpoint.config), {"epochs", "threads"});
    const nlohmann::json given = without(toJson(m_cfg), {"epochs", "threads"});
    std::string differences;
    for (const auto& [key, value] : saved.items()) {
        if (given.at(key) == value) continue;
        differences += (differences.empty() ? "" : ", ") + key + " (checkpoint " + value.dump() +
                       ", given " + given.at(key).dump() + ")";
    }
    if (!differences.empty()) {
        throw ConfigError(
            "a resumed run keeps the settings it started with (only epochs and "
            "threads may change); different: " +
            differences);
    }
    const TrainingState& state = checkpoint.state;
    if (!state.stopReason.empty()) {
        throw ConfigError("the run has already ended (" + state.stopReason +
                          "); there is nothing to resume");
    }
    if (state.epochsDone >= m_cfg.epochs) {
        throw ConfigError("the run has done all of its " + std::to_string(state.epochsDone) +
                          " epochs; give more epochs to train further");
    }
    checkSameData("training", checkpoint.train, identify(m_data));
    if (checkpoint.test.has_value() != (m_test != nullptr)) {
        throw ConfigError(checkpoint.test ? "the checkpoint was trained with a test set; give one"
                                          : "the checkpoint was trained without a test set");
    }
    if (m_test) checkSameData("test", *checkpoint.test, identify(*m_test));
    const long long batch = std::max(1, std::min(m_cfg.batch, m_trainRange.size()));
    const long long batches = (m_trainRange.size() + batch - 1) / batch;  // as Run counts them
    if (state.step != state.epochsDone * batches) {
        throw ConfigError(checkpoint.path + ": the checkpoint is damaged: it says " +
                          std::to_string(state.step) + " batches were trained, but its " +
                          std::to_string(state.epochsDone) + " epochs of " +
                          std::to_string(batches) + " batches make " +
                          std::to_string(state.epochsDone * batches));
    }
    const auto from = checkpoint.network.params();
    const auto to = m_net.params();
    for (std::size_t i = 0; i < to.size(); ++i) to[i]->value = from[i]->value;
    m_start = state;
    m_resumedFrom = checkpoint.path;
}

}  // namespace lenet
