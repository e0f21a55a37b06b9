// The invariance lab: sliders that shift, rotate, scale and add noise to the selected or drawn
// digit, with the network's answer and feature maps following every move (as in LeCun's 1993
// demonstration of LeNet's tolerance to these changes). The changed digit is an image of the
// lab's own: a second SelectionTrace traces it, for the answer and the feature maps together.
#pragma once

#include <memory>

#include <QWidget>

#include "lenet/data/preprocess.h"
#include "ui/inspect/network_probe.h"
#include "ui/training/training_types.h"

class QLabel;
class QSlider;

namespace lenet::ui {

class ClassBars;
class FeatureMapsView;
class ImageGrid;
class SelectionModel;
class SelectionTrace;
class TraceFollower;

/// What the lab does to the digit.
struct LabTransform {
    float shiftX = 0.0f;    // pixels, right is positive
    float shiftY = 0.0f;    // pixels, down is positive
    float rotation = 0.0f;  // degrees, clockwise on screen
    float scale = 1.0f;     // uniform
    float noise = 0.0f;     // standard deviation of Gaussian noise added to the ink
    friend bool operator==(const LabTransform&, const LabTransform&) = default;
};

/// `image` moved, rotated and scaled about its centre (lenet::affine), plus noise from a fixed
/// seed (the same pattern at every strength), ink clamped to [0, 1].
lenet::InkImage transformDigit(const lenet::InkImage& image, const LabTransform& t);

class InvarianceLab : public QWidget {
    Q_OBJECT

public:
    explicit InvarianceLab(QWidget* parent = nullptr);
    ~InvarianceLab() override;

    /// Changes the image of `trace` (shared with other views; not owned, it outlives the lab)
    /// instead of that of the lab's own trace. The setters below then act on `trace`.
    void setTrace(SelectionTrace* trace);
    /// Classifies with `net` (null: no network).
    void setNetwork(NetworkSnapshot net);
    /// The digit to transform (ink, e.g. 28x28); `description` names it.
    void setImage(const lenet::InkImage& image, const QString& description = {});
    /// Follows the selection of `selection` (null: stop following).
    void setSelectionModel(SelectionModel* selection);

    /// Sets the sliders (values outside their ranges are clamped).
    void setTransform(const LabTransform& t);
    LabTransform transform() const;
    /// Back to no change.
    void reset();

    /// The transformed digit; empty without an image.
    const lenet::InkImage& transformedImage() const { return m_transformed; }
    /// The trace of transformedImage() that the answer and the feature maps are drawn from.
    SelectionTrace* transformedTrace() const { return m_transformedTrace; }
    /// The answer for the transformed digit, -1 when there is none.
    int predictedClass() const { return m_trace->empty() ? -1 : m_trace->predicted; }
    FeatureMapsView* featureMaps() const { return m_maps; }
    ClassBars* bars() const { return m_bars; }

    /// What the lab shows, as an image.
    QImage renderImage();
    /// Saves renderImage() as PNG; returns an error message, empty on success.
    QString exportPng(const QString& path);

private:
    QSlider* addSlider(const QString& name, const QString& toolTip, int min, int max, int value,
                       const QString& unit);
    /// Transforms the followed trace's image and draws the answer for it.
    void draw();

    TraceFollower* m_follower;
    SelectionTrace* m_transformedTrace;
    lenet::InkImage m_transformed;
    std::shared_ptr<const Trace> m_trace;  // of m_transformed

    QLabel* m_header;
    QWidget* m_sliderBox;
    QSlider* m_shiftX;
    QSlider* m_shiftY;
    QSlider* m_rotation;
    QSlider* m_scale;
    QSlider* m_noise;
    ImageGrid* m_images;
    QLabel* m_answer;
    ClassBars* m_bars;
    FeatureMapsView* m_maps;
};

}  // namespace lenet::ui
