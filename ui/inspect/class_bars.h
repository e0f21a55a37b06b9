// One bar per class: the probabilities of a softmax head (longest wins) or the RBF penalties of
// LeNet-5's output layer (the distance of F6 to each class centre: shortest wins), with the
// winning class highlighted and, optionally, a small picture per class (the RBF centres).
#pragma once

#include <vector>

#include <QImage>
#include <QStringList>
#include <QWidget>

#include "lenet/network.h"

namespace lenet::ui {

class ClassBars : public QWidget {
    Q_OBJECT

public:
    enum class Mode {
        Probability,  // values in [0, 1], the largest wins
        Distance,     // non-negative penalties, the smallest wins
    };

    explicit ClassBars(QWidget* parent = nullptr);

    /// Shows one bar per value; the winner follows from `mode`. When `unsure` (the input does not
    /// look like the training data) the winner is not highlighted as an answer.
    void setValues(std::vector<float> values, Mode mode, bool unsure = false);
    /// The label of each row (empty: the class numbers).
    void setClassNames(QStringList names);
    /// Removes the bars (the class labels and pictures stay); `note` is shown instead.
    void clear(const QString& note = {});
    /// A picture drawn before each class's bar (empty vector: none).
    void setRowImages(std::vector<QImage> images, int scale);

    const std::vector<float>& values() const { return m_values; }
    Mode mode() const { return m_mode; }
    /// The winning class, -1 without values.
    int winner() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    int rowCount() const;
    int rowHeight() const;

    std::vector<float> m_values;
    std::vector<QImage> m_images;
    int m_imageScale = 1;
    Mode m_mode = Mode::Probability;
    bool m_unsure = false;
    QStringList m_names;
    QString m_note;
};

/// The class names of `net` (its classNames(), else the numbers) for ClassBars::setClassNames.
QStringList classNames(const lenet::Network& net);

}  // namespace lenet::ui
