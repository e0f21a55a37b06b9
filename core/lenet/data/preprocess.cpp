// Ink conversion, padding and normalisation, MNIST-style centring and affine distortions.
#include "lenet/data/preprocess.h"

#include "lenet/error.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace lenet {

namespace {

/// Pixels with more ink than this belong to the drawing's bounding box in mnistStyle; fainter
/// pixels (scanner noise, anti-aliasing haze) do not widen it.
constexpr float kInkThreshold = 0.05f;
constexpr int kMnistSide = 28;

/// One uint8 pixel (0 background .. 255 ink) as ink in [0, 1].
float pixelInk(std::uint8_t p) {
    return float(p) / 255.0f;
}
constexpr int kMnistBox = 20;

/// Area-averaging weights for resampling `in` source pixels to `out` pixels along one axis:
/// output pixel o covers the source interval [o*r, (o+1)*r) with r = in/out.
struct AxisWeights {
    struct Tap {
        int source;
        float weight;
    };
    std::vector<std::vector<Tap>> taps;
};

AxisWeights areaWeights(int in, int out) {
    AxisWeights w;
    w.taps.resize(std::size_t(out));
    const double r = double(in) / out;
    for (int o = 0; o < out; ++o) {
        const double lo = o * r;
        const double hi = (o + 1) * r;
        const int first = int(std::floor(lo));
        const int last = std::min(in - 1, int(std::ceil(hi)) - 1);
        for (int k = first; k <= last; ++k) {
            const double overlap = std::min(hi, double(k + 1)) - std::max(lo, double(k));
            if (overlap > 0) w.taps[std::size_t(o)].push_back({k, float(overlap / r)});
        }
    }
    return w;
}

InkImage resizeArea(const InkImage& src, int rows, int cols) {
    const AxisWeights wr = areaWeights(src.rows, rows);
    const AxisWeights wc = areaWeights(src.cols, cols);
    std::vector<float> tmp(std::size_t(src.rows) * cols, 0.0f);
    for (int r = 0; r < src.rows; ++r)
        for (int c = 0; c < cols; ++c) {
            float sum = 0.0f;
            for (const AxisWeights::Tap& t : wc.taps[std::size_t(c)])
                sum += t.weight * src.ink[std::size_t(r) * src.cols + t.source];
            tmp[std::size_t(r) * cols + c] = sum;
        }
    InkImage out{rows, cols, std::vector<float>(std::size_t(rows) * cols, 0.0f)};
    for (int r = 0; r < rows; ++r)
        for (const AxisWeights::Tap& t : wr.taps[std::size_t(r)])
            for (int c = 0; c < cols; ++c)
                out.ink[std::size_t(r) * cols + c] +=
                    t.weight * tmp[std::size_t(t.source) * cols + c];
    for (float& v : out.ink) v = std::clamp(v, 0.0f, 1.0f);
    return out;
}

float sampleBilinear(const InkImage& img, float x, float y) {
    const float fx = std::floor(x);
    const float fy = std::floor(y);
    const int x0 = int(fx);
    const int y0 = int(fy);
    const float ax = x - fx;
    const float ay = y - fy;
    auto at = [&](int r, int c) {
        if (r < 0 || c < 0 || r >= img.rows || c >= img.cols) return 0.0f;
        return img.ink[std::size_t(r) * img.cols + c];
    };
    const float top = at(y0, x0) * (1.0f - ax) + at(y0, x0 + 1) * ax;
    const float bottom = at(y0 + 1, x0) * (1.0f - ax) + at(y0 + 1, x0 + 1) * ax;
    return top * (1.0f - ay) + bottom * ay;
}

void checkImage(const InkImage& image, const char* what) {
    if (image.rows < 0 || image.cols < 0 ||
        image.ink.size() != std::size_t(image.rows) * std::size_t(image.cols))
        throw Error(std::string(what) + ": image of " + std::to_string(image.rows) + "x" +
                    std::to_string(image.cols) + " has " + std::to_string(image.ink.size()) +
                    " values");
}

}  // namespace

std::string toString(Normalization n) {
    switch (n) {
        case Normalization::Lecun: return "lecun";
        case Normalization::MeanStd: return "meanstd";
        case Normalization::MinusOneOne: return "minus1to1";
        case Normalization::Unit: return "unit";
    }
    return "unknown";
}

Normalization normalizationFromString(const std::string& s) {
    for (Normalization n : {Normalization::Lecun, Normalization::MeanStd,
                            Normalization::MinusOneOne, Normalization::Unit})
        if (s == toString(n)) return n;
    throw ConfigError("unknown normalization '" + s +
                      "' (expected lecun, meanstd, minus1to1 or unit)");
}

float inkSum(const InkImage& image) {
    double sum = 0.0;
    for (float v : image.ink) sum += v;
    return float(sum);
}

float inkSum(const std::uint8_t* pixels, std::size_t count) {
    static const std::array<double, 256> ink = [] {
        std::array<double, 256> values{};
        for (int p = 0; p < 256; ++p) values[std::size_t(p)] = pixelInk(std::uint8_t(p));
        return values;
    }();
    // Each term is a float p / 255: zero, or at least 2^-8 with 24 significant bits, so a
    // multiple of 2^-31. Below 2^22 terms every partial sum is exact in a double, in any order:
    // eight running sums give the bits of inkSum(InkImage)'s one, without waiting for each other
    // (the evaluation of a test set spent 3% of its time here).
    if (count >= std::size_t(1) << 22) return inkSum(toInk(pixels, int(count), 1));
    double sums[8] = {};
    std::size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        for (std::size_t k = 0; k < 8; ++k) sums[k] += ink[pixels[i + k]];
    }
    for (; i < count; ++i) sums[0] += ink[pixels[i]];
    double sum = 0.0;
    for (double partial : sums) sum += partial;
    return float(sum);
}

InkImage toInk(const std::uint8_t* pixels, int rows, int cols) {
    if (rows < 0 || cols < 0)
        throw Error("toInk: negative image size " + std::to_string(rows) + "x" +
                    std::to_string(cols));
    InkImage img{rows, cols, std::vector<float>(std::size_t(rows) * cols)};
    for (std::size_t i = 0; i < img.ink.size(); ++i) img.ink[i] = pixelInk(pixels[i]);
    return img;
}

void toInput(const InkImage& image, const InputFormat& format, float* out) {
    // Every normalisation is an affine map a*x + b of the ink.
    float a = 1.0f;
    float b = 0.0f;
    switch (format.normalization) {
        case Normalization::Lecun:
            a = 1.275f;
            b = -0.1f;
            break;
        case Normalization::MeanStd:
            if (!(format.stddev > 0.0f))
                throw ConfigError("input normalisation: stddev must be > 0, not " +
                                  std::to_string(format.stddev));
            a = 1.0f / format.stddev;
            b = -format.mean / format.stddev;
            break;
        case Normalization::MinusOneOne:
            a = 2.0f;
            b = -1.0f;
            break;
        case Normalization::Unit: break;
    }
    const int h = format.height;
    const int w = format.width;
    std::fill(out, out + std::size_t(std::max(h, 0)) * std::max(w, 0), b);
    // Offset of the image inside the output; negative offsets crop.
    const int top = (h - image.rows) / 2;
    const int left = (w - image.cols) / 2;
    const int r0 = std::max(0, top);
    const int r1 = std::min(h, top + image.rows);
    const int c0 = std::max(0, left);
    const int c1 = std::min(w, left + image.cols);
    for (int r = r0; r < r1; ++r) {
        const float* src = image.ink.data() + std::size_t(r - top) * image.cols - left;
        float* dst = out + std::size_t(r) * w;
        for (int c = c0; c < c1; ++c) dst[c] = a * src[c] + b;
    }
}

namespace {

// The bounding box of the pixels with more ink than kInkThreshold; bottom < 0 when none.
struct InkBox {
    int top, bottom, left, right;
};
InkBox inkBox(const InkImage& image) {
    InkBox b{image.rows, -1, image.cols, -1};
    for (int r = 0; r < image.rows; ++r)
        for (int c = 0; c < image.cols; ++c)
            if (image.ink[std::size_t(r) * image.cols + c] > kInkThreshold) {
                b.top = std::min(b.top, r);
                b.bottom = std::max(b.bottom, r);
                b.left = std::min(b.left, c);
                b.right = std::max(b.right, c);
            }
    return b;
}

// The ink's mass and centre (my, mx), pixel (r, c) centred at (r + 0.5, c + 0.5).
double centreOfMass(const InkImage& s, double& my, double& mx) {
    double mass = 0.0;
    my = mx = 0.0;
    for (int r = 0; r < s.rows; ++r)
        for (int c = 0; c < s.cols; ++c) {
            const double v = s.ink[std::size_t(r) * s.cols + c];
            mass += v;
            my += v * (r + 0.5);
            mx += v * (c + 0.5);
        }
    if (mass > 0.0) my /= mass, mx /= mass;
    return mass;
}

}  // namespace

MnistStyleSteps mnistStyleSteps(const InkImage& drawing) {
    checkImage(drawing, "mnistStyle");
    const auto [top, bottom, left, right] = inkBox(drawing);
    if (bottom < 0) throw Error("the image has no ink (nothing drawn?)");

    MnistStyleSteps steps;
    InkImage& crop = steps.cropped;
    crop.rows = bottom - top + 1;
    crop.cols = right - left + 1;
    crop.ink.resize(std::size_t(crop.rows) * crop.cols);
    for (int r = 0; r < crop.rows; ++r)
        std::copy_n(drawing.ink.begin() + std::ptrdiff_t((top + r) * drawing.cols + left),
                    crop.cols, crop.ink.begin() + std::ptrdiff_t(r * crop.cols));

    const double scale = double(kMnistBox) / std::max(crop.rows, crop.cols);
    const int rows = std::clamp(int(std::lround(crop.rows * scale)), 1, kMnistBox);
    const int cols = std::clamp(int(std::lround(crop.cols * scale)), 1, kMnistBox);
    steps.scaled = resizeArea(crop, rows, cols);

    // (14, 14) is the middle of the 28x28 canvas.
    const InkImage& s = steps.scaled;
    double my = 0.0, mx = 0.0;
    const double mass = centreOfMass(s, my, mx);
    const double half = kMnistSide / 2.0;
    int offY = (kMnistSide - s.rows) / 2;
    int offX = (kMnistSide - s.cols) / 2;
    if (mass > 0.0) {
        offY = std::clamp(int(std::lround(half - my)), 0, kMnistSide - s.rows);
        offX = std::clamp(int(std::lround(half - mx)), 0, kMnistSide - s.cols);
    }
    InkImage& out = steps.centred;
    out.rows = kMnistSide;
    out.cols = kMnistSide;
    out.ink.assign(std::size_t(kMnistSide) * kMnistSide, 0.0f);
    for (int r = 0; r < s.rows; ++r)
        std::copy_n(s.ink.begin() + std::ptrdiff_t(r * s.cols), s.cols,
                    out.ink.begin() + std::ptrdiff_t((offY + r) * kMnistSide + offX));
    return steps;
}

InkImage mnistStyle(const InkImage& drawing) {
    return mnistStyleSteps(drawing).centred;
}

std::string toString(Preprocessing p) {
    switch (p) {
        case Preprocessing::Auto: return "auto";
        case Preprocessing::Mnist: return "mnist";
        case Preprocessing::None: return "none";
    }
    return "?";
}

Preprocessing preprocessingFromString(const std::string& s) {
    for (Preprocessing p : {Preprocessing::Auto, Preprocessing::Mnist, Preprocessing::None})
        if (s == toString(p)) return p;
    throw ConfigError("unknown preprocessing '" + s + "' (expected auto, mnist or none)");
}

bool looksLikeMnist(const InkImage& image, const InputFormat& format) {
    const bool mnistSize = image.rows == kMnistSide && image.cols == kMnistSide;
    const bool inputSize = image.rows == format.height && image.cols == format.width;
    if (!mnistSize && !inputSize) return false;
    const InkBox box = inkBox(image);
    double my = 0.0, mx = 0.0;
    if (box.bottom < 0 || centreOfMass(image, my, mx) <= 0.0) return false;
    constexpr double kCentred = 2.0;  // MNIST's digits: within 1.5 pixels
    return box.bottom - box.top < kMnistBox && box.right - box.left < kMnistBox &&
           std::abs(my - image.rows / 2.0) <= kCentred &&
           std::abs(mx - image.cols / 2.0) <= kCentred;
}

Prepared prepare(const InkImage& drawing, Preprocessing how, const InputFormat& format) {
    Prepared p;
    if (how == Preprocessing::None ||
        (how == Preprocessing::Auto && looksLikeMnist(drawing, format))) {
        checkImage(drawing, "prepare");
        p.image = drawing;
        return p;
    }
    p.steps = mnistStyleSteps(drawing);
    p.image = p.steps.centred;
    return p;
}

namespace {

/// The inverse of affine()'s map about the image centre: where in the source an output point
/// comes from. Points are in pixel units with pixel centres at +0.5.
struct InverseAffine {
    double i00, i01, i10, i11;
    double cx, cy, shiftX, shiftY;

    InverseAffine(const InkImage& image, float shiftX_, float shiftY_, float rotationDeg,
                  float scaleX, float scaleY, float shear)
        : cx(image.cols / 2.0), cy(image.rows / 2.0), shiftX(shiftX_), shiftY(shiftY_) {
        // Forward map: q = c + t + R * H * S * (p - c), with S = diag(scaleX, scaleY),
        // H = [[1, shear], [0, 1]] and R the rotation.
        const double th = double(rotationDeg) * std::numbers::pi / 180.0;
        const double cs = std::cos(th), sn = std::sin(th);
        const double m00 = cs * scaleX;
        const double m01 = (cs * shear - sn) * scaleY;
        const double m10 = sn * scaleX;
        const double m11 = (sn * shear + cs) * scaleY;
        const double det = m00 * m11 - m01 * m10;
        if (!(std::abs(det) > 1e-9))
            throw ConfigError("affine: the map is singular (scale " + std::to_string(scaleX) +
                              " x " + std::to_string(scaleY) + ")");
        i00 = m11 / det;
        i01 = -m01 / det;
        i10 = -m10 / det;
        i11 = m00 / det;
    }

    /// The ink of `image` at the inverse image of output point (x, y).
    float sample(const InkImage& image, double x, double y) const {
        const double qx = x - cx - shiftX;
        const double qy = y - cy - shiftY;
        const double px = i00 * qx + i01 * qy + cx - 0.5;
        const double py = i10 * qx + i11 * qy + cy - 0.5;
        return std::clamp(sampleBilinear(image, float(px), float(py)), 0.0f, 1.0f);
    }
};

/// Each output pixel sampled at the inverse image of its centre displaced by (dx, dy) (empty:
/// no displacement).
InkImage resample(const InkImage& image, const InverseAffine& map, const std::vector<float>& dx,
                  const std::vector<float>& dy) {
    InkImage out{image.rows, image.cols, std::vector<float>(image.ink.size(), 0.0f)};
    for (int r = 0; r < image.rows; ++r)
        for (int c = 0; c < image.cols; ++c) {
            const std::size_t i = std::size_t(r) * image.cols + c;
            const double x = c + 0.5 + (dx.empty() ? 0.0 : dx[i]);
            const double y = r + 0.5 + (dy.empty() ? 0.0 : dy[i]);
            out.ink[i] = map.sample(image, x, y);
        }
    return out;
}

/// `field` (rows x cols) convolved with a Gaussian of standard deviation `sigma` (truncated at
/// 3 sigma, zero outside the image), separably.
void gaussianSmooth(std::vector<float>& field, int rows, int cols, float sigma) {
    const int radius = std::max(1, int(std::ceil(3.0f * sigma)));
    std::vector<float> taps(std::size_t(2 * radius + 1));
    float total = 0.0f;
    for (int k = -radius; k <= radius; ++k) {
        taps[std::size_t(k + radius)] = std::exp(-0.5f * float(k * k) / (sigma * sigma));
        total += taps[std::size_t(k + radius)];
    }
    for (float& t : taps) t /= total;
    std::vector<float> pass(field.size());
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            float sum = 0.0f;
            for (int k = std::max(-radius, -c); k <= std::min(radius, cols - 1 - c); ++k)
                sum += taps[std::size_t(k + radius)] * field[std::size_t(r) * cols + c + k];
            pass[std::size_t(r) * cols + c] = sum;
        }
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            float sum = 0.0f;
            for (int k = std::max(-radius, -r); k <= std::min(radius, rows - 1 - r); ++k)
                sum += taps[std::size_t(k + radius)] * pass[std::size_t(r + k) * cols + c];
            field[std::size_t(r) * cols + c] = sum;
        }
}

}  // namespace

InkImage affine(const InkImage& image, float shiftX, float shiftY, float rotationDeg, float scaleX,
                float scaleY, float shear) {
    checkImage(image, "affine");
    return resample(image, InverseAffine(image, shiftX, shiftY, rotationDeg, scaleX, scaleY, shear),
                    {}, {});
}

InkImage distort(const InkImage& image, const Distortion& d, std::mt19937& rng) {
    checkImage(image, "distort");
    auto draw = [&rng](float max) {
        const float m = std::abs(max);
        return std::uniform_real_distribution<float>(-m, m)(rng);
    };
    const float shiftX = draw(d.maxShift);
    const float shiftY = draw(d.maxShift);
    const float rotation = draw(d.maxRotation);
    const float scaleX = 1.0f + draw(d.maxScale);
    const float scaleY = 1.0f + draw(d.maxScale);
    const float shear = draw(d.maxShear);
    const InverseAffine map(image, shiftX, shiftY, rotation, scaleX, scaleY, shear);
    std::vector<float> dx, dy;
    if (d.elasticAlpha > 0.0f) {
        for (std::vector<float>* field : {&dx, &dy}) {
            field->resize(image.ink.size());
            for (float& v : *field) v = draw(1.0f);
            gaussianSmooth(*field, image.rows, image.cols, d.elasticSigma);
            for (float& v : *field) v *= d.elasticAlpha;
        }
    }
    return resample(image, map, dx, dy);
}

}  // namespace lenet
