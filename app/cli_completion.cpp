#include "cli_completion.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <sstream>

#include <CLI/CLI.hpp>

#include "lenet/presets.h"
#include "lenet/text.h"
#include "lenet/version.h"

namespace lenet::cli {
namespace {

/// What an option takes.
enum class Takes { Nothing, Value, OneOf, Preset, Folder, File };

/// What an option's type word (as its help shows it) says it takes; `values` receives a list.
Takes classify(const std::string& word, std::vector<std::string>& values) {
    if (word.find('|') != std::string::npos) {
        std::stringstream in(word);
        std::string value;
        while (std::getline(in, value, '|')) values.push_back(value);
        return Takes::OneOf;
    }
    const bool placeholder =
        std::any_of(word.begin(), word.end(), [](unsigned char c) { return std::isupper(c); });
    if (!placeholder) return Takes::Nothing;
    if (word == "NAME") return Takes::Preset;
    if (word == "DIR") return Takes::Folder;
    static const std::regex file(R"(FILE|MODEL|CHECKPOINT|\.[a-z]+$)");
    return std::regex_search(word, file) ? Takes::File : Takes::Value;
}

/// The word after the options that take a value, and the word for its positional arguments
/// ("" when it takes none).
struct Arguments {
    std::vector<std::pair<std::string, std::string>> options;  // "--name", "TYPE" ("" for a flag)
    std::string positional;
};

Arguments arguments(const CLI::App& app) {
    Arguments a;
    for (const CLI::Option* o : app.get_options()) {
        if (o->get_positional()) {
            a.positional = o->get_name();
            continue;
        }
        for (const std::string& name : o->get_lnames())
            a.options.emplace_back("--" + name,
                                   o->get_expected_max() == 0 ? "" : o->get_type_name());
    }
    return a;
}

/// A bash case arm that completes `patterns` with `reply`.
void arm(std::ostringstream& s, const std::vector<std::string>& patterns,
         const std::string& reply) {
    if (patterns.empty()) return;
    s << "        " << join(patterns, "|") << ")\n            " << reply
      << "\n            return ;;\n";
}

/// The part of _lenet for the command `path` (" train", " data fetch"): the values of its
/// options, its options, its subcommands and its arguments; then the same for its subcommands.
void command(std::ostringstream& s, const CLI::App& app, const std::string& path) {
    const Arguments a = arguments(app);
    std::map<Takes, std::vector<std::string>> byKind;
    std::vector<std::string> options;
    s << "    \"" << path << "\")\n"
      << "        case $prev in\n";
    for (const auto& [name, type] : a.options) {
        options.push_back(name);
        std::vector<std::string> values;
        const Takes takes = classify(type, values);
        if (takes == Takes::OneOf) {
            arm(s, {name}, "_lenet_words '" + join(values, " ") + "'");
        } else {
            byKind[takes].push_back(name);
        }
    }
    arm(s, byKind[Takes::Preset], "_lenet_words \"$presets\"");
    arm(s, byKind[Takes::Folder], "_lenet_files -d");
    arm(s, byKind[Takes::File], "_lenet_files -f");
    arm(s, byKind[Takes::Value], ":");
    s << "        esac\n"
      << "        if [[ $cur == -* ]]; then\n"
      << "            _lenet_words '" << join(options, " ") << "'\n";
    std::vector<std::string> subcommands;
    for (const CLI::App* sub : app.get_subcommands({})) subcommands.push_back(sub->get_name());
    if (!subcommands.empty()) {
        s << "        elif ((word == COMP_CWORD)); then\n"
          << "            _lenet_words '" << join(subcommands, " ") << " " << join(options, " ")
          << "'\n";
    }
    if (!a.positional.empty()) {
        s << "        else\n";
        if (a.positional.find("PRESET") != std::string::npos)
            s << "            _lenet_words \"$presets\"\n";
        s << "            _lenet_files -f\n";
    }
    s << "        fi ;;\n";
    for (const CLI::App* sub : app.get_subcommands({}))
        command(s, *sub, path + " " + sub->get_name());
}

/// Every command path of `app` (" train", " data", " data fetch").
void paths(const CLI::App& app, const std::string& path, std::vector<std::string>& out) {
    for (const CLI::App* sub : app.get_subcommands({})) {
        out.push_back("\"" + path + " " + sub->get_name() + "\"");
        paths(*sub, path + " " + sub->get_name(), out);
    }
}

}  // namespace

std::string bashCompletion(const CLI::App& app) {
    std::vector<std::string> known;
    paths(app, "", known);
    std::ostringstream s;
    s << "# bash completion for lenet (LeNet Studio " << version() << ")\n"
      << "# Written by `lenet completion` from the program's own tables: change those, not this.\n"
      << "_lenet_words() {\n"
      << "    local IFS=$' \\t\\n'\n"
      << "    COMPREPLY+=($(compgen -W \"$1\" -- \"$cur\"))\n"
      << "}\n"
      << "_lenet_files() {\n"
      << "    compopt -o filenames 2>/dev/null\n"
      << "    local IFS=$'\\n'\n"
      << "    COMPREPLY+=($(compgen \"$1\" -- \"$cur\"))\n"
      << "}\n"
      << "_lenet() {\n"
      << "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
      << "    local presets='" << join(presetNames(), " ") << "'\n"
      << "    COMPREPLY=()\n"
      << "    # --option=value: bash splits it at '='\n"
      << "    if [[ $cur == = ]]; then\n"
      << "        cur=\n"
      << "    elif [[ $prev == = ]]; then\n"
      << "        prev=${COMP_WORDS[COMP_CWORD - 2]}\n"
      << "    fi\n"
      << "    # The command and its subcommand: the words after lenet that name one.\n"
      << "    local path= word=1\n"
      << "    while ((word < COMP_CWORD)); do\n"
      << "        case \"$path ${COMP_WORDS[word]}\" in\n"
      << "        " << join(known, "|") << ")\n"
      << "            path+=\" ${COMP_WORDS[word]}\"\n"
      << "            ((word++)) ;;\n"
      << "        *) break ;;\n"
      << "        esac\n"
      << "    done\n"
      << "    case $path in\n";
    command(s, app, "");
    s << "    esac\n"
      << "}\n"
      << "complete -F _lenet lenet\n";
    return s.str();
}

}  // namespace lenet::cli
