// The training loss of every batch of every run: a moving average bold (its width set with a
// slider), the spread of the raw values as a faint band around it (the 25 % and 75 % quantiles of
// buckets of batches, at most kBandPoints buckets per run however long it is: a batch of one image
// has a loss that jumps by orders of magnitude, and thousands of raw points would hide the
// average) and the learning rate dotted on the right axis. The x axis counts epochs, so that runs
// with different batch sizes line up. The raw values are kept (hidden) for the smoothing and the
// CSV export.
#pragma once

#include <map>
#include <vector>

#include "lenet/trainer.h"
#include "ui/plots/run_plot.h"
#include "ui/training/training_types.h"

class QCPItemText;
class QLabel;
class QSlider;

namespace lenet::ui {

class LossPlot : public RunPlot {
    Q_OBJECT

public:
    explicit LossPlot(QWidget* parent = nullptr);

    /// Adds the curves of a new run of `epochs` epochs; appendProgress() fills them.
    void beginRun(const RunStyle& run, int epochs);
    /// Appends the batch losses and learning rate of `progress` to the newest run.
    void appendProgress(const lenet::Progress& progress);
    /// Draws a finished run from its history (a model file keeps no batch losses): the mean
    /// loss of every epoch at the epoch's middle, and its learning rate.
    void addHistoryRun(const RunStyle& run, const EpochHistory& history);

    /// The width of the moving average in epochs (0 = the raw values); one of the slider's steps.
    double smoothingEpochs() const;
    /// Moves the slider to the step nearest `epochs` and redraws every run's average.
    void setSmoothingEpochs(double epochs);
    /// Batches plotted for the newest run.
    int pointCount() const;

    /// The most buckets of batches the band of one run is drawn with.
    static constexpr int kBandPoints = 200;

protected:
    void fitRanges() override;
    void nameGraphs(const RunStyle& run) override;
    void runsRemoved() override;

private:
    struct RunState {
        int batches = 1;  // per epoch
        bool fromHistory = false;
        double average = 0.0;     // the moving average before bias correction
        double decayPower = 1.0;  // decay^n, for the bias correction of the first points
        double minSmoothed = 0.0;
        double maxSmoothed = 0.0;
        double maxRaw = 0.0;
        int bucketSize = 0;          // batches per bucket of the band; 0 before the first batch
        std::vector<double> bucket;  // the losses of the bucket being filled
        double bucketStart = 0.0;    // x of its first batch
    };

    /// The moving average's weight of the past for a run of `batches` per epoch.
    double decay(int batches) const;
    /// Appends (x, loss) to the run's raw and smoothed curves and its band.
    void addLoss(int runId, RunState& state, double x, double loss);
    /// Adds (x, loss) to the bucket being filled; a full bucket becomes a point of the band.
    void addToBand(int runId, RunState& state, double x, double loss);
    /// Appends the moving average after (x, loss) to the run's smoothed curve.
    void smooth(int runId, RunState& state, double x, double loss);
    /// Recomputes the smoothed curve of every run from its raw values.
    void resmooth();
    void showSmoothingLabel();

    std::map<int, RunState> m_state;
    QSlider* m_smoothing;
    QLabel* m_smoothingLabel;
    QCPItemText* m_hint;
};

}  // namespace lenet::ui
