#include "lenet/parallel.h"

#include <algorithm>
#include <thread>
#include <vector>

#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

namespace lenet {

struct ThreadArena::Impl {
    explicit Impl(int threads) : threads(threads), arena(threads) {}
    int threads;
    tbb::task_arena arena;
};

// More threads than cores would not run anyway: oneTBB keeps to the cores and prints a warning
// on the terminal (--threads 4 on 2 cores).
ThreadArena::ThreadArena(int threads)
    : m_impl(std::make_unique<Impl>(threads > 0 ? std::min(threads, hardwareThreads())
                                                : hardwareThreads())) {}

ThreadArena::~ThreadArena() = default;

int ThreadArena::threads() const {
    return m_impl->threads;
}

void ThreadArena::run(const std::function<void()>& work) {
    m_impl->arena.execute(work);
}

void parallelFor(int count, const std::function<void(int)>& fn) {
    if (count <= 0) return;
    if (count == 1 || tbb::this_task_arena::max_concurrency() == 1) {
        for (int i = 0; i < count; ++i) fn(i);
        return;
    }
    tbb::parallel_for(0, count, [&](int i) { fn(i); });
}

void parallelForPieces(std::span<const std::size_t> sizes, std::size_t grain,
                       const std::function<void(int, std::size_t, std::size_t)>& fn) {
    struct Piece {
        int array;
        std::size_t begin, end;
    };
    std::vector<Piece> pieces;
    for (std::size_t a = 0; a < sizes.size(); ++a) {
        for (std::size_t b = 0; b < sizes[a]; b += grain)
            pieces.push_back({int(a), b, std::min(sizes[a], b + grain)});
    }
    parallelFor(int(pieces.size()), [&](int i) {
        const Piece& p = pieces[i];
        fn(p.array, p.begin, p.end);
    });
}

int hardwareThreads() {
    const int n = tbb::info::default_concurrency();
    return n > 0 ? n : int(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace lenet
