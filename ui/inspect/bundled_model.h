// The pretrained lenet5-1998 model that ships inside the studio (resources/models, compiled in as
// a Qt resource), so that the canvas and the inspection views work before any training and
// before the data set is fetched.
#pragma once

#include "lenet/model_io.h"

namespace lenet::ui {

/// The bundled model with its training history. Throws lenet::Error when the resource is
/// missing or damaged (a broken build).
lenet::Model loadBundledModel();

}  // namespace lenet::ui
