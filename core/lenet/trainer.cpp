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

#include "lenet/checkpoint.h"
#include "lenet/error.h"
#include "lenet/evaluate.h"
#include "lenet/loss.h"
#include "lenet/optimizer.h"
#include "lenet/parallel.h"

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

/// The configured schedule, scaled from the point where a TrainingControl overrode the rate.
class LearningRate {
public:
    LearningRate(const TrainingConfig& cfg, double scale) : m_cfg(cfg), m_scale(scale) {}

    float at(int epoch) const { return float(scheduledLr(m_cfg, epoch, m_cfg.epochs) * m_scale); }
    /// From now on the rate of `epoch` is `rate`, and later epochs follow the schedule from it.
    void setAt(int epoch, float rate) {
        m_scale = double(rate) / scheduledLr(m_cfg, epoch, m_cfg.epochs);
    }
    /// The factor on the schedule (1 until setAt), for a checkpoint.
    double scale() const { return m_scale; }

private:
    const TrainingConfig& m_cfg;
    double m_scale;
};

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
        throw ConfigError(net.spec().name + ": the input has " + std::to_string(in.c) +
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

TrainResult Trainer::run(TrainingObserver& observer, std::stop_token stop,
                         TrainingControl* control) {
    TrainResult result;
    ThreadArena arena(m_cfg.threads);
    arena.run([&] {
        const int nTrain = m_trainRange.size();
        const int batch = std::min(m_cfg.batch, nTrain);
        const int batches = (nTrain + batch - 1) / batch;
        const InputFormat format = m_net.spec().inputFormat();
        const Distortion* distortion = m_cfg.distort ? &m_cfg.distortion : nullptr;
        const auto params = m_net.params();
        Optimizer optimizer(m_cfg);
        optimizer.restore(m_start.optimizer);
        Workspace ws;
        ParamArrays grads = m_net.makeParamArrays();
        Tensor input;
        std::vector<std::uint8_t> labels;
        std::vector<int> order(nTrain);
        std::iota(order.begin(), order.end(), m_trainRange.begin);
        std::mt19937 shuffleRng(std::uint32_t(m_cfg.seed ^ (m_cfg.seed >> 32)));
        // Each epoch shuffles the previous epoch's order: a resumed run replays those shuffles.
        for (int e = 0; e < m_start.epochsDone; ++e)
            std::shuffle(order.begin(), order.end(), shuffleRng);
        std::optional<DataIdentity> trainIdentity, testIdentity;
        if (!checkpointPath.empty()) {
            trainIdentity = identify(m_data);
            if (m_test) testIdentity = identify(*m_test);
        }

        auto lastGood = copyValues(params);
        std::string lastGoodWhere = m_start.epochsDone > 0 ? "the weights at the end of epoch " +
                                                                 std::to_string(m_start.epochsDone)
                                                           : "the weights the run started with";
        Clock::time_point lastGoodTime = Clock::now();
        double firstLoss = m_start.firstLoss;
        double bestValidation = m_start.bestValidation;
        int bestEpoch = m_start.bestEpoch;
        ParamArrays bestWeights = m_start.bestWeights;
        result.history = m_start.history;

        Clock::time_point runStart = Clock::now();
        Clock::time_point lastReport = runStart;
        double trainSeconds = 0.0;
        for (const EpochMetrics& m : m_start.history) trainSeconds += m.seconds;
        long long step = m_start.step, imagesDone = (long long)nTrain * m_start.epochsDone;
        const long long imagesTotal = (long long)nTrain * m_cfg.epochs;
        Progress progress;
        progress.epochs = m_cfg.epochs;
        progress.batches = batches;
        LearningRate rate(m_cfg, m_start.lrScale);
        Clock::time_point epochStart;
        // Sends the batches since the previous report; `b` batches of this epoch are done.
        const auto report = [&](int b) {
            const double elapsedTrain = trainSeconds + secondsSince(epochStart);
            progress.batch = b;
            progress.step = step;
            progress.elapsed = secondsSince(runStart);
            progress.imagesPerSecond = elapsedTrain > 0 ? imagesDone / elapsedTrain : 0;
            progress.eta = progress.imagesPerSecond > 0
                               ? (imagesTotal - imagesDone) / progress.imagesPerSecond
                               : 0;
            observer.onProgress(progress);
            progress.batchLosses.clear();
            lastReport = Clock::now();
        };

        for (int epoch = m_start.epochsDone; epoch < m_cfg.epochs && result.stopReason.empty();
             ++epoch) {
            float lr = rate.at(epoch);
            std::shuffle(order.begin(), order.end(), shuffleRng);
            epochStart = Clock::now();
            if (optimizerKind(m_cfg.optimizer).needsCurvature) {
                // LeCun 1998: h re-estimated on a few hundred samples before each pass.
                const int samples = std::min(m_cfg.sdlmSamples, nTrain);
                ParamArrays sum = m_net.makeParamArrays(), part;
                for (int first = 0; first < samples; first += 100) {
                    const int n = std::min(100, samples - first);
                    input.resize(n, m_net.inputShape());
                    fillBatch(m_data, order, first, n, format, nullptr, 0, input, labels);
                    m_net.curvatureBatch(input, labels, ws, part);
                    for (std::size_t p = 0; p < sum.size(); ++p) {
                        for (std::size_t i = 0; i < sum[p].size(); ++i) sum[p][i] += part[p][i];
                    }
                }
                for (auto& a : sum) {
                    for (float& v : a) v /= float(samples);
                }
                optimizer.setCurvature(sum);
            }
            double lossSum = 0.0;
            long long errors = 0, seen = 0;
            progress.epoch = epoch + 1;
            for (int b = 0; b < batches; ++b) {
                if (control) {
                    const Clock::time_point pauseStart = Clock::now();
                    const bool go = control->awaitBatch(stop, [&] {
                        if (!progress.batchLosses.empty()) report(b);
                    });
                    // Paused time is not training time.
                    const Clock::duration paused = Clock::now() - pauseStart;
                    runStart += paused;
                    epochStart += paused;
                    if (!go) {
                        result.stopReason = "stopped";
                        break;
                    }
                    if (const std::optional<float> chosen = control->takeLearningRate()) {
                        rate.setAt(epoch, *chosen);
                        lr = *chosen;
                    }
                } else if (stop.stop_requested()) {
                    result.stopReason = "stopped";
                    break;
                }
                progress.lr = lr;
                const int first = b * batch;
                const int n = std::min(batch, nTrain - first);
                input.resize(n, m_net.inputShape());
                fillBatch(m_data, order, first, n, format, distortion,
                          mixSeed(m_cfg.seed, std::uint64_t(epoch) + 1), input, labels);
                Context ctx;
                ctx.training = true;
                ctx.seed = mixSeed(m_cfg.seed, std::uint64_t(step) + 0x5eed);
                const BatchResult r = m_net.trainBatch(input, labels, ws, grads, ctx);
                const double meanLoss = r.lossSum / n;
                if (step == 0) firstLoss = meanLoss;
                std::string problem;
                if (!std::isfinite(meanLoss)) {
                    problem = "the loss is " + std::to_string(meanLoss);
                } else if (meanLoss > kExplodedLossFactor * (std::abs(firstLoss) + 1.0)) {
                    problem = "the loss exploded to " + formatRate(meanLoss) + " (it started at " +
                              formatRate(firstLoss) + ")";
                } else if (!optimizer.step(params, grads, lr) || !finiteStatistics(params)) {
                    problem = "a weight became NaN/Inf";
                }
                if (!problem.empty()) {
                    restoreValues(params, lastGood);
                    std::ostringstream msg;
                    msg << "training diverged in epoch " << epoch + 1 << ", batch " << b + 1 << ": "
                        << problem << " at learning rate " << lr << ". Restored " << lastGoodWhere
                        << " (the last known good ones). Try a lower learning rate, e.g. "
                        << formatRate(m_cfg.lr / 10) << ".";
                    throw DivergenceError(msg.str());
                }
                lossSum += r.lossSum;
                errors += r.errors;
                seen += n;
                imagesDone += n;
                ++step;
                progress.batchLosses.push_back(float(meanLoss));

                if (secondsSince(lastGoodTime) > 2.0) {
                    lastGood = copyValues(params);
                    lastGoodWhere = "the weights of epoch " + std::to_string(epoch + 1) +
                                    ", batch " + std::to_string(b + 1);
                    lastGoodTime = Clock::now();
                }
                if (secondsSince(lastReport) >= progressInterval || b + 1 == batches) report(b + 1);
            }
            if (seen == 0) break;
            EpochMetrics m;
            m.epoch = epoch + 1;
            m.seconds = secondsSince(epochStart);
            trainSeconds += m.seconds;
            m.loss = lossSum / double(seen);
            m.trainError = double(errors) / double(seen);
            m.imagesPerSecond = seen / m.seconds;
            m.lr = lr;
            lastGood = copyValues(params);
            lastGoodWhere = "the weights at the end of epoch " + std::to_string(epoch + 1);
            lastGoodTime = Clock::now();
            if (m_validationRange.size() > 0) {
                m.validationError =
                    evaluate(m_net, m_data, m_cfg.threads, m_validationRange).error();
            }
            if (m_test && m_testRange.size() > 0) {
                const Evaluation ev = evaluate(m_net, *m_test, m_cfg.threads, m_testRange);
                m.testError = ev.error();
                m.testLoss = ev.loss;
            }
            result.history.push_back(m);
            observer.onEpoch(m, m_net);
            if (m_cfg.patience > 0) {
                if (m.validationError < bestValidation) {
                    bestValidation = m.validationError;
                    bestEpoch = epoch + 1;
                    bestWeights = copyValues(params);
                } else if (epoch + 1 - bestEpoch >= m_cfg.patience) {
                    restoreValues(params, bestWeights);
                    result.stopReason = "early stopping: validation error has not improved for " +
                                        std::to_string(m_cfg.patience) +
                                        " epochs; restored the weights of epoch " +
                                        std::to_string(bestEpoch);
                    observer.onMessage(result.stopReason);
                }
            }
            if (trainIdentity && seen == nTrain) {
                TrainingState state;
                state.epochsDone = epoch + 1;
                state.step = step;
                state.firstLoss = firstLoss;
                state.lrScale = rate.scale();
                state.bestValidation = bestValidation;
                state.bestEpoch = bestEpoch;
                state.bestWeights = bestWeights;
                state.optimizer = optimizer.state();
                state.history = result.history;
                state.stopReason = result.stopReason;
                saveCheckpoint(checkpointPath, m_net, m_cfg, state, *trainIdentity, testIdentity);
            }
        }
    });
    return result;
}

void Trainer::resume(const Checkpoint& checkpoint) {
    const auto layout = [](const Network& net) {
        return without(toJson(net.spec()), {"name", "description", "training"});
    };
    if (layout(checkpoint.network) != layout(m_net)) {
        throw ConfigError("the checkpoint's architecture '" + checkpoint.network.spec().name +
                          "' is not the one of the network to train ('" + m_net.spec().name + "')");
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
    const auto from = checkpoint.network.params();
    const auto to = m_net.params();
    for (std::size_t i = 0; i < to.size(); ++i) to[i]->value = from[i]->value;
    m_start = state;
}

}  // namespace lenet
