// SelectionModel: holds the current image and tells the views when it changes.
#include "ui/inspect/selection_model.h"

#include <utility>

namespace lenet::ui {

SelectionModel::SelectionModel(QObject* parent) : QObject(parent) {}

void SelectionModel::select(SelectedImage image) {
    m_current = std::move(image);
    Q_EMIT changed();
}

}  // namespace lenet::ui
