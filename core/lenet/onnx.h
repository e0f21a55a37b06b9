// Models in and out as ONNX, with Debian's ONNX library (its protobuf classes and its checker).
//
// Export: a network becomes one ONNX graph (opset 13, which ONNX 1.12 and OpenCV 4.6 both run)
// whose input "image" is the raw N x C x rows x cols image with ink in [0, 1] (pixel / 255, as
// the engine reads MNIST; 28 x 28 for every preset) and whose first output is what the engine's
// network gives: "logits" for a softmax network (a second output, "probabilities", is their
// Softmax) or "penalties" for an RBF network (the squared distances to the class centres). The
// graph pads the image to the architecture's input with background and scales it as the spec's
// normalisation says, so that it needs no preprocessing. The metadata keeps the spec (its JSON,
// so that the file imports back exactly), the training history, the final test error, the class
// names and the calibration. docs/onnx.md lists what each layer becomes.
//
// Import: our own exports come back from their metadata (the spec) and their initialisers (the
// weights, by name), checked against the graph the spec makes. A foreign LeNet-shaped graph (a
// chain of Conv, Gemm or MatMul + Add, Relu, LeakyRelu, Tanh, Sigmoid, MaxPool, AveragePool,
// BatchNormalization, Flatten/Reshape, Softmax/LogSoftmax at the end, Dropout, Identity,
// Constant, and Mul/Add/Sub/Div by constants at the input or right after a Conv or Gemm) becomes
// a network with its own spec; anything else is refused naming the node and its op type.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lenet/model_io.h"

namespace lenet {

/// The ONNX opset of the exports.
inline constexpr int kOnnxOpset = 13;

/// How a foreign graph's input is scaled: (ink - mean) / std of ink in [0, 1]. The default,
/// mean 0 and std 1, is torchvision's ToTensor (pixels / 255); MNIST's usual Normalize is
/// {0.1307, 0.3081}. Our own exports carry their scaling in the graph and ignore it.
struct InputScale {
    float mean = 0.0f;
    float std = 1.0f;
};

struct OnnxImportOptions {
    std::optional<InputScale> inputScale;
};

/// The bytes of the ONNX model of `net` (with `history` in its metadata), after
/// onnx::checker::check_model. Throws Error when the weights are damaged (weightsProblem).
std::string encodeOnnx(const Network& net, const std::vector<EpochMetrics>& history);

/// encodeOnnx written to `path` atomically (lenet/file_io.h); nothing is written on an error.
void exportOnnx(const std::string& path, const Network& net,
                const std::vector<EpochMetrics>& history);

/// The model in the ONNX bytes `bytes`; `origin` (the file) names it in the errors. Throws
/// FormatError naming the origin and, where one is at fault, the node (name and op type) or the
/// initialiser: not ONNX, truncated, external data, a tensor over the size limits, an op or an
/// attribute the engine has no layer for, shapes that do not fit. An input scale whose std is not
/// > 0 (or either number not finite) is a ConfigError.
Model decodeOnnx(const std::string& bytes, const std::string& origin,
                 const OnnxImportOptions& options = {});

/// decodeOnnx of the file at `path` (a regular file of bounded size, see InputFile).
Model importOnnx(const std::string& path, const OnnxImportOptions& options = {});

/// True when `path` names an ONNX file: it does not start with a LeNet Studio model file's magic
/// and either ends in ".onnx" or starts as an ONNX model does.
bool isOnnxFile(const std::string& path);

/// The model at `path`, whichever it is: importOnnx for an ONNX file (isOnnxFile), else loadModel
/// (a model file or a checkpoint). Where the CLI and the studio open a model.
Model openModel(const std::string& path, const OnnxImportOptions& options = {});

}  // namespace lenet
