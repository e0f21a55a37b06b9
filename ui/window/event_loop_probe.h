// Measures how responsive the GUI thread is: a QTimer that should fire every few milliseconds
// records how late each tick comes. The worst delay is what a user feels as a stutter.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace lenet::ui {

class EventLoopProbe : public QObject {
    Q_OBJECT

public:
    /// Ticks every `intervalMs` milliseconds once started.
    explicit EventLoopProbe(int intervalMs = 20, QObject* parent = nullptr);

    /// Forgets the previous measurement and starts ticking.
    void start();
    /// Stops ticking; the measurement stays readable.
    void stop();
    bool isActive() const { return m_timer.isActive(); }

    int intervalMs() const { return m_timer.interval(); }
    /// The largest delay of a tick behind its due time since start(), in milliseconds.
    double worstDelayMs() const { return m_worstMs; }
    /// The ticks measured since start().
    int ticks() const { return m_ticks; }

Q_SIGNALS:
    /// A tick came later than every tick before it.
    void worstDelayChanged(double milliseconds);

private:
    void tick();

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = 0;
    double m_worstMs = 0.0;
    int m_ticks = 0;
};

}  // namespace lenet::ui
