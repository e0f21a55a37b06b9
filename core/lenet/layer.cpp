#include "lenet/layer.h"

#include <cmath>

#include "lenet/error.h"
#include "lenet/kinds.h"

namespace lenet {

int Param::count() const {
    if (mask.empty()) return int(value.size());
    int n = 0;
    for (float m : mask) n += m != 0.0f;
    return n;
}

void Layer::initialize(const std::string&, std::mt19937&) {}

void Layer::curvature(const Tensor&, const Tensor&, const Tensor&, Tensor*, Range,
                      std::span<float* const>) {
    throw ConfigError("layer '" + m_name + "' (" + m_kind +
                      ") does not support SDLM's second-derivative pass; choose another optimiser");
}

Param& Layer::addParam(std::string name, std::vector<int> dims, bool decays, bool trainable) {
    std::size_t n = 1;
    for (int d : dims) n *= std::size_t(d);
    Param p;
    p.name = std::move(name);
    p.dims = std::move(dims);
    p.value.assign(n, 0.0f);
    p.trainable = trainable;
    p.decays = decays;
    m_params.push_back(std::move(p));
    return m_params.back();
}

void initWeights(std::span<float> values, const std::string& scheme, int fanIn, int fanOut,
                 std::mt19937& rng) {
    const InitKind* kind = findKind(initKinds(), scheme);
    if (!kind) {
        std::string msg = "unknown initialisation '";
        msg += scheme;
        msg += "' (expected " + orList(kindKeys(initKinds())) + ")";
        throw ConfigError(msg);
    }
    auto uniform = [&](float a) {
        std::uniform_real_distribution<float> u(-a, a);
        for (float& v : values) v = u(rng);
    };
    switch (kind->rule) {
        case InitRule::LecunUniform: uniform(2.4f / float(fanIn)); return;
        case InitRule::LecunUniformSqrt: uniform(2.4f / std::sqrt(float(fanIn))); return;
        case InitRule::Xavier: uniform(std::sqrt(6.0f / float(fanIn + fanOut))); return;
        case InitRule::He: {
            std::normal_distribution<float> n(0.0f, std::sqrt(2.0f / float(fanIn)));
            for (float& v : values) v = n(rng);
            return;
        }
    }
}

std::uint64_t mixSeed(std::uint64_t a, std::uint64_t b) {
    std::uint64_t z = a + 0x9e3779b97f4a7c15ULL * (b + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

}  // namespace lenet
