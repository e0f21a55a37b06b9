// The output layer seen from inside: for LeNet-5's RBF head, the ten class centres (the 7x12
// bitmaps of the digits) beside a distance bar per class, and the F6 output of the selected
// image drawn as the same kind of 7x12 picture (the smallest distance wins). For a softmax head,
// the class probabilities instead.
#pragma once

#include <vector>

#include <QImage>
#include <QWidget>

#include "lenet/data/preprocess.h"
#include "ui/training/training_types.h"

class QLabel;

namespace lenet::ui {

class ClassBars;
class ImageGrid;
class SelectionModel;
class SelectionTrace;
class TraceFollower;

class RbfView : public QWidget {
    Q_OBJECT

public:
    explicit RbfView(QWidget* parent = nullptr);
    ~RbfView() override;

    /// Shows the output for the image of `trace` (shared with other views; not owned, it
    /// outlives this view) instead of the view's own trace. The setters below then act on `trace`.
    void setTrace(SelectionTrace* trace);
    /// Uses `net` (null: no network).
    void setNetwork(NetworkSnapshot net);
    /// Shows the output for `image`; `description` names it.
    void setImage(const lenet::InkImage& image, const QString& description = {});
    /// Follows the selection of `selection` (null: stop following).
    void setSelectionModel(SelectionModel* selection);

    /// True when the network has an RBF head (centres and distances are shown).
    bool showsRbf() const;
    /// The class centres as pictures (7x12 for LeNet-5), empty for a softmax head.
    const std::vector<QImage>& centreImages() const { return m_centres; }
    /// The selected image's input to the RBF layer (F6) as a picture; null without image.
    QImage f6Image() const { return m_f6; }
    ClassBars* bars() const { return m_bars; }

    /// What the view shows, as an image.
    QImage renderImage();
    /// Saves renderImage() as PNG; returns an error message, empty on success.
    QString exportPng(const QString& path);

private:
    /// Draws the centres and the output from the followed trace.
    void draw();

    TraceFollower* m_follower;
    NetworkSnapshot m_net;  // the network drawn
    std::vector<QImage> m_centres;
    QImage m_f6;

    QLabel* m_header;
    ImageGrid* m_f6Grid;
    ClassBars* m_bars;
    QWidget* m_content;
};

}  // namespace lenet::ui
