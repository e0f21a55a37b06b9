// BackgroundThread: one std::jthread per piece of work, joined before the next one starts.
#include "ui/training/background_thread.h"

namespace lenet::ui {

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

}  // namespace lenet::ui
