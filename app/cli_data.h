// `lenet data fetch` and `lenet data check`: MNIST into a folder, and whether a folder holds it.
#pragma once

#include "cli_support.h"

namespace lenet::cli {

/// Declares the options of `lenet data` on `app`.
void declareData(CLI::App& app);

/// Runs `lenet data SUBCOMMAND` with the parsed arguments; returns the exit status.
int cmdData(const Args& a);

}  // namespace lenet::cli
