// 2-D convolution (direct kernels for stride 1, im2col + Eigen GEMM otherwise), with an optional
// connection table (LeCun 1998, Table I: C3 sees a subset of S2's maps).
#pragma once

#include <vector>

#include "lenet/layer.h"

namespace lenet {

/// x: (N, C, H, W) -> y: (N, M, Ho, Wo), Ho = (H + 2p - k) / s + 1.
/// Params: weight (M, C, k, k) (masked by the table), bias (M).
class Conv : public Layer, public UnitSplit {
public:
    /// `table`, when not empty, is C*M booleans, table[c*M + m] = input map c feeds output m.
    Conv(std::string name, Shape in, int maps, int kernel, int stride, int padding,
         std::vector<bool> table = {});

    std::unique_ptr<Layer> clone() const override { return std::make_unique<Conv>(*this); }
    void initialize(const std::string& scheme, std::mt19937& rng) override;
    void forward(const Tensor& x, Tensor& y, Range r, const Context& ctx) override;
    void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx, Range r,
                  const Context& ctx, std::span<float* const> dparams) override;
    void curvature(const Tensor& x, const Tensor& y, const Tensor& d2y, Tensor* d2x, Range r,
                   std::span<float* const> hparams) override;
    /// This layer itself when its kernel covers the whole input (C5), else null.
    const UnitSplit* unitSplit() const override { return m_whole ? this : nullptr; }

    int units() const override { return outputShape().c; }
    void inputGradient(const Tensor& dy, Tensor& dx, Range r, bool curvature) const override;
    void unitGradients(const Tensor& x, const Tensor& dy, Range samples, Range units,
                       bool curvature, std::span<float* const> dparams) const override;

    int kernel() const { return m_k; }
    int stride() const { return m_stride; }
    int padding() const { return m_pad; }
    /// True when input map c feeds output map m.
    bool connected(int c, int m) const;

private:
    // Shared by backward (x, W, dy) and curvature (x^2, W^2, d2y), except for m_whole.
    void backwardWith(const Tensor& x, bool squareInputs, const std::vector<float>& w,
                      const Tensor& dy, Tensor* dx, Range r, std::span<float* const> dparams) const;

    // The direct path (m_direct): forward and backward of one sample, see conv.cpp.
    void directForward(const float* x, float* y) const;
    void directBackward(const float* x, bool squareInputs, const std::vector<float>& w,
                        const float* dy, float* dx, float* dw) const;

    // The maps-in-lanes path (m_mapsInLanes), see conv.cpp: the output maps rounded up to whole
    // registers; the forward of one sample with tap-major weights and padded biases; and one
    // sample's weight gradients added to dwt, tap-major.
    int lanePaddedMaps() const;
    void lanesForward(const float* x, float* y, const std::vector<float>& wt,
                      const std::vector<float>& bias) const;
    void lanesGradients(const float* x, bool squareInputs, const float* dy,
                        std::vector<float>& dwt) const;

    // The input gradient of one sample for stride 1 (weights w, or w^2 for the curvature), from
    // dy on "wide" rows, see conv.cpp.
    void wideInputGradient(const std::vector<float>& w, const float* dy, float* dx) const;

    // Zeroes the gradient of the kernels the connection table leaves out, in the rows (output
    // maps) `maps`.
    void applyMask(float* dw, Range maps) const;

    int m_k, m_stride, m_pad;
    // The kernel covers the whole unpadded input (C5): each sample's im2col column is the sample
    // itself, so a range of samples is one matrix product, as in a fully connected layer.
    bool m_whole;
    // Stride 1 with few taps per output (C1: one input map, 5x5): a direct convolution beats
    // im2col and a matrix product whose inner dimension (C*k*k) is this small.
    bool m_direct;
    // Any other convolution of stride 1 (C3): output maps in SIMD lanes, no im2col.
    bool m_mapsInLanes;
    std::vector<bool> m_table;
};

/// The paper's C3 table (6 inputs x 16 outputs, 60 connections), table[c*16 + m].
std::vector<bool> lecun1998Table();

/// im2col for one sample: x (C, H, W) -> col (C*k*k, Ho*Wo), zero outside the image.
void im2col(const float* x, Shape in, int k, int stride, int pad, int ho, int wo, float* col);
/// The adjoint: accumulates col (C*k*k, Ho*Wo) into dx (C, H, W) (dx is zeroed first).
void col2im(const float* col, Shape in, int k, int stride, int pad, int ho, int wo, float* dx);

}  // namespace lenet
