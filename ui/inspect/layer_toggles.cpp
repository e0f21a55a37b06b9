// LayerToggles: the buttons and the remembered state per name.
#include "ui/inspect/layer_toggles.h"

#include <QHBoxLayout>
#include <QToolButton>

namespace lenet::ui {

LayerToggles::LayerToggles(QWidget* parent) : QWidget(parent), m_layout(new QHBoxLayout(this)) {
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(2);
}

void LayerToggles::setItems(const std::vector<Item>& items) {
    bool same = items.size() == m_buttons.size();
    for (std::size_t i = 0; same && i < items.size(); ++i)
        same = m_buttons[i]->text() == items[i].name;
    if (same) return;
    for (QToolButton* b : m_buttons) delete b;
    m_buttons.clear();
    for (const Item& item : items) {
        const bool on = m_state.emplace(item.name, item.defaultOn).first->second;
        auto* b = new QToolButton(this);
        b->setText(item.name);
        b->setToolTip(item.toolTip);
        b->setCheckable(true);
        b->setChecked(on);
        connect(b, &QToolButton::toggled, this,
                [this, name = item.name](bool checked) { setOn(name, checked); });
        m_layout->addWidget(b);
        m_buttons.push_back(b);
    }
    Q_EMIT changed();
}

bool LayerToggles::isOn(const QString& name) const {
    const auto it = m_state.find(name);
    return it != m_state.end() && it->second;
}

void LayerToggles::setOn(const QString& name, bool on) {
    if (isOn(name) == on && m_state.count(name)) return;
    m_state[name] = on;
    for (QToolButton* b : m_buttons) {
        if (b->text() == name) b->setChecked(on);
    }
    Q_EMIT changed();
}

QStringList LayerToggles::checked() const {
    QStringList names;
    for (const QToolButton* b : m_buttons) {
        if (b->isChecked()) names << b->text();
    }
    return names;
}

}  // namespace lenet::ui
