// The image the inspection views look at: a test image picked in the gallery or the digit being
// drawn. Views observe it; whoever selects an image calls select().
#pragma once

#include <functional>

#include <QObject>
#include <QString>

#include "lenet/data/preprocess.h"

namespace lenet::ui {

/// An image as the network sees it before padding (28x28 MNIST style), and where it came from.
struct SelectedImage {
    lenet::InkImage image;
    int label = -1;       // the true class when known
    int testIndex = -1;   // index in the test set, -1 for a drawing
    QString description;  // "test image 1234" or "your drawing", for titles
};

class SelectionModel : public QObject {
    Q_OBJECT

public:
    explicit SelectionModel(QObject* parent = nullptr);

    /// Makes `image` the current selection and emits changed().
    void select(SelectedImage image);
    const SelectedImage& current() const { return m_current; }
    bool isEmpty() const { return m_current.image.ink.empty(); }

Q_SIGNALS:
    void changed();

private:
    SelectedImage m_current;
};

/// Makes `view` follow `next` instead of `followed` (either may be null) and sets `followed`:
/// `show` gets next's current image at once, when there is one, and after every change.
void followSelection(SelectionModel*& followed, SelectionModel* next, QObject* view,
                     const std::function<void(const SelectedImage&)>& show);

}  // namespace lenet::ui
