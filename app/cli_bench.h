// `lenet bench`: where a training step's time goes, layer by layer.
#pragma once

#include "cli_support.h"

namespace lenet::cli {

/// Declares the options of `lenet bench` on `app`.
void declareBench(CLI::App& app);

/// Runs `lenet bench` with the parsed arguments; returns the exit status.
int cmdBench(const Args& a);

}  // namespace lenet::cli
