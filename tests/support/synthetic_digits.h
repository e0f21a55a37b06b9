// A small learnable in-memory digits set for the tests of every area (core, app, ui). Free of
// GoogleTest and Qt, so that every test executable can link it.
#pragma once

#include <cstdint>
#include <string>

#include "lenet/data/idx.h"

namespace lenet::test {

/// `count` 28x28 images: an 8-row ink block whose place encodes the label (i % 10), with a little
/// jitter, plus speckle noise. The same (count, seed) always gives the same set.
lenet::Dataset syntheticDigits(int count, std::uint32_t seed);

/// Writes syntheticDigits(300, seed) as the training set and syntheticDigits(100, seed + 1) as
/// the test set, in MNIST's file names, to the folder `dir` (which must exist).
void writeSyntheticDataSet(const std::string& dir, std::uint32_t seed);

}  // namespace lenet::test
