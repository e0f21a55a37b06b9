// `lenet compare --plan DIR` and `--collect DIR`: the runs of a comparison as independent jobs
// (one `lenet compare ... --result FILE` command line each, for GNU parallel or a Slurm array
// job), each writing its result file, and those files merged back into one comparison.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lenet/compare_report.h"
#include "lenet/spec.h"

namespace lenet::cli {

/// One run of a comparison: its name in the results and what trains it.
struct PlannedRun {
    std::string name;
    Settings settings;      // its grid settings
    std::string argument;   // PRESET_OR_SPEC[:key=value...] (a spec file's path absolute) that,
                            // with the common options, resolves to `spec`
    ArchitectureSpec spec;  // with the run's seed
};

/// One run as DIR/plan.json names it.
struct PlanEntry {
    std::string name;
    Settings settings;
    std::uint64_t seed = 0;
    std::string result;    // its result file
    std::string identity;  // its spec (threads left out) as JSON text, checked against the result
};

/// What DIR/plan.json holds: the comparison's title and its runs, in the order of jobs.txt.
struct Plan {
    std::string title;
    std::vector<PlanEntry> runs;
};

/// Writes DIR/jobs.txt (line i: `lenet compare` of run i with `options`, `--result
/// DIR/runs/NNNN.json`, every word quoted for the shell), DIR/slurm.sbatch (an array job over the
/// lines) and DIR/plan.json; creates DIR, DIR/runs and DIR/logs. `lenet` is the program that runs
/// (by its absolute path). Throws UsageError when DIR's absolute path has a character an #SBATCH
/// line cannot hold (white space, a quote, '%'), IoError when a folder cannot be made.
void writePlan(const std::string& dir, const std::vector<PlannedRun>& runs,
               const std::vector<std::string>& options, const std::string& title);

/// DIR/plan.json; IoError saying how to make one when there is none, FormatError when malformed.
Plan readPlan(const std::string& dir);

/// Writes the result of `run`, trained as `spec`, to `path` (atomically).
void writeRunResult(const std::string& path, const CompareRun& run, const ArchitectureSpec& spec);

/// The result of `entry` from its file, named and set as the plan says; nullopt with `why` set
/// when the file is absent, cannot be read, is malformed or holds another run's result.
std::optional<CompareRun> readRunResult(const PlanEntry& entry, std::string& why);

}  // namespace lenet::cli
