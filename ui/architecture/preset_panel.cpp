// PresetPanel: a list entry per preset (and per spec shown from a file), each keeping its own
// edits, over the ArchitectureEditor that edits the chosen one.
#include "ui/architecture/preset_panel.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QMessageBox>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

#include "lenet/error.h"
#include "lenet/file_io.h"
#include "lenet/presets.h"
#include "lenet/spec_json.h"
#include "ui/architecture/architecture_editor.h"
#include "ui/architecture/preset_item_delegate.h"
#include "ui/architecture/spec_check.h"

namespace lenet::ui {
namespace {

constexpr double kVisibleEntries = 4.5;  // the list's initial height; the half shows it scrolls

/// Everything but the name, description and training settings.
bool sameArchitecture(const lenet::ArchitectureSpec& a, const lenet::ArchitectureSpec& b) {
    return a.input == b.input && a.normalization == b.normalization && a.mean == b.mean &&
           a.stddev == b.stddev && a.layers == b.layers && a.loss == b.loss && a.mapJ == b.mapJ &&
           a.init == b.init;
}

}  // namespace

PresetPanel::PresetPanel(QWidget* parent)
    : QWidget(parent),
      m_list(new QListWidget),
      m_editor(new ArchitectureEditor),
      m_total(new QLabel),
      m_lastDir(QDir::homePath()) {
    m_list->setObjectName(QStringLiteral("presetList"));
    m_list->setToolTip(tr("The architectures that ship with the studio, and any you opened"));
    m_list->setItemDelegate(new PresetItemDelegate(m_list));
    m_list->setUniformItemSizes(true);
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    for (const std::string& name : lenet::presetNames()) {
        const lenet::ArchitectureSpec spec = lenet::preset(name);
        addEntry({spec, spec, true});
    }

    m_editor->setObjectName(QStringLiteral("architectureEditor"));
    m_total->setObjectName(QStringLiteral("totalParameters"));
    m_total->setToolTip(tr("Trainable parameters of the chosen architecture"));

    auto* open = makeButton("openSpec", tr("Open…"), tr("Open an architecture from a JSON file"));
    auto* save = makeButton("saveSpec", tr("Save as…"),
                            tr("Save the architecture shown, with its training settings, as a "
                               "JSON file (lenet train --spec reads it)"));
    m_revert = makeButton("revertSpec", tr("Revert"),
                          tr("Undo the edits: back to the architecture as the preset or the file "
                             "has it"));
    connect(open, &QToolButton::clicked, this, &PresetPanel::openSpec);
    connect(save, &QToolButton::clicked, this, &PresetPanel::saveSpecAs);
    connect(m_revert, &QToolButton::clicked, this, &PresetPanel::revertSpec);

    auto* header = new QHBoxLayout;
    header->setSpacing(2);
    header->addWidget(open);
    header->addWidget(save);
    header->addWidget(m_revert);
    header->addStretch(1);

    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(m_list);
    split->addWidget(m_editor);
    split->setChildrenCollapsible(false);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    const int listHeight =
        int(m_list->sizeHintForRow(0) * kVisibleEntries) + 2 * m_list->frameWidth();
    split->setSizes({listHeight, 4 * listHeight});

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(header);
    layout->addWidget(split, 1);
    layout->addWidget(m_total);

    connect(m_list, &QListWidget::currentRowChanged, this, &PresetPanel::showRow);
    // A click on the list's blank space clears the selection; the chosen entry stays shown.
    connect(m_list, &QListWidget::itemSelectionChanged, this, [this] {
        if (m_list->selectedItems().isEmpty() && m_list->currentItem()) {
            m_list->currentItem()->setSelected(true);
        }
    });
    connect(m_editor, &ArchitectureEditor::edited, this, &PresetPanel::takeEdit);
    showVerdict();
}

PresetPanel::~PresetPanel() {
    m_list->disconnect(this);
    m_editor->disconnect(this);
}

QToolButton* PresetPanel::makeButton(const char* objectName, const QString& text,
                                     const QString& toolTip) {
    auto* button = new QToolButton;
    button->setObjectName(QString::fromLatin1(objectName));
    button->setText(text);
    button->setToolTip(toolTip);
    return button;
}

QString PresetPanel::currentName() const {
    const QListWidgetItem* item = m_list->currentItem();
    return item ? item->data(Qt::UserRole).toString() : QString();
}

QString PresetPanel::currentLabel() const {
    const QListWidgetItem* item = m_list->currentItem();
    return item ? item->data(PresetItemDelegate::LabelRole).toString() : QString();
}

const lenet::ArchitectureSpec& PresetPanel::currentSpec() const {
    return m_entries.at(std::size_t(m_list->currentRow())).current;
}

bool PresetPanel::specIsValid() const {
    const Entry* entry = currentEntry();
    return entry && entry->fits;
}

QString PresetPanel::specProblem() const {
    return currentEntry() ? m_editor->problem() : tr("No architecture is chosen");
}

bool PresetPanel::isModified() const {
    const Entry* entry = currentEntry();
    return entry && !sameArchitecture(entry->original, entry->current);
}

bool PresetPanel::isPreset() const {
    const Entry* entry = currentEntry();
    return entry && entry->preset;
}

bool PresetPanel::selectPreset(const QString& name) {
    for (int row = 0; row < int(m_entries.size()); ++row) {
        if (m_entries[std::size_t(row)].preset &&
            m_list->item(row)->data(Qt::UserRole).toString() == name) {
            m_list->setCurrentRow(row);
            return true;
        }
    }
    return false;
}

void PresetPanel::selectPresetOrFirst(const QString& name) {
    if (!selectPreset(name) && m_list->count() > 0) m_list->setCurrentRow(0);
}

void PresetPanel::showSpec(const lenet::ArchitectureSpec& spec) {
    int row = -1;
    for (int i = 0; i < int(m_entries.size()); ++i) {
        const Entry& entry = m_entries[std::size_t(i)];
        if (entry.original.name == spec.name &&
            (!entry.preset || sameArchitecture(entry.original, spec))) {
            row = i;
            break;
        }
    }
    if (row < 0) {
        row = addEntry({spec, spec, false});
    } else {
        Entry& entry = m_entries[std::size_t(row)];
        if (!entry.preset) entry.original = spec;
        entry.current = spec;
        const SpecCheck check = checkSpec(spec);
        entry.fits = check.fits();
        entry.parameterCount = check.parameterCount;
        updateItem(row);
    }
    if (m_list->currentRow() == row) {
        showRow(row);
    } else {
        m_list->setCurrentRow(row);
    }
}

void PresetPanel::setTraining(const lenet::TrainingConfig& training) {
    if (Entry* entry = currentEntry()) entry->current.training = training;
}

void PresetPanel::openSpecFile(const QString& path) {
    const lenet::ArchitectureSpec spec = lenet::loadSpecFile(path.toStdString());
    m_lastDir = QFileInfo(path).absolutePath();
    showSpec(spec);
}

void PresetPanel::saveSpecFile(const QString& path) {
    lenet::ArchitectureSpec spec = currentSpec();
    spec.name = QFileInfo(path).completeBaseName().toStdString();
    lenet::writeFileAtomically(path.toStdString(), lenet::toJson(spec).dump(2) + "\n");
    m_lastDir = QFileInfo(path).absolutePath();
    showSpec(spec);
}

void PresetPanel::openSpec() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open architecture"), m_lastDir, tr("Architecture specs (*.json);;All files (*)"));
    if (path.isEmpty()) return;
    try {
        openSpecFile(path);
    } catch (const std::exception& e) {
        reportFileError(tr("Open architecture"), e);
    }
}

void PresetPanel::saveSpecAs() {
    if (!currentEntry()) return;
    const QString suggested = QDir(m_lastDir).filePath(currentName() + QStringLiteral(".json"));
    QString path = QFileDialog::getSaveFileName(this, tr("Save architecture"), suggested,
                                                tr("Architecture specs (*.json)"));
    if (path.isEmpty()) return;
    if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".json");
    try {
        saveSpecFile(path);
    } catch (const std::exception& e) {
        reportFileError(tr("Save architecture"), e);
    }
}

void PresetPanel::revertSpec() {
    Entry* entry = currentEntry();
    if (!entry || !isModified()) return;
    const lenet::TrainingConfig training = entry->current.training;
    entry->current = entry->original;
    entry->current.training = training;
    m_editor->setSpec(entry->current);
    takeEdit();
}

void PresetPanel::reportFileError(const QString& title, const std::exception& error) {
    QMessageBox::warning(this, title, QString::fromStdString(error.what()));
}

int PresetPanel::addEntry(Entry entry) {
    const SpecCheck check = checkSpec(entry.current);
    entry.fits = check.fits();
    entry.parameterCount = check.parameterCount;
    const QString name = QString::fromStdString(entry.original.name);
    auto* item = new QListWidgetItem;
    item->setData(Qt::UserRole, name);
    m_entries.push_back(std::move(entry));
    m_list->addItem(item);
    updateItem(m_list->count() - 1);
    return m_list->count() - 1;
}

void PresetPanel::updateItem(int row) {
    const Entry& entry = m_entries[std::size_t(row)];
    QListWidgetItem* item = m_list->item(row);
    const bool modified = !sameArchitecture(entry.original, entry.current);
    const QString name = item->data(Qt::UserRole).toString();
    const QString label = modified ? name + QStringLiteral(" *") : name;
    const QString count = entry.fits
                              ? tr("%1 parameters").arg(QLocale().toString(entry.parameterCount))
                              : tr("does not fit");
    const QString description = QString::fromStdString(entry.current.description);
    item->setText(QStringLiteral("%1  —  %2").arg(label, count));
    item->setData(PresetItemDelegate::LabelRole, label);
    item->setData(PresetItemDelegate::CountRole, count);
    item->setData(PresetItemDelegate::DescriptionRole, description);
    item->setData(PresetItemDelegate::FitsRole, entry.fits);
    item->setData(PresetItemDelegate::CustomRole, !entry.preset);
    QString toolTip = description;
    if (!entry.preset) toolTip += tr("\n(not a preset: opened from a file)");
    if (modified) toolTip += tr("\n(edited: Revert goes back to the original)");
    item->setToolTip(toolTip);
}

void PresetPanel::showRow(int row) {
    if (row < 0 || row >= int(m_entries.size())) return;
    m_editor->setSpec(m_entries[std::size_t(row)].current);
    showVerdict();
    Q_EMIT presetSelected(currentName());
    Q_EMIT specChanged(m_entries[std::size_t(row)].fits);
}

void PresetPanel::takeEdit() {
    Entry* entry = currentEntry();
    if (!entry) return;
    const lenet::TrainingConfig training = entry->current.training;
    entry->current = m_editor->spec();
    entry->current.training = training;
    entry->fits = m_editor->isValid();
    entry->parameterCount = m_editor->parameterCount();
    updateItem(m_list->currentRow());
    showVerdict();
    Q_EMIT specChanged(entry->fits);
}

void PresetPanel::showVerdict() {
    const Entry* entry = currentEntry();
    m_revert->setEnabled(isModified());
    if (!entry) {
        m_total->clear();
    } else if (entry->fits) {
        m_total->setText(tr("Total: <b>%1</b> trainable parameters")
                             .arg(QLocale().toString(entry->parameterCount)));
    } else {
        m_total->setText(tr("Total: unknown until every layer fits"));
    }
}

PresetPanel::Entry* PresetPanel::currentEntry() {
    const int row = m_list->currentRow();
    return row >= 0 && row < int(m_entries.size()) ? &m_entries[std::size_t(row)] : nullptr;
}

const PresetPanel::Entry* PresetPanel::currentEntry() const {
    const int row = m_list->currentRow();
    return row >= 0 && row < int(m_entries.size()) ? &m_entries[std::size_t(row)] : nullptr;
}

}  // namespace lenet::ui
