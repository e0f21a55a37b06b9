// The learned kernels of each convolution layer as a grid: one row per input map, one column
// per output map, so that C3's 6x16 grid shows the connection table of LeCun et al. 1998
// (Table I) as filled and empty cells. Weights are blue (negative) to red (positive), on one
// colour scale per layer or per kernel.
#pragma once

#include <optional>
#include <vector>

#include <QWidget>

#include "lenet/network.h"
#include "ui/inspect/map_images.h"
#include "ui/training/training_types.h"

class QCheckBox;
class QLabel;

namespace lenet::ui {

class ImageGrid;
class LayerToggles;

class KernelsView : public QWidget {
    Q_OBJECT

public:
    explicit KernelsView(QWidget* parent = nullptr);
    ~KernelsView() override;

    /// Shows the kernels of a copy of `net` (null: no network).
    void setNetwork(NetworkSnapshot net);

    /// Scales each kernel over its own range instead of one range per layer.
    void setPerKernelScale(bool perKernel);
    /// Shows or hides the grid of convolution layer `name`.
    void setLayerVisible(const QString& name, bool visible);

    /// The names of the convolution layers, in order.
    QStringList layerNames() const;
    /// Columns (output maps) x rows (input maps) of layer `name`'s grid; empty when unknown.
    QSize gridSize(const QString& name) const;
    /// Cells of layer `name`'s drawn grid that hold a kernel (the connections): 60 for
    /// lenet5-1998's C3; 0 when the layer is hidden.
    int filledCells(const QString& name) const;
    /// The kernel from input map `in` to output map `out` of layer `name` (k x k), null when the
    /// connection table leaves it out.
    QImage kernelImage(const QString& name, int in, int out) const;

    /// The grid widget (for tests).
    ImageGrid* grid() const { return m_grid; }
    /// The line that describes the kernel under the mouse.
    QString hoverText() const;

    /// The drawn grids as one image.
    QImage renderImage();
    /// Saves renderImage() as PNG; returns an error message, empty on success.
    QString exportPng(const QString& path);

private:
    struct ConvInfo {
        QString name;
        QString inputName;  // the stage that feeds it, e.g. "S2"
        int layer = 0;
        int inputs = 0;
        int outputs = 0;
        int k = 0;
    };
    const ConvInfo* info(const QString& name) const;
    const float* kernel(const ConvInfo& c, int in, int out) const;
    bool connected(const ConvInfo& c, int in, int out) const;
    /// The weights of every kernel that exists in the layer.
    std::vector<float> layerWeights(const ConvInfo& c) const;
    /// The layer's colour scale: +-the 95th percentile of |w| (a few large weights saturate).
    ValueRange layerScale(const ConvInfo& c) const;
    /// The kernel's image on the per-kernel scale or on `layer` (null when not connected).
    QImage makeKernelImage(const ConvInfo& c, int in, int out, const ValueRange& layer) const;
    void rebuild();
    void showHover(int section, int cell, QPoint pixel);

    std::optional<lenet::Network> m_net;
    std::vector<ConvInfo> m_convs;
    std::vector<int> m_sectionConv;  // grid section -> index in m_convs
    bool m_perKernel = false;

    LayerToggles* m_toggles;
    QCheckBox* m_perKernelBox;
    ImageGrid* m_grid;
    QLabel* m_hover;
};

}  // namespace lenet::ui
