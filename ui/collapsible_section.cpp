// CollapsibleSection: a flat checkable tool button (arrow and title) over a content widget.
#include "ui/collapsible_section.h"

#include <QLayout>
#include <QToolButton>
#include <QVBoxLayout>

namespace lenet::ui {

CollapsibleSection::CollapsibleSection(const QString& title, const QString& toolTip,
                                       QWidget* parent)
    : QWidget(parent), m_toggle(new QToolButton), m_content(new QWidget) {
    m_toggle->setText(title);
    m_toggle->setToolTip(toolTip);
    m_toggle->setCheckable(true);
    m_toggle->setAutoRaise(true);
    m_toggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toggle->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    QFont font = m_toggle->font();
    font.setBold(true);
    m_toggle->setFont(font);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_toggle);
    layout->addWidget(m_content);

    connect(m_toggle, &QToolButton::toggled, this, &CollapsibleSection::setExpanded);
    setExpanded(false);
}

void CollapsibleSection::setContentLayout(QLayout* layout) {
    m_content->setLayout(layout);
}

bool CollapsibleSection::isExpanded() const {
    return m_toggle->isChecked();
}

void CollapsibleSection::setTitle(const QString& title) {
    m_toggle->setText(title);
}

void CollapsibleSection::setExpanded(bool expanded) {
    m_toggle->setChecked(expanded);
    m_toggle->setArrowType(expanded ? Qt::DownArrow : Qt::RightArrow);
    m_content->setVisible(expanded);
}

}  // namespace lenet::ui
