// Draws an inspection view from a SelectionTrace only while the view can be seen: a view in a
// dock behind another tab, or in a closed dock, asks for no trace, and is drawn from the trace as
// it is then when it comes into sight.
#pragma once

#include <functional>

#include <QObject>
#include <QPointer>

class QDockWidget;
class QEvent;
class QWidget;

namespace lenet::ui {

class SelectionTrace;

class TraceFollower : public QObject {
    Q_OBJECT

public:
    /// A child of `view`; calls `draw`, which draws `view` from trace(), when the view needs it.
    /// Follows a SelectionTrace of its own until follow() gives it another; draws nothing yet.
    TraceFollower(QWidget* view, std::function<void()> draw);

    /// The trace the view draws from: the follower's own, or the one given to follow().
    SelectionTrace* trace() const { return m_trace; }
    /// Follows `trace` (not null, not owned; it outlives the view) from now on, and deletes the
    /// follower's own trace. Emits imageChanged() and requests a draw.
    void follow(SelectionTrace* trace);
    /// Draws the view now when it can be seen, else once it comes into sight. Called for every
    /// change of the trace, and by the view when a setting of its own changes what it shows.
    void requestDraw();
    /// True when the view is in no dock (a view on its own, as tests and exports use it, is
    /// always drawn), or when it is visible and inside its window: Qt moves a dock behind
    /// another tab out of the window rather than hiding it.
    bool canBeSeen() const;

Q_SIGNALS:
    /// The followed trace's image changed, or another trace is followed.
    void imageChanged();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void drawIfSeen();

    QWidget* m_view;
    std::function<void()> m_draw;
    SelectionTrace* m_trace;
    QPointer<QDockWidget> m_dock;  // watched for moves into sight while a draw is pending
    bool m_stale = false;          // a requested draw has not happened yet
    bool m_checkQueued = false;
};

}  // namespace lenet::ui
