// Deterministic, vectorisable sums for the layers' reductions.
#pragma once

namespace lenet {

/// The sum over i < n of f(i), accumulated in eight independent float lanes (which the compiler
/// keeps in one SIMD register) and then added lane by lane in double. Unlike Eigen's reductions,
/// the order does not depend on the data's address, so results are the same for every run and
/// thread count.
template <typename F>
double laneSum(int n, F&& f) {
    constexpr int kLanes = 8;
    float lanes[kLanes] = {};
    int i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        for (int k = 0; k < kLanes; ++k) lanes[k] += f(i + k);
    }
    for (; i < n; ++i) lanes[i % kLanes] += f(i);
    double sum = 0.0;
    for (float lane : lanes) sum += lane;
    return sum;
}

}  // namespace lenet
