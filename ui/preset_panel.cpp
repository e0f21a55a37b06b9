// PresetPanel: the preset list (name and parameter count, description as tool tip) above the
// layer table of the selected preset.
#include "ui/preset_panel.h"

#include <algorithm>

#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QTableView>
#include <QVBoxLayout>

#include "lenet/network.h"
#include "lenet/presets.h"
#include "ui/layer_table_model.h"

namespace lenet::ui {

PresetPanel::PresetPanel(QWidget* parent)
    : QWidget(parent),
      m_list(new QListWidget),
      m_layers(new QTableView),
      m_total(new QLabel),
      m_model(new LayerTableModel(this)) {
    m_list->setObjectName(QStringLiteral("presetList"));
    m_list->setToolTip(tr("The architectures that ship with the studio"));
    for (const std::string& name : lenet::presetNames()) {
        lenet::ArchitectureSpec spec = lenet::preset(name);
        const lenet::Network net(spec);
        auto* item = new QListWidgetItem(
            tr("%1  —  %2 parameters")
                .arg(QString::fromStdString(name), QLocale().toString(net.parameterCount())));
        item->setData(Qt::UserRole, QString::fromStdString(name));
        item->setToolTip(QString::fromStdString(spec.description));
        item->setSizeHint(QSize(0, m_list->fontMetrics().height() + 8));
        m_list->addItem(item);
        m_specs.push_back(std::move(spec));
    }
    m_list->setFixedHeight(m_list->sizeHintForRow(0) * std::max(3, m_list->count()) +
                           2 * m_list->frameWidth());

    m_layers->setObjectName(QStringLiteral("layerTable"));
    m_layers->setModel(m_model);
    m_layers->setToolTip(tr("The layers of the selected architecture"));
    m_layers->setSelectionMode(QAbstractItemView::NoSelection);
    m_layers->setFocusPolicy(Qt::NoFocus);
    m_layers->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_layers->setAlternatingRowColors(true);
    m_layers->setShowGrid(false);
    m_layers->verticalHeader()->hide();
    m_layers->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_layers->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_layers->horizontalHeader()->setSectionResizeMode(LayerTableModel::Kind, QHeaderView::Stretch);

    m_total->setObjectName(QStringLiteral("totalParameters"));
    m_total->setToolTip(tr("Trainable parameters of the selected architecture"));

    auto* title = new QLabel(tr("<b>Architecture</b>"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(title);
    layout->addWidget(m_list);
    layout->addWidget(m_layers, 1);
    layout->addWidget(m_total);

    connect(m_list, &QListWidget::currentRowChanged, this, &PresetPanel::showRow);
    // A click on the list's blank space clears the selection; the current preset stays shown.
    connect(m_list, &QListWidget::itemSelectionChanged, this, [this] {
        if (m_list->selectedItems().isEmpty() && m_list->currentItem()) {
            m_list->currentItem()->setSelected(true);
        }
    });
}

QString PresetPanel::currentName() const {
    const QListWidgetItem* item = m_list->currentItem();
    return item ? item->data(Qt::UserRole).toString() : QString();
}

const lenet::ArchitectureSpec& PresetPanel::currentSpec() const {
    return m_specs.at(std::size_t(m_list->currentRow()));
}

bool PresetPanel::selectPreset(const QString& name) {
    for (int row = 0; row < m_list->count(); ++row) {
        if (m_list->item(row)->data(Qt::UserRole).toString() == name) {
            m_list->setCurrentRow(row);
            return true;
        }
    }
    return false;
}

void PresetPanel::selectPresetOrFirst(const QString& name) {
    if (!selectPreset(name) && m_list->count() > 0) m_list->setCurrentRow(0);
}

void PresetPanel::showRow(int row) {
    if (row < 0 || row >= int(m_specs.size())) return;
    const lenet::Network net(m_specs[std::size_t(row)]);
    m_model->setNetwork(net);
    m_total->setText(tr("Total: <b>%1</b> trainable parameters")
                         .arg(QLocale().toString(m_model->totalParameters())));
    Q_EMIT presetSelected(currentName());
}

}  // namespace lenet::ui
