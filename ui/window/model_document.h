// The model the studio has open: the current network (trained, opened, resumed or freshly
// initialised) with its training history, the name the views and the status bar give it ("run 3
// of lenet5-modern at epoch 4", "digits.lenet"), whether its weights are saved, the file it was
// opened from or saved to (for the window title), and the file dialogs and the "save before
// ...?" question that go with them.
#pragma once

#include <QObject>
#include <QString>

#include "ui/training/training_types.h"

class QWidget;

namespace lenet::ui {

class ModelDocument : public QObject {
    Q_OBJECT

public:
    /// Opens its dialogs over `window` (its parent).
    explicit ModelDocument(QWidget* window);

    /// The current network; null before any.
    const NetworkSnapshot& network() const { return m_network; }
    /// What the current network is called where the views show it: "run 3 of lenet5-modern at
    /// epoch 4", "digits.lenet", "lenet5-modern, not trained yet"; empty before any network.
    const QString& name() const { return m_name; }
    /// The current network's training history.
    const EpochHistory& history() const { return m_history; }
    /// Weights were trained since they were last saved, opened or reset.
    bool isUnsaved() const { return m_unsaved; }
    /// The model file the current network was opened from or last saved to; empty when it has
    /// none (trained, resumed or initialised since).
    const QString& filePath() const { return m_path; }
    /// The window title: the file's name when there is one, "[*]" for the unsaved mark.
    QString windowTitle() const;

    /// `network` with `history` becomes current, with no file, called `name` (empty: its
    /// architecture's name); `unsaved` when it was trained.
    void setNetwork(const NetworkSnapshot& network, const EpochHistory& history, bool unsaved,
                    const QString& name = {});
    /// A snapshot of the run in progress, called `name` (empty: the name stays), replaces the
    /// network; the rest stays.
    void showSnapshot(const NetworkSnapshot& network, const QString& name = {});

    /// Reads the model file `path`: its network and history become current, saved, named
    /// `path` and called by the file's name. A file that cannot be used is reported by problem()
    /// and the current model stays. A network saved without a calibration (older files) is
    /// calibrated on `testSet` when it fits (a fraction of a second), so that its probabilities
    /// and "unsure" verdicts mean what a freshly trained one's do; the file is not touched.
    bool open(const QString& path, const lenet::Dataset* testSet = nullptr);
    /// Writes the current network and its history to `path` (atomically: a failed write leaves
    /// the file as it was and is reported by problem()). True on success.
    bool save(const QString& path);
    /// Asks where to save (starting in the folder last used) and saves there; false when the
    /// user cancels, there is no network or the save fails.
    bool saveAs();
    /// Writes the current network and its history to `path` as ONNX (lenet/onnx.h, atomically;
    /// a failure is reported by problem()). The document's file and saved state stay: an export
    /// is a copy for other programs. True on success.
    bool exportOnnx(const QString& path);
    /// Asks where to export (beside the model's file, or in the folder last used) and exports
    /// there; false when the user cancels, there is no network or the export fails.
    bool exportOnnxAs();
    /// Asks which model file (.lenet, or .onnx) to open (starting in the folder last used);
    /// empty when cancelled.
    QString askFileToOpen();
    /// True when nothing unsaved would be lost by `what` ("quitting"), or the user chose to
    /// save (and it was saved) or to discard. `whose` names the weights in the question.
    bool confirmDiscard(const QString& what, const QString& whose);

Q_SIGNALS:
    /// The network changed (snapshots of a run in progress included); `name` is name().
    void networkChanged(const lenet::ui::NetworkSnapshot& network, const QString& name);
    /// isUnsaved(), filePath() or the network changed (not by showSnapshot).
    void changed();
    /// What was done, for the status bar.
    void status(const QString& text);
    /// An action failed: `title` names it, `message` says why.
    void problem(const QString& title, const QString& message);

private:
    /// Makes `network` with `history` current, called `name`, from the file `path` (empty: no
    /// file).
    void replace(const NetworkSnapshot& network, const EpochHistory& history, bool unsaved,
                 const QString& name, const QString& path);

    QWidget* m_window;
    NetworkSnapshot m_network;
    EpochHistory m_history;
    bool m_unsaved = false;
    QString m_name;
    QString m_path;
};

}  // namespace lenet::ui
