// The digits' own map: what the network's penultimate layer (F6, the last hidden layer) makes of
// the first test images, projected to the plane of its two principal axes (lenet/embedding.h),
// one colour per true class, mistakes ringed in black. Hovering a point shows its image, a click
// selects it for every view, and the digit on the Draw canvas is a star that moves as you draw.
// The features and the PCA are computed on a background thread (the idiom of
// ui/training/background_thread.h) for every network the views are given with the test set
// classified: once per epoch of a run, at once for an opened or the bundled model.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include <QPointF>
#include <QPointer>
#include <QStringList>
#include <QWidget>

#include "lenet/data/idx.h"
#include "lenet/embedding.h"
#include "ui/training/background_thread.h"
#include "ui/training/training_types.h"

class QToolButton;

namespace lenet::ui {

class DrawingPanel;
class SelectionModel;

/// The map of one network: every point's place, class and prediction, and the axes.
struct DigitsMap {
    lenet::Pca2 pca;
    std::vector<double> xy;   // x0, y0, x1, y1, ... in PCA coordinates
    std::vector<int> labels;  // per point, the true class
    std::vector<int> predicted;
    QStringList classNames;  // the network's, else the data's, else the digits
    QString layer;           // the penultimate layer's name ("F6"); empty when not known
    int count() const { return int(labels.size()); }
};

class DigitsMapView : public QWidget {
    Q_OBJECT

public:
    /// The test images mapped: the first this many of the test set.
    static constexpr int kImages = 2000;

    explicit DigitsMapView(QWidget* parent = nullptr);
    ~DigitsMapView() override;

    /// The images to map (null: none).
    void setTestSet(std::shared_ptr<const lenet::Dataset> data);
    /// Maps the test set with `net` (null: none), on a background thread. Networks that arrive
    /// while a map is computed wait: the latest of them runs next.
    void setNetwork(NetworkSnapshot net);
    /// A click on a point selects its test image in `selection` (not owned; null: none); the
    /// selected test image is ringed.
    void setSelectionModel(SelectionModel* selection);
    /// The digit drawn on `panel`'s canvas (not owned) is shown as a point, moved with every
    /// change of the drawing.
    void setDrawingPanel(DrawingPanel* panel);

    /// The map shown; null before the first is computed or without network or test set.
    const std::shared_ptr<const DigitsMap>& map() const { return m_map; }
    bool isBusy() const { return m_busy; }
    /// The drawn digit's place in PCA coordinates; empty without a drawing or a map.
    std::optional<QPointF> drawnPoint() const { return m_drawn; }
    /// The title line: what the map shows, or what it needs.
    QString title() const;
    /// Where point `i` is drawn, in widget coordinates.
    QPointF pointPosition(int i) const;
    /// The point drawn nearest to `pos` within a few pixels, -1 when none.
    int pointAt(QPointF pos) const;
    /// Selects test image `i` of the map in the selection model.
    void selectPoint(int i);

    /// What the view shows, as an image.
    QImage renderImage();
    QString exportPng(const QString& path);
    /// The points as CSV: index, x, y, label, predicted (and the drawing, index "drawing").
    QByteArray toCsv() const;
    QString exportCsv(const QString& path);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void start();
    void finished(unsigned generation, std::shared_ptr<const DigitsMap> map, const QString& error);
    void updateDrawnPoint();
    /// The rectangle the points are drawn in, and the legend's to its right.
    QRect plotRect() const;
    QRect legendRect() const;
    int titleHeight() const;
    /// The HTML of point i's tool tip: its image, true and predicted class.
    QString toolTipFor(int i) const;

    std::shared_ptr<const lenet::Dataset> m_data;
    NetworkSnapshot m_net;
    std::shared_ptr<const DigitsMap> m_map;
    QPointer<SelectionModel> m_selection;
    QPointer<DrawingPanel> m_drawing;
    std::optional<QPointF> m_drawn;
    QToolButton* m_export;
    QString m_error;
    QRectF m_bounds;  // the points' extent in PCA coordinates, with a margin
    bool m_busy = false;
    bool m_pending = false;
    unsigned m_generation = 0;
    BackgroundThread m_worker;  // last: stopped and joined first
};

}  // namespace lenet::ui
