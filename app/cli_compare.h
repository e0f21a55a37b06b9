// `lenet compare`: trains several variants one after another and writes the comparison.
#pragma once

#include "cli_support.h"

namespace lenet::cli {

/// Declares the options of `lenet compare` on `app`.
void declareCompare(CLI::App& app);

/// Runs `lenet compare` with the parsed arguments; returns the exit status.
int cmdCompare(const Args& a);

}  // namespace lenet::cli
