// The runs shown in the plots: each run's style (a colour of its own, its name numbered from the
// second run of that name on), the architecture it trained (the paper's reference line shows
// while a lenet5-1998 run is plotted or selected), the run in progress, and what the loss plot,
// the error plot and the status bar are told as runs begin, progress, end and go.
#pragma once

#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>

#include "lenet/trainer.h"
#include "ui/plots/run_plot.h"
#include "ui/training/training_types.h"
#include "ui/window/runs_table.h"

namespace lenet::ui {

class ErrorPlot;
class LossPlot;
class RunStatusBar;

/// "test 1.23 % (2,000 images)" from the last epoch of `history` that measured the test error,
/// on `testImages` images (0: not known, not said); empty when none did.
QString testErrorSummary(const EpochHistory& history, int testImages);

class RunLedger : public QObject {
    Q_OBJECT

public:
    /// Tells `loss`, `error` and `status` about the runs; they must outlive the ledger.
    RunLedger(LossPlot* loss, ErrorPlot* error, RunStatusBar* status, QObject* parent = nullptr);

    /// The run in progress, or the last one begun, resumed or opened (id 0 before any).
    const RunStyle& currentRun() const { return m_run; }
    /// The last progress report of the current run (all zero before its first batch).
    const lenet::Progress& lastProgress() const { return m_lastProgress; }
    /// A row per plotted run (and the rows of opened compare results); renaming a run there
    /// renames it in the plots.
    RunsTableModel* table() const { return m_table; }
    /// Highlights the curves of `runIds` in both plots (none: every run drawn as it is).
    void highlightRuns(const QSet<int>& runIds);
    /// More than one run is plotted: clearOldRuns() has something to remove.
    bool hasOldRuns() const;

    /// The architecture selected for the next run when it is an unmodified preset, else empty:
    /// the reference line shows when it is lenet5-1998.
    void setSelectedPreset(const QString& name);
    /// Sizes both plots' epoch axes for the next run while they show no run.
    void previewEpochs(int epochs);

    /// A new current run of `architecture` (named after it) for `epochs` epochs, its test error
    /// measured on `testImages` images (0: not known): its curves begin, the status bar's
    /// read-outs start again. `facts` are for the runs table.
    void beginRun(const QString& architecture, int epochs, int testImages = 0,
                  const RunFacts& facts = {});
    /// A run resumed from a checkpoint: `history` (its epochs so far) drawn as a finished run
    /// labelled `label`, then the current run that goes on to `epochs` epochs, in the same
    /// colour, its error curve continuing from `history`.
    void beginResumedRun(const QString& label, const QString& architecture,
                         const EpochHistory& history, int epochs, int testImages = 0);
    /// `history` (an opened model's) drawn as a finished run labelled `label`, which becomes the
    /// current run. A plotted run that ended with the same history (the run that was saved, or
    /// the same file opened before) is that run: it is relabelled `label` and becomes current
    /// instead, so that a history is drawn once. The status bar's read-outs show its last epoch.
    void addOpenedRun(const QString& label, const QString& architecture,
                      const EpochHistory& history, int testImages = 0, const RunFacts& facts = {});
    /// What the views call the current run's network at `epoch`: "run 3 of lenet5-modern at
    /// epoch 4" ("…, not trained yet" before its first epoch).
    QString runNetworkName(const QString& architecture, int epoch) const;
    void appendProgress(const lenet::Progress& progress);
    void appendEpoch(const lenet::EpochMetrics& metrics);
    /// The current run ended with `history` (`stopReason` empty when every epoch ran): its
    /// legend summary and the status bar's account of it.
    void finishRun(const EpochHistory& history, const QString& stopReason);
    /// The current run ended early: `summary` ("diverged", "failed") in the legends.
    void endRun(const QString& summary);
    /// Removes the current run from the plots (it drew nothing).
    void removeCurrentRun();
    /// Removes every run from the plots but the current one.
    void clearOldRuns();

Q_SIGNALS:
    /// Runs were added to or removed from the plots.
    void runsChanged();

private:
    /// The next run's style: the next colour, labelled `name` (numbered from its second run on);
    /// `architecture` is noted for the reference line.
    RunStyle nextRun(const QString& name, const QString& architecture);
    /// Draws `history` as a finished run labelled `label`, measured on `testImages` images.
    RunStyle addHistoryRun(const QString& label, const QString& architecture,
                           const EpochHistory& history, int testImages, const RunFacts& facts = {});
    /// Names run `runId` `label` in the plots (and as the current run's label).
    void renameRun(int runId, const QString& label);
    /// Starts the curves of the current run, of `epochs` epochs.
    void startCurves(int epochs);
    void updateReference();

    LossPlot* m_loss;
    ErrorPlot* m_error;
    RunStatusBar* m_status;
    RunsTableModel* m_table;
    RunStyle m_run;                           // the run in progress or the last one
    lenet::Progress m_lastProgress;           // of the current run
    int m_testImages = 0;                     // the current run's test error is measured on
    QString m_selectedPreset;                 // see setSelectedPreset
    QHash<int, QString> m_runArchitectures;   // run id -> architecture name, for the reference
    QHash<int, EpochHistory> m_runHistories;  // run id -> history of a run that ended or opened
    QHash<QString, int> m_runsNamed;          // runs so far per name, for their numbers
    int m_runCount = 0;
};

}  // namespace lenet::ui
