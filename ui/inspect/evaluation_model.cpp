// classifyAll in batches on a private network copy; EvaluationModel runs it on a std::jthread and
// hands the result back to the GUI thread with a queued call.
#include "ui/inspect/evaluation_model.h"

#include <algorithm>
#include <exception>

#include "lenet/loss.h"
#include "lenet/trainer.h"

namespace lenet::ui {

SetPredictions classifyAll(const lenet::Network& source, const lenet::Dataset& data,
                           std::stop_token stop) {
    constexpr int kBatch = 256;
    lenet::Network net(source);
    const int k = net.classes();
    const lenet::InputFormat format = net.spec().inputFormat();
    SetPredictions out;
    out.classes = k;
    out.confusion.assign(std::size_t(k) * k, 0);
    lenet::Workspace ws;
    lenet::Tensor input;
    std::vector<float> scores(static_cast<std::size_t>(k));
    for (int first = 0; first < data.size() && !stop.stop_requested(); first += kBatch) {
        const int n = std::min(kBatch, data.size() - first);
        input.resize(n, net.inputShape());
        for (int i = 0; i < n; ++i) lenet::sampleInput(data, first + i, format, input.sample(i));
        const lenet::Tensor& y = net.forward(input, ws, lenet::Context{});
        for (int i = 0; i < n; ++i) {
            const int label = data.labels[std::size_t(first + i)];
            const int p = lenet::predictClass(net.spec().loss, y.sample(i), k);
            lenet::classScores(net.spec().loss, y.sample(i), k, scores.data());
            out.predicted.push_back(p);
            out.confidence.push_back(scores[std::size_t(p)]);
            out.errors += p != label;
            if (label < k) ++out.confusion[std::size_t(label) * k + p];
        }
    }
    return out;
}

EvaluationModel::EvaluationModel(QObject* parent) : QObject(parent) {}

EvaluationModel::~EvaluationModel() = default;  // the jthread stops and joins its run

void EvaluationModel::setTestSet(std::shared_ptr<const lenet::Dataset> data) {
    cancel();
    m_data = std::move(data);
    m_predictions.reset();
    m_error.clear();
    Q_EMIT testSetChanged();
    if (m_net && m_data) start();
    Q_EMIT predictionsChanged();
}

void EvaluationModel::setNetwork(NetworkSnapshot net) {
    m_net = std::move(net);
    if (!m_net || !m_data) {
        cancel();
        m_predictions.reset();
        m_error.clear();
        Q_EMIT predictionsChanged();
        return;
    }
    if (m_busy) {
        m_pending = true;
        return;
    }
    start();
    Q_EMIT predictionsChanged();
}

void EvaluationModel::cancel() {
    ++m_generation;  // a result already on its way is ignored
    m_busy = m_pending = false;
    if (m_worker.joinable()) {
        m_worker.request_stop();
        m_worker.join();
    }
}

void EvaluationModel::start() {
    if (m_worker.joinable()) m_worker.join();  // finished: its result is what called us
    const unsigned generation = ++m_generation;
    m_busy = true;
    m_pending = false;
    m_worker = std::jthread([this, generation, net = m_net, data = m_data](std::stop_token stop) {
        std::shared_ptr<const SetPredictions> result;
        QString error;
        try {
            result = std::make_shared<const SetPredictions>(classifyAll(*net, *data, stop));
        } catch (const std::exception& e) {
            error = tr("Cannot classify the test set %1: %2")
                        .arg(QString::fromStdString(data->source), QString::fromUtf8(e.what()));
        }
        if (stop.stop_requested()) return;
        QMetaObject::invokeMethod(
            this, [this, generation, result, error] { finished(generation, result, error); },
            Qt::QueuedConnection);
    });
}

void EvaluationModel::finished(unsigned generation, std::shared_ptr<const SetPredictions> result,
                               const QString& error) {
    if (generation != m_generation) return;
    m_busy = false;
    m_error = error;
    if (result) m_predictions = std::move(result);
    if (m_pending) start();
    Q_EMIT predictionsChanged();
}

}  // namespace lenet::ui
