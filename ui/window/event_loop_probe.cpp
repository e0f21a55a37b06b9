// EventLoopProbe: a precise QTimer; the delay of a tick is the time since the previous tick
// minus the interval.
#include "ui/window/event_loop_probe.h"

#include <algorithm>

namespace lenet::ui {

EventLoopProbe::EventLoopProbe(int intervalMs, QObject* parent) : QObject(parent) {
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &EventLoopProbe::tick);
}

void EventLoopProbe::start() {
    m_worstMs = 0.0;
    m_ticks = 0;
    m_clock.start();
    m_lastNs = 0;
    m_timer.start();
}

void EventLoopProbe::stop() {
    m_timer.stop();
}

void EventLoopProbe::tick() {
    const qint64 now = m_clock.nsecsElapsed();
    const double delayMs = std::max(0.0, double(now - m_lastNs) / 1e6 - m_timer.interval());
    m_lastNs = now;
    ++m_ticks;
    if (delayMs > m_worstMs) {
        m_worstMs = delayMs;
        Q_EMIT worstDelayChanged(m_worstMs);
    }
}

}  // namespace lenet::ui
