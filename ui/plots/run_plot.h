// The machinery the studio's run plots share: every run kept and overlaid in its own colour,
// zoom and pan with the mouse, following the run in progress until the user zooms (double-click
// or the Follow button goes back), and export to PNG, PDF and CSV from the context menu.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include <QBrush>
#include <QColor>
#include <QHash>
#include <QList>
#include <QPen>
#include <QSet>
#include <QString>
#include <QWidget>

class QAction;
class QCPAxis;
class QCPGraph;
class QCustomPlot;
class QHBoxLayout;
class QMenu;
class QToolButton;

namespace lenet::ui {

/// How a run appears in the plots.
struct RunStyle {
    int id = 0;     // unique within the window, > 0
    QString label;  // e.g. "lenet5-modern" or "lenet5-1998 #2"
    QColor colour;
    QString summary;  // shown after the label in legends once known, e.g. "test 0.95 %"

    /// The legend text: the label, and the summary after a dash when there is one.
    QString legendName() const;
};

/// The colour of the n-th run (0-based): a palette of ten colours that read on white, repeated.
QColor runColour(int n);

/// Makes `axis` logarithmic, labelled at 1, 2 and 5 times the powers of ten (at the powers of ten
/// alone when it spans more than three decades), or linear again.
void setLogarithmic(QCPAxis* axis, bool log);

class RunPlot : public QWidget {
    Q_OBJECT

public:
    /// `csvName` names this plot in the first column of CSV exports ("loss", "error").
    explicit RunPlot(const QString& csvName, QWidget* parent = nullptr);

    QCustomPlot* plot() const { return m_plot; }
    QString csvName() const { return m_csvName; }
    /// The runs drawn, oldest first.
    const QList<RunStyle>& runs() const { return m_runs; }
    int runCount() const { return int(m_runs.size()); }
    /// Shows `summary` after the run's label in the legend.
    void setRunSummary(int runId, const QString& summary);
    /// Names the run `label` in the legend and in CSV exports.
    void setRunLabel(int runId, const QString& label);
    /// Removes every run except `keepId` (every run when no run has that id).
    void removeRunsExcept(int keepId);
    /// Removes the run `runId`.
    void removeRun(int runId);
    /// Draws the runs `runIds` bolder and fades the others; none: every run as it is.
    void setHighlightedRuns(const QSet<int>& runIds);
    const QSet<int>& highlightedRuns() const { return m_highlighted; }

    /// While following, the axes show every run in full and move with new data. Dragging or
    /// zooming with the mouse stops following; a double-click starts it again.
    bool isFollowing() const { return m_following; }
    void setFollowing(bool follow);

    /// Sizes the epoch axis for a run of `epochs` while no run is drawn (a preview of the next
    /// run); with runs drawn, it is the least the axis shows.
    void previewEpochs(int epochs);

    /// Adds `action` to the end of the context menu (e.g. the window's Clear old runs).
    void addMenuAction(QAction* action);
    /// Every data point of every run's series, as CSV rows "plot,run,variant,series,x,y".
    QString csvRows() const;

Q_SIGNALS:
    void followingChanged(bool following);

protected:
    /// Adds `widget` to the row above the plot, left of the Follow button.
    void addHeaderWidget(QWidget* widget);
    /// Adds a graph for `series` of `run` (registering the run when new), drawn against
    /// `valueAxis` (the left axis when null).
    QCPGraph* addSeries(const RunStyle& run, const QString& series, QCPAxis* valueAxis = nullptr);
    /// The graph of `series` of run `runId`, or null.
    QCPGraph* series(int runId, const QString& series) const;
    /// The newest run's id, 0 when there is none.
    int lastRunId() const { return m_runs.isEmpty() ? 0 : m_runs.back().id; }
    /// The epochs the x axis spans when following: the longest run's, or the preview's.
    int epochsInView() const;
    /// Notes the length of run `runId` in epochs.
    void setRunEpochs(int runId, int epochs);
    /// Call after data changed: fits the ranges when following, and replots (queued).
    void dataChanged();
    /// Sets the axis ranges so that every run is in view.
    virtual void fitRanges() = 0;
    /// Names the graphs of `run` in the legend (after a run is added or its summary changes).
    virtual void nameGraphs(const RunStyle& run) = 0;
    /// After runs were removed, before the ranges are fitted again.
    virtual void runsRemoved() {}
    /// Adds the plot's own entries to its context menu (before Export).
    virtual void addMenuEntries(QMenu& menu);
    void resizeEvent(QResizeEvent* event) override;

private:
    /// How a graph is drawn: its line, fill and markers (whose pen may be the line's).
    struct Look {
        QPen pen;
        QBrush brush;
        std::optional<QPen> markerPen;
        QBrush markerBrush;
    };
    struct Series {
        int run;
        QString name;
        QCPGraph* graph;
        std::optional<Look> look;  // as drawn unhighlighted, kept once a run is highlighted
    };

    void removeRunsIf(const std::function<bool(int runId)>& remove);
    /// Draws `s` bolder, faded or as it is, as m_highlighted says.
    void applyHighlight(Series& s) const;
    /// Applies `change` to the style of run `runId` and names its graphs again.
    void restyleRun(int runId, const std::function<void(RunStyle& run)>& change);
    /// Lays the legend's entries out in as many columns as fit the plot's width.
    void fitLegendColumns();
    void showContextMenu(const QPoint& pos);
    /// Asks for a file name and exports this plot as `suffix` (png, pdf or csv).
    void exportAs(const QString& suffix);
    const RunStyle* findRun(int runId) const;

    QCustomPlot* m_plot;
    QHBoxLayout* m_header;
    QToolButton* m_follow;
    QString m_csvName;
    QList<RunStyle> m_runs;
    std::vector<Series> m_series;
    QList<QAction*> m_menuActions;
    QHash<int, int> m_runEpochs;  // run id -> epochs
    QSet<int> m_highlighted;
    int m_previewEpochs = 10;
    bool m_following = true;
};

}  // namespace lenet::ui
