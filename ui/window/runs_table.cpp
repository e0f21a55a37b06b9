// RunsTableModel: rows of plotted runs (figures summarised from their histories with
// lenet::summarize) and of results folders (read with lenet::readCsvTable); RunsTableView: the
// sortable table, its selection, the results folder dialog and the exports.
#include "ui/window/runs_table.h"

#include <algorithm>

#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include "lenet/error.h"
#include "lenet/file_io.h"
#include "lenet/network.h"
#include "lenet/presets.h"
#include "lenet/spec_json.h"
#include "ui/inspect/export.h"

namespace lenet::ui {
namespace {

QString percentText(double fraction) {
    return fraction < 0 ? QStringLiteral("–")
                        : QStringLiteral("%1 %").arg(100.0 * fraction, 0, 'f', 2);
}

QString durationText(double seconds) {
    if (seconds <= 0) return QStringLiteral("–");
    if (seconds < 60) return QStringLiteral("%1 s").arg(seconds, 0, 'f', 1);
    const int s = int(seconds + 0.5);
    return s < 3600
               ? QStringLiteral("%1:%2 min").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'))
               : QStringLiteral("%1:%2 h").arg(s / 3600).arg(s / 60 % 60, 2, 10, QLatin1Char('0'));
}

}  // namespace

RunFacts runFacts(const lenet::ArchitectureSpec& spec) {
    RunFacts facts;
    try {
        facts.parameters = lenet::Network(spec).parameterCount();
    } catch (const lenet::Error&) {
        facts.parameters = 0;  // a spec that does not build trains nothing; the table says "–"
    }
    const std::vector<std::string> presets = lenet::presetNames();
    if (std::find(presets.begin(), presets.end(), spec.name) == presets.end()) {
        facts.changes = RunsTableModel::tr("custom architecture");
        return facts;
    }
    QStringList changes;
    for (const std::string& c : lenet::changedSettings(spec, lenet::preset(spec.name)))
        changes << QString::fromStdString(c);
    facts.changes = changes.join(QStringLiteral(", "));
    return facts;
}

RunsTableModel::RunsTableModel(QObject* parent) : QAbstractTableModel(parent) {}

int RunsTableModel::rowOf(int runId) const {
    if (runId <= 0) return -1;
    const auto it = std::find_if(m_rows.begin(), m_rows.end(),
                                 [runId](const Row& r) { return r.runId == runId; });
    return it == m_rows.end() ? -1 : int(it - m_rows.begin());
}

void RunsTableModel::addRun(int runId, const QString& name, const QString& architecture,
                            const RunFacts& facts) {
    Row row;
    row.runId = runId;
    row.name = name;
    row.changes = facts.changes;
    row.figures.variant = architecture.toStdString();
    row.figures.parameters = facts.parameters;
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size()));
    m_rows.push_back(std::move(row));
    summarizeRow(int(m_rows.size()) - 1);
    endInsertRows();
}

void RunsTableModel::summarizeRow(int r) {
    Row& row = m_rows[std::size_t(r)];
    lenet::CompareRun run;
    run.variant = row.figures.variant;
    run.parameters = row.figures.parameters;
    run.history = row.history;
    row.figures = lenet::summarize({run}).front();
}

void RunsTableModel::setHistory(int runId, const EpochHistory& history) {
    const int r = rowOf(runId);
    if (r < 0) return;
    m_rows[std::size_t(r)].history = history;
    summarizeRow(r);
    Q_EMIT dataChanged(index(r, 0), index(r, ColumnCount - 1));
}

void RunsTableModel::appendEpoch(int runId, const lenet::EpochMetrics& metrics) {
    const int r = rowOf(runId);
    if (r < 0) return;
    EpochHistory history = m_rows[std::size_t(r)].history;
    history.push_back(metrics);
    setHistory(runId, history);
}

void RunsTableModel::setRunName(int runId, const QString& name) {
    const int r = rowOf(runId);
    if (r < 0) return;
    m_rows[std::size_t(r)].name = name;
    Q_EMIT dataChanged(index(r, Name), index(r, Name));
}

void RunsTableModel::removeRun(int runId) {
    const int r = rowOf(runId);
    if (r < 0) return;
    beginRemoveRows({}, r, r);
    m_rows.erase(m_rows.begin() + r);
    endRemoveRows();
}

void RunsTableModel::addResults(const std::vector<lenet::CompareRow>& rows, const QString& folder) {
    if (rows.empty()) return;
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + rows.size()) - 1);
    for (const lenet::CompareRow& figures : rows) {
        Row row;
        row.name = QString::fromStdString(figures.variant);
        row.source = folder;
        row.figures = figures;
        m_rows.push_back(std::move(row));
    }
    endInsertRows();
}

std::vector<lenet::CompareRow> RunsTableModel::compareRows(const QList<int>& rows) const {
    std::vector<lenet::CompareRow> out;
    auto add = [&](const Row& row) {
        lenet::CompareRow figures = row.figures;
        figures.variant = row.name.toStdString();
        out.push_back(figures);
    };
    if (rows.isEmpty()) {
        for (const Row& row : m_rows) add(row);
    } else {
        for (int r : rows) add(m_rows[std::size_t(r)]);
    }
    return out;
}

int RunsTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RunsTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunsTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const Row& row = m_rows[std::size_t(index.row())];
    const lenet::CompareRow& f = row.figures;
    const double seconds = f.secondsPerEpoch * f.epochs;
    if (role == RunIdRole) return row.runId;
    if (role == SortRole) {
        switch (index.column()) {
            case Parameters: return f.parameters;
            case Epochs: return f.epochs;
            case BestError: return f.bestTestError.mean;
            case FinalError: return f.finalTestError.mean;
            case Time: return seconds;
            case ImagesPerSecond: return f.imagesPerSecond;
            default: return data(index, Qt::DisplayRole).toString().toLower();
        }
    }
    if (role == Qt::TextAlignmentRole) {
        const bool number = index.column() >= BestError && index.column() <= Parameters;
        return QVariant::fromValue(Qt::AlignVCenter | (number ? Qt::AlignRight : Qt::AlignLeft));
    }
    if (role == Qt::ToolTipRole) {
        if (!row.source.isEmpty())
            return tr("From the lenet compare results in %1 (%n seed(s))", nullptr, f.runs)
                .arg(QDir::toNativeSeparators(row.source));
        if (index.column() == Name) return tr("Double-click to rename the run (also in the plots)");
        if (index.column() == Note) return tr("Double-click to write a note");
        return {};
    }
    if (role != Qt::DisplayRole && role != Qt::EditRole) return {};
    const QLocale locale;
    switch (index.column()) {
        case Name: return row.name;
        case Variant: return QString::fromStdString(f.variant);
        case Changes:
            return row.source.isEmpty() ? row.changes
                                        : tr("%1 (compare)").arg(QDir(row.source).dirName());
        case Parameters: return f.parameters > 0 ? locale.toString(f.parameters) : QString();
        case Epochs: return f.epochs;
        case BestError: return percentText(f.bestTestError.mean);
        case FinalError: return percentText(f.finalTestError.mean);
        case Time: return durationText(seconds);
        case ImagesPerSecond:
            return f.imagesPerSecond > 0 ? locale.toString(f.imagesPerSecond, 'f', 0)
                                         : QStringLiteral("–");
        case Note: return row.note;
        default: return {};
    }
}

bool RunsTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (!index.isValid() || role != Qt::EditRole) return false;
    Row& row = m_rows[std::size_t(index.row())];
    const QString text = value.toString().trimmed();
    if (index.column() == Note) {
        row.note = text;
    } else if (index.column() == Name && !text.isEmpty()) {
        row.name = text;
        if (row.runId > 0) Q_EMIT runRenamed(row.runId, text);
    } else {
        return false;
    }
    Q_EMIT dataChanged(index, index);
    return true;
}

Qt::ItemFlags RunsTableModel::flags(const QModelIndex& index) const {
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.column() == Name || index.column() == Note) f |= Qt::ItemIsEditable;
    return f;
}

QVariant RunsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::ToolTipRole) {
        switch (section) {
            case Changes: return tr("The settings the run changed of its preset");
            case BestError: return tr("The lowest test error of any epoch");
            case FinalError: return tr("The test error after the last epoch");
            case Time: return tr("Training time, evaluation excluded");
            default: return {};
        }
    }
    if (role != Qt::DisplayRole) return {};
    switch (section) {
        case Name: return tr("Name");
        case Variant: return tr("Variant");
        case Changes: return tr("Changes");
        case Parameters: return tr("Parameters");
        case Epochs: return tr("Epochs");
        case BestError: return tr("Best test");
        case FinalError: return tr("Final test");
        case Time: return tr("Time");
        case ImagesPerSecond: return tr("Images/s");
        case Note: return tr("Note");
        default: return {};
    }
}

RunsTableView::RunsTableView(RunsTableModel* model, QWidget* parent)
    : QWidget(parent),
      m_model(model),
      m_proxy(new QSortFilterProxyModel(this)),
      m_table(new QTableView(this)),
      m_empty(new QLabel(this)) {
    m_proxy->setSourceModel(model);
    m_proxy->setSortRole(RunsTableModel::SortRole);
    m_table->setObjectName(QStringLiteral("runsTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder);  // the order the runs came in
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setToolTip(
        tr("Select rows to highlight their curves; double-click a name or a note to edit it"));

    auto* open = new QPushButton(tr("Open compare results…"), this);
    open->setObjectName(QStringLiteral("openResults"));
    open->setToolTip(tr("Add the rows of a folder that lenet compare wrote (its results.csv)"));
    connect(open, &QPushButton::clicked, this, &RunsTableView::openResults);
    QToolButton* exportButton = makeExportButton(
        this, QStringLiteral("runs"),
        {{tr("Table (CSV)…"), QStringLiteral("csv"),
          [this](const QString& path) { return saveBytes(toCsv().toUtf8(), path); }},
         {tr("Table (Markdown)…"), QStringLiteral("md"),
          [this](const QString& path) { return saveBytes(toMarkdown().toUtf8(), path); }}});
    m_empty->setText(
        tr("No runs yet: train a network, open a model or open the results of "
           "lenet compare."));
    m_empty->setWordWrap(true);
    m_empty->setObjectName(QStringLiteral("runsEmpty"));

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_empty, 1);
    buttons->addStretch();
    buttons->addWidget(open);
    buttons->addWidget(exportButton);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(buttons);
    layout->addWidget(m_table, 1);

    auto updateEmpty = [this] { m_empty->setVisible(m_model->rowCount() == 0); };
    connect(model, &QAbstractItemModel::rowsInserted, this, updateEmpty);
    connect(model, &QAbstractItemModel::rowsRemoved, this, updateEmpty);
    connect(model, &QAbstractItemModel::rowsInserted, m_table,
            [this] { m_table->resizeColumnsToContents(); });
    updateEmpty();
    m_table->resizeColumnsToContents();
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { Q_EMIT selectedRunsChanged(selectedRuns()); });
}

QSet<int> RunsTableView::selectedRuns() const {
    QSet<int> ids;
    for (const QModelIndex& index : m_table->selectionModel()->selectedRows()) {
        const int id = index.data(RunsTableModel::RunIdRole).toInt();
        if (id > 0) ids.insert(id);
    }
    return ids;
}

QList<int> RunsTableView::shownRows() const {
    QList<int> rows;
    for (int r = 0; r < m_proxy->rowCount(); ++r)
        rows << m_proxy->mapToSource(m_proxy->index(r, 0)).row();
    return rows;
}

QString RunsTableView::toCsv() const {
    return QString::fromStdString(lenet::csvTable(m_model->compareRows(shownRows())));
}

QString RunsTableView::toMarkdown() const {
    return QString::fromStdString(lenet::markdownTable(m_model->compareRows(shownRows())));
}

QString RunsTableView::addResults(const QString& folder) {
    const QString path = QDir(folder).filePath(QStringLiteral("results.csv"));
    try {
        const std::string file = path.toStdString();
        m_model->addResults(lenet::readCsvTable(lenet::readFile(file), file), folder);
    } catch (const lenet::Error& e) {
        return tr("Cannot open the compare results: %1").arg(QString::fromUtf8(e.what()));
    }
    return {};
}

void RunsTableView::openResults() {
    const QString folder = QFileDialog::getExistingDirectory(
        window(), tr("Open lenet compare results (the folder with results.csv)"), exportFolder());
    if (folder.isEmpty()) return;
    const QString error = addResults(folder);
    if (!error.isEmpty()) QMessageBox::warning(window(), tr("Open compare results"), error);
}

}  // namespace lenet::ui
