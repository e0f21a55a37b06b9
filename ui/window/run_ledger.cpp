// RunLedger: the styles, names and architectures of the plotted runs, and the calls that keep the
// plots and the status bar in step with them.
#include "ui/window/run_ledger.h"

#include <algorithm>

#include <QLocale>

#include "ui/plots/error_plot.h"
#include "ui/plots/loss_plot.h"
#include "ui/window/run_status_bar.h"

namespace lenet::ui {
namespace {

/// LeCun et al. 1998, section III.C: LeNet-5's test error without distortions.
constexpr double kPaperTestErrorPercent = 0.95;
const QString kPaperPreset = QStringLiteral("lenet5-1998");

}  // namespace

QString testErrorSummary(const EpochHistory& history, int testImages) {
    for (auto it = history.rbegin(); it != history.rend(); ++it) {
        if (it->testError < 0) continue;
        const QString error = RunLedger::tr("test %1 %").arg(100.0 * it->testError, 0, 'f', 2);
        return testImages > 0
                   ? RunLedger::tr("%1 (%2 images)").arg(error, QLocale().toString(testImages))
                   : error;
    }
    return {};
}

RunLedger::RunLedger(LossPlot* loss, ErrorPlot* error, RunStatusBar* status, QObject* parent)
    : QObject(parent),
      m_loss(loss),
      m_error(error),
      m_status(status),
      m_table(new RunsTableModel(this)) {
    connect(m_table, &RunsTableModel::runRenamed, this, &RunLedger::renameRun);
}

void RunLedger::renameRun(int runId, const QString& label) {
    m_loss->setRunLabel(runId, label);
    m_error->setRunLabel(runId, label);
    if (m_run.id == runId) m_run.label = label;
}

void RunLedger::highlightRuns(const QSet<int>& runIds) {
    m_loss->setHighlightedRuns(runIds);
    m_error->setHighlightedRuns(runIds);
}

bool RunLedger::hasOldRuns() const {
    return m_loss->runCount() > 1 || m_error->runCount() > 1;
}

void RunLedger::setSelectedPreset(const QString& name) {
    m_selectedPreset = name;
    updateReference();
}

void RunLedger::previewEpochs(int epochs) {
    m_loss->previewEpochs(epochs);
    m_error->previewEpochs(epochs);
}

RunStyle RunLedger::nextRun(const QString& name, const QString& architecture) {
    const int count = ++m_runsNamed[name];
    RunStyle run;
    run.id = ++m_runCount;
    run.colour = runColour(run.id - 1);
    run.label = count == 1 ? name : tr("%1 #%2").arg(name).arg(count);
    m_runArchitectures.insert(run.id, architecture);
    return run;
}

RunStyle RunLedger::addHistoryRun(const QString& label, const QString& architecture,
                                  const EpochHistory& history, int testImages,
                                  const RunFacts& facts) {
    const RunStyle run = nextRun(label, architecture);
    m_table->addRun(run.id, run.label, architecture, facts);
    m_table->setHistory(run.id, history);
    m_loss->addHistoryRun(run, history);
    m_error->addHistoryRun(run, history);
    m_loss->setRunSummary(run.id, testErrorSummary(history, testImages));
    m_error->setRunSummary(run.id, testErrorSummary(history, testImages));
    m_runHistories.insert(run.id, history);
    return run;
}

void RunLedger::startCurves(int epochs) {
    m_loss->beginRun(m_run, epochs);
    m_error->beginRun(m_run, epochs);
}

void RunLedger::beginRun(const QString& architecture, int epochs, int testImages,
                         const RunFacts& facts) {
    m_run = nextRun(architecture, architecture);
    m_table->addRun(m_run.id, m_run.label, architecture, facts);
    m_testImages = testImages;
    startCurves(epochs);
    updateReference();
    m_lastProgress = lenet::Progress{};
    m_status->runStarted(epochs);
    Q_EMIT runsChanged();
}

void RunLedger::beginResumedRun(const QString& label, const QString& architecture,
                                const EpochHistory& history, int epochs, int testImages) {
    const RunStyle before = addHistoryRun(label, architecture, history, testImages);
    m_testImages = testImages;
    // The continuation in the colour of the epochs before it: one run in two parts.
    m_run = nextRun(tr("%1 resumed").arg(architecture), architecture);
    m_run.colour = before.colour;
    m_table->addRun(m_run.id, m_run.label, architecture, {});
    startCurves(epochs);
    // The error curve goes on from the checkpoint's epochs (the loss plot has no batches there).
    for (const lenet::EpochMetrics& metrics : history) m_error->appendEpoch(metrics);
    updateReference();
    m_lastProgress = lenet::Progress{};
    m_status->runStarted(epochs);
    Q_EMIT runsChanged();
}

void RunLedger::addOpenedRun(const QString& label, const QString& architecture,
                             const EpochHistory& history, int testImages, const RunFacts& facts) {
    const int same = history.empty() ? 0 : m_runHistories.key(history, 0);
    const QList<RunStyle>& plotted = m_error->runs();
    const auto found = std::find_if(plotted.begin(), plotted.end(),
                                    [same](const RunStyle& run) { return run.id == same; });
    if (found != plotted.end()) {
        m_run = *found;
        m_run.label = label;
        m_loss->setRunLabel(same, label);
        m_error->setRunLabel(same, label);
        m_table->setRunName(same, label);
    } else {
        m_run = addHistoryRun(label, architecture, history, testImages, facts);
    }
    m_testImages = testImages;
    m_lastProgress = lenet::Progress{};
    m_status->runStarted(int(history.size()));
    if (!history.empty()) m_status->showEpoch(history.back());
    updateReference();
    Q_EMIT runsChanged();
}

QString RunLedger::runNetworkName(const QString& architecture, int epoch) const {
    return epoch > 0 ? tr("run %1 of %2 at epoch %3").arg(m_run.id).arg(architecture).arg(epoch)
                     : tr("run %1 of %2, not trained yet").arg(m_run.id).arg(architecture);
}

void RunLedger::appendProgress(const lenet::Progress& progress) {
    m_lastProgress = progress;
    m_loss->appendProgress(progress);
    m_status->showProgress(progress);
}

void RunLedger::appendEpoch(const lenet::EpochMetrics& metrics) {
    m_error->appendEpoch(metrics);
    m_table->appendEpoch(m_run.id, metrics);
    m_status->showEpoch(metrics);
}

void RunLedger::finishRun(const EpochHistory& history, const QString& stopReason) {
    m_runHistories.insert(m_run.id, history);
    m_table->setHistory(m_run.id, history);
    const QString error = testErrorSummary(history, m_testImages);
    QString summary = error;
    if (!stopReason.isEmpty()) {
        summary = summary.isEmpty() ? stopReason : tr("%1, %2").arg(summary, stopReason);
    }
    endRun(summary);
    const int epochs = int(history.size());
    QString text = epochs == 1 ? tr("%1: 1 epoch trained").arg(m_run.label)
                               : tr("%1: %2 epochs trained").arg(m_run.label).arg(epochs);
    if (!error.isEmpty()) text += tr(", %1").arg(error);
    if (!stopReason.isEmpty()) text += QStringLiteral(" (%1)").arg(stopReason);
    m_status->runEnded(text);
}

void RunLedger::endRun(const QString& summary) {
    m_loss->setRunSummary(m_run.id, summary);
    m_error->setRunSummary(m_run.id, summary);
}

void RunLedger::removeCurrentRun() {
    m_loss->removeRun(m_run.id);
    m_error->removeRun(m_run.id);
    m_table->removeRun(m_run.id);
    m_runArchitectures.remove(m_run.id);
    m_runHistories.remove(m_run.id);
    updateReference();
    Q_EMIT runsChanged();
}

void RunLedger::clearOldRuns() {
    const int keep = m_run.id;
    m_loss->removeRunsExcept(keep);
    m_error->removeRunsExcept(keep);
    for (const int id : m_runArchitectures.keys()) {
        if (id != keep) m_table->removeRun(id);
    }
    m_runArchitectures.removeIf(
        [keep](QHash<int, QString>::iterator it) { return it.key() != keep; });
    m_runHistories.removeIf(
        [keep](QHash<int, EpochHistory>::iterator it) { return it.key() != keep; });
    updateReference();
    Q_EMIT runsChanged();
}

void RunLedger::updateReference() {
    bool paper = m_selectedPreset == kPaperPreset;
    for (const QString& name : m_runArchitectures) paper = paper || name == kPaperPreset;
    if (paper) {
        m_error->setReference(kPaperTestErrorPercent,
                              tr("LeCun 1998: %1 % test error").arg(kPaperTestErrorPercent));
    } else {
        m_error->setReference(std::nullopt);
    }
}

}  // namespace lenet::ui
