// The architecture chooser and editor of the studio's sidebar: the presets (and any spec opened
// from a file) with their descriptions and parameter counts, the chosen one's layers in the
// ArchitectureEditor, and Open / Save as / Revert for JSON spec files.
#pragma once

#include <vector>

#include <QString>
#include <QWidget>

#include "lenet/spec.h"

class QLabel;
class QListWidget;
class QToolButton;

namespace lenet::ui {

class ArchitectureEditor;

class PresetPanel : public QWidget {
    Q_OBJECT

public:
    explicit PresetPanel(QWidget* parent = nullptr);
    /// Disconnects the children first: closing the panel with a cell editor open commits the
    /// edit while QWidget's destructor runs, after this class's members are gone.
    ~PresetPanel() override;

    /// Name of the chosen entry: the preset's name (also when it is edited) or, for a spec that
    /// is not a preset, the spec's name. Empty when none is chosen.
    QString currentName() const;
    /// The entry as the list shows it, e.g. "lenet5-1998 *" when edited.
    QString currentLabel() const;
    /// The chosen entry's spec with the user's edits; requires a choice.
    const lenet::ArchitectureSpec& currentSpec() const;
    /// The current spec builds a network (Train may start).
    bool specIsValid() const;
    /// Why the current spec does not fit (the network's message naming the layer and the
    /// shapes); empty when it does.
    QString specProblem() const;
    /// The chosen entry's architecture differs from the preset or file it came from.
    bool isModified() const;
    /// The chosen entry is one of the presets (edited or not).
    bool isPreset() const;

    /// Chooses the preset `name`; false when there is no such preset.
    bool selectPreset(const QString& name);
    /// Chooses `name`, or the first preset when there is no such preset.
    void selectPresetOrFirst(const QString& name);
    /// Shows a spec that does not come from the list (an opened model or spec file) and
    /// chooses it: the preset of the same name when the architecture is that preset's, else an
    /// entry of its own (replacing an earlier one of the same name). Emits presetSelected().
    void showSpec(const lenet::ArchitectureSpec& spec);
    /// Keeps `training` with the current spec (Save as writes it); not an architecture edit.
    void setTraining(const lenet::TrainingConfig& training);

    /// Reads a JSON spec and shows it (showSpec). Throws lenet::Error naming the file and what
    /// is wrong with it.
    void openSpecFile(const QString& path);
    /// Writes the current spec, named after the file, as JSON through a temporary file, and
    /// shows it under that name. Throws lenet::IoError naming the file.
    void saveSpecFile(const QString& path);

public Q_SLOTS:
    /// Asks for a JSON spec file and opens it; a file that cannot be used is explained in a
    /// message box and changes nothing.
    void openSpec();
    /// Asks for a file name and saves the current spec there; errors go to a message box.
    void saveSpecAs();
    /// Undoes the edits of the current entry's architecture (its training settings stay).
    void revertSpec();

Q_SIGNALS:
    /// An entry was chosen (or shown by showSpec); its training settings are the ones to show.
    void presetSelected(const QString& name);
    /// After every choice and every edit: whether the current spec builds a network.
    void specChanged(bool valid);

private:
    struct Entry {
        lenet::ArchitectureSpec original;  // as the preset or the file has it
        lenet::ArchitectureSpec current;   // with the user's edits
        bool preset = true;
        int parameterCount = 0;  // of `current`, 0 when it does not fit
        bool fits = true;
    };

    QToolButton* makeButton(const char* objectName, const QString& text, const QString& toolTip);
    int addEntry(Entry entry);
    void updateItem(int row);
    void showRow(int row);
    void takeEdit();
    void showVerdict();
    Entry* currentEntry();
    const Entry* currentEntry() const;
    void reportFileError(const QString& title, const std::exception& error);

    QListWidget* m_list;
    ArchitectureEditor* m_editor;
    QLabel* m_total;
    QToolButton* m_revert = nullptr;
    std::vector<Entry> m_entries;  // one per list row
    QString m_lastDir;             // of the last spec file opened or saved
};

}  // namespace lenet::ui
