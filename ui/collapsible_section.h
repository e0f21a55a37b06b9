// A titled section whose contents fold away behind a click on its title (an arrow shows the
// state), for the settings a first run does not need.
#pragma once

#include <QWidget>

class QLayout;
class QToolButton;

namespace lenet::ui {

class CollapsibleSection : public QWidget {
    Q_OBJECT

public:
    /// A folded section titled `title`; `toolTip` says what it holds.
    CollapsibleSection(const QString& title, const QString& toolTip, QWidget* parent = nullptr);

    /// Sets the section's contents, once (the section takes ownership).
    void setContentLayout(QLayout* layout);
    bool isExpanded() const;
    void setTitle(const QString& title);

public Q_SLOTS:
    void setExpanded(bool expanded);

private:
    QToolButton* m_toggle;
    QWidget* m_content;
};

}  // namespace lenet::ui
