// Decoding the image files that `lenet predict` classifies (PNG, PGM P2/P5) from bytes in memory;
// readImageFile (preprocess.h) reads a file, gunzips it when needed and calls parseImageFile.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lenet/data/preprocess.h"

namespace lenet {

/// Decodes a PNG (any bit depth/colour type, alpha composited on white) or a binary/ASCII PGM
/// (P2/P5) held in memory as ink, inverting dark-on-light images so that ink is 1. Refuses images
/// over 2^24 pixels and sizes the data cannot hold before allocating. Throws FormatError naming
/// `origin` and the problem.
InkImage parseImageFile(const std::vector<std::uint8_t>& bytes, const std::string& origin);

}  // namespace lenet
