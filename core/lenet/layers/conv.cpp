#include "lenet/layers/conv.h"

#include <algorithm>

#include <Eigen/Core>

#include "lenet/error.h"
#include "lenet/lane_sum.h"

namespace lenet {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatMap = Eigen::Map<RowMatrix>;
using ConstMatMap = Eigen::Map<const RowMatrix>;
using VecMap = Eigen::Map<Eigen::VectorXf>;

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
    thread_local std::vector<float> col;
    const ConstMatMap w(params()[0].value.data(), out.c, ckk);
    const Eigen::Map<const Eigen::VectorXf> b(params()[1].value.data(), out.c);
    if (m_whole) {
        // y: (n, M) = x: (n, C*k*k) * W^T + b
        MatMap yr(y.sample(r.begin), r.size(), out.c);
        yr.noalias() = ConstMatMap(x.sample(r.begin), r.size(), ckk) * w.transpose();
        yr.rowwise() += b.transpose();
        return;
    }
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
    thread_local std::vector<float> col, dcol;
    MatMap dw(dparams[0], out.c, ckk);
    VecMap db(dparams[1], out.c);
    dw.setZero();
    db.setZero();
    const ConstMatMap w(wv.data(), out.c, ckk);
    if (m_whole) {
        // dW = dy^T * x (x^2 for the curvature), dx = dy * W; dy: (n, M), x: (n, C*k*k)
        const ConstMatMap dyr(dy.sample(r.begin), r.size(), out.c);
        const ConstMatMap xr(x.sample(r.begin), r.size(), ckk);
        if (squareInputs) {
            dw.noalias() = dyr.transpose() * xr.array().square().matrix();
        } else {
            dw.noalias() = dyr.transpose() * xr;
        }
        for (int n = r.begin; n < r.end; ++n) {  // fixed summation order, as below
            for (int m = 0; m < out.c; ++m) db[m] += dy.sample(n)[m];
        }
        if (dx) MatMap(dx->sample(r.begin), r.size(), ckk).noalias() = dyr * w;
        applyMask(dparams[0]);
        return;
    }
    col.resize(std::size_t(ckk) * p);
    if (dx) dcol.resize(std::size_t(ckk) * p);
    for (int n = r.begin; n < r.end; ++n) {
        im2col(x.sample(n), in, m_k, m_stride, m_pad, out.h, out.w, col.data());
        MatMap cn(col.data(), ckk, p);
        if (squareInputs) cn = cn.array().square();
        const ConstMatMap dyn(dy.sample(n), out.c, p);
        dw.noalias() += dyn * cn.transpose();
        // Not Eigen's row sums: their order depends on the rows' alignment in memory, which
        // would make the result (and training) differ between runs and thread counts.
        for (int m = 0; m < out.c; ++m) {
            const float* row = dy.sample(n) + std::size_t(m) * p;
            db[m] += float(laneSum(p, [row](int i) { return row[i]; }));
        }
        if (dx) {
            MatMap(dcol.data(), ckk, p).noalias() = w.transpose() * dyn;
            col2im(dcol.data(), in, m_k, m_stride, m_pad, out.h, out.w, dx->sample(n));
        }
    }
    applyMask(dparams[0]);
}

void Conv::applyMask(float* dw) const {
    const auto& mask = params()[0].mask;
    for (std::size_t i = 0; i < mask.size(); ++i) dw[i] *= mask[i];
}

void Conv::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx, Range r,
                    const Context&, std::span<float* const> dparams) {
    backwardWith(x, false, params()[0].value, dy, dx, r, dparams);
}

void Conv::curvature(const Tensor& x, const Tensor&, const Tensor& d2y, Tensor* d2x, Range r,
                     std::span<float* const> hparams) {
    std::vector<float> w2 = params()[0].value;
    for (float& v : w2) v *= v;
    backwardWith(x, true, w2, d2y, d2x, r, hparams);
}

}  // namespace lenet
