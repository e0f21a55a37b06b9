// From 8-bit images to network inputs: ink scaling, padding, normalisation, MNIST-style
// centring of arbitrary drawings, and random affine distortions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace lenet {

/// How ink in [0,1] maps to input values.
enum class Normalization {
    Lecun,        // LeCun 1998: background -0.1, ink 1.175 (x*1.275 - 0.1)
    MeanStd,      // (x - mean) / stddev, MNIST defaults 0.1307 / 0.3081
    MinusOneOne,  // 2x - 1
    Unit,         // x as is
};
std::string toString(Normalization n);
Normalization normalizationFromString(const std::string& s);  // throws ConfigError

/// The input the network expects: size after padding and how values are scaled.
struct InputFormat {
    int height = 32;
    int width = 32;
    Normalization normalization = Normalization::Lecun;
    float mean = 0.1307f;
    float stddev = 0.3081f;
};

/// A grey image with ink in [0,1] (1 = full ink), row-major.
struct InkImage {
    int rows = 0;
    int cols = 0;
    std::vector<float> ink;
};

/// The amount of ink of `image`: the sum of its values.
float inkSum(const InkImage& image);
/// inkSum of toInk(pixels, ...) for `count` uint8 pixels, bit for bit, without the image.
float inkSum(const std::uint8_t* pixels, std::size_t count);

/// uint8 (0 background .. 255 ink) -> InkImage.
InkImage toInk(const std::uint8_t* pixels, int rows, int cols);

/// Writes format.height*format.width normalised values to `out`: `image` centred (padded with
/// background or cropped symmetrically) and scaled as `format` says.
void toInput(const InkImage& image, const InputFormat& format, float* out);

/// MNIST's preprocessing for an arbitrary drawing: crop to the ink's bounding box, scale the
/// longer side to 20 pixels (area-averaging, aspect kept), place in 28x28 with the centre of
/// mass at the centre. An image without ink throws Error("the image has no ink ...").
InkImage mnistStyle(const InkImage& drawing);

/// The same steps one by one, for the studio's preprocessing strip.
struct MnistStyleSteps {
    InkImage cropped;  // the bounding box
    InkImage scaled;   // longer side 20
    InkImage centred;  // 28x28, centre of mass at (14,14)
};
MnistStyleSteps mnistStyleSteps(const InkImage& drawing);

/// How an image becomes what the network classifies (lenet predict --preprocess, the canvas).
enum class Preprocessing {
    Auto,   // as it is when it already looks like an MNIST digit (looksLikeMnist), else Mnist
    Mnist,  // mnistStyle
    None,   // as it is (centred into the input, padded or cropped, by toInput)
};
std::string toString(Preprocessing p);
Preprocessing preprocessingFromString(const std::string& s);  // throws ConfigError

/// True when `image` is already laid out like an MNIST digit for a network whose input is
/// `format`: 28x28 or the input's own size, its ink (on a background without ink: readImageFile
/// inverts dark-on-light images) within a 20x20 box and its centre of mass within 2 pixels of
/// the image's centre.
bool looksLikeMnist(const InkImage& image, const InputFormat& format);

/// What the network classifies for `drawing`: the steps of mnistStyle when they were taken
/// (empty otherwise) and the image itself. Throws Error("the image has no ink ...") when
/// MNIST-style centring is asked for (or chosen by Auto) and there is no ink. The one function
/// the canvas and `lenet predict` share.
struct Prepared {
    MnistStyleSteps steps;  // empty when the image was used as it is
    InkImage image;
    bool centred() const { return !steps.centred.ink.empty(); }
};
Prepared prepare(const InkImage& drawing, Preprocessing how, const InputFormat& format);

/// Random distortion parameters. The affine part is LeCun 1998's distorted training set
/// (translation, scaling, squeezing, horizontal shearing; each drawn uniformly in [-max, +max]).
/// The elastic part, when elasticAlpha > 0, is Simard, Steinkraus and Platt 2003: a displacement
/// field drawn uniformly in [-1, 1] per pixel and axis, smoothed by a Gaussian of standard
/// deviation elasticSigma and scaled by elasticAlpha (they found sigma 4, alpha 34 best for
/// MNIST).
struct Distortion {
    float maxShift = 2.0f;      // pixels
    float maxRotation = 10.0f;  // degrees
    float maxScale = 0.15f;     // relative, per axis (so also squeezing)
    float maxShear = 0.3f;      // horizontal shear factor
    float elasticAlpha = 0.0f;  // pixels per unit of the smoothed field; 0 = no elastic part
    float elasticSigma = 4.0f;  // pixels

    friend bool operator==(const Distortion&, const Distortion&) = default;
};

/// Applies one random affine map drawn from `rng`, followed by a random elastic displacement when
/// d.elasticAlpha > 0, in one bilinear resampling (background 0 outside).
InkImage distort(const InkImage& image, const Distortion& d, std::mt19937& rng);

/// Deterministic affine map about the image centre (the invariance lab and tests):
/// shift in pixels, rotation in degrees, uniform scale, horizontal shear.
InkImage affine(const InkImage& image, float shiftX, float shiftY, float rotationDeg, float scaleX,
                float scaleY, float shear);

/// Reads a PNG (any bit depth/colour type, alpha composited on white) or a binary/ASCII PGM
/// (P2/P5), gunzipped when gzip, as ink: dark-on-light images are inverted so that ink is 1. Only
/// a regular file of at most 64 MiB (gunzipped: the same) is read (see InputFile). Throws IoError
/// or FormatError naming the file.
InkImage readImageFile(const std::string& path);

}  // namespace lenet
