// Feature maps: for the selected image, a grid per stage of the network (input, C1, S2, C3, S4,
// C5, F6) with a shared (per layer) or per-map colour scale. Hovering shows the map's name and
// value range, clicking a map enlarges it. The convolution stages are shown by default, the
// others on demand. The 84 units of F6 are drawn as the 7x12 picture the RBF centres are.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <QWidget>

#include "ui/inspect/map_images.h"
#include "ui/inspect/network_probe.h"
#include "ui/training/training_types.h"

class QCheckBox;
class QLabel;
class QScrollArea;

namespace lenet::ui {

class ImageGrid;
class LayerToggles;
class SelectionModel;
class SelectionTrace;
class TraceFollower;

class FeatureMapsView : public QWidget {
    Q_OBJECT

public:
    enum class ScaleMode {
        SharedPerLayer,  // one colour scale for all maps of a stage
        PerMap,          // every map stretched over its own range
    };

    explicit FeatureMapsView(QWidget* parent = nullptr);
    ~FeatureMapsView() override;

    /// Draws the maps of the image of `trace` (shared with other views; not owned, it outlives
    /// this view) instead of the view's own trace. The setters below then act on `trace`.
    void setTrace(SelectionTrace* trace);
    /// Draws the maps of `net` (null: no network).
    void setNetwork(NetworkSnapshot net);
    /// Shows the maps of `image` (ink, e.g. 28x28); `description` names it in the header.
    void setImage(const lenet::InkImage& image, const QString& description = {});
    /// Follows the selection of `selection` (null: stop following).
    void setSelectionModel(SelectionModel* selection);

    void setScaleMode(ScaleMode mode);
    ScaleMode scaleMode() const { return m_scaleMode; }
    /// Shows or hides the grid of stage `name` ("C1", "F6", ...).
    void setStageVisible(const QString& name, bool visible);
    /// The names of the network's stages, input first.
    QStringList stageNames() const;
    /// The names of the stages currently drawn.
    QStringList visibleStages() const;

    /// Maps of stage `name` (1 for a vector stage), 0 when unknown.
    int mapCount(const QString& name) const;
    /// Map `map` of stage `name` at its own resolution with the current colour scale (e.g.
    /// 28x28 for C1, 7x12 for F6's 84 units); null when there is no image or no such map.
    QImage mapImage(const QString& name, int map) const;
    /// The stage and map shown enlarged, or an empty name.
    QString zoomedStage() const { return m_zoomStage; }
    int zoomedMap() const { return m_zoomMap; }
    /// Enlarges map `map` of stage `name`; an empty name closes the enlarged view.
    void zoom(const QString& name, int map);

    /// The grid widget (for tests: where each map is drawn).
    ImageGrid* grid() const { return m_grid; }
    /// The line that describes the map under the mouse.
    QString hoverText() const;

    /// Every drawn grid as one image (the enlarged map included).
    QImage renderImage();
    /// Saves renderImage() as PNG; returns an error message, empty on success.
    QString exportPng(const QString& path);

private:
    const Stage* stage(const QString& name) const;
    ValueRange stageRange(const Stage& s) const;
    ValueRange mapRange(const Stage& s, int map) const;
    const float* mapValues(const Stage& s, int map) const;
    QSize mapSize(const Stage& s) const;
    int displayScale(const Stage& s, int target) const;
    /// Takes the network's stages and the image's trace from the followed trace, then rebuilds.
    void draw();
    /// Lays the grids out from the trace drawn.
    void rebuild();
    void showHover(int section, int cell, QPoint pixel);

    TraceFollower* m_follower;
    // What is drawn: the network's stages (none without network), the image's description and
    // trace (empty without image).
    std::vector<Stage> m_stages;
    QString m_description;
    std::shared_ptr<const Trace> m_trace;
    ScaleMode m_scaleMode = ScaleMode::SharedPerLayer;
    std::vector<int> m_sectionStage;  // grid section -> index in m_stages
    QString m_zoomStage;
    int m_zoomMap = -1;

    QLabel* m_header;
    LayerToggles* m_toggles;
    QCheckBox* m_perMap;
    QScrollArea* m_scroll;
    ImageGrid* m_grid;
    QWidget* m_zoomBox;
    ImageGrid* m_zoomGrid;
    QLabel* m_hover;
};

}  // namespace lenet::ui
