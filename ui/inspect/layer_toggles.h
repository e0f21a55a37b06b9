// A row of checkable buttons, one per layer, that choose which layers a view draws. A choice
// the user made is remembered by name when the network changes.
#pragma once

#include <map>
#include <vector>

#include <QString>
#include <QWidget>

class QHBoxLayout;
class QToolButton;

namespace lenet::ui {

class LayerToggles : public QWidget {
    Q_OBJECT

public:
    /// One button: its text (the layer's name), tooltip and whether it starts checked (unless
    /// the user already chose for this name).
    struct Item {
        QString name;
        QString toolTip;
        bool defaultOn = false;
    };

    explicit LayerToggles(QWidget* parent = nullptr);

    /// Replaces the buttons (kept as they are when the names did not change).
    void setItems(const std::vector<Item>& items);
    bool isOn(const QString& name) const;
    /// Checks or unchecks `name`'s button; emits changed() when that changes anything.
    void setOn(const QString& name, bool on);
    /// The names of the checked buttons, in order.
    QStringList checked() const;

Q_SIGNALS:
    void changed();

private:
    QHBoxLayout* m_layout;
    std::vector<QToolButton*> m_buttons;
    std::map<QString, bool> m_state;  // every name seen, with its last state
};

}  // namespace lenet::ui
