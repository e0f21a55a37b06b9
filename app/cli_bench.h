// `lenet bench`: where a training step's time goes, layer by layer.
#pragma once

#include "cli_support.h"

namespace lenet::cli {

/// Runs `lenet bench` with the parsed arguments; returns the exit status.
int cmdBench(const Args& a);

}  // namespace lenet::cli
