#include "cli_completion.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <sstream>

#include "lenet/presets.h"
#include "lenet/text.h"
#include "lenet/version.h"

namespace lenet::cli {
namespace {

/// What an option takes, narrowest first: a mention that says more wins.
enum class Takes { Nothing, Value, OneOf, Preset, Folder, File };

struct Option {
    Takes takes = Takes::Nothing;
    std::vector<std::string> values;  // Takes::OneOf
};

/// What the word after an option in the usage text says it takes; `values` receives a list.
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

/// Every option of the usage text with what it takes.
std::map<std::string, Option> usageOptions(const std::string& usage) {
    // An option, then optionally one space (or '=') and the word it takes.
    static const std::regex mention(R"((--[a-z][a-z0-9-]*)(?:[ =]([^\s\])]+))?)");
    std::map<std::string, Option> options;
    for (std::sregex_iterator m(usage.begin(), usage.end(), mention), end; m != end; ++m) {
        Option& option = options[(*m)[1]];
        std::vector<std::string> values;
        const Takes takes = classify((*m)[2], values);
        option.takes = std::max(option.takes, takes);
        for (const std::string& v : values) {
            if (std::count(option.values.begin(), option.values.end(), v) == 0)
                option.values.push_back(v);
        }
    }
    return options;
}

/// The first group of every match of `pattern` in `text`.
std::vector<std::string> matches(const std::string& text, const std::regex& pattern) {
    std::vector<std::string> found;
    for (std::sregex_iterator m(text.begin(), text.end(), pattern), end; m != end; ++m)
        found.push_back((*m)[1]);
    return found;
}

/// A bash case arm that completes `patterns` with `reply`.
void arm(std::ostringstream& s, const std::vector<std::string>& patterns,
         const std::string& reply) {
    if (patterns.empty()) return;
    s << "        " << join(patterns, "|") << ")\n            " << reply
      << "\n            return ;;\n";
}

}  // namespace

std::string bashCompletion(const std::vector<std::string>& commands, const std::string& usage) {
    const std::map<std::string, Option> options = usageOptions(usage);
    // The options shown as a whole command line ("  lenet --version") and the commands that take
    // presets as arguments ("  lenet compare PRESET_OR_SPEC...").
    const std::vector<std::string> firstWords =
        matches(usage, std::regex(R"((?:^|\n)  lenet (--[a-z][a-z0-9-]*)\b)"));
    const std::vector<std::string> presetCommands =
        matches(usage, std::regex(R"((?:^|\n)  lenet ([a-z]+) [^\n]*\bPRESET)"));
    std::vector<std::string> files, folders, presets, values, laterOptions;
    for (const auto& [name, option] : options) {
        if (option.takes == Takes::File) files.push_back(name);
        if (option.takes == Takes::Folder) folders.push_back(name);
        if (option.takes == Takes::Preset) presets.push_back(name);
        if (option.takes == Takes::Value) values.push_back(name);
        if (std::count(firstWords.begin(), firstWords.end(), name) == 0)
            laterOptions.push_back(name);
    }
    std::vector<std::string> first = commands;
    first.insert(first.end(), firstWords.begin(), firstWords.end());

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
      << "    case $prev in\n";
    for (const auto& [name, option] : options) {
        if (option.takes != Takes::OneOf) continue;
        arm(s, {name}, "_lenet_words '" + join(option.values, " ") + "'");
    }
    arm(s, presets, "_lenet_words \"$presets\"");
    arm(s, folders, "_lenet_files -d");
    arm(s, files, "_lenet_files -f");
    arm(s, values, ":");
    s << "    esac\n"
      << "    if ((COMP_CWORD == 1)); then\n"
      << "        _lenet_words '" << join(first, " ") << "'\n"
      << "    elif [[ $cur == -* ]]; then\n"
      << "        _lenet_words '" << join(laterOptions, " ") << "'\n"
      << "    else\n";
    if (!presetCommands.empty()) {
        s << "        case ${COMP_WORDS[1]} in " << join(presetCommands, "|")
          << ") _lenet_words \"$presets\" ;; esac\n";
    }
    s << "        _lenet_files -f\n"
      << "    fi\n"
      << "}\n"
      << "complete -F _lenet lenet\n";
    return s.str();
}

}  // namespace lenet::cli
