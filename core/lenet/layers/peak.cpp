// The multiply-add rate that this kernel set's registers reach in a loop without memory traffic:
// the ceiling that `lenet bench` compares a training step with.
#include <chrono>

#include "lenet/layers/factory.h"
#include "lenet/simd.h"

#ifndef LENET_KERNEL_SET
#define LENET_KERNEL_SET kernels_baseline
#endif

namespace lenet::LENET_KERNEL_SET {

double multiplyAddRate(double seconds) {
    // Independent accumulators, enough to keep every multiply-add unit busy through the
    // instruction's latency; the values stay finite and normal (a * 0.999 + 0.001 tends to 1).
    constexpr int kChains = 12;
    constexpr long kRound = 4096;
    Lanes acc[kChains];
    for (int k = 0; k < kChains; ++k) acc[k] = broadcast(float(k));
    const Lanes scale = broadcast(0.999f), shift = broadcast(0.001f);
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0.0;
    long rounds = 0;
    do {
        for (long i = 0; i < kRound; ++i) {
            for (Lanes& a : acc) a = a * scale + shift;
        }
        ++rounds;
        elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } while (elapsed < seconds);
    float sink = 0.0f;
    for (const Lanes& a : acc) sink += a[0];
    // The result depends on every accumulator, so the loop cannot be dropped.
    asm volatile("" : : "g"(sink));
    return double(rounds) * kRound * kChains * kLanes / elapsed;
}

}  // namespace lenet::LENET_KERNEL_SET
