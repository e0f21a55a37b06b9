#include "cli_bench.h"

#include <cstdio>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "lenet/profile.h"

namespace lenet::cli {

void declareBench(CLI::App& app) {
    addSpecOptions(app);
    addOption(app, "batch", "B", "Images per step (default: the architecture's batch)");
    addOption(app, "threads", "T", "Cores used (default 0: all)");
    addOption(app, "batches", "N", "Steps timed (default 20)");
    addFlag(app, "json", "One JSON object instead of the table");
    addVariantOptions(app);
}

int cmdBench(const Args& a) {
    const ArchitectureSpec spec = specFromArgs(a);
    const int batch = a.getInt("batch", spec.training.batch);
    const int threads = a.getInt("threads", 0);
    const int batches = a.getInt("batches", 20);
    if (batch < 1 || threads < 0 || batches < 1) {
        throw UsageError("--batch and --batches must be >= 1, --threads >= 0");
    }
    const LayerProfile p = profileLayers(spec, batch, threads, batches);
    if (!a.flag("json")) {
        std::printf("%s, batch %d, %d thread%s, mean of %d batches\n%s", spec.name.c_str(), batch,
                    p.threads, p.threads == 1 ? "" : "s", batches, formatProfile(p).c_str());
        return 0;
    }
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& row : p.layers) {
        rows.push_back({{"name", row.name},
                        {"kind", row.kind},
                        {"output", row.output.str()},
                        {"forward_us", row.forwardUs},
                        {"backward_us", row.backwardUs},
                        {"flops", row.flops}});
    }
    const nlohmann::json out = {{"architecture", spec.name},
                                {"batch", batch},
                                {"threads", p.threads},
                                {"batches", batches},
                                {"step_us", p.stepUs},
                                {"images_per_second", p.imagesPerSecond},
                                {"flops_per_image", p.flopsPerImage},
                                {"flops_per_second", p.flopsPerSecond()},
                                {"peak_flops_per_second", p.peakFlops},
                                {"peak_share", p.peakShare()},
                                {"layers", rows}};
    std::printf("%s\n", out.dump().c_str());
    return 0;
}

}  // namespace lenet::cli
