#include "compare_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <sstream>

#include "lenet/text.h"

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
            row.parameters = r.parameters;
            row.epochs = std::max(row.epochs, int(r.history.size()));
            if (r.diverged) ++row.diverged;
            if (r.earlyStopEpoch > 0) {
                if (!row.earlyStop.empty()) row.earlyStop += ',';
                row.earlyStop += std::to_string(r.earlyStopEpoch);
            }
            if (r.history.empty()) continue;
            double bestOfRun = -1.0;
            for (const auto& m : r.history) {
                if (m.testError >= 0 && (bestOfRun < 0 || m.testError < bestOfRun))
                    bestOfRun = m.testError;
                seconds += m.seconds;
                images += m.imagesPerSecond * m.seconds;
            }
            best.add(bestOfRun);
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
    std::ostringstream md;
    md << "| variant | parameters | epochs | best test error | final test error | train loss | "
          "s/epoch | images/s | early stop |\n"
          "|---|---:|---:|---:|---:|---:|---:|---:|---|\n";
    for (const auto& r : rows) {
        md << "| " << r.variant << (r.runs > 1 ? " (" + std::to_string(r.runs) + " seeds)" : "")
           << " | " << r.parameters << " | " << r.epochs << " | "
           << percent(r.bestTestError, r.runs) << " | " << percent(r.finalTestError, r.runs)
           << " | " << format("%.4f", r.finalTrainLoss) << " | "
           << format("%.1f", r.secondsPerEpoch) << " | " << format("%.0f", r.imagesPerSecond)
           << " | "
           << (r.diverged            ? std::to_string(r.diverged) + " diverged"
               : r.earlyStop.empty() ? "-"
                                     : "epoch " + r.earlyStop)
           << " |\n";
    }
    return md.str();
}

std::string csvTable(const std::vector<CompareRow>& rows) {
    std::ostringstream csv;
    csv << "variant,parameters,runs,epochs,best_test_error,best_test_error_min,"
           "best_test_error_max,final_test_error,final_test_error_min,final_test_error_max,"
           "train_loss,seconds_per_epoch,images_per_second,early_stop_epochs,diverged\n";
    for (const auto& r : rows) {
        csv << csvField(r.variant) << ',' << r.parameters << ',' << r.runs << ',' << r.epochs << ','
            << r.bestTestError.mean << ',' << r.bestTestError.min << ',' << r.bestTestError.max
            << ',' << r.finalTestError.mean << ',' << r.finalTestError.min << ','
            << r.finalTestError.max << ',' << r.finalTrainLoss << ',' << r.secondsPerEpoch << ','
            << r.imagesPerSecond << ',' << csvField(r.earlyStop) << ',' << r.diverged << '\n';
    }
    return csv.str();
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

}  // namespace lenet
