// Train and test error (%) after every epoch of every run, on a linear or logarithmic axis,
// with an optional dashed reference level such as the 0.95 % test error LeCun et al. report
// for LeNet-5.
#pragma once

#include <optional>

#include <QString>

#include "lenet/trainer.h"
#include "ui/plots/run_plot.h"
#include "ui/training/training_types.h"

class QCheckBox;
class QCPItemStraightLine;
class QCPItemText;

namespace lenet::ui {

class ErrorPlot : public RunPlot {
    Q_OBJECT

public:
    explicit ErrorPlot(QWidget* parent = nullptr);

    /// Adds the curves of a new run of `epochs` epochs; appendEpoch() fills them.
    void beginRun(const RunStyle& run, int epochs);
    /// Adds the train and test error of one epoch to the newest run (a negative error is not
    /// plotted).
    void appendEpoch(const lenet::EpochMetrics& metrics);
    /// Draws a finished run from its history.
    void addHistoryRun(const RunStyle& run, const EpochHistory& history);
    /// Epochs plotted for the newest run.
    int epochCount() const;

    /// Draws a dashed horizontal line at `percent` named `label`; nullopt hides it.
    void setReference(std::optional<double> percent, const QString& label = {});
    std::optional<double> reference() const { return m_referencePercent; }

    /// A logarithmic error axis, to tell 1 % from 0.8 % late in a run.
    void setLogScale(bool log);
    bool logScale() const;

protected:
    void fitRanges() override;
    void nameGraphs(const RunStyle& run) override;
    void addMenuEntries(QMenu& menu) override;

private:
    QCPGraph* m_reference;  // no data: the reference's legend entry
    QCPItemStraightLine* m_referenceLine;
    QCPItemText* m_hint;  // until the newest run has its first epoch
    QCheckBox* m_log;
    std::optional<double> m_referencePercent;
};

}  // namespace lenet::ui
