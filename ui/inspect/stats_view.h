// Layer statistics (issue 20): why a variant learns or not. One compact plot per quantity with
// the layers as lines (gradient norm, update/weight ratio, activation mean and spread, saturated
// and dead shares, SDLM's step sizes) over the batches of a run, and the selected layer's weight
// and gradient histograms over the epochs as heat maps. Live during a run (recorded only while
// the view is visible); otherwise what an opened model shows on a few hundred test images.
#pragma once

#include <memory>
#include <vector>

#include <QByteArray>
#include <QImage>
#include <QString>
#include <QWidget>

#include "lenet/data/idx.h"
#include "ui/training/training_types.h"

class QComboBox;
class QCustomPlot;
class QLabel;

namespace lenet::ui {

class TrainingController;

class StatsView : public QWidget {
    Q_OBJECT

public:
    /// Test images an opened model is measured on, at most.
    static constexpr int kModelImages = 300;

    explicit StatsView(QWidget* parent = nullptr);
    ~StatsView() override;

    /// Shows `controller`'s runs live, and asks it for statistics only while this view is
    /// visible (they cost the run nothing otherwise).
    void attach(TrainingController* controller);
    /// A run's statistics so far.
    void setHistory(LayerStatsSnapshot stats);
    /// A network to measure when no run's statistics are shown (an opened model); ignored while
    /// a run goes on and for the network a run ended with, when its statistics are shown.
    void setNetwork(NetworkSnapshot net);
    /// The images an opened model is measured on (null: weights only).
    void setTestSet(std::shared_ptr<const lenet::Dataset> data);

    /// Lines drawn in the gradient-norm plot (for tests).
    int gradientLines() const;
    /// The line saying what is shown, or why nothing is.
    QString caption() const;
    /// The plots as one image.
    QImage renderImage();
    /// One row per layer and epoch, as `lenet train --layer-stats` writes it.
    QByteArray toCsv() const;
    /// Save renderImage() / toCsv(); return an error message, empty on success.
    QString exportPng(const QString& path);
    QString exportCsv(const QString& path);

Q_SIGNALS:
    /// The view became visible (true) or hidden: whether statistics are wanted.
    void wantedChanged(bool wanted);

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    void measureModel();
    void redraw();
    void drawLines(QCustomPlot* plot, double lenet::LayerSample::*field,
                   const std::vector<int>& layers);
    void drawHistograms();

    TrainingController* m_controller = nullptr;
    LayerStatsSnapshot m_history;
    bool m_fromRun = false;        // m_history is a run's
    NetworkSnapshot m_runNetwork;  // the network the last run ended with
    NetworkSnapshot m_model;       // to measure when shown; null once measured
    std::shared_ptr<const lenet::Dataset> m_testSet;

    QLabel* m_caption;
    QComboBox* m_layer;
    QWidget* m_plots;
    QCustomPlot* m_grad;
    QCustomPlot* m_update;
    QCustomPlot* m_mean;
    QCustomPlot* m_spread;
    QCustomPlot* m_saturation;
    QCustomPlot* m_steps;
    QCustomPlot* m_weightMap;
    QCustomPlot* m_gradMap;
};

}  // namespace lenet::ui
