#!/usr/bin/python3
"""Times LeNet Studio's engine and PyTorch on the same architecture, batch size and thread count,
alternating the two sides, and prints medians and ratios.

Run with Debian's Python and its python3-torch (apt-get install python3-torch
libopenblas0-pthread). Two modes:

  --mode epoch (real MNIST epochs, the build a user gets from scripts/setup.sh):
    scripts/setup.sh --no-run
    /usr/bin/python3 bench/compare_pytorch.py --mode epoch [--lenet build/app/lenet]
        [--data data/mnist] [--rounds 3] [--threads 2,1] [--presets lenet5-modern,...]
  For every preset (its spec in resources/architectures/), one training epoch over the 60,000
  MNIST images, timed by `lenet train` (its train_seconds: batches, optimiser steps, shuffling,
  input preparation and distortions; not the test evaluation) and by the same loop in PyTorch
  over the same images (padded to the preset's input size) in a shuffled order, with the same
  architecture built from the spec, batch size, optimiser, loss and distortions. Each PyTorch
  network's trainable parameter count is checked against `lenet presets` before anything runs.

  --mode steps (default; synthetic steps, inference and evaluation from Google Benchmark):
    LENET_CMAKE_ARGS=-DLENET_BUILD_BENCH=ON scripts/setup.sh --no-run
    /usr/bin/python3 bench/compare_pytorch.py [--bench build/bench/lenet_bench] [--rounds 5]
  Both sides train on the same kind of synthetic 28x28 digits padded to 32x32 (throughput does
  not depend on the pixels). PyTorch uses plain SGD; LeNet Studio its preset's optimiser (SDLM or
  Adam), which costs it slightly more per step.

Each case alternates the two sides, round after round, and prints the medians and their ratio.
"""
import argparse
import json
import math
import os
import pathlib
import statistics
import subprocess
import sys
import time

# Before torch loads OpenBLAS: one BLAS thread (torch's own thread pool does the parallel work;
# OpenBLAS's would oversubscribe the cores), and none of the machine's OpenBLAS core-type
# overrides, which slow current OpenBLAS builds down.
os.environ["OPENBLAS_NUM_THREADS"] = "1"
for override in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(override, None)

import numpy as np  # noqa: E402  (after the environment above)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

C3_TABLE = ["X...XXX..XXXX.XX", "XX...XXX..XXXX.X", "XXX...XXX..X.XXX",
            ".XXX..XXXX..X.XX", "..XXX..XXXX.XX.X", "...XXX..XXXX.XXX"]


class ScaledTanh(nn.Module):
    def forward(self, x):
        return 1.7159 * torch.tanh(x * (2.0 / 3.0))


class Subsample(nn.Module):
    """LeCun's S2/S4: 2x2 sum times a trainable coefficient plus a bias, per map."""

    def __init__(self, maps):
        super().__init__()
        self.coef = nn.Parameter(torch.full((1, maps, 1, 1), 0.25))
        self.bias = nn.Parameter(torch.zeros(1, maps, 1, 1))

    def forward(self, x):
        return F.avg_pool2d(x, 2) * 4.0 * self.coef + self.bias


class TableConv(nn.Conv2d):
    """C3: a 6->16 5x5 convolution restricted to the paper's connection table."""

    def __init__(self):
        super().__init__(6, 16, 5)
        mask = torch.tensor([[1.0 if C3_TABLE[c][m] == "X" else 0.0 for c in range(6)]
                             for m in range(16)]).view(16, 6, 1, 1)
        self.register_buffer("mask", mask)

    def forward(self, x):
        return F.conv2d(x, self.weight * self.mask, self.bias)


def map_loss(penalties, labels, j=10.0):
    """LeCun 1998 eq. (9): y_D + log(e^-j + sum_i e^-y_i), averaged over the batch."""
    extra = torch.full((penalties.shape[0], 1), -j)
    lse = torch.logsumexp(torch.cat([-penalties, extra], dim=1), dim=1)
    return (penalties.gather(1, labels.view(-1, 1)).squeeze(1) + lse).mean()


class LogRelu(nn.Module):
    """beta * ln(1 + max(x, 0))."""

    def __init__(self, beta):
        super().__init__()
        self.beta = beta

    def forward(self, x):
        return self.beta * torch.log1p(torch.relu(x))


class SwishBeta(nn.Module):
    """x * sigmoid(b x), b learned per channel."""

    def __init__(self, channels, spatial):
        super().__init__()
        shape = (1, channels, 1, 1) if spatial else (1, channels)
        self.b = nn.Parameter(torch.ones(shape))

    def forward(self, x):
        return x * torch.sigmoid(self.b * x)


class Rbf(nn.Module):
    """LeCun's RBF output: squared distance of F6 to ten fixed +-1 prototypes (penalties)."""

    def __init__(self, inputs, classes):
        super().__init__()
        self.register_buffer("centres", torch.randint(0, 2, (classes, inputs)).float() * 2 - 1)

    def forward(self, x):
        return ((x.unsqueeze(1) - self.centres) ** 2).sum(-1)


def activation(layer, shape):
    fn = layer["fn"]
    if fn == "relu":
        return nn.ReLU()
    if fn == "sigmoid":
        return nn.Sigmoid()
    if fn == "tanh":
        return nn.Tanh()
    if fn == "scaled_tanh":
        return ScaledTanh()
    if fn == "log_relu":
        return LogRelu(layer.get("beta", 1.0))
    if fn == "swish_beta":
        return SwishBeta(shape[0], len(shape) == 3)
    raise ValueError(f"no PyTorch counterpart for activation {fn}")


def from_spec(spec):
    """The PyTorch network of a LeNet Studio architecture spec (resources/architectures/*.json):
    the same layers, shapes and trainable parameters (a table-connected convolution as a masked
    full one, LeCun's subsampling as a scaled average pool, the RBF prototypes as a buffer)."""
    shape = (spec["input"]["channels"], spec["input"]["height"], spec["input"]["width"])
    layers = []
    for layer in spec["layers"]:
        kind = layer["type"]
        if kind == "conv":
            if layer.get("connections") == "lecun1998":
                conv = TableConv()
            else:
                conv = nn.Conv2d(shape[0], layer["maps"], layer["kernel"],
                                 padding=layer.get("padding", 0))
            layers.append(conv)
            side = lambda n: n + 2 * conv.padding[0] - conv.kernel_size[0] + 1  # noqa: E731
            shape = (conv.out_channels, side(shape[1]), side(shape[2]))
        elif kind in ("maxpool", "avgpool", "subsample"):
            size = layer["size"]
            layers.append(nn.MaxPool2d(size) if kind == "maxpool" else
                          nn.AvgPool2d(size) if kind == "avgpool" else Subsample(shape[0]))
            shape = (shape[0], shape[1] // size, shape[2] // size)
        elif kind == "batchnorm":
            layers.append(nn.BatchNorm2d(shape[0]) if len(shape) == 3 else
                          nn.BatchNorm1d(shape[0]))
        elif kind == "activation":
            layers.append(activation(layer, shape))
        elif kind == "dropout":
            layers.append(nn.Dropout(layer["rate"]))
        elif kind == "fc":
            inputs = shape[0] * (shape[1] * shape[2] if len(shape) == 3 else 1)
            if len(shape) == 3:
                layers.append(nn.Flatten())
            layers.append(nn.Linear(inputs, layer["units"]))
            shape = (layer["units"],)
        elif kind == "rbf":
            if len(shape) == 3:
                layers.append(nn.Flatten())
            layers.append(Rbf(shape[0] * (shape[1] * shape[2] if len(shape) == 3 else 1),
                              layer["classes"]))
            shape = (layer["classes"],)
        else:
            raise ValueError(f"no PyTorch counterpart for layer type {kind}")
        if len(shape) == 3 and shape[1:] == (1, 1) and kind == "conv":
            layers.append(nn.Flatten())
            shape = (shape[0],)
    return nn.Sequential(*layers)


def trainable_parameters(model):
    """Trainable parameters as LeNet Studio counts them: a table convolution's masked-out
    weights are not parameters."""
    count = 0
    for module in model.modules():
        for name, param in module.named_parameters(recurse=False):
            if isinstance(module, TableConv) and name == "weight":
                count += int(module.mask.sum().item()) * param[0, 0].numel()
            else:
                count += param.numel()
    return count


CASES = [
    # (name, our benchmark, preset, batch, threads)
    ("lenet5-1998 train b32 t1", "trainThroughput/lenet5_1998/32/1/", "lenet5-1998", 32, 1),
    ("lenet5-1998 train b32 t2", "trainThroughput/lenet5_1998/32/2/", "lenet5-1998", 32, 2),
    ("lenet5-1998 train b1 t1", "trainThroughput/lenet5_1998/1/1/", "lenet5-1998", 1, 1),
    ("lenet5-modern train b64 t1", "trainThroughput/lenet5_modern/64/1/", "lenet5-modern", 64, 1),
    ("lenet5-modern train b64 t2", "trainThroughput/lenet5_modern/64/2/", "lenet5-modern", 64, 2),
]


def loss_of(spec):
    return map_loss if spec["loss"] == "map" else F.cross_entropy


def torch_train_rate(spec, batch, threads, images):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = from_spec(spec)
    loss_fn = loss_of(spec)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    x = (torch.rand(images, 1, 32, 32) > 0.8).float() * 1.275 - 0.1
    y = torch.randint(0, 10, (images,))
    start = time.perf_counter()
    for i in range(0, images, batch):
        opt.zero_grad()
        loss_fn(model(x[i:i + batch]), y[i:i + batch]).backward()
        opt.step()
    return images / (time.perf_counter() - start)


def read_idx(path, offset):
    return torch.from_numpy(np.fromfile(path, dtype=np.uint8, offset=offset))


def mnist_train_set(data):
    """The 60,000 28x28 training images as floats in [0, 1], and their labels."""
    images = read_idx(data / "train-images-idx3-ubyte", 16).view(-1, 1, 28, 28)
    labels = read_idx(data / "train-labels-idx1-ubyte", 8).long()
    return images.float() / 255.0, labels


ARCHITECTURES = pathlib.Path(__file__).resolve().parent.parent / "resources" / "architectures"


def preset_spec(name):
    return json.loads((ARCHITECTURES / f"{name}.json").read_text())


def optimiser(training):
    """The preset's optimiser in PyTorch. SDLM (a per-parameter step size from a curvature
    estimate, which LeNet Studio's epoch includes) becomes plain SGD, a little cheaper."""
    if training["optimizer"] == "adam":
        return lambda params: torch.optim.Adam(params, lr=training["lr"])
    if training["optimizer"] == "momentum":
        return lambda params: torch.optim.SGD(params, lr=training["lr"],
                                              momentum=training.get("momentum", 0.9))
    return lambda params: torch.optim.SGD(params, lr=training["lr"])


def elastic_field(n, height, width, alpha, sigma, generator):
    """Simard et al. 2003's displacement fields, (n, height, width, 2) in grid_sample's units: a
    value per pixel and axis uniform in [-1, 1], smoothed by a Gaussian of `sigma` pixels
    (truncated at 3 sigma, zero outside the image), times `alpha` pixels."""
    radius = max(1, math.ceil(3 * sigma))
    taps = torch.exp(-0.5 * (torch.arange(-radius, radius + 1.0) / sigma) ** 2)
    taps = (taps / taps.sum()).repeat(2, 1, 1)
    field = torch.rand(n, 2, height, width, generator=generator) * 2 - 1
    field = F.conv1d(field.permute(0, 2, 1, 3).reshape(-1, 2, width), taps,
                     padding=radius, groups=2).reshape(n, height, 2, width).permute(0, 2, 1, 3)
    field = F.conv1d(field.permute(0, 3, 1, 2).reshape(-1, 2, height), taps,
                     padding=radius, groups=2).reshape(n, width, 2, height).permute(0, 3, 1, 2)
    return field * alpha * torch.tensor([2 / width, 2 / height])


def distort(images, limits, generator):
    """A random affine map per image (shift in pixels, rotation in degrees, scale, horizontal
    shear), as the preset's "distortion" asks, followed by an elastic displacement when it has an
    elastic_alpha, applied with bilinear resampling."""
    n, _, height, _ = images.shape
    u = lambda: torch.rand(n, generator=generator) * 2 - 1  # noqa: E731
    angle = u() * limits.get("max_rotation", 0.0) * torch.pi / 180
    scale = 1 + u() * limits.get("max_scale", 0.0)
    shear = u() * limits.get("max_shear", 0.0)
    shift = limits.get("max_shift", 0.0) * 2 / height
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = scale * torch.cos(angle)
    theta[:, 0, 1] = -torch.sin(angle) + shear
    theta[:, 1, 0] = torch.sin(angle)
    theta[:, 1, 1] = scale * torch.cos(angle)
    theta[:, 0, 2] = u() * shift
    theta[:, 1, 2] = u() * shift
    grid = F.affine_grid(theta, images.shape, align_corners=False)
    if limits.get("elastic_alpha", 0.0) > 0:
        grid = grid + elastic_field(n, height, images.shape[3], limits["elastic_alpha"],
                                    limits.get("elastic_sigma", 4.0), generator)
    return F.grid_sample(images, grid, align_corners=False)


def torch_epoch_rate(spec, threads, x, y):
    """Images/s of one training epoch of the preset over (x, y) in a shuffled order, at its
    batch size, with its optimiser, loss and distortions. Denormal floats are flushed to zero:
    on real MNIST, PyTorch's default (no flushing) slows lenet5-modern's epoch from about 11,000
    to under 1,000 images/s here after some 20,000 images."""
    torch.set_flush_denormal(True)
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    generator = torch.Generator().manual_seed(1)
    training = spec["training"]
    batch = training["batch"]
    model = from_spec(spec)
    opt = optimiser(training)(model.parameters())
    loss_fn = loss_of(spec)
    limits = training.get("distortion", {}) if training.get("distort") else None
    start = time.perf_counter()
    order = torch.randperm(len(x))
    for i in range(0, len(x), batch):
        take = order[i:i + batch]
        images = x[take] if limits is None else distort(x[take], limits, generator)
        opt.zero_grad()
        loss_fn(model(images), y[take]).backward()
        opt.step()
    return len(x) / (time.perf_counter() - start)


def our_epoch_rate(lenet, data, preset, threads):
    """Images/s of one `lenet train` epoch (its train_seconds) over all training images."""
    out = subprocess.run([lenet, "train", "--preset", preset, "--epochs", "1", "--threads",
                          str(threads), "--test-limit", "1", "--data", str(data), "--json"],
                         check=True, capture_output=True, text=True).stdout
    summary = json.loads(out.strip().splitlines()[-1])
    return 60000 / summary["train_seconds"]


def our_presets(lenet):
    """{preset: trainable parameter count}, as `lenet presets` lists them."""
    out = subprocess.run([lenet, "presets"], check=True, capture_output=True, text=True).stdout
    return {line.split()[0]: int(line.split()[1]) for line in out.splitlines()}


def compare_epochs(args):
    if not os.access(args.lenet, os.X_OK):
        sys.exit(f"compare_pytorch.py: {args.lenet} is not executable; build it with "
                 "scripts/setup.sh --no-run, or pass --lenet PATH")
    data = pathlib.Path(args.data)
    images, y = mnist_train_set(data)
    counts = our_presets(args.lenet)
    presets = args.presets or sorted(counts)
    specs = {}
    for name in presets:
        if name not in counts:
            sys.exit(f"compare_pytorch.py: {args.lenet} has no preset {name}")
        specs[name] = preset_spec(name)
        theirs = trainable_parameters(from_spec(specs[name]))
        if theirs != counts[name]:
            sys.exit(f"compare_pytorch.py: PyTorch's {name} has {theirs} trainable parameters, "
                     f"LeNet Studio's {counts[name]}: the two are not the same network")
    version = subprocess.run([args.lenet, "--version"], check=True, capture_output=True,
                             text=True).stdout.strip()
    print(f"PyTorch {torch.__version__}; {version}; one real MNIST epoch per preset, its own "
          f"batch size and optimiser; median of {args.rounds}; parameter counts checked")
    print(f"| preset | batch | threads | LeNet Studio | PyTorch | ratio |")
    print(f"|---|---|---|---|---|---|")
    for name in presets:
        spec = specs[name]
        side = spec["input"]["height"]
        pad = (side - 28) // 2
        x = F.pad(images, (pad, pad, pad, pad))
        for threads in args.threads:
            mine, theirs = [], []
            for _ in range(args.rounds):  # alternate the two sides
                settle()
                mine.append(our_epoch_rate(args.lenet, data, name, threads))
                settle()
                theirs.append(torch_epoch_rate(spec, threads, x, y))
            m, t = statistics.median(mine), statistics.median(theirs)
            print(f"| {name} | {spec['training']['batch']} | {threads} | {m:,.0f} img/s | "
                  f"{t:,.0f} img/s | {m / t:.2f}x |", flush=True)
    return 0


def torch_inference_us(spec):
    torch.set_num_threads(1)
    model = from_spec(spec).eval()
    x = torch.rand(1, 1, 32, 32)
    with torch.no_grad():
        for _ in range(200):
            model(x)
        start = time.perf_counter()
        for _ in range(2000):
            model(x)
    return (time.perf_counter() - start) / 2000 * 1e6


def settle():
    """A pause between the two sides, so that neither side's timing overlaps what the other
    leaves running (PyTorch's OpenMP workers spin for a while after a parallel region, in this
    very process).
    """
    time.sleep(1.0)


def torch_eval_seconds(spec, threads, images=10000, batch=256):
    """Classifies `images` test-set-sized inputs in batches of 256 (`lenet eval` takes 64)."""
    torch.set_num_threads(threads)
    model = from_spec(spec).eval()
    x = (torch.rand(images, 1, 32, 32) > 0.8).float() * 1.275 - 0.1
    with torch.no_grad():
        model(x[:batch])
        start = time.perf_counter()
        for i in range(0, images, batch):
            model(x[i:i + batch]).argmin(1)  # the RBF head's class: the smallest penalty
    return time.perf_counter() - start


SECONDS_PER_UNIT = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def ours(bench, pattern):
    """images/s of a training benchmark, or seconds per iteration of any other."""
    out = subprocess.run([bench, "--benchmark_filter=" + pattern, "--benchmark_format=json"],
                         check=True, capture_output=True, text=True).stdout
    run = json.loads(out)["benchmarks"][0]
    if "images/s" in run:
        return run["images/s"]
    return run["real_time"] * SECONDS_PER_UNIT[run["time_unit"]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=["steps", "epoch"], default="steps")
    parser.add_argument("--bench", default="build/bench/lenet_bench")
    parser.add_argument("--lenet", default="build/app/lenet")
    parser.add_argument("--data", default=os.environ.get("LENET_DATA", "data/mnist"))
    parser.add_argument("--threads", default="2,1",
                        type=lambda v: [int(t) for t in v.split(",")])
    parser.add_argument("--presets", type=lambda v: v.split(","), default=None,
                        help="epoch mode: comma-separated presets (default: all)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="rounds per case (default: 3 epochs, 5 steps)")
    args = parser.parse_args()
    if args.mode == "epoch":
        args.rounds = args.rounds or 3
        return compare_epochs(args)
    args.rounds = args.rounds or 5
    if not os.access(args.bench, os.X_OK):
        sys.exit(f"compare_pytorch.py: {args.bench} is not an executable benchmark; build it with "
                 "LENET_CMAKE_ARGS=-DLENET_BUILD_BENCH=ON scripts/setup.sh --no-run, or pass "
                 "--bench PATH")
    print(f"PyTorch {torch.__version__}; LeNet Studio: {args.bench}; median of {args.rounds}")
    print(f"{'case':30} {'LeNet Studio':>14} {'PyTorch':>12} {'ratio':>7}")
    for name, pattern, preset, batch, threads in CASES:
        mine, theirs = [], []
        images = 2000 if batch == 1 else 8000
        for _ in range(args.rounds):  # alternate the two sides
            settle()
            mine.append(ours(args.bench, pattern))
            settle()
            theirs.append(torch_train_rate(preset_spec(preset), batch, threads, images))
        m, t = statistics.median(mine), statistics.median(theirs)
        print(f"{name:30} {m:10.0f} img/s {t:8.0f} img/s {m / t:6.2f}x", flush=True)
    for name, pattern, preset in [("lenet5-1998 inference", "inference/lenet5_1998$", "lenet5-1998"),
                                  ("lenet5-modern inference", "inference/lenet5_modern$",
                                   "lenet5-modern")]:
        mine, theirs = [], []
        for _ in range(args.rounds):
            settle()
            mine.append(ours(args.bench, pattern) * 1e6)
            settle()
            theirs.append(torch_inference_us(preset_spec(preset)))
        m, t = statistics.median(mine), statistics.median(theirs)
        print(f"{name:30} {m:11.1f} us {t:9.1f} us {t / m:6.2f}x", flush=True)
    mine, theirs = [], []
    for _ in range(args.rounds):
        settle()
        mine.append(ours(args.bench, "evaluation/lenet5_1998_10000/2/"))
        settle()
        theirs.append(torch_eval_seconds(preset_spec("lenet5-1998"), 2))
    m, t = statistics.median(mine), statistics.median(theirs)
    print(f"{'lenet5-1998 eval 10k t2':30} {m:12.3f} s {t:10.3f} s {t / m:6.2f}x", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
