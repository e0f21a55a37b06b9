// What the ONNX tests share: a preset's network after a few batches of training (what they export),
// and ONNX graphs as other tools write them for the import tests: a PyTorch-style LeNet-5 built
// with the ONNX protobuf classes (what torch.onnx.export writes at opset 13 for the usual tutorial
// network), so that the tests need no PyTorch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "lenet/data/idx.h"
#include "lenet/network.h"

namespace lenet::test {

/// A network of `spec` trained for 4 batches of 16 images of `data` with Adam (every preset, SDLM's
/// included), so that no weight is still at its initial value (batch norm's running statistics
/// included).
Network briefTrained(const ArchitectureSpec& spec, const Dataset& data);

/// The architectures the ONNX tests export: every preset, and "activations": lenet5-maxpool with
/// the activation functions no preset uses (leaky_relu, tanh, sigmoid_affine, log_relu with a
/// beta of 2).
std::vector<ArchitectureSpec> exportedSpecs();

struct TorchLenetOptions {
    bool flatten = false;     // Flatten (torch.flatten) rather than Constant + Reshape (x.view)
    bool matmul = false;      // the last layer as MatMul + Add rather than Gemm
    bool normalize = false;   // Sub 0.1307, Div 0.3081 at the input (Normalize inside the model)
    bool logSoftmax = true;   // LogSoftmax at the end
    bool scaleConv1 = false;  // a Mul by one constant per map and an Add after conv1
    std::uint32_t seed = 1;   // of the random weights
};

/// Conv 1->6 5x5 pad 2, Relu, MaxPool 2, Conv 6->16 5x5, Relu, MaxPool 2, flatten, Gemm 400->120,
/// Relu, Gemm 120->84, Relu, Gemm 84->10 (, LogSoftmax); input "input.1" N x 1 x 28 x 28, weights
/// named as PyTorch names them ("conv1.weight", "fc3.bias").
onnx::ModelProto torchLenet(const TorchLenetOptions& options = {});

/// The bytes of `model`.
std::string bytesOf(const onnx::ModelProto& model);

}  // namespace lenet::test
