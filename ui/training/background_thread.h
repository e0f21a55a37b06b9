// The studio's one idiom for work in the background: training runs (TrainingController), the
// test set classified by the current network (EvaluationModel) and the layer profile
// (ProfileDialog) all follow it.
//
//  - The object that wants the work done lives on the GUI thread and owns a BackgroundThread,
//    declared as its last member. It starts the work with copies of what the work reads (values,
//    std::shared_ptr<const T>); the work touches nothing else of its owner.
//  - The work reports with post(call): `call` runs on the owner's thread, queued, in the order
//    posted. It is a lambda carrying copies of the results that calls a member of the owner (or
//    emits the owner's signal, so that the owner's signals are always emitted on the GUI
//    thread). Only values cross; nothing on the GUI thread sees what the work is computing.
//  - Stopping is cooperative: the work polls the std::stop_token it is given. The owner's
//    destruction requests a stop and joins, so the owner outlives every call the work posts;
//    calls still queued then are dropped.
//  - Everything crosses with a happens-before that ThreadSanitizer sees: the work's inputs with
//    the creation of its thread (one per piece of work), its reports through a std::mutex. Qt's
//    own event queue only says "there is mail" (Qt synchronises through futexes and atomics TSan
//    cannot see, so data carried inside a Qt event would be reported as a race).
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>

#include <QObject>

namespace lenet::ui {

class BackgroundThread {
public:
    /// Construct on the owner's thread: post()ed calls run there.
    BackgroundThread();
    /// stop(); calls still queued are dropped.
    ~BackgroundThread();
    BackgroundThread(const BackgroundThread&) = delete;
    BackgroundThread& operator=(const BackgroundThread&) = delete;

    /// Runs `work(stop)` on a new thread. Requires: no work, or a work that has posted its last
    /// report or was asked to stop (it is joined first, which then waits at most for its
    /// clean-up).
    void start(std::function<void(std::stop_token)> work);
    /// Asks the work to stop (its stop token); does not wait.
    void requestStop();
    /// Asks the work to stop and waits until it has ended.
    void stop();
    /// Waits for a work that has posted its last report to end.
    void join();
    /// True from start() until join() or stop().
    bool isActive() const;

    /// Called by the work: queues `call` to run on the owner's thread.
    void post(std::function<void()> call);

private:
    /// Runs the oldest queued call (on the owner's thread).
    void deliver();

    class Mailbox;
    std::unique_ptr<QObject> m_mailbox;  // lives on the owner's thread; woken by post()
    std::mutex m_mutex;
    std::deque<std::function<void()>> m_posted;  // guarded by m_mutex
    std::jthread m_thread;
};

}  // namespace lenet::ui
