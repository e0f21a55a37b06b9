// The tests' synthetic digits (see synthetic_digits.h).
#include "support/synthetic_digits.h"

#include <random>

#include "lenet/data/idx_writer.h"

namespace lenet::test {

lenet::Dataset syntheticDigits(int count, std::uint32_t seed) {
    lenet::Dataset d;
    d.rows = 28;
    d.cols = 28;
    d.classes = 10;
    d.source = "synthetic digits";
    d.images.assign(std::size_t(count) * 784, 0);
    d.labels.resize(count);
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> pixel(0, 783), jitter(0, 2);
    for (int i = 0; i < count; ++i) {
        const int label = i % 10;
        d.labels[i] = std::uint8_t(label);
        std::uint8_t* img = d.images.data() + std::size_t(i) * 784;
        const int top = 3 + (label / 5) * 12 + jitter(rng), left = 1 + (label % 5) * 5;
        for (int y = top; y < top + 8; ++y) {
            for (int x = left; x < left + 4 + jitter(rng); ++x) img[y * 28 + x] = 255;
        }
        for (int k = 0; k < 20; ++k) img[pixel(rng)] = std::uint8_t(rng() % 256);
    }
    return d;
}

void writeSyntheticDataSet(const std::string& dir, std::uint32_t seed) {
    lenet::saveIdxPair(dir + "/train-images-idx3-ubyte", dir + "/train-labels-idx1-ubyte",
                       syntheticDigits(300, seed));
    lenet::saveIdxPair(dir + "/t10k-images-idx3-ubyte", dir + "/t10k-labels-idx1-ubyte",
                       syntheticDigits(100, seed + 1));
}

}  // namespace lenet::test
