// The training loss of every batch as it arrives: the raw values, faint, and an exponential
// moving average, bold, against the batch number of the run.
#pragma once

#include <QWidget>

#include "lenet/trainer.h"

class QCPGraph;
class QCPItemText;
class QCustomPlot;

namespace lenet::ui {

class LossPlot : public QWidget {
    Q_OBJECT

public:
    explicit LossPlot(QWidget* parent = nullptr);

    /// Empties the plot for a new run.
    void clear();
    /// Appends the batch losses of `progress` (the batches since the previous report).
    void appendProgress(const lenet::Progress& progress);
    /// Batches plotted so far.
    int pointCount() const;

private:
    QCustomPlot* m_plot;
    QCPGraph* m_raw;
    QCPGraph* m_smoothed;
    QCPItemText* m_hint;
    double m_average = 0.0;     // the moving average before bias correction
    double m_decayPower = 1.0;  // decay^n, for the bias correction of the first points
    double m_minLoss = 0.0;
    double m_maxLoss = 0.0;
};

}  // namespace lenet::ui
