// TraceFollower: draws at once when the view can be seen, otherwise when the view is shown or its
// dock moves (a tab brought to the front), checked once the window has laid the docks out.
#include "ui/inspect/trace_follower.h"

#include <utility>

#include <QDockWidget>
#include <QEvent>

#include "ui/inspect/selection_trace.h"

namespace lenet::ui {
namespace {

QDockWidget* enclosingDock(QWidget* view) {
    for (QWidget* w = view; w; w = w->parentWidget()) {
        if (auto* dock = qobject_cast<QDockWidget*>(w)) return dock;
    }
    return nullptr;
}

}  // namespace

TraceFollower::TraceFollower(QWidget* view, std::function<void()> draw)
    : QObject(view), m_view(view), m_draw(std::move(draw)), m_trace(new SelectionTrace(this)) {
    connect(m_trace, &SelectionTrace::traceChanged, this, &TraceFollower::requestDraw);
    connect(m_trace, &SelectionTrace::imageChanged, this, &TraceFollower::imageChanged);
    view->installEventFilter(this);
}

void TraceFollower::follow(SelectionTrace* trace) {
    disconnect(m_trace, nullptr, this, nullptr);
    if (m_trace->parent() == this && m_trace != trace) delete m_trace;
    m_trace = trace;
    connect(m_trace, &SelectionTrace::traceChanged, this, &TraceFollower::requestDraw);
    connect(m_trace, &SelectionTrace::imageChanged, this, &TraceFollower::imageChanged);
    Q_EMIT imageChanged();
    requestDraw();
}

bool TraceFollower::canBeSeen() const {
    return !enclosingDock(m_view) || (m_view->isVisible() && !m_view->visibleRegion().isEmpty());
}

void TraceFollower::requestDraw() {
    if (canBeSeen()) {
        m_stale = false;
        m_draw();
        return;
    }
    m_stale = true;
    QDockWidget* dock = enclosingDock(m_view);
    if (dock == m_dock) return;
    if (m_dock) m_dock->removeEventFilter(this);
    m_dock = dock;
    m_dock->installEventFilter(this);
}

void TraceFollower::drawIfSeen() {
    if (m_stale && canBeSeen()) {
        m_stale = false;
        m_draw();
    }
}

bool TraceFollower::eventFilter(QObject* watched, QEvent* event) {
    // The event's type first: a dock being destroyed still sends events (ChildRemoved) to its
    // filters, and reading m_dock then would look at a QDockWidget that is no longer one.
    const bool intoSight = (event->type() == QEvent::Show && watched == m_view) ||
                           (event->type() == QEvent::Move && watched == m_dock);
    if (intoSight && m_stale && !m_checkQueued) {
        // After the event the window may still lay out its docks; check once it has.
        m_checkQueued = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_checkQueued = false;
                drawIfSeen();
            },
            Qt::QueuedConnection);
    }
    return QObject::eventFilter(watched, event);
}

}  // namespace lenet::ui
