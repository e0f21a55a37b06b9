// The runs table: every run of the session, every opened model and every row of an opened `lenet
// compare` results folder, with the figures `lenet compare` reports (parameters, epochs, best
// and final test error, time, images per second), the settings a run changed of its preset, and
// a name and a note the user may edit (the name is the run's label in the plots). Sortable;
// selecting rows highlights their curves; exported as CSV and Markdown in `lenet compare`'s form.
#pragma once

#include <vector>

#include <QAbstractTableModel>
#include <QSet>
#include <QString>
#include <QWidget>

#include "lenet/compare_report.h"
#include "lenet/spec.h"
#include "ui/training/training_types.h"

class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace lenet::ui {

/// What the table says of a run beyond its history: its size and how it differs from its preset.
struct RunFacts {
    int parameters = 0;  // 0: not known
    QString changes;     // "lr=0.05, epochs=3"; empty when it trains a preset as it is
};

/// The facts of a run of `spec`: its trainable parameters and the settings it changed of the
/// preset of its name ("custom architecture" when no preset has that name).
RunFacts runFacts(const lenet::ArchitectureSpec& spec);

class RunsTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    /// The figures first (BestError .. Parameters are numbers), the descriptions after them.
    enum Column {
        Name,
        BestError,
        FinalError,
        Epochs,
        Time,
        ImagesPerSecond,
        Parameters,
        Variant,
        Changes,
        Note,
        ColumnCount
    };
    /// The value a column sorts by (numbers as numbers).
    static constexpr int SortRole = Qt::UserRole + 1;
    /// The run id of a row (0 for a row of a results folder).
    static constexpr int RunIdRole = Qt::UserRole + 2;

    explicit RunsTableModel(QObject* parent = nullptr);

    /// Adds a row for plotted run `runId` named `name`, of `architecture`.
    void addRun(int runId, const QString& name, const QString& architecture, const RunFacts& facts);
    /// The epochs run `runId` has trained so far (its figures follow them).
    void setHistory(int runId, const EpochHistory& history);
    /// Adds an epoch to run `runId`'s history.
    void appendEpoch(int runId, const lenet::EpochMetrics& metrics);
    /// Renames run `runId` (without emitting runRenamed).
    void setRunName(int runId, const QString& name);
    /// Removes the row of run `runId`.
    void removeRun(int runId);
    /// Adds the rows of a results table (`folder` names where they came from).
    void addResults(const std::vector<lenet::CompareRow>& rows, const QString& folder);
    /// The row of run `runId`, -1 when there is none.
    int rowOf(int runId) const;

    /// The figures of `rows` (all when empty) as `lenet compare` summarises them, named by
    /// their names.
    std::vector<lenet::CompareRow> compareRows(const QList<int>& rows = {}) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    /// The user renamed run `runId` in the table.
    void runRenamed(int runId, const QString& name);

private:
    struct Row {
        int runId = 0;
        QString name;
        QString changes;
        QString note;
        QString source;  // a results folder, or empty for a run of the session
        EpochHistory history;
        lenet::CompareRow figures;
    };
    /// Recomputes row `r`'s figures from its history.
    void summarizeRow(int r);

    std::vector<Row> m_rows;
};

class RunsTableView : public QWidget {
    Q_OBJECT

public:
    /// Shows `model` (not owned; it outlives the view).
    explicit RunsTableView(RunsTableModel* model, QWidget* parent = nullptr);

    QTableView* table() const { return m_table; }
    /// The run ids of the selected rows (runs of the session only).
    QSet<int> selectedRuns() const;

    /// Asks for a `lenet compare` results folder and adds its rows; errors in a message box.
    void openResults();
    /// Adds the rows of the results.csv in `folder`. Returns an error message, empty on success.
    QString addResults(const QString& folder);
    /// The rows, in the order shown, as `lenet compare` writes them.
    QString toCsv() const;
    QString toMarkdown() const;

Q_SIGNALS:
    /// The selection changed: these runs' curves are highlighted.
    void selectedRunsChanged(const QSet<int>& runIds);

private:
    /// The model rows in the order the table shows them.
    QList<int> shownRows() const;

    RunsTableModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_table;
    QLabel* m_empty;
};

}  // namespace lenet::ui
