// EvaluationModel runs lenet::evaluate on a private network copy on its BackgroundThread and
// hands the result back to the GUI thread with BackgroundThread::post.
#include "ui/inspect/evaluation_model.h"

#include <exception>

namespace lenet::ui {

EvaluationModel::EvaluationModel(QObject* parent) : QObject(parent) {}

EvaluationModel::~EvaluationModel() = default;  // m_worker stops and joins its run

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
    m_worker.stop();
}

void EvaluationModel::start() {
    const unsigned generation = ++m_generation;
    m_busy = true;
    m_pending = false;
    // A previous run is joined first: finished, its result is what called us.
    m_worker.start([this, generation, net = m_net, data = m_data](std::stop_token stop) {
        std::shared_ptr<const lenet::Evaluation> result;
        QString error;
        try {
            lenet::Network copy(*net);
            result = std::make_shared<const lenet::Evaluation>(
                lenet::evaluate(copy, *data, 0, {}, stop));
        } catch (const std::exception& e) {
            error = tr("Cannot classify the test set %1: %2")
                        .arg(QString::fromStdString(data->source), QString::fromUtf8(e.what()));
        }
        if (stop.stop_requested()) return;
        m_worker.post([this, generation, result, error] { finished(generation, result, error); });
    });
}

void EvaluationModel::finished(unsigned generation, std::shared_ptr<const lenet::Evaluation> result,
                               const QString& error) {
    if (generation != m_generation) return;
    m_busy = false;
    m_error = error;
    if (result) m_predictions = std::move(result);
    if (m_pending) start();
    Q_EMIT predictionsChanged();
}

}  // namespace lenet::ui
