#include "lenet/checkpoint.h"

#include <map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "lenet/error.h"
#include "lenet/file_io.h"
#include "lenet/json_value.h"
#include "lenet/model_io.h"
#include "lenet/optimizer.h"
#include "lenet/spec_json.h"
#include "lenet/text.h"

namespace lenet {
namespace {

using nlohmann::json;

// The prefixes of the state arrays, each followed by a parameter's "<layer>.<param>" name.
constexpr const char* kFirstMoment = "optimizer.s1.";
constexpr const char* kSecondMoment = "optimizer.s2.";
constexpr const char* kBestWeights = "best.";

std::vector<std::string> paramNames(const Network& net) {
    std::vector<std::string> names;
    for (int l = 0; l < net.layerCount(); ++l) {
        for (const Param& p : net.layer(l).params())
            names.push_back(net.layer(l).name() + "." + p.name);
    }
    return names;
}

json toJson(const DataIdentity& d) {
    return {{"source", d.source},
            {"size", d.size},
            {"rows", d.rows},
            {"cols", d.cols},
            {"checksum", d.checksum}};
}

DataIdentity dataFromJson(const json& j, const std::string& where) {
    return {jsonMember<std::string>(j, "source", where), jsonMember<int>(j, "size", where),
            jsonMember<int>(j, "rows", where), jsonMember<int>(j, "cols", where),
            jsonMember<std::uint32_t>(j, "checksum", where)};
}

// Appends one state array per parameter of `net` (nothing when `arrays` is empty).
void appendArrays(std::vector<NamedArray>& out, const char* prefix, const Network& net,
                  const ParamArrays& arrays) {
    if (arrays.empty()) return;
    const auto names = paramNames(net);
    const auto params = net.params();
    for (std::size_t p = 0; p < params.size(); ++p)
        out.push_back({prefix + names[p], params[p]->dims, arrays[p]});
}

/// The state arrays of a file, taken out by prefix and checked against the network.
class ArrayTaker {
public:
    ArrayTaker(std::vector<NamedArray> arrays, const Network& net, std::string path)
        : m_net(net), m_path(std::move(path)) {
        for (NamedArray& a : arrays) {
            if (m_arrays.count(a.name))
                fail("the state array '" + printable(a.name) + "' appears twice");
            std::string name = a.name;
            m_arrays.emplace(std::move(name), std::move(a));
        }
    }

    /// One array per parameter named `prefix` + its name, or none at all (an empty result).
    ParamArrays take(const char* prefix) {
        const auto names = paramNames(m_net);
        const auto params = m_net.params();
        ParamArrays out;
        for (std::size_t p = 0; p < params.size(); ++p) {
            const auto it = m_arrays.find(prefix + names[p]);
            if (it == m_arrays.end()) {
                if (p == 0) return out;
                fail(std::string("the state array '") + prefix + printable(names[p]) +
                     "' is missing");
            }
            if (it->second.dims != params[p]->dims) {
                fail("the state array '" + printable(it->first) + "' does not have the shape of '" +
                     printable(names[p]) + "'");
            }
            out.push_back(std::move(it->second.values));
            m_arrays.erase(it);
        }
        return out;
    }

    /// Fails when an array was not taken; `why` says what the optimiser keeps.
    void checkAllTaken(const std::string& why) const {
        if (!m_arrays.empty()) {
            fail("unexpected state array '" + printable(m_arrays.begin()->first) + "' (" + why +
                 ")");
        }
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw FormatError(m_path + ": " + what);
    }

    std::map<std::string, NamedArray> m_arrays;
    const Network& m_net;
    std::string m_path;
};

/// What the buffers of an optimiser rule hold, as the messages name them, and what their
/// values must be.
struct BufferMeaning {
    const char* name;
    ValueRule rule;
    const char* why;  // when the rule is not Finite
};

BufferMeaning bufferMeaning(OptimizerRule rule, int buffer) {
    switch (rule) {
        case OptimizerRule::Adam:
            return buffer == 0
                       ? BufferMeaning{"first moment", ValueRule::Finite, ""}
                       : BufferMeaning{"second moment", ValueRule::NonNegative,
                                       "a second moment (a mean square) cannot be negative"};
        case OptimizerRule::RmsProp:
            return {"mean square", ValueRule::NonNegative, "a mean square cannot be negative"};
        case OptimizerRule::Sdlm:
            return {"step factor 1/(mu + h)", ValueRule::Positive,
                    "a step factor 1/(mu + h) is positive"};
        default: return {"velocity", ValueRule::Finite, ""};
    }
}

// Checks that `s` carries exactly the buffers of `config`'s optimiser, of the network's sizes
// (ArrayTaker checked the shapes) and with values they can have.
void checkOptimizerBuffers(const OptimizerState& s, const TrainingConfig& config,
                           const Network& net, const std::string& path) {
    const OptimizerRule rule = optimizerKind(config.optimizer).rule;
    const int needed = stateBuffers(rule);
    const ParamArrays* buffers[2] = {&s.s1, &s.s2};
    const char* prefixes[2] = {kFirstMoment, kSecondMoment};
    const auto names = paramNames(net);
    for (int b = 0; b < 2; ++b) {
        const bool present = !buffers[b]->empty();
        if (present == (b < needed)) {
            if (!present) continue;
            const BufferMeaning meaning = bufferMeaning(rule, b);
            for (std::size_t p = 0; p < names.size(); ++p) {
                const std::string problem =
                    valuesProblem((*buffers[b])[p], meaning.rule,
                                  "the optimiser's " + std::string(meaning.name) + " '" +
                                      prefixes[b] + printable(names[p]) + "'",
                                  meaning.why);
                if (!problem.empty()) throw FormatError(path + ": " + problem);
            }
            continue;
        }
        throw FormatError(
            path + ": the optimiser " + config.optimizer + " keeps " + std::to_string(needed) +
            " buffer" + (needed == 1 ? "" : "s") + " per parameter, " +
            (present ? std::string("but the checkpoint also has '") + prefixes[b] + "*' arrays"
                     : "but the checkpoint's '" + std::string(prefixes[b]) + "*' arrays (its " +
                           bufferMeaning(rule, b).name + ") are missing") +
            "; it is damaged or was edited");
    }
}

// Checks the numbers of a training state against each other and the configuration.
void checkStateNumbers(const TrainingState& s, const TrainingConfig& config,
                       const std::string& path) {
    const auto fail = [&](const std::string& what) {
        throw FormatError(path + ": the training state is malformed: checkpoint." + what);
    };
    if (!(s.lrScale > 0.0)) {
        fail("lr_scale is " + numberText(s.lrScale) + ", the learning-rate scale must be positive");
    }
    if (s.step < 0) fail("step is " + std::to_string(s.step) + ", it cannot be negative");
    if (s.optimizer.steps != s.step) {
        fail("optimizer_steps is " + std::to_string(s.optimizer.steps) + " but step is " +
             std::to_string(s.step) + " (the optimiser takes one step per batch)");
    }
    if (s.firstLoss < 0.0)
        fail("first_loss is " + numberText(s.firstLoss) + ", a loss cannot be negative");
    if (s.bestEpoch < 0 || s.bestEpoch > s.epochsDone ||
        (config.patience > 0) != (s.bestEpoch > 0)) {
        fail("best_epoch is " + std::to_string(s.bestEpoch) + ", expected " +
             (config.patience > 0 ? "1 to " + std::to_string(s.epochsDone)
                                  : std::string("0 (no early stopping)")));
    }
    if (s.bestEpoch > 0 &&
        !(s.bestValidation == -1.0 || (s.bestValidation >= 0.0 && s.bestValidation <= 1.0))) {
        fail("best_validation is " + numberText(s.bestValidation) +
             ", an error rate is a fraction in [0, 1]");
    }
}

}  // namespace

void saveCheckpoint(const std::string& path, const Network& net, const TrainingConfig& config,
                    const TrainingState& state, const DataIdentity& train,
                    const std::optional<DataIdentity>& test) {
    const json header{{"config", toJson(config)},
                      {"epochs_done", state.epochsDone},
                      {"step", state.step},
                      {"first_loss", state.firstLoss},
                      {"lr_scale", state.lrScale},
                      {"best_validation", state.bestValidation},
                      {"best_epoch", state.bestEpoch},
                      {"optimizer_steps", state.optimizer.steps},
                      {"stop_reason", state.stopReason},
                      {"train_data", toJson(train)},
                      {"test_data", test ? toJson(*test) : json()}};
    std::vector<NamedArray> arrays;
    appendArrays(arrays, kFirstMoment, net, state.optimizer.s1);
    appendArrays(arrays, kSecondMoment, net, state.optimizer.s2);
    appendArrays(arrays, kBestWeights, net, state.bestWeights);
    writeModelFile(path, net, state.history, &header, arrays);
}

Checkpoint loadCheckpoint(const std::string& path) {
    json header;
    std::vector<NamedArray> arrays;
    Model model = decodeModelFile(readModelFile(path), path, &header, &arrays);
    if (header.is_null()) {
        throw FormatError(path +
                          ": a model file, not a checkpoint (it has no training state to resume)");
    }
    TrainingState state;
    TrainingConfig config;
    DataIdentity train;
    std::optional<DataIdentity> test;
    try {
        config = trainingFromJson(jsonAt(header, "config", "checkpoint"), "checkpoint.config");
        state.epochsDone = jsonMember<int>(header, "epochs_done", "checkpoint");
        state.step = jsonMember<long long>(header, "step", "checkpoint");
        state.firstLoss = jsonMember<double>(header, "first_loss", "checkpoint");
        state.lrScale = jsonMember<double>(header, "lr_scale", "checkpoint");
        state.bestValidation = jsonMember<double>(header, "best_validation", "checkpoint");
        state.bestEpoch = jsonMember<int>(header, "best_epoch", "checkpoint");
        state.optimizer.steps = jsonMember<long long>(header, "optimizer_steps", "checkpoint");
        state.stopReason = jsonMember<std::string>(header, "stop_reason", "checkpoint");
        train = dataFromJson(jsonAt(header, "train_data", "checkpoint"), "checkpoint.train_data");
        if (const json& t = jsonAt(header, "test_data", "checkpoint"); !t.is_null())
            test = dataFromJson(t, "checkpoint.test_data");
    } catch (const ConfigError& e) {
        throw FormatError(path + ": the training state is malformed: " + e.what());
    }
    if (state.epochsDone < 1 || state.epochsDone != int(model.history.size())) {
        throw FormatError(path + ": the training state says " + std::to_string(state.epochsDone) +
                          " epochs done but the history has " +
                          std::to_string(model.history.size()));
    }
    ArrayTaker taker(std::move(arrays), model.network, path);
    state.optimizer.s1 = taker.take(kFirstMoment);
    state.optimizer.s2 = taker.take(kSecondMoment);
    state.bestWeights = taker.take(kBestWeights);
    const int buffers = stateBuffers(optimizerKind(config.optimizer).rule);
    taker.checkAllTaken("the optimiser " + config.optimizer + " keeps " + std::to_string(buffers) +
                        " buffer" + (buffers == 1 ? "" : "s") +
                        " per parameter; the best weights are kept with early stopping only");
    checkStateNumbers(state, config, path);
    checkOptimizerBuffers(state.optimizer, config, model.network, path);
    if (state.bestWeights.empty() != (state.bestEpoch == 0)) {
        throw FormatError(path + ": the best weights (best.*) are " +
                          (state.bestWeights.empty() ? "missing" : "there") +
                          " but best_epoch is " + std::to_string(state.bestEpoch));
    }
    const auto names = paramNames(model.network);
    for (std::size_t p = 0; p < state.bestWeights.size(); ++p) {
        const std::string problem = valuesProblem(
            state.bestWeights[p], ValueRule::Finite,
            "the best weights '" + std::string(kBestWeights) + printable(names[p]) + "'");
        if (!problem.empty()) throw FormatError(path + ": " + problem);
    }
    state.history = std::move(model.history);
    return {std::move(model.network), std::move(config), std::move(state),
            std::move(train),         std::move(test),   path};
}

std::function<void(const TrainingState&)> checkpointWriter(std::string path, const Network& net,
                                                           TrainingConfig config,
                                                           const Dataset& train,
                                                           const Dataset* test) {
    DataIdentity trainIdentity = identify(train);
    std::optional<DataIdentity> testIdentity;
    if (test) testIdentity = identify(*test);
    return [path = std::move(path), &net, config = std::move(config),
            trainIdentity = std::move(trainIdentity),
            testIdentity = std::move(testIdentity)](const TrainingState& state) {
        saveCheckpoint(path, net, config, state, trainIdentity, testIdentity);
    };
}

}  // namespace lenet
