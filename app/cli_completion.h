// `lenet completion`: the bash completion script of `lenet`, made from what the program itself
// knows: its table of commands, the options its usage text names (whose lists of values come
// from the table of kinds) and the presets. The build writes it for the install step.
#pragma once

#include <string>
#include <vector>

namespace lenet::cli {

/// The bash completion script for `lenet`. `commands` are the subcommands; `usage` is the usage
/// text, read as follows:
///   "  lenet --x" at the start of a line    --x is completed in the first word
///   --x a|b|c                              --x takes one of these values
///   --x NAME                               --x takes a preset name
///   --x DIR                                --x takes a folder
///   --x FILE, MODEL, CHECKPOINT, NAME.ext  --x takes a file
///   --x N (any other word in capitals)     --x takes a value that is not completed
///   any other --x                          an option without a value
/// An option mentioned several times takes the widest of these (a file over a folder over a
/// value). Preset names, spec files and images are completed as the commands' other arguments.
std::string bashCompletion(const std::vector<std::string>& commands, const std::string& usage);

}  // namespace lenet::cli
