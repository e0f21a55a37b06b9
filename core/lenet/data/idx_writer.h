// Writing a data set as an IDX pair (the MNIST format: an IDX3 image file and an IDX1 label
// file), the counterpart of loadIdxPair; the studio keeps the user's own digits this way.
#pragma once

#include <string>

#include "lenet/data/idx.h"

namespace lenet {

/// The bytes of an IDX3 image file (magic 0x00000803, count, rows, cols, then the pixels) for
/// the images of `data`.
std::string idxImageBytes(const Dataset& data);

/// The bytes of an IDX1 label file (magic 0x00000801, count, then the labels) for `data`.
std::string idxLabelBytes(const Dataset& data);

/// Writes `data` to `imagesPath` and `labelsPath`, each file through writeFileAtomically (a
/// reader sees the old or the new file, never half of one); loadIdxPair reads them back equal.
/// The two files are replaced one after the other, images first. Requires a non-empty set
/// (IDX has no empty files) whose images hold size() * rows * cols bytes: throws Error
/// otherwise, naming imagesPath, and IoError when a file cannot be written.
void saveIdxPair(const std::string& imagesPath, const std::string& labelsPath, const Dataset& data);

}  // namespace lenet
