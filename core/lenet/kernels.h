// Kernel sets: the layers' code (core/lenet/layers/) is compiled once per instruction set, and
// the layers a Network builds come from the best set this CPU runs, chosen at start-up.
//
// The plain build holds two sets: `baseline` (the x86-64 of every 64-bit PC: SSE2) and `avx2`
// (AVX2 + FMA, x86-64-v3). A build made with LENET_ARCH (-march=...) holds one set, compiled for
// that target. Within one set, results are bit-identical for every thread count; two sets may
// differ in the last bits (FMA rounds once where SSE2 rounds twice).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lenet/kinds.h"
#include "lenet/layer.h"
#include "lenet/spec.h"

namespace lenet {

enum class KernelSet { Baseline, Avx2, March };

/// The sets this build contains, best last: {baseline, avx2} on x86-64, {baseline} elsewhere,
/// {march} in a LENET_ARCH build (its one set, compiled for that target).
std::vector<KernelSet> builtKernelSets();

/// The set's key for LENET_KERNELS ("baseline", "avx2"), or the -march value of a LENET_ARCH build.
std::string kernelSetKey(KernelSet set);

/// What the set uses, for --version and the About box: "baseline (sse2)", "avx2+fma",
/// "x86-64-v3 (-march)".
std::string kernelSetName(KernelSet set);

/// True when this CPU (and its operating system) can run the set.
bool cpuRuns(KernelSet set);

/// The set layers are made from: $LENET_KERNELS when set, else the best built set this CPU runs.
/// Chosen at the first call. Throws Error when LENET_KERNELS names a set that this build lacks or
/// this CPU cannot run.
KernelSet activeKernelSet();

/// The layer `s` describes (`kind`: the table's entry of its type), from kernel set `set`.
/// Throws Error when this build lacks the set or this CPU cannot run it.
std::unique_ptr<Layer> makeLayer(KernelSet set, const LayerKind& kind, const LayerSpec& s,
                                 const std::string& name, Shape in);

/// The same from activeKernelSet(): the layers of every Network.
std::unique_ptr<Layer> makeLayer(const LayerKind& kind, const LayerSpec& s, const std::string& name,
                                 Shape in);

/// Multiply-adds per second that one thread reaches with the active set's registers in a loop
/// without memory traffic, measured for about `seconds`: the ceiling of the layers' arithmetic.
double peakMultiplyAddRate(double seconds);

}  // namespace lenet
