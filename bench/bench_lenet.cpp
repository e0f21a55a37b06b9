// Google Benchmark programs: training throughput (images/s) per preset, batch size and thread
// count; one-image inference with every layer's activations kept; test-set-sized evaluation.
// Synthetic MNIST-shaped data, so no download is needed; the figures do not depend on the pixels.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>

#include "lenet/network.h"
#include "lenet/parallel.h"
#include "lenet/presets.h"
#include "lenet/evaluate.h"
#include "lenet/trainer.h"

namespace {

using namespace lenet;

Dataset syntheticDigits(int count) {
    Dataset d;
    d.rows = 28;
    d.cols = 28;
    d.classes = 10;
    d.source = "synthetic";
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> pixel(0, 255), label(0, 9);
    d.images.resize(std::size_t(count) * 28 * 28);
    for (auto& p : d.images) p = std::uint8_t(pixel(rng) > 200 ? pixel(rng) : 0);
    for (int i = 0; i < count; ++i) d.labels.push_back(std::uint8_t(label(rng)));
    return d;
}

const Dataset& benchData() {
    static const Dataset d = syntheticDigits(10000);
    return d;
}

// Args: preset index in presetNames(), batch, threads. Reports images/s.
void trainThroughput(benchmark::State& state, const std::string& name) {
    ArchitectureSpec spec = preset(name);
    spec.training.batch = int(state.range(0));
    spec.training.threads = int(state.range(1));
    spec.training.epochs = 1;
    spec.training.trainLimit = spec.training.batch == 1 ? 2000 : 8000;
    Network net(spec);
    net.initialize(1);
    TrainingObserver quiet;
    const Dataset& data = benchData();  // generated before the clock starts
    // One short untimed pass first: a single timed iteration (what a script that runs each
    // benchmark once gets) would otherwise include the threads' and allocator's first use.
    TrainingConfig warmUp = spec.training;
    warmUp.trainLimit = std::min(spec.training.trainLimit, 8 * spec.training.batch);
    Trainer(net, data, nullptr, warmUp).run(quiet);
    long long images = 0;
    for (auto _ : state) {
        Trainer trainer(net, data, nullptr, spec.training);
        trainer.run(quiet);
        images += spec.training.trainLimit;
    }
    state.counters["images/s"] = benchmark::Counter(double(images), benchmark::Counter::kIsRate);
}

void inference(benchmark::State& state, const std::string& name) {
    Network net(preset(name));
    net.initialize(1);
    Tensor input(1, net.inputShape());
    sampleInput(benchData(), 0, net.spec().inputFormat(), input.data());
    Workspace ws;
    ThreadArena arena(1);
    arena.run([&] {
        for (auto _ : state) benchmark::DoNotOptimize(net.forward(input, ws, Context{}).data());
    });
}

void evaluation(benchmark::State& state, const std::string& name) {
    Network net(preset(name));
    net.initialize(1);
    const Dataset& data = benchData();
    for (auto _ : state) {
        benchmark::DoNotOptimize(evaluate(net, data, int(state.range(0))).errors);
    }
}

}  // namespace

BENCHMARK_CAPTURE(trainThroughput, lenet5_1998, std::string("lenet5-1998"))
    ->Args({1, 1})
    ->Args({32, 1})
    ->Args({32, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(trainThroughput, lenet5_modern, std::string("lenet5-modern"))
    ->Args({64, 1})
    ->Args({64, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(inference, lenet5_1998, std::string("lenet5-1998"))
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(inference, lenet5_modern, std::string("lenet5-modern"))
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(evaluation, lenet5_1998_10000, std::string("lenet5-1998"))
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
