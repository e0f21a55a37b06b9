// One SIMD register of floats (or of 32-bit integers, for masks), in GCC's and clang's vector
// extension, for the kernels that keep their accumulators in registers: eight lanes with AVX
// (x86-64-v3), four in the portable SSE2 build (where a 32-byte vector would be passed in
// memory, a different ABI).
#pragma once

#include <cstdint>
#include <cstring>

namespace lenet {

#ifdef __AVX__
constexpr int kLanes = 8;
#else
constexpr int kLanes = 4;
#endif
using Lanes = float __attribute__((vector_size(kLanes * sizeof(float))));
using LaneBits = std::int32_t __attribute__((vector_size(kLanes * sizeof(float))));

/// kLanes floats from p, which need not be aligned.
inline Lanes loadLanes(const float* p) {
    Lanes v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

/// v in every lane. Written v - 0 rather than 0 + v: x - 0 is x for every x, so the compiler
/// emits a plain broadcast, whereas 0 + x is not x for x = -0 and costs an addition (and, in a
/// register tile, the register that holds its result).
inline Lanes broadcast(float v) {
    return v - Lanes{};
}

/// The float bits of kLanes values from p, as integers (for exact compares and masks).
inline LaneBits loadBits(const float* p) {
    LaneBits v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

inline void storeBits(float* p, LaneBits v) {
    std::memcpy(p, &v, sizeof v);
}

}  // namespace lenet
