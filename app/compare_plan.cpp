#include "compare_plan.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_support.h"
#include "lenet/error.h"
#include "lenet/file_io.h"
#include "lenet/json_value.h"
#include "lenet/spec_json.h"

namespace lenet::cli {
namespace {

using nlohmann::json;

constexpr const char* kPlanKey = "lenet_compare_plan";
constexpr const char* kRunKey = "lenet_compare_run";
constexpr int kVersion = 1;

/// `word` as one word for the shell: as it is when it holds nothing the shell would read, else
/// in single quotes.
std::string shellWord(const std::string& word) {
    const std::string plain =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=,+@%-";
    if (!word.empty() && word.find_first_not_of(plain) == std::string::npos) return word;
    std::string quoted = "'";
    for (char c : word) {
        if (c == '\'')
            quoted.append("'\\''");
        else
            quoted.push_back(c);
    }
    quoted.push_back('\'');
    return quoted;
}

/// What identifies a run's results: its spec with the thread count left out (it changes the
/// speed, never the figures).
json identity(ArchitectureSpec spec) {
    spec.training.threads = 0;
    return toJson(spec);
}

/// "runs/0007.json": the result file of the run on line `line` of jobs.txt.
std::string resultName(std::size_t line) {
    char name[32];
    std::snprintf(name, sizeof name, "runs/%04zu.json", line);
    return name;
}

void makeFolder(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw IoError(dir.string() + ": cannot create the folder: " + ec.message());
}

/// The JSON text of `path`, parsed; FormatError naming the path when it is not JSON.
json readJson(const std::string& path) {
    try {
        return json::parse(readFile(path, std::uint64_t(1) << 26, "a compare file may have"));
    } catch (const json::exception& e) {
        throw FormatError(path + ": not JSON: " + jsonErrorText(e));
    }
}

/// Throws FormatError unless `j` is version kVersion of the file kind `key`.
void checkKind(const json& j, const char* key, const std::string& path, const std::string& what) {
    if (!j.is_object() || !j.contains(key))
        throw FormatError(path + ": not " + what + " (no \"" + key + "\")");
    if (j.at(key) != kVersion) {
        throw FormatError(path + ": " + what + " of version " + j.at(key).dump() +
                          "; this lenet reads version " + std::to_string(kVersion));
    }
}

}  // namespace

void writePlan(const std::string& dir, const std::vector<PlannedRun>& runs,
               const std::vector<std::string>& options, const std::string& title) {
    const std::filesystem::path root = std::filesystem::absolute(dir).lexically_normal();
    const std::string rootText = root.string();
    if (rootText.find_first_of(" \t\n'\"%\\") != std::string::npos) {
        throw UsageError("--plan " + dir + ": its path " + rootText +
                         " holds white space, a quote, a backslash or '%', which a Slurm "
                         "#SBATCH line cannot hold; choose another folder");
    }
    makeFolder(root / "runs");
    makeFolder(root / "logs");
    const std::string lenet = std::filesystem::read_symlink("/proc/self/exe").string();
    std::ostringstream jobs;
    json entries = json::array();
    int cpus = 1;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const PlannedRun& run = runs[i];
        const std::string result = resultName(i + 1);
        jobs << shellWord(lenet) << " compare " << shellWord(run.argument);
        for (const std::string& option : options) jobs << ' ' << shellWord(option);
        jobs << " --result=" << shellWord(rootText + "/" + result) << '\n';
        json settings = json::array();
        for (const auto& [key, value] : run.settings) settings.push_back({key, value});
        entries.push_back({{"name", run.name},
                           {"settings", settings},
                           {"seed", run.spec.training.seed},
                           {"result", result},
                           {"spec", identity(run.spec)}});
        cpus = std::max(cpus, run.spec.training.threads);
    }
    std::ostringstream sbatch;
    sbatch << "#!/bin/bash\n# The " << runs.size()
           << " runs of a `lenet compare` plan as a Slurm array job: task i runs line i of\n"
              "# jobs.txt, which writes its result into runs/. Submit with: sbatch "
           << rootText
           << "/slurm.sbatch\n"
              "# then merge what has ended (and name what has not) with: lenet compare --collect "
           << rootText
           << "\n# A run uses the cores Slurm gives its task (--threads 0) or --threads T when "
              "given.\n#SBATCH --job-name=lenet-compare\n#SBATCH --array=1-"
           << runs.size() << "\n#SBATCH --cpus-per-task=" << cpus
           << "\n#SBATCH --output=" << rootText
           << "/logs/%A_%a.out\nset -euo pipefail\nline=$(sed -n \"${SLURM_ARRAY_TASK_ID}p\" "
           << shellWord(rootText + "/jobs.txt") << ")\nexec bash -c \"$line\"\n";
    writeFileAtomically(rootText + "/jobs.txt", jobs.str());
    writeFileAtomically(rootText + "/slurm.sbatch", sbatch.str());
    const json plan{{kPlanKey, kVersion}, {"title", title}, {"runs", entries}};
    writeFileAtomically(rootText + "/plan.json", plan.dump(1) + "\n");
}

Plan readPlan(const std::string& dir) {
    const std::string path = dir + "/plan.json";
    if (!std::filesystem::exists(path)) {
        throw IoError(path + ": no such file: " + dir +
                      " holds no plan (make one with lenet compare ... --plan " + dir + ")");
    }
    const json j = readJson(path);
    checkKind(j, kPlanKey, path, "a lenet compare plan");
    Plan plan;
    try {
        plan.title = jsonMember<std::string>(j, "title", "");
        const json& runs = jsonAt(j, "runs", "");
        if (!runs.is_array()) throw ConfigError("runs: expected a list");
        for (std::size_t i = 0; i < runs.size(); ++i) {
            const std::string where = "runs[" + std::to_string(i) + "]";
            const json& r = runs[i];
            PlanEntry e;
            e.name = jsonMember<std::string>(r, "name", where);
            e.seed = jsonMember<std::uint64_t>(r, "seed", where);
            e.result = dir + "/" + jsonMember<std::string>(r, "result", where);
            e.identity = jsonAt(r, "spec", where).dump();
            const json& settings = jsonAt(r, "settings", where);
            if (!settings.is_array()) throw ConfigError(where + ".settings: expected a list");
            for (const json& s : settings) {
                if (!s.is_array() || s.size() != 2)
                    throw ConfigError(where + ".settings: expected [key, value] pairs");
                e.settings.emplace_back(jsonValue<std::string>(s[0], where + ".settings"),
                                        jsonValue<std::string>(s[1], where + ".settings"));
            }
            plan.runs.push_back(e);
        }
    } catch (const ConfigError& e) {
        throw FormatError(path + ": " + e.what());
    }
    return plan;
}

void writeRunResult(const std::string& path, const CompareRun& run, const ArchitectureSpec& spec) {
    json j = toJson(run);
    j[kRunKey] = kVersion;
    j["spec"] = identity(spec);
    writeFileAtomically(path, j.dump() + "\n");
}

std::optional<CompareRun> readRunResult(const PlanEntry& entry, std::string& why) {
    if (!std::filesystem::exists(entry.result)) {
        why = "no result yet (" + entry.result + ")";
        return std::nullopt;
    }
    try {
        const json j = readJson(entry.result);
        checkKind(j, kRunKey, entry.result, "a lenet compare run result");
        if (jsonAt(j, "spec", "").dump() != entry.identity) {
            why = entry.result + " holds the result of another run (its settings are not the " +
                  "plan's): run that line again";
            return std::nullopt;
        }
        CompareRun run = compareRunFromJson(j, entry.result);
        run.variant = entry.name;
        run.settings = entry.settings;
        return run;
    } catch (const Error& e) {
        why = e.what();
        return std::nullopt;
    }
}

}  // namespace lenet::cli
