// Convolution against a naive reference, LeCun 1998's C3 connection table, the lenet5-1998
// parameter counts and the RBF bitmaps, each checked against /work/shared/LENET5_REFERENCE.md.
#include "lenet/layers/conv.h"
#include "lenet/layers/rbf.h"
#include "lenet/network.h"
#include "lenet/presets.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using lenet::Conv;
using lenet::Shape;
using lenet::Tensor;

namespace {

/// y[n][m][oy][ox] = b[m] + sum_{c,ki,kj} w[m][c][ki][kj] x[n][c][oy*s-p+ki][ox*s-p+kj].
Tensor naiveConvolution(const Tensor& x, const std::vector<float>& w, const std::vector<float>& b,
                        int maps, int k, int stride, int pad) {
    const Shape in = x.shape();
    const Shape out{maps, (in.h + 2 * pad - k) / stride + 1, (in.w + 2 * pad - k) / stride + 1};
    Tensor y(x.n(), out);
    for (int n = 0; n < x.n(); ++n) {
        for (int m = 0; m < maps; ++m) {
            for (int oy = 0; oy < out.h; ++oy) {
                for (int ox = 0; ox < out.w; ++ox) {
                    double acc = b[m];
                    for (int c = 0; c < in.c; ++c) {
                        for (int ki = 0; ki < k; ++ki) {
                            for (int kj = 0; kj < k; ++kj) {
                                const int iy = oy * stride - pad + ki;
                                const int ix = ox * stride - pad + kj;
                                if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;
                                acc += double(w[((m * in.c + c) * k + ki) * k + kj]) *
                                       x.sample(n)[(c * in.h + iy) * in.w + ix];
                            }
                        }
                    }
                    y.sample(n)[(m * out.h + oy) * out.w + ox] = float(acc);
                }
            }
        }
    }
    return y;
}

struct ConvCase {
    Shape in;
    int maps, kernel, stride, padding;
};

TEST(ConvForward, MatchesNaiveConvolution) {
    // Stride 1 with at most 32 taps per output ({1,32,32}, {1,28,28}, {4,6,6}) takes the direct
    // path, {16,5,5} the single-product path (the kernel covers the input), the other stride-1
    // cases the maps-in-lanes path, the rest im2col.
    const ConvCase cases[] = {
        {{1, 32, 32}, 6, 5, 1, 0}, {{6, 14, 14}, 16, 5, 1, 0}, {{3, 9, 7}, 4, 3, 2, 1},
        {{2, 8, 8}, 3, 3, 2, 0},   {{1, 28, 28}, 4, 5, 1, 2},  {{4, 6, 6}, 5, 1, 1, 0},
        {{2, 5, 5}, 2, 5, 3, 2},   {{16, 5, 5}, 7, 5, 1, 0},   {{3, 9, 9}, 10, 4, 1, 1},
        {{2, 10, 9}, 3, 6, 1, 0},  {{6, 12, 12}, 25, 3, 1, 2},
    };
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (const ConvCase& c : cases) {
        SCOPED_TRACE(testing::Message() << c.in.str() << " maps " << c.maps << " k" << c.kernel
                                        << " s" << c.stride << " p" << c.padding);
        Conv conv("conv", c.in, c.maps, c.kernel, c.stride, c.padding);
        for (auto& p : conv.params()) {
            for (float& v : p.value) v = u(rng);
        }
        Tensor x(3, c.in), y(3, conv.outputShape());
        for (float& v : x.values()) v = u(rng);
        conv.forward(x, y, {0, 3}, {});
        const Tensor ref = naiveConvolution(x, conv.params()[0].value, conv.params()[1].value,
                                            c.maps, c.kernel, c.stride, c.padding);
        ASSERT_EQ(y.shape(), ref.shape());
        for (std::size_t i = 0; i < y.size(); ++i)
            ASSERT_NEAR(y[i], ref[i], 1e-4f * (1.0f + std::abs(ref[i]))) << "output " << i;
    }
}

// The maps-in-lanes path reuses its tap-major copy of the weights while they are unchanged: a
// weight or bias changed in place, or another layer with other weights on the same thread, must
// give that layer's own outputs at once.
TEST(ConvForward, SeesEveryChangeOfItsWeightsInPlace) {
    std::mt19937 rng(9);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    const lenet::Shape in{6, 14, 14};
    Conv a("a", in, 16, 5, 1, 0), b("b", in, 16, 5, 1, 0);
    for (Conv* conv : {&a, &b}) {
        for (auto& p : conv->params()) {
            for (float& v : p.value) v = u(rng);
        }
    }
    Tensor x(1, in), y(1, a.outputShape());
    for (float& v : x.values()) v = u(rng);
    auto matchesNaive = [&](Conv& conv) {
        conv.forward(x, y, {0, 1}, {});
        const Tensor ref =
            naiveConvolution(x, conv.params()[0].value, conv.params()[1].value, 16, 5, 1, 0);
        for (std::size_t i = 0; i < y.size(); ++i) {
            if (std::abs(y[i] - ref[i]) > 1e-4f * (1.0f + std::abs(ref[i]))) return false;
        }
        return true;
    };
    EXPECT_TRUE(matchesNaive(a));
    EXPECT_TRUE(matchesNaive(b));
    a.params()[0].value[7 * 150 + 31] += 0.5f;  // one tap of map 7
    EXPECT_TRUE(matchesNaive(a));
    a.params()[1].value[15] -= 0.25f;  // the last map's bias
    EXPECT_TRUE(matchesNaive(a));
    EXPECT_TRUE(matchesNaive(b));
}

TEST(ConvForward, RangesWriteOnlyTheirSamples) {
    Conv conv("conv", {2, 7, 7}, 3, 3, 2, 1);
    std::mt19937 rng(6);
    conv.initialize("he", rng);
    Tensor x(4, conv.inputShape()), whole(4, conv.outputShape()), parts(4, conv.outputShape());
    std::normal_distribution<float> d;
    for (float& v : x.values()) v = d(rng);
    conv.forward(x, whole, {0, 4}, {});
    conv.forward(x, parts, {2, 4}, {});
    conv.forward(x, parts, {0, 1}, {});
    conv.forward(x, parts, {1, 2}, {});
    EXPECT_TRUE(std::equal(whole.values().begin(), whole.values().end(), parts.values().begin()));
}

TEST(Im2col, Col2imIsItsAdjoint) {
    const Shape in{2, 6, 5};
    const int k = 3, stride = 2, pad = 1;
    const int ho = (in.h + 2 * pad - k) / stride + 1, wo = (in.w + 2 * pad - k) / stride + 1;
    std::mt19937 rng(2);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> x(in.size()), col(std::size_t(in.c) * k * k * ho * wo), c(col.size()),
        back(in.size());
    for (float& v : x) v = u(rng);
    for (float& v : c) v = u(rng);
    lenet::im2col(x.data(), in, k, stride, pad, ho, wo, col.data());
    lenet::col2im(c.data(), in, k, stride, pad, ho, wo, back.data());
    double lhs = 0.0, rhs = 0.0;
    for (std::size_t i = 0; i < col.size(); ++i) lhs += double(col[i]) * c[i];
    for (std::size_t i = 0; i < x.size(); ++i) rhs += double(x[i]) * back[i];
    EXPECT_NEAR(lhs, rhs, 1e-5 * std::abs(lhs));
}

// Table I of LeCun et al. 1998, as printed in the reference: rows S2 maps, columns C3 maps.
constexpr const char* kTableI = R"(
X...XXX..XXXX.XX
XX...XXX..XXXX.X
XXX...XXX..X.XXX
.XXX..XXXX..X.XX
..XXX..XXXX.XX.X
...XXX..XXXX.XXX
)";

TEST(C3Table, MatchesTableIOfThePaper) {
    const std::vector<bool> table = lenet::lecun1998Table();
    ASSERT_EQ(table.size(), 6u * 16u);
    std::istringstream rows(kTableI);
    std::string row;
    int c = 0;
    while (std::getline(rows, row)) {
        if (row.empty()) continue;
        ASSERT_EQ(row.size(), 16u);
        for (int m = 0; m < 16; ++m)
            EXPECT_EQ(table[c * 16 + m], row[m] == 'X') << "S2 map " << c << ", C3 map " << m;
        ++c;
    }
    EXPECT_EQ(c, 6);
}

TEST(C3Table, HasSixtyConnectionsInColumnsOfThreeFourAndSix) {
    const std::vector<bool> table = lenet::lecun1998Table();
    EXPECT_EQ(std::count(table.begin(), table.end(), true), 60);
    std::map<int, int> columnsBySize;
    for (int m = 0; m < 16; ++m) {
        int inputs = 0;
        for (int c = 0; c < 6; ++c) inputs += table[c * 16 + m];
        ++columnsBySize[inputs];
    }
    EXPECT_EQ(columnsBySize, (std::map<int, int>{{3, 6}, {4, 9}, {6, 1}}));
    // The first six columns are contiguous triples, the last sees every S2 map.
    for (int m = 0; m < 6; ++m) {
        for (int j = 0; j < 3; ++j) EXPECT_TRUE(table[((m + j) % 6) * 16 + m]) << "C3 map " << m;
    }
}

TEST(C3Table, ConvLayerConnectsExactlyTheTable) {
    Conv c3("C3", {6, 14, 14}, 16, 5, 1, 0, lenet::lecun1998Table());
    const std::vector<bool> table = lenet::lecun1998Table();
    for (int c = 0; c < 6; ++c) {
        for (int m = 0; m < 16; ++m) EXPECT_EQ(c3.connected(c, m), bool(table[c * 16 + m]));
    }
    EXPECT_EQ(c3.params()[0].count(), 60 * 25);
}

TEST(Lenet1998Preset, ParameterCountsPerLayerMatchThePaper) {
    const lenet::Network net(lenet::preset("lenet5-1998"));
    std::map<std::string, int> counts;
    for (int l = 0; l < net.layerCount(); ++l) {
        int n = 0;
        for (const auto& p : net.layer(l).params()) n += p.trainable ? p.count() : 0;
        if (n > 0) counts[net.layer(l).name()] = n;
    }
    const std::map<std::string, int> expected = {{"C1", 156}, {"S2", 12},    {"C3", 1516},
                                                 {"S4", 32},  {"C5", 48120}, {"F6", 10164}};
    EXPECT_EQ(counts, expected);
    EXPECT_EQ(net.parameterCount(), 60000);
    const auto& output = net.layer(net.layerCount() - 1);
    EXPECT_EQ(output.kind(), "rbf");
    EXPECT_FALSE(output.params()[0].trainable);
    EXPECT_EQ(output.params()[0].count(), 840);
}

// The ten 7x12 bitmaps as transcribed in the reference (section 1, "F6 and the RBF output").
constexpr const char* kBitmaps = R"(
.#####.   ...##..   .#####.   #######   .#####.   .#####.   ..####.   #######   .#####.   .#####.
.......   ..###..   .......   .....##   .......   .......   .##....   .....##   ##...##   ##..###
..###..   .####..   .#####.   ....##.   .......   #######   ##.....   .....##   ##...##   ##...##
.##.##.   ...##..   ##...##   ...##..   .##..##   ##.....   ##.....   ....##.   ##...##   ##...##
##...##   ...##..   #....##   ..####.   .##..##   ##.....   ######.   ...##..   .#####.   ##..###
##...##   ...##..   ....##.   .....##   ###..##   .####..   ###..##   ...##..   ##...##   .######
##...##   ...##..   ..###..   .....##   ##...##   ..####.   ##...##   ..##...   ##...##   .....##
##...##   ...##..   .##....   .....##   ##...##   .....##   ##...##   ..##...   ##...##   .....##
.##.##.   ...##..   ##.....   ##...##   ##..###   ##...##   ###..##   ..##...   ##...##   ....##.
..###..   .######   #######   .#####.   .######   .#####.   .#####.   ..##...   .#####.   .####..
.......   .......   .......   .......   .....##   .......   .......   .......   .......   .......
.......   .......   .......   .......   .....##   .......   .......   .......   .......   .......
)";

/// kBitmaps split into one 12-line text per digit.
std::vector<std::string> referenceBitmaps() {
    std::vector<std::string> digits(10);
    std::istringstream rows(kBitmaps);
    std::string row;
    while (std::getline(rows, row)) {
        std::istringstream cells(row);
        std::string cell;
        for (int d = 0; cells >> cell; ++d) digits.at(d) += cell + "\n";
    }
    return digits;
}

TEST(RbfBitmaps, RenderAsTheReferenceTranscription) {
    const std::vector<float>& centres = lenet::lecun1998Bitmaps();
    ASSERT_EQ(centres.size(), 840u);
    const std::vector<std::string> expected = referenceBitmaps();
    for (int d = 0; d < 10; ++d)
        EXPECT_EQ(lenet::bitmapText(centres, d), expected[d]) << "digit " << d;
}

TEST(RbfBitmaps, AreSignsWithThePublishedInkCounts) {
    const std::vector<float>& centres = lenet::lecun1998Bitmaps();
    const int expected[10] = {35, 27, 33, 32, 41, 35, 39, 25, 43, 39};
    for (int d = 0; d < 10; ++d) {
        const auto first = centres.begin() + d * 84;
        EXPECT_EQ(std::count(first, first + 84, 1.0f), expected[d]) << "digit " << d;
        EXPECT_EQ(std::count(first, first + 84, -1.0f), 84 - expected[d]) << "digit " << d;
    }
}

TEST(RbfBitmaps, AreTheCentresOfTheLenet1998OutputLayer) {
    const lenet::Network net(lenet::preset("lenet5-1998"));
    EXPECT_EQ(net.layer(net.layerCount() - 1).params()[0].value, lenet::lecun1998Bitmaps());
}

}  // namespace
