// Train and test error (%) after every epoch, with an optional dashed reference level such as
// the 0.95 % test error LeCun et al. report for LeNet-5.
#pragma once

#include <optional>

#include <QString>
#include <QWidget>

#include "lenet/trainer.h"

class QCPGraph;
class QCustomPlot;

namespace lenet::ui {

class ErrorPlot : public QWidget {
    Q_OBJECT

public:
    explicit ErrorPlot(QWidget* parent = nullptr);

    /// Empties the plot and sizes the epoch axis for a run of `epochs`.
    void clear(int epochs);
    /// Draws a dashed horizontal line at `percent` named `label`; nullopt hides it.
    void setReference(std::optional<double> percent, const QString& label = {});
    /// Adds the train and test error of one epoch (a negative error is not plotted).
    void appendEpoch(const lenet::EpochMetrics& metrics);
    /// Epochs plotted so far.
    int epochCount() const;

private:
    void updateRanges();

    QCustomPlot* m_plot;
    QCPGraph* m_train;
    QCPGraph* m_test;
    QCPGraph* m_reference;
    int m_epochs = 1;
    std::optional<double> m_referencePercent;
    double m_maxPercent = 0.0;
};

}  // namespace lenet::ui
