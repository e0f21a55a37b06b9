#include "lenet/layers/rbf.h"

#include <sstream>

#include "lenet/error.h"
#include "lenet/resources.h"

namespace lenet {
namespace {

constexpr int kBitmapRows = 12;
constexpr int kBitmapCols = 7;

std::vector<float> parseBitmaps(const std::string& text) {
    std::vector<float> values;
    std::istringstream in(text);
    std::string line;
    int digit = -1, row = 0, lineNo = 0;
    auto fail = [&](const std::string& what) -> void {
        throw FormatError("rbf_bitmaps.txt line " + std::to_string(lineNo) + ": " + what);
    };
    while (std::getline(in, line)) {
        ++lineNo;
        if (line.empty() || line.rfind("# ", 0) == 0) continue;  // blank or comment ("# ...")
        if (line.rfind("digit ", 0) == 0) {
            if (digit >= 0 && row != kBitmapRows)
                fail("digit " + std::to_string(digit) + " has " + std::to_string(row) +
                     " rows, expected 12");
            if (std::stoi(line.substr(6)) != digit + 1)
                fail("digits must be listed 0 to 9 in order");
            ++digit;
            row = 0;
            continue;
        }
        if (digit < 0) fail("a bitmap row before the first 'digit N' line");
        if (int(line.size()) != kBitmapCols || line.find_first_not_of("#.") != std::string::npos) {
            fail("expected 7 characters of '#' and '.'");
        }
        if (++row > kBitmapRows) fail("more than 12 rows");
        for (char ch : line) values.push_back(ch == '#' ? 1.0f : -1.0f);
    }
    if (digit != 9 || row != kBitmapRows) {
        throw FormatError("rbf_bitmaps.txt: expected 10 digits of 12 rows, found " +
                          std::to_string(digit + 1) + " digits");
    }
    return values;
}

Shape rbfOutput(const std::string& name, Shape in, int classes, const std::string& prototypes) {
    if (classes < 1) throw ConfigError("layer '" + name + "' (rbf): classes must be >= 1");
    if (prototypes == "lecun1998") {
        if (in.size() != kBitmapRows * kBitmapCols) {
            throw ConfigError("layer '" + name +
                              "' (rbf): the lecun1998 prototypes are 7x12 = 84 "
                              "values but its input is " +
                              in.str() + " = " + std::to_string(in.size()) +
                              " (the layer before must have 84 units)");
        }
        if (classes > 10) {
            throw ConfigError("layer '" + name +
                              "' (rbf): the lecun1998 prototypes cover 10 "
                              "classes, not " +
                              std::to_string(classes));
        }
    } else if (prototypes != "random") {
        throw ConfigError("layer '" + name + "' (rbf): unknown prototypes '" + prototypes +
                          "' (expected lecun1998 or random)");
    }
    return {classes, 1, 1};
}

}  // namespace

const std::vector<float>& lecun1998Bitmaps() {
    static const std::vector<float> bitmaps = parseBitmaps(embeddedResource("rbf_bitmaps.txt"));
    return bitmaps;
}

std::string bitmapText(const std::vector<float>& centres, int digit) {
    std::string text;
    for (int r = 0; r < kBitmapRows; ++r) {
        for (int c = 0; c < kBitmapCols; ++c) {
            text += centres[std::size_t(digit) * 84 + r * kBitmapCols + c] > 0.0f ? '#' : '.';
        }
        text += '\n';
    }
    return text;
}

Rbf::Rbf(std::string name, Shape in, int classes, bool trainable, const std::string& prototypes)
    : Layer("rbf", name, in, rbfOutput(name, in, classes, prototypes)), m_prototypes(prototypes) {
    Param& c = addParam("centres", {classes, in.size()}, false, trainable);
    if (prototypes == "lecun1998") {
        const auto& b = lecun1998Bitmaps();
        std::copy(b.begin(), b.begin() + c.value.size(), c.value.begin());
    }
}

void Rbf::initialize(const std::string&, std::mt19937& rng) {
    if (m_prototypes != "random") return;
    // Random +-1 codes: the paper's alternative for classes without a drawn prototype.
    std::bernoulli_distribution coin(0.5);
    for (float& v : params()[0].value) v = coin(rng) ? 1.0f : -1.0f;
}

void Rbf::forward(const Tensor& x, Tensor& y, Range r, const Context&) {
    const int in = inputShape().size(), k = outputShape().c;
    const float* w = params()[0].value.data();
    for (int n = r.begin; n < r.end; ++n) {
        const float* xn = x.sample(n);
        float* yn = y.sample(n);
        for (int i = 0; i < k; ++i) {
            float acc = 0.0f;
            for (int j = 0; j < in; ++j) {
                const float d = xn[j] - w[i * in + j];
                acc += d * d;
            }
            yn[i] = acc;
        }
    }
}

void Rbf::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx, Range r,
                   const Context&, std::span<float* const> dparams) {
    const int in = inputShape().size(), k = outputShape().c;
    const float* w = params()[0].value.data();
    float* dw = dparams[0];
    std::fill_n(dw, std::size_t(k) * in, 0.0f);
    for (int n = r.begin; n < r.end; ++n) {
        const float* xn = x.sample(n);
        const float* dyn = dy.sample(n);
        float* dxn = dx ? dx->sample(n) : nullptr;
        if (dxn) std::fill_n(dxn, in, 0.0f);
        for (int i = 0; i < k; ++i) {
            for (int j = 0; j < in; ++j) {
                const float g = 2.0f * (xn[j] - w[i * in + j]) * dyn[i];
                if (dxn) dxn[j] += g;
                dw[i * in + j] -= g;
            }
        }
    }
}

void Rbf::curvature(const Tensor&, const Tensor&, const Tensor& d2y, Tensor* d2x, Range r,
                    std::span<float* const> hparams) {
    const int in = inputShape().size(), k = outputShape().c;
    float* h = hparams[0];
    std::fill_n(h, std::size_t(k) * in, 0.0f);
    for (int n = r.begin; n < r.end; ++n) {
        const float* d2yn = d2y.sample(n);
        float weight = 0.0f;
        for (int i = 0; i < k; ++i) {
            weight += d2yn[i];
            for (int j = 0; j < in; ++j) h[i * in + j] += 2.0f * d2yn[i];
        }
        if (d2x) std::fill_n(d2x->sample(n), in, 2.0f * weight);
    }
}

}  // namespace lenet
