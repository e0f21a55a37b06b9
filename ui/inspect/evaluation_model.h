// The test set and the current network's predictions on it, shared by the test gallery and the
// confusion matrix. Classifying 10,000 images takes a fraction of a second, so it runs on a
// background thread (the idiom of ui/training/background_thread.h). Networks that arrive during a
// run wait: when it ends, the latest of them runs next (so results keep coming however often
// training sends snapshots); a new test set cancels the run in progress.
#pragma once

#include <memory>
#include <vector>

#include <QObject>
#include <QString>

#include "lenet/data/idx.h"
#include "lenet/evaluate.h"
#include "lenet/network.h"
#include "ui/training/background_thread.h"
#include "ui/training/training_types.h"

namespace lenet::ui {

class EvaluationModel : public QObject {
    Q_OBJECT

public:
    explicit EvaluationModel(QObject* parent = nullptr);
    ~EvaluationModel() override;

    /// The images to classify (null: none).
    void setTestSet(std::shared_ptr<const lenet::Dataset> data);
    /// The network to classify them with (null: none).
    void setNetwork(NetworkSnapshot net);

    const std::shared_ptr<const lenet::Dataset>& testSet() const { return m_data; }
    /// The predictions of the latest finished run on the current set (the network may have been
    /// replaced since: isBusy() then says a newer run is under way); null before the first run
    /// ends or when the set or the network is missing.
    const std::shared_ptr<const lenet::Evaluation>& predictions() const { return m_predictions; }
    /// True while a run is under way.
    bool isBusy() const { return m_busy; }
    /// Why the last run failed, empty when it did not.
    const QString& errorText() const { return m_error; }

Q_SIGNALS:
    /// The test set was replaced.
    void testSetChanged();
    /// predictions(), isBusy() or errorText() changed.
    void predictionsChanged();

private:
    /// Stops the run in progress, if any, without waiting for its result.
    void cancel();
    /// Starts a run of the current network on the current set.
    void start();
    /// A run finished (on the GUI thread).
    void finished(unsigned generation, std::shared_ptr<const lenet::Evaluation> result,
                  const QString& error);

    std::shared_ptr<const lenet::Dataset> m_data;
    NetworkSnapshot m_net;
    std::shared_ptr<const lenet::Evaluation> m_predictions;
    QString m_error;
    bool m_busy = false;
    bool m_pending = false;  // a network arrived during the run
    unsigned m_generation = 0;
    BackgroundThread m_worker;  // last: stopped and joined first
};

}  // namespace lenet::ui
