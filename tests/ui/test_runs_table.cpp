// Qt Test of the runs table (issue 20): a row per run with its figures, sorting by them, a
// rename that the plots' legends show, a selection that highlights the runs' curves, the facts
// of a run (parameters, changed settings), and `lenet compare` results read and written.
#include <qcustomplot.h>
#include <QDir>
#include <QFile>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include "lenet/compare_report.h"
#include "lenet/presets.h"
#include "support/histories.h"
#include "ui/plots/error_plot.h"
#include "ui/plots/loss_plot.h"
#include "ui/window/run_ledger.h"
#include "ui/window/run_status_bar.h"
#include "ui/window/runs_table.h"

using lenet::ui::EpochHistory;
using lenet::ui::RunsTableModel;
using lenet::ui::RunsTableView;
using lenet::ui::test::history;

namespace {

/// The names of the table's rows in the order shown.
QStringList shownNames(const QTableView* table) {
    QStringList names;
    for (int r = 0; r < table->model()->rowCount(); ++r)
        names << table->model()->index(r, RunsTableModel::Name).data().toString();
    return names;
}

/// True when some legend entry of `plot` starts with `name`.
bool legendShows(const QCustomPlot* plot, const QString& name) {
    for (int i = 0; i < plot->graphCount(); ++i) {
        if (plot->legend->hasItemWithPlottable(plot->graph(i)) &&
            plot->graph(i)->name().startsWith(name))
            return true;
    }
    return false;
}

}  // namespace

class TestRunsTable : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void aRowPerRunSortedByItsFigures();
    void renameShowsInTheLegend();
    void selectingRowsHighlightsTheirCurves();
    void factsSayWhatARunChanged();
    void readsAndWritesCompareResults();

private:
    lenet::ui::LossPlot* m_loss = nullptr;
    lenet::ui::ErrorPlot* m_error = nullptr;
    lenet::ui::RunStatusBar* m_status = nullptr;
    lenet::ui::RunLedger* m_ledger = nullptr;
    RunsTableView* m_view = nullptr;
};

void TestRunsTable::init() {
    m_loss = new lenet::ui::LossPlot;
    m_error = new lenet::ui::ErrorPlot;
    m_status = new lenet::ui::RunStatusBar;
    m_ledger = new lenet::ui::RunLedger(m_loss, m_error, m_status);
    m_view = new RunsTableView(m_ledger->table());
    connect(m_view, &RunsTableView::selectedRunsChanged, m_ledger,
            &lenet::ui::RunLedger::highlightRuns);
    // Three runs: two trained here, one opened.
    m_ledger->beginRun(QStringLiteral("lenet5-modern"), 3, 0, {61706, {}});
    m_ledger->finishRun(history(3, 0.012), {});
    m_ledger->beginRun(QStringLiteral("lenet5-1998"), 2, 0, {60000, QStringLiteral("lr=0.01")});
    m_ledger->finishRun(history(2, 0.025), {});
    m_ledger->addOpenedRun(QStringLiteral("lenet1 (old.lenet)"), QStringLiteral("lenet1"),
                           history(5, 0.02));
}

void TestRunsTable::cleanup() {
    delete m_view;
    delete m_ledger;
    delete m_status;
    delete m_error;
    delete m_loss;
}

void TestRunsTable::aRowPerRunSortedByItsFigures() {
    QTableView* table = m_view->table();
    QCOMPARE(table->model()->rowCount(), 3);
    QCOMPARE(shownNames(table),
             (QStringList{QStringLiteral("lenet5-modern"), QStringLiteral("lenet5-1998"),
                          QStringLiteral("lenet1 (old.lenet)")}));
    const QAbstractItemModel* model = table->model();
    QCOMPARE(model->index(0, RunsTableModel::Epochs).data().toInt(), 3);
    QCOMPARE(model->index(0, RunsTableModel::BestError).data().toString(),
             QStringLiteral("1.20 %"));
    QCOMPARE(model->index(0, RunsTableModel::Time).data().toString(), QStringLiteral("6.0 s"));
    QCOMPARE(model->index(1, RunsTableModel::Changes).data().toString(), QStringLiteral("lr=0.01"));
    QCOMPARE(model->index(1, RunsTableModel::Parameters).data().toString(),
             QLocale().toString(60000));
    QCOMPARE(model->index(1, RunsTableModel::Epochs).data().toInt(), 2);
    QCOMPARE(model->index(1, RunsTableModel::FinalError).data().toString(),
             QStringLiteral("2.50 %"));
    table->sortByColumn(RunsTableModel::BestError, Qt::AscendingOrder);
    QCOMPARE(shownNames(table),
             (QStringList{QStringLiteral("lenet5-modern"), QStringLiteral("lenet1 (old.lenet)"),
                          QStringLiteral("lenet5-1998")}));
    table->sortByColumn(RunsTableModel::Epochs, Qt::DescendingOrder);
    QCOMPARE(shownNames(table).front(), QStringLiteral("lenet1 (old.lenet)"));
    // Exports follow the order shown.
    QVERIFY(m_view->toMarkdown().indexOf(QStringLiteral("lenet1 (old.lenet)")) <
            m_view->toMarkdown().indexOf(QStringLiteral("lenet5-modern")));

    // A run in progress: its figures follow its epochs.
    m_ledger->beginRun(QStringLiteral("lenet1"), 2);
    QCOMPARE(table->model()->rowCount(), 4);
    const int id = m_ledger->currentRun().id;
    const int row = m_ledger->table()->rowOf(id);
    QCOMPARE(m_ledger->table()->index(row, RunsTableModel::Epochs).data().toInt(), 0);
    m_ledger->appendEpoch(history(1, 0.04).front());
    QCOMPARE(m_ledger->table()->index(row, RunsTableModel::Epochs).data().toInt(), 1);
    QCOMPARE(m_ledger->table()->index(row, RunsTableModel::BestError).data().toString(),
             QStringLiteral("4.00 %"));

    m_ledger->clearOldRuns();  // keeps the current run
    QCOMPARE(table->model()->rowCount(), 1);
    QCOMPARE(table->model()->index(0, 0).data(RunsTableModel::RunIdRole).toInt(), id);
}

void TestRunsTable::renameShowsInTheLegend() {
    QTableView* table = m_view->table();
    const QModelIndex name = table->model()->index(0, RunsTableModel::Name);
    QVERIFY(table->model()->flags(name) & Qt::ItemIsEditable);
    QVERIFY(!(table->model()->flags(table->model()->index(0, RunsTableModel::Epochs)) &
              Qt::ItemIsEditable));
    QVERIFY(table->model()->setData(name, QStringLiteral("relu baseline")));
    QVERIFY(legendShows(m_error->plot(), QStringLiteral("relu baseline")));
    QVERIFY(legendShows(m_loss->plot(), QStringLiteral("relu baseline")));
    QCOMPARE(m_error->runs().front().label, QStringLiteral("relu baseline"));
    // A note is kept with the row.
    const QModelIndex note = table->model()->index(0, RunsTableModel::Note);
    QVERIFY(table->model()->setData(note, QStringLiteral("first try")));
    QCOMPARE(note.data().toString(), QStringLiteral("first try"));
    // The current run renamed is the current run's label from now on.
    QVERIFY(table->model()->setData(table->model()->index(2, RunsTableModel::Name),
                                    QStringLiteral("old one")));
    QCOMPARE(m_ledger->currentRun().label, QStringLiteral("old one"));
}

void TestRunsTable::selectingRowsHighlightsTheirCurves() {
    QTableView* table = m_view->table();
    QVERIFY(m_error->highlightedRuns().isEmpty());
    const int firstId = table->model()->index(0, 0).data(RunsTableModel::RunIdRole).toInt();
    QVERIFY(firstId > 0);
    const QPen before = m_error->plot()->graph(0)->pen();
    table->selectRow(0);
    QCOMPARE(m_view->selectedRuns(), QSet<int>{firstId});
    QCOMPARE(m_error->highlightedRuns(), QSet<int>{firstId});
    QCOMPARE(m_loss->highlightedRuns(), QSet<int>{firstId});
    table->clearSelection();
    QVERIFY(m_error->highlightedRuns().isEmpty());
    QCOMPARE(m_error->plot()->graph(0)->pen(), before);
}

void TestRunsTable::factsSayWhatARunChanged() {
    lenet::ArchitectureSpec spec = lenet::preset("lenet5-modern");
    const lenet::ui::RunFacts plain = lenet::ui::runFacts(spec);
    QVERIFY(plain.parameters > 0);
    QVERIFY(plain.changes.isEmpty());
    spec.training.epochs += 1;
    QCOMPARE(lenet::ui::runFacts(spec).changes,
             QStringLiteral("epochs=%1").arg(spec.training.epochs));
    spec.name = "my-net";
    QCOMPARE(lenet::ui::runFacts(spec).changes, QStringLiteral("custom architecture"));
}

void TestRunsTable::readsAndWritesCompareResults() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    lenet::CompareRow row;
    row.variant = "lenet5-k3";
    row.parameters = 50000;
    row.runs = 2;
    row.epochs = 4;
    row.bestTestError = {0.011, 0.010, 0.012};
    row.finalTestError = {0.013, 0.012, 0.014};
    row.secondsPerEpoch = 10.0;
    row.imagesPerSecond = 6000.0;
    QFile file(dir.filePath(QStringLiteral("results.csv")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray::fromStdString(lenet::csvTable({row})));
    file.close();
    QVERIFY(m_view->addResults(dir.path()).isEmpty());
    QTableView* table = m_view->table();
    QCOMPARE(table->model()->rowCount(), 4);
    QCOMPARE(table->model()->index(3, RunsTableModel::Name).data().toString(),
             QStringLiteral("lenet5-k3"));
    QCOMPARE(table->model()->index(3, RunsTableModel::Time).data().toString(),
             QStringLiteral("40.0 s"));
    // Written as lenet compare writes it: the compare row unchanged, the runs one seed each.
    const std::vector<lenet::CompareRow> back =
        lenet::readCsvTable(m_view->toCsv().toStdString(), "export");
    QCOMPARE(back.size(), std::size_t(4));
    QCOMPARE(QString::fromStdString(lenet::csvTable({back[3]})),
             QString::fromStdString(lenet::csvTable({row})));
    QCOMPARE(back[0].runs, 1);
    QCOMPARE(back[0].bestTestError.mean, 0.012);
    QVERIFY(m_view->toMarkdown().startsWith(QStringLiteral("| variant |")));
    // A folder without results: an error naming the file, no rows.
    QTemporaryDir empty;
    const QString error = m_view->addResults(empty.path());
    QVERIFY2(error.contains(QStringLiteral("results.csv")), qPrintable(error));
    QCOMPARE(table->model()->rowCount(), 4);
}

QTEST_MAIN(TestRunsTable)
#include "test_runs_table.moc"
