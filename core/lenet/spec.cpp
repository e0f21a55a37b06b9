#include "lenet/spec.h"

namespace lenet {

InputFormat ArchitectureSpec::inputFormat() const {
    InputFormat f;
    f.height = input.h;
    f.width = input.w;
    f.normalization = normalization;
    return f;
}

}  // namespace lenet
