// Colour scales for the inspection views: activations, kernels and gradients become small
// QImages, one image pixel per value, that the views enlarge without smoothing; and the short
// captions of value ranges and shapes the views print beside them.
#pragma once

#include <cstdint>
#include <span>

#include <QImage>
#include <QSize>
#include <QString>

#include "lenet/tensor.h"

namespace lenet::ui {

/// How values become colours.
enum class Palette {
    Ink,     // low = white, high = black: feature maps read like the digit that made them
    Signed,  // negative = blue, 0 = white, positive = red (weights, gradients)
};

/// The interval a colour scale spans.
struct ValueRange {
    float lo = 0.0f;
    float hi = 0.0f;

    /// The smallest and largest of `values` (0, 0 when empty).
    static ValueRange of(std::span<const float> values);
    /// [-m, m] with m = max(|lo|, |hi|): zero stays white on the Signed palette.
    ValueRange symmetric() const;
    /// [-q, q] with q the `quantile` of |values| (e.g. 0.99): a scale that a few outliers do not
    /// wash out; larger values saturate.
    static ValueRange robustSymmetric(std::span<const float> values, double quantile);
};

/// The colour of `value` on `palette` over `range` (values outside are clamped; an empty range
/// gives the middle colour).
QRgb colourOf(float value, const ValueRange& range, Palette palette);

/// `width` x `height` values, row-major, as a width x height image (Format_RGB32).
QImage valuesToImage(const float* values, int width, int height, const ValueRange& range,
                     Palette palette);

/// `rows` x `cols` 8-bit pixels (a data set's image: 0 = background) as an Ink picture.
QImage pixelsToImage(const std::uint8_t* pixels, int rows, int cols);

/// Columns x rows that show a vector of n units as one picture: 84 -> 7 x 12 (the shape of
/// LeNet-5's F6 and its RBF bitmaps); otherwise the most nearly square exact factorisation with
/// at least as many columns as rows, or a near-square grid whose last row is partly empty.
QSize vectorGrid(int n);

/// A vector of n values as one vectorGrid(n) picture, row-major; cells past n are white.
QImage vectorToImage(const float* values, int n, const ValueRange& range, Palette palette);

/// "-1.72 … 1.72" (three significant digits).
QString rangeText(const ValueRange& range);

/// "6×28×28", or "120 units" for a vector (1x1 maps).
QString shapeText(const lenet::Shape& shape);

}  // namespace lenet::ui
