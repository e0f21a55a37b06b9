#include "lenet/layers/conv.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include <Eigen/Core>

#include "lenet/error.h"
#include "lenet/lane_sum.h"
#include "lenet/layers/fully_connected.h"
#include "lenet/simd.h"

namespace lenet {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatMap = Eigen::Map<RowMatrix>;
using ConstMatMap = Eigen::Map<const RowMatrix>;
using VecMap = Eigen::Map<Eigen::VectorXf>;

// Convolutions with at most this many taps per output (C*k*k) and stride 1 take the direct path.
constexpr int kDirectMaxTaps = 32;

// Lane sums added in a fixed order (deterministic, like laneSum).
double sumLanes(Lanes v) {
    double sum = 0.0;
    for (int i = 0; i < kLanes; ++i) sum += v[i];
    return sum;
}

// The direct forward's register block: kDirectGroup maps times kStrip outputs, so that each input
// load feeds three multiply-adds (12 accumulators with AVX). One map at a time, with one
// multiply-add per load, one-image inference of lenet5-1998 took 12% longer.
constexpr int kStrip = 32;
constexpr int kDirectGroup = 3;
static_assert(kStrip % kLanes == 0);
// The largest kernel the direct path meets (k * k <= kDirectMaxTaps).
constexpr int kDirectMaxKernel = 5;

// The direct path works on a zero-padded copy of the input, (C, Hp, Wp), and computes each output
// map as one long vector over "wide" rows of Wp values: output (oy, ox) sits at oy * Wp + ox, the
// Wp - Wo values past each row are computed and dropped. Then every tap (c, ki, kj) adds the
// input shifted by c * Hp * Wp + ki * Wp + kj, with no bounds checks in the inner loop.
struct DirectGeometry {
    DirectGeometry(Shape in, Shape out, int pad)
        : wp(in.w + 2 * pad),
          plane((in.h + 2 * pad) * wp),
          length(((out.h - 1) * wp + out.w + kStrip - 1) / kStrip * kStrip),
          buffer(std::size_t(in.c) * plane + kStrip) {}
    int wp;              // padded row length
    int plane;           // Hp * Wp
    int length;          // wide output length, rounded up to whole strips
    std::size_t buffer;  // padded input plus the slack the last strip reads past it
};

// One kernel row's weight gradients on the direct path, for M maps at once: sums[m * stride +
// kj] += sum over j of dy[m * length + j] * x[j + kj], for kj < K. K and M are template
// arguments so that the M * K accumulators stay in registers; two maps share the loads of x and
// keep ten independent sums in flight, enough to hide the latency of the multiply-adds.
template <int K, int M>
struct RowGradients {
    static void run(const float* dy, const float* x, int length, float* sums, int stride) {
        Lanes acc[M][K] = {};
        for (int j = 0; j < length; j += kLanes) {
            Lanes d[M];
            for (int m = 0; m < M; ++m) d[m] = loadLanes(dy + std::size_t(m) * length + j);
            for (int kj = 0; kj < K; ++kj) {
                const Lanes xv = loadLanes(x + kj + j);
                for (int m = 0; m < M; ++m) acc[m][kj] += d[m] * xv;
            }
        }
        for (int m = 0; m < M; ++m) {
            for (int kj = 0; kj < K; ++kj) sums[m * stride + kj] += float(sumLanes(acc[m][kj]));
        }
    }
};

// x (C, H, W) -> xs (C, Hp, Wp) zero-padded, plus zeroed slack; squared on request.
void padInput(const float* x, Shape in, int pad, const DirectGeometry& g, bool square,
              std::vector<float>& xs) {
    xs.assign(g.buffer, 0.0f);
    for (int c = 0; c < in.c; ++c) {
        for (int iy = 0; iy < in.h; ++iy) {
            const float* src = x + (std::size_t(c) * in.h + iy) * in.w;
            float* dst = xs.data() + std::size_t(c) * g.plane + std::size_t(iy + pad) * g.wp + pad;
            for (int ix = 0; ix < in.w; ++ix) dst[ix] = square ? src[ix] * src[ix] : src[ix];
        }
    }
}

// dy (M, Ho, Wo) -> wide (M, length): map m's output row oy at m * length + oy * Wp, zero in the
// Wp - Wo columns past each row and after the last row, where products with it add nothing.
void toWideRows(const float* dy, Shape out, int wp, int length, float* wide) {
    for (int m = 0; m < out.c; ++m) {
        float* dst = wide + std::size_t(m) * length;
        for (int oy = 0; oy < out.h; ++oy) {
            float* row = dst + std::size_t(oy) * wp;
            std::copy_n(dy + (std::size_t(m) * out.h + oy) * out.w, out.w, row);
            std::fill(row + out.w, oy + 1 < out.h ? row + wp : dst + length, 0.0f);
        }
    }
}

// The direct forward of G maps, whose weights (G, C, k, k) start at w and biases at b, from the
// padded input xs (C planes, see DirectGeometry) into wide (G, g.length); input map c is left out
// where connected(c) is false.
template <int G, class Connected>
void directStrips(const float* xs, const DirectGeometry& g, int channels, int k, const float* w,
                  const float* b, Connected connected, float* wide) {
    constexpr int kVectors = kStrip / kLanes;
    const int kk = k * k;
    for (int j0 = 0; j0 < g.length; j0 += kStrip) {
        Lanes acc[G][kVectors];
        for (int i = 0; i < G; ++i) {
            for (Lanes& a : acc[i]) a = broadcast(b[i]);
        }
        // Each input vector loaded feeds the G maps; every output still adds its taps in the
        // order (c, ki, kj), so the result does not depend on the grouping.
        for (int c = 0; c < channels; ++c) {
            if (!connected(c)) continue;
            const float* xc = xs + std::size_t(c) * g.plane + j0;
            for (int ki = 0; ki < k; ++ki) {
                for (int kj = 0; kj < k; ++kj) {
                    Lanes wt[G];
                    for (int i = 0; i < G; ++i) {
                        wt[i] = broadcast(w[(std::size_t(i) * channels + c) * kk + ki * k + kj]);
                    }
                    const float* src = xc + ki * g.wp + kj;
                    for (int v = 0; v < kVectors; ++v) {
                        const Lanes xv = loadLanes(src + v * kLanes);
                        for (int i = 0; i < G; ++i) acc[i][v] += wt[i] * xv;
                    }
                }
            }
        }
        for (int i = 0; i < G; ++i) {
            std::memcpy(wide + std::size_t(i) * g.length + j0, acc[i], sizeof acc[i]);
        }
    }
}

// The maps-in-lanes path (stride 1, more taps than the direct path takes: C3) keeps kLanes output
// maps in one register and walks the pixels, so that it needs neither im2col nor a matrix
// product's packing. Weights and weight gradients are stored tap-major, (C, k, k, Mp), with the
// maps padded with zeros to Mp, a whole number of registers.
constexpr int kTilePixels = 6;  // output pixels of one row per register tile
constexpr int kTileKernel = 5;  // kernel columns per register tile of the weight gradients

// Forward of P neighbouring output pixels (one row) for B registers of maps: out[p][b * kLanes
// + lane] = bias + sum over (c, ki, kj) of x[c][ki][p + kj] * w[c][ki][kj][b * kLanes + lane].
// x points at the first tap of pixel 0 in channel 0 of the (padded) input.
template <int P, int B>
struct ForwardTile {
    static void run(const float* x, int channels, int plane, int wp, int k, const float* w, int mp,
                    const float* bias, float* out) {
        Lanes acc[P][B];
        for (int b = 0; b < B; ++b) {
            const Lanes bv = loadLanes(bias + b * kLanes);
            for (int p = 0; p < P; ++p) acc[p][b] = bv;
        }
        for (int c = 0; c < channels; ++c) {
            for (int ki = 0; ki < k; ++ki) {
                const float* row = x + std::size_t(c) * plane + ki * wp;
                const float* wr = w + std::size_t((c * k + ki) * k) * mp;
                for (int kj = 0; kj < k; ++kj) {
                    Lanes wv[B];
                    for (int b = 0; b < B; ++b) wv[b] = loadLanes(wr + kj * mp + b * kLanes);
                    for (int p = 0; p < P; ++p) {
                        const Lanes xv = broadcast(row[p + kj]);
                        for (int b = 0; b < B; ++b) acc[p][b] += xv * wv[b];
                    }
                }
            }
        }
        std::memcpy(out, acc, sizeof acc);
    }
};

// Weight gradients of KT neighbouring kernel columns for B registers of maps, summed over one
// sample's output pixels: dw[t][b * kLanes + lane] += sum over (oy, ox) of
// x[oy][ox + t] * dy[oy][ox][b * kLanes + lane]. x points at kernel column 0 of the tap's row in
// the (padded) input; dy is the sample's output gradient pixel-major, (Ho, Wo, Mp).
template <int KT, int B>
struct GradientTile {
    static void run(const float* x, int wp, const float* dy, int ho, int wo, int mp, float* dw) {
        Lanes acc[KT][B] = {};
        for (int oy = 0; oy < ho; ++oy) {
            const float* row = x + std::size_t(oy) * wp;
            const float* d = dy + std::size_t(oy) * wo * mp;
            for (int ox = 0; ox < wo; ++ox) {
                Lanes dv[B];
                for (int b = 0; b < B; ++b) dv[b] = loadLanes(d + ox * mp + b * kLanes);
                for (int t = 0; t < KT; ++t) {
                    const Lanes xv = broadcast(row[ox + t]);
                    for (int b = 0; b < B; ++b) acc[t][b] += xv * dv[b];
                }
            }
        }
        for (int t = 0; t < KT; ++t) {
            for (int b = 0; b < B; ++b) {
                float* dst = dw + t * mp + b * kLanes;
                const Lanes sum = loadLanes(dst) + acc[t][b];
                std::memcpy(dst, &sum, sizeof sum);
            }
        }
    }
};

// Tile<size, blocks>::run for a size of 1..Max and 1 or 2 blocks, chosen at run time.
template <template <int, int> class Tile, int B, int... S>
constexpr auto tileRun(int size, std::integer_sequence<int, S...>) {
    constexpr decltype(&Tile<1, B>::run) runs[] = {&Tile<S + 1, B>::run...};
    return runs[size - 1];
}

template <template <int, int> class Tile, int Max>
auto tileRun(int size, int blocks) {
    const auto sizes = std::make_integer_sequence<int, Max>{};
    return blocks == 2 ? tileRun<Tile, 2>(size, sizes) : tileRun<Tile, 1>(size, sizes);
}

// The input the maps-in-lanes path reads: x itself, or a zero-padded and/or squared copy in xs.
const float* tapInput(const float* x, Shape in, int pad, const DirectGeometry& g, bool square,
                      std::vector<float>& xs) {
    if (pad == 0 && !square) return x;
    padInput(x, in, pad, g, square, xs);
    return xs.data();
}

// The maps-in-lanes forward's weights wt (C, k, k, Mp), tap-major, from w (M, C, k, k), and its
// biases padded to Mp; the padded maps zero.
struct TapMajor {
    int maps = 0, taps = 0;
    std::vector<float> source;  // the weights and biases they were made from
    std::vector<float> wt, bias;
};

// The TapMajor of weights w and biases b, from this thread's last few: one is reused while it was
// made from the same values, bit for bit. Comparing costs a fraction of the transpose (one-image
// inference of lenet5-1998 made it for C3 on every call), and no writer of the parameters has to
// announce a change.
const TapMajor& tapMajor(const float* w, const float* b, int maps, int taps, int mp) {
    constexpr int kEntries = 4;
    thread_local TapMajor entries[kEntries];
    thread_local int next = 0;
    const std::size_t count = std::size_t(maps) * taps;
    for (const TapMajor& e : entries) {
        if (e.maps == maps && e.taps == taps &&
            std::memcmp(e.source.data(), w, count * sizeof(float)) == 0 &&
            std::memcmp(e.source.data() + count, b, maps * sizeof(float)) == 0) {
            return e;
        }
    }
    TapMajor& e = entries[next];
    next = (next + 1) % kEntries;
    e.maps = maps;
    e.taps = taps;
    e.source.assign(w, w + count);
    e.source.insert(e.source.end(), b, b + maps);
    e.wt.assign(std::size_t(taps) * mp, 0.0f);
    for (int m = 0; m < maps; ++m) {
        for (int t = 0; t < taps; ++t) e.wt[std::size_t(t) * mp + m] = w[std::size_t(m) * taps + t];
    }
    e.bias.assign(mp, 0.0f);
    std::copy_n(b, maps, e.bias.begin());
    return e;
}

Shape convOutput(const std::string& name, Shape in, int maps, int k, int s, int p) {
    if (maps < 1) throw ConfigError("layer '" + name + "' (conv): maps must be >= 1");
    if (k < 1 || s < 1 || p < 0) {
        throw ConfigError("layer '" + name +
                          "' (conv): kernel and stride must be >= 1, padding >= 0");
    }
    if (in.h + 2 * p < k || in.w + 2 * p < k) {
        throw ConfigError("layer '" + name + "' (conv): kernel " + std::to_string(k) + "x" +
                          std::to_string(k) + " is larger than its input " + in.str() +
                          (p ? " padded by " + std::to_string(p) : std::string()));
    }
    return {maps, (in.h + 2 * p - k) / s + 1, (in.w + 2 * p - k) / s + 1};
}

}  // namespace

std::vector<bool> lecun1998Table() {
    // LeCun et al. 1998, Table I: rows are S2 maps 0..5, columns C3 maps 0..15.
    static const char* rows[6] = {"X...XXX..XXXX.XX", "XX...XXX..XXXX.X", "XXX...XXX..X.XXX",
                                  ".XXX..XXXX..X.XX", "..XXX..XXXX.XX.X", "...XXX..XXXX.XXX"};
    std::vector<bool> t(6 * 16);
    for (int c = 0; c < 6; ++c) {
        for (int m = 0; m < 16; ++m) t[c * 16 + m] = rows[c][m] == 'X';
    }
    return t;
}

void im2col(const float* x, Shape in, int k, int stride, int pad, int ho, int wo, float* col) {
    for (int c = 0; c < in.c; ++c) {
        const float* xc = x + c * in.h * in.w;
        for (int ki = 0; ki < k; ++ki) {
            for (int kj = 0; kj < k; ++kj) {
                float* row = col + ((c * k + ki) * k + kj) * ho * wo;
                for (int oy = 0; oy < ho; ++oy) {
                    const int iy = oy * stride - pad + ki;
                    float* out = row + oy * wo;
                    if (iy < 0 || iy >= in.h) {
                        std::fill(out, out + wo, 0.0f);
                        continue;
                    }
                    const float* xr = xc + iy * in.w;
                    if (stride == 1 && pad == 0) {
                        std::copy(xr + kj, xr + kj + wo, out);
                        continue;
                    }
                    for (int ox = 0; ox < wo; ++ox) {
                        const int ix = ox * stride - pad + kj;
                        out[ox] = (ix >= 0 && ix < in.w) ? xr[ix] : 0.0f;
                    }
                }
            }
        }
    }
}

void col2im(const float* col, Shape in, int k, int stride, int pad, int ho, int wo, float* dx) {
    std::fill(dx, dx + in.size(), 0.0f);
    for (int c = 0; c < in.c; ++c) {
        float* dxc = dx + c * in.h * in.w;
        for (int ki = 0; ki < k; ++ki) {
            for (int kj = 0; kj < k; ++kj) {
                const float* row = col + ((c * k + ki) * k + kj) * ho * wo;
                for (int oy = 0; oy < ho; ++oy) {
                    const int iy = oy * stride - pad + ki;
                    if (iy < 0 || iy >= in.h) continue;
                    float* dr = dxc + iy * in.w;
                    const float* src = row + oy * wo;
                    if (stride == 1 && pad == 0) {
                        for (int ox = 0; ox < wo; ++ox) dr[kj + ox] += src[ox];
                        continue;
                    }
                    for (int ox = 0; ox < wo; ++ox) {
                        const int ix = ox * stride - pad + kj;
                        if (ix >= 0 && ix < in.w) dr[ix] += src[ox];
                    }
                }
            }
        }
    }
}

Conv::Conv(std::string name, Shape in, int maps, int kernel, int stride, int padding,
           std::vector<bool> table)
    : Layer("conv", name, in, convOutput(name, in, maps, kernel, stride, padding)),
      m_k(kernel),
      m_stride(stride),
      m_pad(padding),
      m_whole(padding == 0 && in.h == kernel && in.w == kernel),
      m_direct(!m_whole && stride == 1 && in.c * kernel * kernel <= kDirectMaxTaps),
      m_mapsInLanes(!m_whole && !m_direct && stride == 1),
      m_table(std::move(table)) {
    if (!m_table.empty() && m_table.size() != std::size_t(in.c) * maps) {
        throw ConfigError("layer '" + name + "' (conv): the connection table is for " +
                          std::to_string(m_table.size()) +
                          " input x output pairs but the layer has " + std::to_string(in.c) +
                          " inputs and " + std::to_string(maps) + " outputs");
    }
    addParam("weight", {maps, in.c, kernel, kernel}, true);
    addParam("bias", {maps}, false);
    if (!m_table.empty()) {
        Param& w = params()[0];
        w.mask.assign(w.value.size(), 0.0f);
        const int kk = kernel * kernel;
        for (int m = 0; m < maps; ++m) {
            for (int c = 0; c < in.c; ++c) {
                if (connected(c, m)) {
                    std::fill_n(w.mask.begin() + (m * in.c + c) * kk, kk, 1.0f);
                }
            }
        }
    }
}

bool Conv::connected(int c, int m) const {
    return m_table.empty() || m_table[std::size_t(c) * outputShape().c + m];
}

void Conv::initialize(const std::string& scheme, std::mt19937& rng) {
    Param& w = params()[0];
    const Shape in = inputShape();
    const int maps = outputShape().c;
    const int kk = m_k * m_k;
    for (int m = 0; m < maps; ++m) {
        int inputs = 0;
        for (int c = 0; c < in.c; ++c) inputs += connected(c, m);
        const int fanIn = inputs * kk;
        const int fanOut = maps * kk;
        initWeights(std::span<float>(w.value).subspan(std::size_t(m) * in.c * kk, in.c * kk),
                    scheme, fanIn, fanOut, rng);
    }
    if (!w.mask.empty()) {
        for (std::size_t i = 0; i < w.value.size(); ++i) w.value[i] *= w.mask[i];
    }
    std::fill(params()[1].value.begin(), params()[1].value.end(), 0.0f);
}

void Conv::forward(const Tensor& x, Tensor& y, Range r, const Context&) {
    const Shape in = inputShape(), out = outputShape();
    const int ckk = in.c * m_k * m_k, p = out.h * out.w;
    const ConstMatMap w(params()[0].value.data(), out.c, ckk);
    const Eigen::Map<const Eigen::VectorXf> b(params()[1].value.data(), out.c);
    if (m_whole) {
        // y: (n, M) = x: (n, C*k*k) * W^T + b
        MatMap yr(y.sample(r.begin), r.size(), out.c);
        yr.noalias() = ConstMatMap(x.sample(r.begin), r.size(), ckk) * w.transpose();
        yr.rowwise() += b.transpose();
        return;
    }
    if (m_direct) {
        for (int n = r.begin; n < r.end; ++n) directForward(x.sample(n), y.sample(n));
        return;
    }
    if (m_mapsInLanes) {
        const TapMajor& t = tapMajor(params()[0].value.data(), params()[1].value.data(), out.c, ckk,
                                     lanePaddedMaps());
        for (int n = r.begin; n < r.end; ++n) lanesForward(x.sample(n), y.sample(n), t.wt, t.bias);
        return;
    }
    thread_local std::vector<float> col;
    col.resize(std::size_t(ckk) * p);
    for (int n = r.begin; n < r.end; ++n) {
        im2col(x.sample(n), in, m_k, m_stride, m_pad, out.h, out.w, col.data());
        MatMap yn(y.sample(n), out.c, p);
        yn.noalias() = w * ConstMatMap(col.data(), ckk, p);
        yn.colwise() += b;
    }
}

void Conv::backwardWith(const Tensor& x, bool squareInputs, const std::vector<float>& wv,
                        const Tensor& dy, Tensor* dx, Range r,
                        std::span<float* const> dparams) const {
    const Shape in = inputShape(), out = outputShape();
    const int ckk = in.c * m_k * m_k, p = out.h * out.w;
    MatMap dw(dparams[0], out.c, ckk);
    VecMap db(dparams[1], out.c);
    dw.setZero();
    db.setZero();
    const ConstMatMap w(wv.data(), out.c, ckk);
    // Not Eigen's row sums: their order depends on the rows' alignment in memory, which would
    // make the result (and training) differ between runs and thread counts.
    for (int n = r.begin; n < r.end; ++n) {
        for (int m = 0; m < out.c; ++m) {
            const float* row = dy.sample(n) + std::size_t(m) * p;
            db[m] += float(laneSum(p, [row](int i) { return row[i]; }));
        }
    }
    if (m_direct) {
        for (int n = r.begin; n < r.end; ++n) {
            directBackward(x.sample(n), squareInputs, wv, dy.sample(n),
                           dx ? dx->sample(n) : nullptr, dparams[0]);
        }
    } else if (m_mapsInLanes) {
        const int mp = lanePaddedMaps();
        thread_local std::vector<float> dwt;
        dwt.assign(std::size_t(ckk) * mp, 0.0f);
        for (int n = r.begin; n < r.end; ++n) {
            lanesGradients(x.sample(n), squareInputs, dy.sample(n), dwt);
            if (dx) wideInputGradient(wv, dy.sample(n), dx->sample(n));
        }
        for (int m = 0; m < out.c; ++m) {
            for (int t = 0; t < ckk; ++t) dw(m, t) = dwt[std::size_t(t) * mp + m];
        }
    } else {
        thread_local std::vector<float> col, dcol;
        col.resize(std::size_t(ckk) * p);
        if (dx) dcol.resize(std::size_t(ckk) * p);
        for (int n = r.begin; n < r.end; ++n) {
            const ConstMatMap dyn(dy.sample(n), out.c, p);
            im2col(x.sample(n), in, m_k, m_stride, m_pad, out.h, out.w, col.data());
            MatMap cn(col.data(), ckk, p);
            if (squareInputs) cn = cn.array().square();
            dw.noalias() += dyn * cn.transpose();
            if (dx) {
                MatMap(dcol.data(), ckk, p).noalias() = w.transpose() * dyn;
                col2im(dcol.data(), in, m_k, m_stride, m_pad, out.h, out.w, dx->sample(n));
            }
        }
    }
    applyMask(dparams[0], {0, out.c});
}

int Conv::lanePaddedMaps() const {
    return (outputShape().c + kLanes - 1) / kLanes * kLanes;
}

void Conv::lanesForward(const float* x, float* y, const std::vector<float>& wt,
                        const std::vector<float>& bias) const {
    const Shape in = inputShape(), out = outputShape();
    const DirectGeometry g(in, out, m_pad);
    const int mp = lanePaddedMaps(), blocks = mp / kLanes;
    thread_local std::vector<float> xs;
    const float* xp = tapInput(x, in, m_pad, g, false, xs);
    float tile[kTilePixels * 2 * kLanes];
    for (int b0 = 0; b0 < blocks; b0 += 2) {
        const int bs = std::min(2, blocks - b0);
        const int maps = std::min(out.c - b0 * kLanes, bs * kLanes);
        for (int oy = 0; oy < out.h; ++oy) {
            for (int ox = 0; ox < out.w; ox += kTilePixels) {
                const int pixels = std::min(kTilePixels, out.w - ox);
                tileRun<ForwardTile, kTilePixels>(pixels, bs)(
                    xp + std::size_t(oy) * g.wp + ox, in.c, g.plane, g.wp, m_k,
                    wt.data() + b0 * kLanes, mp, bias.data() + b0 * kLanes, tile);
                float* dst = y + (std::size_t(b0) * kLanes * out.h + oy) * out.w + ox;
                for (int p = 0; p < pixels; ++p) {
                    for (int m = 0; m < maps; ++m) {
                        dst[std::size_t(m) * out.h * out.w + p] = tile[p * bs * kLanes + m];
                    }
                }
            }
        }
    }
}

void Conv::wideInputGradient(const std::vector<float>& wv, const float* dy, float* dx) const {
    const Shape in = inputShape(), out = outputShape();
    const DirectGeometry g(in, out, m_pad);
    const int ckk = in.c * m_k * m_k, wide = (out.h - 1) * g.wp + out.w;
    thread_local std::vector<float> dyw, dcol, dxs;
    // dy on wide rows, then one product gives every tap's contribution as a row of `wide` values
    // that adds to the input at a fixed offset.
    dyw.resize(std::size_t(out.c) * wide);
    toWideRows(dy, out, g.wp, wide, dyw.data());
    dcol.resize(std::size_t(ckk) * wide);
    MatMap(dcol.data(), ckk, wide).noalias() =
        ConstMatMap(wv.data(), out.c, ckk).transpose() * ConstMatMap(dyw.data(), out.c, wide);
    // Unpadded, the wide rows are the input's own rows: add into dx in place.
    float* dst = dx;
    if (m_pad) {
        dxs.assign(std::size_t(in.c) * g.plane, 0.0f);
        dst = dxs.data();
    } else {
        std::fill_n(dx, in.size(), 0.0f);
    }
    for (int c = 0; c < in.c; ++c) {
        for (int ki = 0; ki < m_k; ++ki) {
            for (int kj = 0; kj < m_k; ++kj) {
                const float* src = dcol.data() + std::size_t((c * m_k + ki) * m_k + kj) * wide;
                float* d = dst + std::size_t(c) * g.plane + ki * g.wp + kj;
                for (int j = 0; j < wide; ++j) d[j] += src[j];
            }
        }
    }
    if (!m_pad) return;
    for (int c = 0; c < in.c; ++c) {
        for (int iy = 0; iy < in.h; ++iy) {
            std::copy_n(
                dxs.data() + std::size_t(c) * g.plane + std::size_t(iy + m_pad) * g.wp + m_pad,
                in.w, dx + (std::size_t(c) * in.h + iy) * in.w);
        }
    }
}

void Conv::lanesGradients(const float* x, bool squareInputs, const float* dy,
                          std::vector<float>& dwt) const {
    const Shape in = inputShape(), out = outputShape();
    const DirectGeometry g(in, out, m_pad);
    const int mp = lanePaddedMaps(), blocks = mp / kLanes, p = out.h * out.w;
    thread_local std::vector<float> xs, dyt;
    const float* xp = tapInput(x, in, m_pad, g, squareInputs, xs);
    dyt.resize(std::size_t(p) * mp);  // dy pixel-major, (Ho, Wo, Mp), zero in the padded maps
    for (int i = 0; i < p; ++i) {
        float* pixel = dyt.data() + std::size_t(i) * mp;
        for (int m = 0; m < out.c; ++m) pixel[m] = dy[std::size_t(m) * p + i];
        std::fill(pixel + out.c, pixel + mp, 0.0f);
    }
    for (int c = 0; c < in.c; ++c) {
        for (int ki = 0; ki < m_k; ++ki) {
            const float* row = xp + std::size_t(c) * g.plane + ki * g.wp;
            for (int kj = 0; kj < m_k; kj += kTileKernel) {
                const int columns = std::min(kTileKernel, m_k - kj);
                float* dst = dwt.data() + std::size_t((c * m_k + ki) * m_k + kj) * mp;
                for (int b0 = 0; b0 < blocks; b0 += 2) {
                    const int bs = std::min(2, blocks - b0);
                    tileRun<GradientTile, kTileKernel>(columns, bs)(row + kj, g.wp,
                                                                    dyt.data() + b0 * kLanes, out.h,
                                                                    out.w, mp, dst + b0 * kLanes);
                }
            }
        }
    }
}

void Conv::directForward(const float* x, float* y) const {
    const Shape in = inputShape(), out = outputShape();
    const DirectGeometry g(in, out, m_pad);
    thread_local std::vector<float> xs, wide;
    padInput(x, in, m_pad, g, false, xs);
    wide.resize(std::size_t(kDirectGroup) * g.length);
    for (int m = 0; m < out.c;) {
        // kDirectGroup maps at once where each sees every input map (always without a table).
        bool group = m + kDirectGroup <= out.c;
        for (int c = 0; c < in.c && group; ++c) {
            for (int i = 0; i < kDirectGroup; ++i) group = group && connected(c, m + i);
        }
        const int maps = group ? kDirectGroup : 1;
        const float* wm = params()[0].value.data() + std::size_t(m) * in.c * m_k * m_k;
        const float* bm = params()[1].value.data() + m;
        if (group) {
            directStrips<kDirectGroup>(xs.data(), g, in.c, m_k, wm, bm, [](int) { return true; },
                                       wide.data());
        } else {
            directStrips<1>(xs.data(), g, in.c, m_k, wm, bm,
                            [this, m](int c) { return connected(c, m); }, wide.data());
        }
        for (int i = 0; i < maps; ++i) {
            float* ym = y + std::size_t(m + i) * out.h * out.w;
            for (int oy = 0; oy < out.h; ++oy) {
                const float* row = wide.data() + std::size_t(i) * g.length + std::size_t(oy) * g.wp;
                std::copy(row, row + out.w, ym + oy * out.w);
            }
        }
        m += maps;
    }
}

void Conv::directBackward(const float* x, bool squareInputs, const std::vector<float>& wv,
                          const float* dy, float* dx, float* dw) const {
    const Shape in = inputShape(), out = outputShape();
    const DirectGeometry g(in, out, m_pad);
    const int kk = m_k * m_k;
    thread_local std::vector<float> xs, dyWide, dxs;
    padInput(x, in, m_pad, g, squareInputs, xs);
    if (dx) dxs.assign(g.buffer, 0.0f);
    dyWide.resize(std::size_t(out.c) * g.length);
    toWideRows(dy, out, g.wp, g.length, dyWide.data());
    for (int c = 0; c < in.c; ++c) {
        const float* xc = xs.data() + std::size_t(c) * g.plane;
        for (int m = 0; m < out.c;) {
            // Two maps in one pass where both see input map c (always, without a table).
            const int maps = m + 1 < out.c && connected(c, m) && connected(c, m + 1) ? 2 : 1;
            const float* d = dyWide.data() + std::size_t(m) * g.length;
            const std::size_t kernel = (std::size_t(m) * in.c + c) * kk;
            if (connected(c, m)) {
                const auto rows = tileRun<RowGradients, kDirectMaxKernel>(m_k, maps);
                for (int ki = 0; ki < m_k; ++ki) {
                    rows(d, xc + ki * g.wp, g.length, dw + kernel + ki * m_k, in.c * kk);
                }
            }
            for (int mi = m; mi < m + maps && dx; ++mi) {
                if (!connected(c, mi)) continue;
                const float* dm = dyWide.data() + std::size_t(mi) * g.length;
                for (int t = 0; t < kk; ++t) {
                    const float wt = wv[(std::size_t(mi) * in.c + c) * kk + t];
                    float* dst = dxs.data() + std::size_t(c) * g.plane + t / m_k * g.wp + t % m_k;
                    for (int j = 0; j < g.length; ++j) dst[j] += wt * dm[j];
                }
            }
            m += maps;
        }
    }
    if (!dx) return;
    for (int c = 0; c < in.c; ++c) {
        for (int iy = 0; iy < in.h; ++iy) {
            const float* src =
                dxs.data() + std::size_t(c) * g.plane + std::size_t(iy + m_pad) * g.wp + m_pad;
            std::copy(src, src + in.w, dx + (std::size_t(c) * in.h + iy) * in.w);
        }
    }
}

void Conv::applyMask(float* dw, Range maps) const {
    const auto& mask = params()[0].mask;
    if (mask.empty()) return;
    const std::size_t row = mask.size() / outputShape().c;
    for (std::size_t i = maps.begin * row; i < maps.end * row; ++i) dw[i] *= mask[i];
}

void Conv::inputGradient(const Tensor& dy, Tensor& dx, Range r, bool curvature) const {
    matrixInputGradient(dy, params()[0].value.data(), inputShape().size(), units(), dx, r,
                        curvature);
}

void Conv::unitGradients(const Tensor& x, const Tensor& dy, Range samples, Range units,
                         bool curvature, std::span<float* const> dparams) const {
    matrixUnitGradients(x, dy, inputShape().size(), this->units(), samples, units, curvature,
                        dparams[0], dparams[1]);
    applyMask(dparams[0], units);
}

void Conv::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx, Range r,
                    const Context&, std::span<float* const> dparams) {
    if (m_whole) return backwardByUnits(*this, x, dy, dx, r, false, dparams);
    backwardWith(x, false, params()[0].value, dy, dx, r, dparams);
}

void Conv::curvature(const Tensor& x, const Tensor&, const Tensor& d2y, Tensor* d2x, Range r,
                     std::span<float* const> hparams) {
    if (m_whole) return backwardByUnits(*this, x, d2y, d2x, r, true, hparams);
    std::vector<float> w2 = params()[0].value;
    for (float& v : w2) v *= v;
    backwardWith(x, true, w2, d2y, d2x, r, hparams);
}

}  // namespace lenet
