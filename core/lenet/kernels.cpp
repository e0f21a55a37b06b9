#include "lenet/kernels.h"

#include <algorithm>
#include <cstdlib>

#include "lenet/error.h"
#include "lenet/layers/factory.h"

namespace lenet {
namespace {

/// Throws Error when this build lacks `set`, when this CPU cannot run it, or when its layer
/// classes are laid out differently from the baseline's (a build error: code outside layers/
/// reads the layers' objects).
void checkUsable(KernelSet set) {
    const std::vector<KernelSet> built = builtKernelSets();
    if (std::find(built.begin(), built.end(), set) == built.end()) {
        throw Error("this build has no " + kernelSetName(set) + " kernels");
    }
    if (!cpuRuns(set)) throw Error("this CPU cannot run the " + kernelSetName(set) + " kernels");
#if defined(LENET_HAVE_AVX2_KERNELS)
    if (set == KernelSet::Avx2 &&
        kernels_avx2::layoutSignature() != kernels_baseline::layoutSignature()) {
        throw Error("the avx2 kernels lay out the layers differently from the baseline kernels");
    }
#endif
}

KernelSet choose() {
    const std::vector<KernelSet> built = builtKernelSets();
    const char* forced = std::getenv("LENET_KERNELS");
    if (!forced || !*forced) {
        for (auto it = built.rbegin(); it != built.rend(); ++it) {
            if (cpuRuns(*it)) {
                checkUsable(*it);
                return *it;
            }
        }
        return built.front();
    }
    std::string keys;
    for (KernelSet set : built) {
        if (kernelSetKey(set) == forced) {
            try {
                checkUsable(set);
            } catch (const Error& e) {
                throw Error(std::string("LENET_KERNELS=") + forced + ": " + e.what());
            }
            return set;
        }
        keys += (keys.empty() ? "" : ", ") + kernelSetKey(set);
    }
    throw Error(std::string("LENET_KERNELS=") + forced +
                ": this build has no such kernel set (it has " + keys + ")");
}

/// The layer from `set`, which checkUsable() has accepted.
std::unique_ptr<Layer> makeChecked(KernelSet set, const LayerKind& kind, const LayerSpec& s,
                                   const std::string& name, Shape in) {
#if defined(LENET_HAVE_AVX2_KERNELS)
    if (set == KernelSet::Avx2) return kernels_avx2::makeLayer(kind, s, name, in);
#endif
    return kernels_baseline::makeLayer(kind, s, name, in);
}

}  // namespace

std::vector<KernelSet> builtKernelSets() {
#if defined(LENET_MARCH)
    return {KernelSet::March};
#elif defined(LENET_HAVE_AVX2_KERNELS)
    return {KernelSet::Baseline, KernelSet::Avx2};
#else
    return {KernelSet::Baseline};
#endif
}

std::string kernelSetKey(KernelSet set) {
    switch (set) {
        case KernelSet::Baseline: return "baseline";
        case KernelSet::Avx2: return "avx2";
        case KernelSet::March: break;
    }
#if defined(LENET_MARCH)
    return LENET_MARCH;
#else
    return "march";
#endif
}

std::string kernelSetName(KernelSet set) {
    switch (set) {
#if defined(__x86_64__)
        case KernelSet::Baseline: return "baseline (sse2)";
#else
        case KernelSet::Baseline: return "baseline";
#endif
        case KernelSet::Avx2: return "avx2+fma";
        case KernelSet::March: break;
    }
    return kernelSetKey(set) + " (-march)";
}

bool cpuRuns(KernelSet set) {
    if (set != KernelSet::Avx2) return true;
#if defined(__x86_64__)
    // libgcc's checks include the operating system's support for the AVX registers (XGETBV).
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return false;
#endif
}

KernelSet activeKernelSet() {
    static const KernelSet active = choose();
    return active;
}

std::unique_ptr<Layer> makeLayer(KernelSet set, const LayerKind& kind, const LayerSpec& s,
                                 const std::string& name, Shape in) {
    checkUsable(set);
    return makeChecked(set, kind, s, name, in);
}

double peakMultiplyAddRate(double seconds) {
#if defined(LENET_HAVE_AVX2_KERNELS)
    if (activeKernelSet() == KernelSet::Avx2) return kernels_avx2::multiplyAddRate(seconds);
#endif
    return kernels_baseline::multiplyAddRate(seconds);
}

std::unique_ptr<Layer> makeLayer(const LayerKind& kind, const LayerSpec& s, const std::string& name,
                                 Shape in) {
    return makeChecked(activeKernelSet(), kind, s, name, in);  // choose() checked it
}

}  // namespace lenet
