// BackgroundThread: one std::jthread per piece of work, joined before the next one starts, and a
// mailbox that the work's reports wait in until the owner's thread runs them.
#include "ui/training/background_thread.h"

#include <utility>

#include <QCoreApplication>
#include <QEvent>

namespace lenet::ui {

/// Receives the "there is mail" events post() sends, one per call; the calls themselves wait in
/// m_posted.
class BackgroundThread::Mailbox : public QObject {
public:
    explicit Mailbox(BackgroundThread& owner) : m_owner(owner) {}

    bool event(QEvent* event) override {
        if (event->type() != QEvent::User) return QObject::event(event);
        m_owner.deliver();
        return true;
    }

private:
    BackgroundThread& m_owner;
};

BackgroundThread::BackgroundThread() : m_mailbox(std::make_unique<Mailbox>(*this)) {}

BackgroundThread::~BackgroundThread() {
    stop();
}

void BackgroundThread::start(std::function<void(std::stop_token)> work) {
    join();
    m_thread = std::jthread(std::move(work));
}

void BackgroundThread::requestStop() {
    m_thread.request_stop();
}

void BackgroundThread::stop() {
    requestStop();
    join();
}

void BackgroundThread::join() {
    if (m_thread.joinable()) m_thread.join();
}

bool BackgroundThread::isActive() const {
    return m_thread.joinable();
}

void BackgroundThread::post(std::function<void()> call) {
    {
        const std::lock_guard lock(m_mutex);
        m_posted.push_back(std::move(call));
    }
    QCoreApplication::postEvent(m_mailbox.get(), new QEvent(QEvent::User));
}

void BackgroundThread::deliver() {
    std::function<void()> call;
    {
        const std::lock_guard lock(m_mutex);
        call = std::move(m_posted.front());
        m_posted.pop_front();
    }
    call();  // last: it may end the owner, and this with it
}

}  // namespace lenet::ui
