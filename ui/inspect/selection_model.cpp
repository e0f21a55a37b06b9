// SelectionModel: holds the current image and tells the views when it changes.
#include "ui/inspect/selection_model.h"

#include <utility>

namespace lenet::ui {

SelectionModel::SelectionModel(QObject* parent) : QObject(parent) {}

void SelectionModel::select(SelectedImage image) {
    m_current = std::move(image);
    Q_EMIT changed();
}

void followSelection(SelectionModel*& followed, SelectionModel* next, QObject* view,
                     const std::function<void(const SelectedImage&)>& show) {
    if (followed) QObject::disconnect(followed, nullptr, view, nullptr);
    followed = next;
    if (!next) return;
    QObject::connect(next, &SelectionModel::changed, view, [next, show] { show(next->current()); });
    if (!next->isEmpty()) show(next->current());
}

}  // namespace lenet::ui
