// IDX files (the MNIST format), raw or gzip-compressed, read with every count and byte checked.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lenet {

/// A labelled set of 8-bit grey images (0 = background, 255 = ink for MNIST).
struct Dataset {
    int rows = 0;
    int cols = 0;
    int classes = 0;                      // max label + 1
    std::vector<std::uint8_t> images;     // size() * rows * cols, image i at i*rows*cols
    std::vector<std::uint8_t> labels;     // size()
    std::string source;                   // where it came from, for messages
    std::string labelsSource;             // where the labels came from (empty: source)
    std::vector<std::string> classNames;  // the folder's classes.txt; empty: digits

    int size() const { return int(labels.size()); }
    const std::uint8_t* image(int i) const { return images.data() + std::size_t(i) * rows * cols; }
};

/// Reads a whole regular file (see InputFile), gunzipping it when it starts with the gzip magic
/// (1f 8b). Refuses (FormatError naming the limit and `what` it is for, "an image may have") a
/// file or decompressed data over `maxBytes` before reading or inflating further. Throws IoError
/// (not a regular file, cannot open/read) or FormatError (corrupt gzip stream), naming the path.
std::vector<std::uint8_t> readMaybeGzip(const std::string& path, std::uint64_t maxBytes,
                                        const std::string& what);

/// Reads an IDX3 image file (magic 0x00000803), a regular file (see InputFile), raw or gzip,
/// header first. Checks the magic, dimensions > 0 and that the payload is exactly count*rows*cols
/// bytes (short and trailing bytes both fail) before reading on: a raw file's size is checked
/// against the header before its payload is read, and a gzip stream is inflated no further than
/// the header's size plus 64 KiB (FormatError naming the declared size).
/// Ensures: images.size() == count*rows*cols. Throws FormatError naming the file and the problem.
struct IdxImages {
    int count = 0, rows = 0, cols = 0;
    std::vector<std::uint8_t> pixels;
};
IdxImages readIdxImages(const std::string& path);

/// The same checks on the bytes of an IDX3 image file (raw or gzip) held in memory; `origin`
/// names it in the errors.
IdxImages parseIdxImages(const std::vector<std::uint8_t>& bytes, const std::string& origin);

/// Reads an IDX1 label file (magic 0x00000801) as readIdxImages reads image files, checking the
/// count against the file length.
std::vector<std::uint8_t> readIdxLabels(const std::string& path);

/// The same checks on the bytes of an IDX1 label file (raw or gzip) held in memory.
std::vector<std::uint8_t> parseIdxLabels(const std::vector<std::uint8_t>& bytes,
                                         const std::string& origin);

/// Reads an image file and its label file, checks the counts match and every label < maxClasses.
Dataset loadIdxPair(const std::string& imagesPath, const std::string& labelsPath,
                    int maxClasses = 256);

/// The two halves of an IDX data set folder.
enum class Split { Train, Test };

/// Finds the image/label files of `split` in `dir`: MNIST names (train-images-idx3-ubyte,
/// t10k-images-idx3-ubyte, also with '.' instead of '-' before idx, with or without .gz) or any
/// pair *train*images* / *train*labels* (*t10k* or *test* for Test). Throws IoError saying what
/// was looked for when nothing matches.
Dataset loadSplit(const std::string& dir, Split split);

/// The class names of the data set folder `dir`: its classes.txt, one name a line (blank lines at
/// the end ignored); empty when there is no such file. Throws FormatError naming the file when a
/// name is empty or there are fewer names than `classes` (the classes its labels use).
/// loadSplit reads them into Dataset::classNames (and sets Dataset::classes to their count).
std::vector<std::string> readClassNames(const std::string& dir, int classes);

/// The name of class `k`: names[k], or the number when there are no names.
std::string className(const std::vector<std::string>& names, int k);

/// Throws ConfigError when `names` is not empty and does not name `classes` classes (a network's
/// outputs), saying where the names came from (`origin`).
void checkClassNames(const std::vector<std::string>& names, int classes, const std::string& origin);

/// True when `dir` has the image and label files of both splits, as loadSplit() finds them.
/// Reads no file.
bool holdsDataSet(const std::string& dir);

/// The user's MNIST folder, where `lenet data fetch` puts it by default:
/// $XDG_DATA_HOME/lenet-studio/mnist, else $HOME/.local/share/lenet-studio/mnist; "" when neither
/// variable is set ($XDG_DATA_HOME counts only when it is an absolute path).
std::string userDataDir();

/// The data folder used when none is given: $LENET_DATA, else the first of ./data/mnist,
/// <source tree>/data/mnist (for developers; scripts/setup.sh puts MNIST there) and userDataDir()
/// that holds IDX files, else userDataDir() (<source tree>/data/mnist when that is "").
std::string defaultDataDir();

}  // namespace lenet
