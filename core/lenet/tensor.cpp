#include "lenet/tensor.h"

#include <new>

#include "lenet/error.h"
#include "lenet/text.h"

namespace lenet {

void Tensor::resize(int n, Shape shape) {
    const std::size_t count = std::size_t(n) * shape.size();
    try {
        m_data.resize(count);
    } catch (const std::bad_alloc&) {
        throw OutOfMemoryError("out of memory while allocating " + std::to_string(n) +
                               " samples of " + shape.str() +
                               " floats: " + byteText(double(count) * sizeof(float)));
    }
    m_n = n;
    m_shape = shape;
}

std::string Shape::str() const {
    return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

}  // namespace lenet
