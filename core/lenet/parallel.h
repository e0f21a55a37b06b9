// The one place that talks to oneTBB: a thread-limited arena and a parallel loop over indices.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <span>

namespace lenet {

/// Runs work on at most `threads` threads (0 or more than the cores: all cores). Work submitted through run() and the
/// parallelFor calls it makes stay inside the arena.
class ThreadArena {
public:
    explicit ThreadArena(int threads);
    ~ThreadArena();
    ThreadArena(const ThreadArena&) = delete;
    ThreadArena& operator=(const ThreadArena&) = delete;

    void run(const std::function<void()>& work);

    /// The threads the work runs on.
    int threads() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Calls fn(i) for every i in [0, count), in parallel on the calling arena; serially when
/// count == 1. Each index is one task, so fn may use per-index buffers without locks.
void parallelFor(int count, const std::function<void(int)>& fn);

/// Calls fn(a, begin, end) on pieces of at most `grain` elements that together cover [0,
/// sizes[a]) of every array a, in parallel. For element-wise work on arrays of very different
/// sizes (a network's parameters: one task per array would leave one thread with the largest).
void parallelForPieces(std::span<const std::size_t> sizes, std::size_t grain,
                       const std::function<void(int, std::size_t, std::size_t)>& fn);

/// Cores available to this process.
int hardwareThreads();

}  // namespace lenet
