// The preprocessing strip under the canvas: what the drawing becomes before the network sees it,
// step by step (as drawn -> bounding box -> longer side 20 -> centred 28x28 -> padded 32x32).
#pragma once

#include <vector>

#include <QImage>
#include <QWidget>

#include "lenet/data/preprocess.h"

namespace lenet::ui {

class PreprocessStrip : public QWidget {
    Q_OBJECT

public:
    explicit PreprocessStrip(QWidget* parent = nullptr);

    /// Shows the steps of `drawing`; `inputSize` is the network's input (e.g. 32x32).
    void setSteps(const lenet::InkImage& drawing, const lenet::MnistStyleSteps& steps,
                  QSize inputSize);
    /// Shows empty frames.
    void clear();

    /// The five step images at their own sizes, in order (empty before setSteps).
    const std::vector<QImage>& images() const { return m_images; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    std::vector<QImage> m_images;
};

}  // namespace lenet::ui
