// Report rendering for `lenet compare`: several variants, each trained with one or more seeds,
// summed up as a table (Markdown and CSV), every run as a row of its deterministic figures, their
// per-epoch curves as CSV, and a plot of the curves as SVG; one run's result as JSON (what a
// planned job writes); and the table read back from its CSV. The CLI writes these reports, the
// studio's runs table reads them and exports its rows in the same form.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "lenet/trainer.h"

namespace lenet {

/// The grid settings of a variant: (key, value) in the order of the --grid options.
using Settings = std::vector<std::pair<std::string, std::string>>;

/// One training run of one variant.
struct CompareRun {
    std::string variant;
    Settings settings;
    std::uint64_t seed = 1;
    int parameters = 0;
    int batch = 0;
    std::vector<EpochMetrics> history;
    int earlyStopEpoch = 0;  // the last epoch run when early stopping ended the run; 0 otherwise
    bool diverged = false;   // the run stopped on NaN/Inf; history holds the epochs before it
};

/// Mean and spread of one figure over the seeds of a variant.
struct Spread {
    double mean = -1.0;  // -1 where nothing was measured
    double min = -1.0;
    double max = -1.0;
};

/// One row of the results table: a variant over its seeds.
struct CompareRow {
    std::string variant;
    Settings settings;
    int parameters = 0;
    int runs = 0;
    int epochs = 0;  // the most epochs any of its runs ran
    Spread bestTestError;
    Spread finalTestError;
    double finalTrainLoss = 0.0;  // mean over the runs
    double secondsPerEpoch = 0.0;
    double imagesPerSecond = 0.0;
    std::string earlyStop;  // the epochs at which early stopping ended its runs, e.g. "7,9"
    int diverged = 0;       // runs that diverged
};

/// One row per variant, in the order the variants first appear in `runs`.
std::vector<CompareRow> summarize(const std::vector<CompareRun>& runs);

/// A Markdown table of `rows` (errors in percent, "mean (min-max)" when there are several seeds),
/// with a column per grid key after the variant's name.
std::string markdownTable(const std::vector<CompareRow>& rows);

/// A Markdown table of every run (variant, grid keys, seed) when a variant ran with several
/// seeds; "" when none did.
std::string runsMarkdown(const std::vector<CompareRun>& runs);

/// The same figures as markdownTable as CSV, one row per variant, errors as fractions.
std::string csvTable(const std::vector<CompareRow>& rows);

/// One row per run of what does not depend on timing (variant, grid keys, seed, epochs, errors
/// and losses in full precision): the same runs give the same bytes however they were run.
std::string runsCsv(const std::vector<CompareRun>& runs);

/// The rows of a table csvTable() wrote (a `lenet compare` results.csv, grid keys included),
/// `source` naming it in errors. Throws FormatError naming the source, the line and what is wrong (a missing column,
/// a field that is not a number, a row of the wrong length).
std::vector<CompareRow> readCsvTable(const std::string& text, const std::string& source);

/// Every epoch of every run as CSV: variant, seed, then the EpochMetrics columns.
std::string curvesCsv(const std::vector<CompareRun>& runs);

/// An SVG picture of the curves: test error per epoch (log scale) and training loss per epoch,
/// one colour per variant (its seeds averaged), with a legend.
std::string curvesSvg(const std::vector<CompareRun>& runs, const std::string& title);

/// One run as JSON (without its variant and settings, which the plan names) and back; fromJson
/// throws FormatError naming `path` and the field that is missing or wrong.
nlohmann::json toJson(const CompareRun& run);
CompareRun compareRunFromJson(const nlohmann::json& j, const std::string& path);

}  // namespace lenet
