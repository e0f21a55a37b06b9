// `lenet completion`: the bash completion script of `lenet`, made from what the program itself
// knows: its commands and their options as declared for CLI11 (whose type words name lists of
// values from the table of kinds) and the presets. The build writes it for the install step.
#pragma once

#include <string>

namespace CLI {
class App;
}  // namespace CLI

namespace lenet::cli {

/// The bash completion script for `lenet`, whose commands, subcommands and options `app`
/// declares. An option's type word says what its value is:
///   a|b|c                                   one of these values
///   NAME                                    a preset name
///   DIR                                     a folder
///   FILE, MODEL, CHECKPOINT, NAME.ext       a file
///   any other word in capitals (N, X)       a value that is not completed
/// A flag takes none. A command's positional arguments are files, and presets too when their
/// word names PRESET.
std::string bashCompletion(const CLI::App& app);

}  // namespace lenet::cli
