// The studio's one idiom for work in the background: training runs (TrainingController), the
// test set classified by the current network (EvaluationModel) and the layer profile
// (ProfileDialog) all follow it.
//
//  - The object that wants the work done lives on the GUI thread and owns a BackgroundThread,
//    declared as its last member. It starts the work with copies of what the work reads (values,
//    std::shared_ptr<const T>); the work touches nothing else of its owner.
//  - The work reports with postTo(owner, call): `call` runs on the owner's thread, queued. It is
//    a pointer to a member of the owner or a lambda carrying copies of the results that calls a
//    member (or emits the owner's signal, so that the owner's signals are always emitted on the
//    GUI thread). Only values cross; nothing on the GUI thread sees what the work is computing.
//  - Stopping is cooperative: the work polls the std::stop_token it is given. The owner's
//    destruction requests a stop and joins, so the owner outlives every call the work queues;
//    calls still queued then are dropped with the owner.
//  - The thread is created for each piece of work, so everything the work inherits from its
//    owner is ordered before it (what ThreadSanitizer checks): no other hand-over is needed.
#pragma once

#include <functional>
#include <stop_token>
#include <thread>
#include <utility>

#include <QMetaObject>

namespace lenet::ui {

class BackgroundThread {
public:
    BackgroundThread() = default;
    /// stop().
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

private:
    std::jthread m_thread;
};

/// Queues `call` (a pointer to a member of Owner taking no arguments, or a lambda) to run on
/// `owner`'s thread; dropped when `owner` is destroyed first.
template <typename Owner, typename Call>
void postTo(Owner* owner, Call&& call) {
    QMetaObject::invokeMethod(owner, std::forward<Call>(call), Qt::QueuedConnection);
}

}  // namespace lenet::ui
