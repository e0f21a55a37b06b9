// Colour scales: linear interpolation between a few anchor colours.
#include "ui/inspect/map_images.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include <QObject>

namespace lenet::ui {
namespace {

QRgb mix(QRgb a, QRgb b, float t) {
    auto channel = [t](int x, int y) { return int(std::lround(x + (y - x) * t)); };
    return qRgb(channel(qRed(a), qRed(b)), channel(qGreen(a), qGreen(b)),
                channel(qBlue(a), qBlue(b)));
}

constexpr int kSteps = 256;

/// The palette sampled at kSteps points of t in [0, 1].
std::array<QRgb, kSteps> makeTable(Palette palette) {
    std::array<QRgb, kSteps> table{};
    for (int i = 0; i < kSteps; ++i) {
        const float t = float(i) / (kSteps - 1);
        if (palette == Palette::Ink) {
            table[std::size_t(i)] = mix(qRgb(255, 255, 255), qRgb(16, 24, 48), t);
        } else {
            const QRgb blue = qRgb(33, 102, 172);
            const QRgb white = qRgb(247, 247, 247);
            const QRgb red = qRgb(178, 24, 43);
            table[std::size_t(i)] =
                t < 0.5f ? mix(blue, white, t * 2.0f) : mix(white, red, t * 2.0f - 1.0f);
        }
    }
    return table;
}

const std::array<QRgb, kSteps>& table(Palette palette) {
    static const std::array<QRgb, kSteps> ink = makeTable(Palette::Ink);
    static const std::array<QRgb, kSteps> sign = makeTable(Palette::Signed);
    return palette == Palette::Ink ? ink : sign;
}

}  // namespace

ValueRange ValueRange::of(std::span<const float> values) {
    if (values.empty()) return {};
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    return {*lo, *hi};
}

ValueRange ValueRange::symmetric() const {
    const float m = std::max(std::abs(lo), std::abs(hi));
    return {-m, m};
}

ValueRange ValueRange::robustSymmetric(std::span<const float> values, double quantile) {
    if (values.empty()) return {};
    std::vector<float> magnitudes(values.size());
    std::transform(values.begin(), values.end(), magnitudes.begin(),
                   [](float v) { return std::abs(v); });
    const auto k = std::ptrdiff_t(std::clamp(quantile, 0.0, 1.0) * double(magnitudes.size() - 1));
    std::nth_element(magnitudes.begin(), magnitudes.begin() + k, magnitudes.end());
    const float q = magnitudes[std::size_t(k)];
    return {-q, q};
}

QRgb colourOf(float value, const ValueRange& range, Palette palette) {
    const float span = range.hi - range.lo;
    const float t = span > 0.0f ? std::clamp((value - range.lo) / span, 0.0f, 1.0f) : 0.5f;
    return table(palette)[std::size_t(t * (kSteps - 1) + 0.5f)];
}

QImage valuesToImage(const float* values, int width, int height, const ValueRange& range,
                     Palette palette) {
    QImage image(width, height, QImage::Format_RGB32);
    for (int y = 0; y < height; ++y) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
        for (int x = 0; x < width; ++x) line[x] = colourOf(values[y * width + x], range, palette);
    }
    return image;
}

QImage pixelsToImage(const std::uint8_t* pixels, int rows, int cols) {
    std::vector<float> ink(std::size_t(rows) * cols);
    for (std::size_t k = 0; k < ink.size(); ++k) ink[k] = pixels[k] / 255.0f;
    return valuesToImage(ink.data(), cols, rows, {0.0f, 1.0f}, Palette::Ink);
}

QSize vectorGrid(int n) {
    if (n <= 0) return {0, 0};
    if (n == 84) return {7, 12};
    const int root = int(std::ceil(std::sqrt(double(n))));
    for (int rows = int(std::sqrt(double(n))); rows >= 2; --rows) {
        // An exact factorisation that is not too elongated (at most 3:1).
        if (n % rows == 0 && n / rows <= 3 * rows) return {n / rows, rows};
    }
    return {root, (n + root - 1) / root};
}

QImage vectorToImage(const float* values, int n, const ValueRange& range, Palette palette) {
    const QSize grid = vectorGrid(n);
    QImage image(grid, QImage::Format_RGB32);
    image.fill(Qt::white);
    for (int i = 0; i < n; ++i)
        image.setPixel(i % grid.width(), i / grid.width(), colourOf(values[i], range, palette));
    return image;
}

QString rangeText(const ValueRange& range) {
    return QStringLiteral("%1 … %2")
        .arg(double(range.lo), 0, 'g', 3)
        .arg(double(range.hi), 0, 'g', 3);
}

QString shapeText(const lenet::Shape& shape) {
    if (shape.h == 1 && shape.w == 1) return QObject::tr("%1 units").arg(shape.c);
    return QStringLiteral("%1×%2×%3").arg(shape.c).arg(shape.h).arg(shape.w);
}

}  // namespace lenet::ui
