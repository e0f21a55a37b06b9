// The one place that talks to oneTBB: a thread-limited arena and a parallel loop over indices.
#pragma once

#include <functional>
#include <memory>

namespace lenet {

/// Runs work on at most `threads` threads (0 = all cores). Work submitted through run() and the
/// parallelFor calls it makes stay inside the arena.
class ThreadArena {
public:
    explicit ThreadArena(int threads);
    ~ThreadArena();
    ThreadArena(const ThreadArena&) = delete;
    ThreadArena& operator=(const ThreadArena&) = delete;

    void run(const std::function<void()>& work);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Calls fn(i) for every i in [0, count), in parallel on the calling arena; serially when
/// count == 1. Each index is one task, so fn may use per-index buffers without locks.
void parallelFor(int count, const std::function<void(int)>& fn);

/// Cores available to this process.
int hardwareThreads();

}  // namespace lenet
