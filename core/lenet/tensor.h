// A batch of feature maps: N samples of (C, H, W) float32, one sample contiguous, width fastest.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace lenet {

/// Shape of one sample: channels x height x width.
struct Shape {
    int c = 0;
    int h = 0;
    int w = 0;

    int size() const { return c * h * w; }
    std::string str() const;  // "6x28x28"
    friend bool operator==(const Shape&, const Shape&) = default;
};

/// N samples of one Shape, stored contiguously: index ((n*C + c)*H + y)*W + x.
class Tensor {
public:
    Tensor() = default;
    /// Zero-filled. Throws OutOfMemoryError saying how much it tried to allocate.
    Tensor(int n, Shape shape) { resize(n, shape); }

    /// Resizes to n samples of `shape`; keeps the allocation when it is large enough. Throws
    /// OutOfMemoryError ("out of memory while allocating 60000 samples of 6x28x28 floats:
    /// 752.6 MB") and keeps its size when the memory is not there.
    void resize(int n, Shape shape);

    int n() const { return m_n; }
    const Shape& shape() const { return m_shape; }
    std::size_t size() const { return m_data.size(); }

    float* data() { return m_data.data(); }
    const float* data() const { return m_data.data(); }
    float* sample(int i) { return m_data.data() + std::size_t(i) * m_shape.size(); }
    const float* sample(int i) const { return m_data.data() + std::size_t(i) * m_shape.size(); }
    std::span<float> values() { return m_data; }
    std::span<const float> values() const { return m_data; }
    float& operator[](std::size_t i) { return m_data[i]; }
    float operator[](std::size_t i) const { return m_data[i]; }

private:
    int m_n = 0;
    Shape m_shape;
    std::vector<float> m_data;
};

}  // namespace lenet
