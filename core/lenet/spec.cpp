#include "lenet/spec.h"

namespace lenet {

InputFormat ArchitectureSpec::inputFormat() const {
    InputFormat f;
    f.height = input.h;
    f.width = input.w;
    f.normalization = normalization;
    f.mean = mean;
    f.stddev = stddev;
    return f;
}

}  // namespace lenet
