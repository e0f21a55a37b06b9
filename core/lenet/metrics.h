// What a training run reports: each epoch's metrics (also the history of a model file and a
// run log's rows) and the progress snapshots sent while it trains.
#pragma once

#include <vector>

namespace lenet {

/// What one epoch achieved. Errors are fractions in [0, 1]; -1 where there was nothing to measure.
struct EpochMetrics {
    int epoch = 0;            // 1-based
    double loss = 0.0;        // mean per-sample training loss over the epoch
    double trainError = 0.0;  // on the fly over the epoch, as the paper plots it
    double validationError = -1.0;
    double testError = -1.0;
    double testLoss = -1.0;
    double seconds = 0.0;  // training time of the epoch, evaluation excluded
    double imagesPerSecond = 0.0;
    double lr = 0.0;  // of the epoch's last batch

    friend bool operator==(const EpochMetrics&, const EpochMetrics&) = default;
};

/// Every field of EpochMetrics with its name (JSON key and run-log column), in the run log's
/// column order. `Metrics` is EpochMetrics or const EpochMetrics.
template <typename Metrics, typename Visit>
void forEachMetric(Metrics& m, Visit&& visit) {
    visit("epoch", m.epoch);
    visit("lr", m.lr);
    visit("loss", m.loss);
    visit("train_error", m.trainError);
    visit("validation_error", m.validationError);
    visit("test_error", m.testError);
    visit("test_loss", m.testLoss);
    visit("seconds", m.seconds);
    visit("images_per_second", m.imagesPerSecond);
}

/// A snapshot of a run in progress, sent at most every Trainer::progressInterval seconds.
struct Progress {
    int epoch = 0;  // 1-based
    int epochs = 0;
    int batch = 0;  // batches done in this epoch
    int batches = 0;
    long long step = 0;              // batches done in the run
    std::vector<float> batchLosses;  // mean loss of every batch since the previous report
    double elapsed = 0.0;            // seconds since the run started
    double eta = 0.0;                // seconds to the end of the run, evaluations excluded
    double imagesPerSecond = 0.0;
    double lr = 0.0;  // of the last batch
};

}  // namespace lenet
