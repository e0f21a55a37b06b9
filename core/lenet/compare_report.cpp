#include "lenet/compare_report.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "lenet/error.h"
#include "lenet/json_value.h"
#include "lenet/model_io.h"

namespace lenet {
namespace {

/// Collects values and gives their mean and range.
class SpreadOf {
public:
    void add(double v) {
        if (v < 0) return;
        m_sum += v;
        m_min = std::min(m_min, v);
        m_max = std::max(m_max, v);
        ++m_count;
    }
    Spread get() const {
        if (m_count == 0) return {};
        return {m_sum / m_count, m_min, m_max};
    }

private:
    double m_sum = 0.0;
    double m_min = std::numeric_limits<double>::infinity();
    double m_max = -std::numeric_limits<double>::infinity();
    int m_count = 0;
};

std::string format(const char* fmt, double v) {
    char b[64];
    std::snprintf(b, sizeof b, fmt, v);
    return b;
}

std::string percent(const Spread& s, int runs) {
    if (s.mean < 0) return "-";
    std::string text = format("%.2f%%", s.mean * 100.0);
    if (runs > 1) {
        text += " (" + format("%.2f", s.min * 100.0) + "-" + format("%.2f", s.max * 100.0) + ")";
    }
    return text;
}

/// The shortest text that reads back as exactly `v`.
std::string exact(double v) {
    char b[32];
    const auto [end, ec] = std::to_chars(b, b + sizeof b, v);
    return ec == std::errc() ? std::string(b, end) : format("%.17g", v);
}

/// The lowest test error of a run's epochs, -1 when none was measured.
double bestTestError(const std::vector<EpochMetrics>& history) {
    double best = -1.0;
    for (const auto& m : history) {
        if (m.testError >= 0 && (best < 0 || m.testError < best)) best = m.testError;
    }
    return best;
}

/// The grid keys of `items` (runs or rows) in the order they first appear.
template <typename Item>
std::vector<std::string> gridKeys(const std::vector<Item>& items) {
    std::vector<std::string> keys;
    for (const auto& item : items) {
        for (const auto& [key, value] : item.settings) {
            if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
        }
    }
    return keys;
}

/// The value of grid key `key` in `settings`, "-" when it has none.
std::string settingOf(const Settings& settings, const std::string& key) {
    for (const auto& [k, value] : settings) {
        if (k == key) return value;
    }
    return "-";
}

/// Variant names in the order they first appear.
std::vector<std::string> variantsOf(const std::vector<CompareRun>& runs) {
    std::vector<std::string> names;
    for (const auto& r : runs) {
        if (std::find(names.begin(), names.end(), r.variant) == names.end())
            names.push_back(r.variant);
    }
    return names;
}

/// One variant's mean over its runs of `field` at each epoch (NaN where no run measured it).
std::vector<double> meanCurve(const std::vector<CompareRun>& runs, const std::string& variant,
                              double EpochMetrics::*field) {
    std::vector<double> sum, count;
    for (const auto& r : runs) {
        if (r.variant != variant) continue;
        for (std::size_t e = 0; e < r.history.size(); ++e) {
            const double v = r.history[e].*field;
            if (v < 0) continue;
            if (sum.size() <= e) {
                sum.resize(e + 1, 0.0);
                count.resize(e + 1, 0.0);
            }
            sum[e] += v;
            count[e] += 1.0;
        }
    }
    for (std::size_t e = 0; e < sum.size(); ++e) {
        sum[e] = count[e] > 0 ? sum[e] / count[e] : std::nan("");
    }
    return sum;
}

/// A CSV field, quoted when it holds a comma or a quote.
std::string csvField(const std::string& s) {
    if (s.find_first_of(",\"") == std::string::npos) return s;
    std::string quoted = "\"";
    for (char c : s) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

std::string escapeXml(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

/// The first fields of a CSV line: `name` and the value of each grid key in `settings`; for the
/// header (no settings) "variant" and the keys.
std::string csvLead(const std::vector<std::string>& keys, const std::string& name = {},
                    const Settings* settings = nullptr) {
    std::string lead = settings ? csvField(name) : "variant";
    for (const auto& key : keys) {
        lead += ',';
        lead += csvField(settings ? settingOf(*settings, key) : key);
    }
    return lead;
}

/// The same as the first cells of a Markdown row ("| name | v1 | v2 | "); the header and the
/// rule below it without a row.
std::string markdownLead(const std::vector<std::string>& keys, const std::string& name = {},
                         const Settings* settings = nullptr) {
    std::string lead = "| " + (settings ? name : std::string("variant")) + " | ";
    for (const auto& key : keys) lead += (settings ? settingOf(*settings, key) : key) + " | ";
    return lead;
}

/// "|---|---|" for the name and the grid keys.
std::string markdownLeadRule(const std::vector<std::string>& keys) {
    std::string rule = "|---|";
    for (std::size_t k = 0; k < keys.size(); ++k) rule += "---|";
    return rule;
}

constexpr const char* kColours[] = {
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#637939", "#e7ba52", "#843c39", "#7b4173", "#000000"};

struct Curve {
    std::string colour;
    std::vector<double> values;  // per epoch, NaN where missing
};

/// One plot panel with a log-scale y axis at (x0, y0), size w x h, into `svg`.
void panel(std::ostringstream& svg, double x0, double y0, double w, double h,
           const std::string& title, const std::string& yLabel, double yScale,
           const std::vector<Curve>& curves) {
    int epochs = 1;
    double lo = std::numeric_limits<double>::infinity(), hi = 0.0;
    for (const auto& c : curves) {
        epochs = std::max(epochs, int(c.values.size()));
        for (double v : c.values) {
            if (!(v > 0)) continue;
            lo = std::min(lo, v * yScale);
            hi = std::max(hi, v * yScale);
        }
    }
    if (!(hi > 0)) lo = hi = 1.0;
    const double decadeLo = std::floor(std::log10(lo)), decadeHi = std::ceil(std::log10(hi));
    const double logLo = decadeLo, logHi = std::max(decadeHi, decadeLo + 1);
    auto px = [&](double epoch) {
        return x0 + (epochs > 1 ? (epoch - 1) / (epochs - 1) : 0.5) * w;
    };
    auto py = [&](double v) { return y0 + h - (std::log10(v) - logLo) / (logHi - logLo) * h; };

    svg << "<text x='" << x0 + w / 2 << "' y='" << y0 - 10
        << "' text-anchor='middle' font-weight='bold'>" << escapeXml(title) << "</text>\n";
    svg << "<rect x='" << x0 << "' y='" << y0 << "' width='" << w << "' height='" << h
        << "' fill='none' stroke='#444'/>\n";
    // 1, 2 and 5 in every decade; over many decades only the powers of ten.
    const std::vector<double> steps =
        logHi - logLo > 3 ? std::vector<double>{1.0} : std::vector<double>{1.0, 2.0, 5.0};
    for (double d = logLo; d <= logHi; ++d) {
        for (double m : steps) {
            const double v = m * std::pow(10.0, d);
            if (std::log10(v) > logHi + 1e-9) break;
            const double y = py(v);
            svg << "<line x1='" << x0 << "' x2='" << x0 + w << "' y1='" << y << "' y2='" << y
                << "' stroke='#ddd'/>\n";
            svg << "<text x='" << x0 - 6 << "' y='" << y + 4 << "' text-anchor='end'>"
                << format("%g", v) << "</text>\n";
        }
    }
    const int step = std::max(1, epochs / 10);
    for (int e = 1; e <= epochs; e += step) {
        svg << "<text x='" << px(e) << "' y='" << y0 + h + 16 << "' text-anchor='middle'>" << e
            << "</text>\n";
    }
    svg << "<text x='" << x0 + w / 2 << "' y='" << y0 + h + 34
        << "' text-anchor='middle'>epoch</text>\n";
    svg << "<text transform='translate(" << x0 - 56 << "," << y0 + h / 2
        << ") rotate(-90)' text-anchor='middle'>" << escapeXml(yLabel) << "</text>\n";
    for (const auto& c : curves) {
        std::string points;
        for (std::size_t e = 0; e < c.values.size(); ++e) {
            if (!(c.values[e] > 0)) continue;
            points += format("%.1f", px(double(e + 1))) + "," +
                      format("%.1f", py(c.values[e] * yScale)) + " ";
        }
        svg << "<polyline fill='none' stroke-width='2' stroke='" << c.colour << "' points='"
            << points << "'/>\n";
    }
}

/// The columns of csvTable after the variant and the grid keys.
constexpr const char* kCsvFigures[] = {"parameters",
                                       "runs",
                                       "epochs",
                                       "best_test_error",
                                       "best_test_error_min",
                                       "best_test_error_max",
                                       "final_test_error",
                                       "final_test_error_min",
                                       "final_test_error_max",
                                       "train_loss",
                                       "seconds_per_epoch",
                                       "images_per_second",
                                       "early_stop_epochs",
                                       "diverged"};
constexpr std::size_t kCsvFigureCount = std::size(kCsvFigures);

/// The header line of csvTable for grid keys `keys`, without the newline.
std::string csvHeader(const std::vector<std::string>& keys) {
    std::string header = csvLead(keys);
    for (const char* column : kCsvFigures) header += std::string(",") + column;
    return header;
}

/// The fields of one CSV line (quotes as csvField writes them); `ok` false when a quote is not
/// closed.
std::vector<std::string> csvFields(const std::string& line, bool& ok) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c != '"') {
                fields.back() += c;
            } else if (i + 1 < line.size() && line[i + 1] == '"') {
                fields.back() += '"';
                ++i;
            } else {
                quoted = false;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.emplace_back();
        } else {
            fields.back() += c;
        }
    }
    ok = !quoted;
    return fields;
}

}  // namespace

std::vector<CompareRow> summarize(const std::vector<CompareRun>& runs) {
    std::vector<CompareRow> rows;
    for (const auto& name : variantsOf(runs)) {
        CompareRow row;
        row.variant = name;
        SpreadOf best, final;
        double loss = 0.0, seconds = 0.0, images = 0.0;
        int epochsRun = 0;
        for (const auto& r : runs) {
            if (r.variant != name) continue;
            ++row.runs;
            row.settings = r.settings;
            row.parameters = r.parameters;
            row.epochs = std::max(row.epochs, int(r.history.size()));
            if (r.diverged) ++row.diverged;
            if (r.earlyStopEpoch > 0) {
                if (!row.earlyStop.empty()) row.earlyStop += ',';
                row.earlyStop += std::to_string(r.earlyStopEpoch);
            }
            if (r.history.empty()) continue;
            for (const auto& m : r.history) {
                seconds += m.seconds;
                images += m.imagesPerSecond * m.seconds;
            }
            best.add(bestTestError(r.history));
            final.add(r.history.back().testError);
            loss += r.history.back().loss;
            epochsRun += int(r.history.size());
        }
        row.bestTestError = best.get();
        row.finalTestError = final.get();
        const int measured = row.runs - row.diverged;
        row.finalTrainLoss = measured > 0 ? loss / measured : 0.0;
        row.secondsPerEpoch = epochsRun > 0 ? seconds / epochsRun : 0.0;
        row.imagesPerSecond = seconds > 0 ? images / seconds : 0.0;
        rows.push_back(row);
    }
    return rows;
}

std::string markdownTable(const std::vector<CompareRow>& rows) {
    const std::vector<std::string> keys = gridKeys(rows);
    std::ostringstream md;
    md << markdownLead(keys)
       << "parameters | epochs | best test error | final test error | train loss | s/epoch | "
          "images/s | early stop |\n"
       << markdownLeadRule(keys) << "---:|---:|---:|---:|---:|---:|---:|---|\n";
    for (const auto& r : rows) {
        md << markdownLead(
                  keys, r.variant + (r.runs > 1 ? " (" + std::to_string(r.runs) + " seeds)" : ""),
                  &r.settings)
           << r.parameters << " | " << r.epochs << " | " << percent(r.bestTestError, r.runs)
           << " | " << percent(r.finalTestError, r.runs) << " | "
           << format("%.4f", r.finalTrainLoss) << " | " << format("%.1f", r.secondsPerEpoch)
           << " | " << format("%.0f", r.imagesPerSecond) << " | "
           << (r.diverged            ? std::to_string(r.diverged) + " diverged"
               : r.earlyStop.empty() ? "-"
                                     : "epoch " + r.earlyStop)
           << " |\n";
    }
    return md.str();
}

std::string runsMarkdown(const std::vector<CompareRun>& runs) {
    const std::vector<CompareRow> rows = summarize(runs);
    if (std::none_of(rows.begin(), rows.end(), [](const CompareRow& r) { return r.runs > 1; }))
        return "";
    const std::vector<std::string> keys = gridKeys(runs);
    std::ostringstream md;
    md << markdownLead(keys)
       << "seed | epochs | best test error | final test error | train loss | early stop |\n"
       << markdownLeadRule(keys) << "---:|---:|---:|---:|---:|---|\n";
    for (const auto& r : runs) {
        const double final = r.history.empty() ? -1.0 : r.history.back().testError;
        md << markdownLead(keys, r.variant, &r.settings) << r.seed << " | " << r.history.size()
           << " | " << percent({bestTestError(r.history), 0, 0}, 1) << " | "
           << percent({final, 0, 0}, 1) << " | "
           << (r.history.empty() ? "-" : format("%.4f", r.history.back().loss)) << " | "
           << (r.diverged             ? std::string("diverged")
               : r.earlyStopEpoch > 0 ? "epoch " + std::to_string(r.earlyStopEpoch)
                                      : std::string("-"))
           << " |\n";
    }
    return md.str();
}

std::string csvTable(const std::vector<CompareRow>& rows) {
    const std::vector<std::string> keys = gridKeys(rows);
    std::ostringstream csv;
    csv << csvHeader(keys) << '\n';
    for (const auto& r : rows) {
        csv << csvLead(keys, r.variant, &r.settings) << ',' << r.parameters << ',' << r.runs << ','
            << r.epochs << ',' << r.bestTestError.mean << ',' << r.bestTestError.min << ','
            << r.bestTestError.max << ',' << r.finalTestError.mean << ',' << r.finalTestError.min
            << ',' << r.finalTestError.max << ',' << r.finalTrainLoss << ',' << r.secondsPerEpoch
            << ',' << r.imagesPerSecond << ',' << csvField(r.earlyStop) << ',' << r.diverged
            << '\n';
    }
    return csv.str();
}

std::string runsCsv(const std::vector<CompareRun>& runs) {
    const std::vector<std::string> keys = gridKeys(runs);
    std::ostringstream csv;
    csv << csvLead(keys)
        << ",seed,parameters,epochs,best_test_error,final_test_error,train_loss,test_loss,"
           "early_stop_epoch,diverged\n";
    for (const auto& r : runs) {
        csv << csvLead(keys, r.variant, &r.settings);
        const bool any = !r.history.empty();
        csv << ',' << r.seed << ',' << r.parameters << ',' << r.history.size() << ','
            << exact(bestTestError(r.history)) << ','
            << exact(any ? r.history.back().testError : -1.0) << ','
            << exact(any ? r.history.back().loss : -1.0) << ','
            << exact(any ? r.history.back().testLoss : -1.0) << ',' << r.earlyStopEpoch << ','
            << (r.diverged ? 1 : 0) << '\n';
    }
    return csv.str();
}

std::vector<CompareRow> readCsvTable(const std::string& text, const std::string& source) {
    std::istringstream in(text);
    std::string line;
    int number = 0;
    auto fail = [&](const std::string& what) {
        throw FormatError(source + ":" + std::to_string(number) + ": " + what +
                          " (expected the results.csv of lenet compare)");
    };
    std::vector<std::string> keys;  // the grid keys, from the header
    std::vector<CompareRow> rows;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        bool ok = true;
        const std::vector<std::string> f = csvFields(line, ok);
        if (!ok) fail("a quote is not closed");
        if (number == 1) {
            if (f.size() > kCsvFigureCount)
                keys.assign(f.begin() + 1, f.end() - std::ptrdiff_t(kCsvFigureCount));
            if (line != csvHeader(keys))
                fail("the header is not \"" + csvHeader(keys) + "\" (grid keys between variant "
                     "and parameters)");
            continue;
        }
        if (line.empty()) continue;
        const std::size_t columns = 1 + keys.size() + kCsvFigureCount;
        if (f.size() != columns)
            fail(std::to_string(f.size()) + " fields, not " + std::to_string(columns));
        const std::size_t first = 1 + keys.size();  // of the figures
        auto field = [&](std::size_t k) {
            const std::string& text = f[first + k];
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v))
                fail(std::string(kCsvFigures[k]) + " is not a number: \"" + text + "\"");
            return v;
        };
        CompareRow r;
        r.variant = f[0];
        for (std::size_t k = 0; k < keys.size(); ++k) r.settings.emplace_back(keys[k], f[1 + k]);
        r.parameters = int(field(0));
        r.runs = int(field(1));
        r.epochs = int(field(2));
        r.bestTestError = {field(3), field(4), field(5)};
        r.finalTestError = {field(6), field(7), field(8)};
        r.finalTrainLoss = field(9);
        r.secondsPerEpoch = field(10);
        r.imagesPerSecond = field(11);
        r.earlyStop = f[first + 12];
        r.diverged = int(field(13));
        rows.push_back(r);
    }
    if (number == 0) fail("the file is empty");
    return rows;
}

std::string curvesCsv(const std::vector<CompareRun>& runs) {
    std::ostringstream csv;
    csv << "variant,seed";
    const EpochMetrics columns;
    forEachMetric(columns, [&](const char* key, const auto&) { csv << ',' << key; });
    csv << '\n';
    for (const auto& r : runs) {
        for (const auto& m : r.history) {
            csv << csvField(r.variant) << ',' << r.seed;
            forEachMetric(m, [&](const char*, const auto& field) { csv << ',' << field; });
            csv << '\n';
        }
    }
    return csv.str();
}

std::string curvesSvg(const std::vector<CompareRun>& runs, const std::string& title) {
    const std::vector<std::string> names = variantsOf(runs);
    const std::vector<CompareRow> rows = summarize(runs);
    std::vector<Curve> errors, losses;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const std::string colour = kColours[i % std::size(kColours)];
        errors.push_back({colour, meanCurve(runs, names[i], &EpochMetrics::testError)});
        losses.push_back({colour, meanCurve(runs, names[i], &EpochMetrics::loss)});
    }
    const double width = 1000, legendTop = 440, height = legendTop + 20.0 * names.size() + 10;
    std::ostringstream svg;
    svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << width << "' height='" << height
        << "' font-family='DejaVu Sans, sans-serif' font-size='12'>\n"
        << "<rect width='100%' height='100%' fill='white'/>\n"
        << "<text x='" << width / 2 << "' y='22' text-anchor='middle' font-size='15'>"
        << escapeXml(title) << "</text>\n";
    panel(svg, 80, 70, 380, 300, "test error per epoch", "test error (%, log scale)", 100.0,
          errors);
    panel(svg, 590, 70, 380, 300, "training loss per epoch", "mean loss (log scale)", 1.0, losses);
    for (std::size_t i = 0; i < names.size(); ++i) {
        const double y = legendTop + 20.0 * i;
        svg << "<line x1='80' x2='110' y1='" << y << "' y2='" << y << "' stroke-width='3' stroke='"
            << errors[i].colour << "'/>\n<text x='118' y='" << y + 4 << "'>"
            << escapeXml(names[i] + ", final test error " +
                         percent(rows[i].finalTestError, rows[i].runs))
            << "</text>\n";
    }
    svg << "</svg>\n";
    return svg.str();
}

nlohmann::json toJson(const CompareRun& run) {
    return {{"seed", run.seed},         {"parameters", run.parameters},
            {"batch", run.batch},       {"early_stop_epoch", run.earlyStopEpoch},
            {"diverged", run.diverged}, {"history", historyToJson(run.history)}};
}

CompareRun compareRunFromJson(const nlohmann::json& j, const std::string& path) {
    CompareRun run;
    try {
        run.seed = jsonMember<std::uint64_t>(j, "seed", "");
        run.parameters = jsonMember<int>(j, "parameters", "");
        run.batch = jsonMember<int>(j, "batch", "");
        run.earlyStopEpoch = jsonMember<int>(j, "early_stop_epoch", "");
        run.diverged = jsonMember<bool>(j, "diverged", "");
        run.history = historyFromJson(jsonAt(j, "history", ""), path);
    } catch (const ConfigError& e) {
        throw FormatError(path + ": " + e.what());
    }
    return run;
}

}  // namespace lenet
