#!/usr/bin/python3
"""Times LeNet Studio's engine and PyTorch on the same architecture, batch size and thread count,
alternating the two sides, and prints medians and ratios.

Run with Debian's Python and its python3-torch (apt-get install python3-torch
libopenblas0-pthread). Two modes:

  --mode epoch (real MNIST epochs, the build a user gets from scripts/setup.sh):
    scripts/setup.sh --no-run
    /usr/bin/python3 bench/compare_pytorch.py --mode epoch [--lenet build/app/lenet]
        [--data data/mnist] [--rounds 3] [--threads 2,1]
  One training epoch over the 60,000 MNIST images, timed by `lenet train` (its train_seconds:
  batches, optimiser steps, shuffling and input preparation; not the test evaluation) and by the
  same loop in PyTorch on the same images, padded to 32x32, in a shuffled order, with the same
  architecture, batch size and optimiser: lenet5-modern (batch 64, Adam) and the classic LeNet-5
  (tanh, average pooling, batch 32, SGD with momentum 0.9, lr 0.01).

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


class Lenet1998(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 6, 5), ScaledTanh(), Subsample(6), ScaledTanh(),
            TableConv(), ScaledTanh(), Subsample(16), ScaledTanh(),
            nn.Conv2d(16, 120, 5), ScaledTanh(), nn.Flatten(), nn.Linear(120, 84), ScaledTanh())
        self.register_buffer("centres", torch.randint(0, 2, (10, 84)).float() * 2 - 1)

    def forward(self, x):
        f6 = self.body(x)
        return ((f6.unsqueeze(1) - self.centres) ** 2).sum(-1)  # RBF penalties


def map_loss(penalties, labels, j=10.0):
    """LeCun 1998 eq. (9): y_D + log(e^-j + sum_i e^-y_i), averaged over the batch."""
    extra = torch.full((penalties.shape[0], 1), -j)
    lse = torch.logsumexp(torch.cat([-penalties, extra], dim=1), dim=1)
    return (penalties.gather(1, labels.view(-1, 1)).squeeze(1) + lse).mean()


def modern():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))


def classic():
    """The classic LeNet-5 of most tutorials: lenet5-maxpool --activation tanh --pooling avg."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(),
        nn.Linear(84, 10))


EPOCH_CASES = [
    # (name, `lenet train` arguments, PyTorch model, its optimiser, batch)
    ("lenet5-modern b64 Adam", ["--preset", "lenet5-modern"], modern,
     lambda params: torch.optim.Adam(params, lr=0.002), 64),
    ("classic LeNet-5 b32 momentum",
     ["--preset", "lenet5-maxpool", "--activation", "tanh", "--pooling", "avg",
      "--optimizer", "momentum", "--lr", "0.01", "--momentum", "0.9", "--batch", "32"],
     classic, lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9), 32),
]

CASES = [
    # (name, our benchmark, PyTorch model, loss, batch, threads)
    ("lenet5-1998 train b32 t1", "trainThroughput/lenet5_1998/32/1/", Lenet1998, map_loss, 32, 1),
    ("lenet5-1998 train b32 t2", "trainThroughput/lenet5_1998/32/2/", Lenet1998, map_loss, 32, 2),
    ("lenet5-1998 train b1 t1", "trainThroughput/lenet5_1998/1/1/", Lenet1998, map_loss, 1, 1),
    ("lenet5-modern train b64 t1", "trainThroughput/lenet5_modern/64/1/", modern, F.cross_entropy, 64, 1),
    ("lenet5-modern train b64 t2", "trainThroughput/lenet5_modern/64/2/", modern, F.cross_entropy, 64, 2),
]


def torch_train_rate(make, loss_fn, batch, threads, images):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = make()
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
    """The 60,000 training images as floats in [0, 1] padded to 32x32, and their labels."""
    images = read_idx(data / "train-images-idx3-ubyte", 16).view(-1, 1, 28, 28)
    labels = read_idx(data / "train-labels-idx1-ubyte", 8).long()
    return F.pad(images.float() / 255.0, (2, 2, 2, 2)), labels


def torch_epoch_rate(make, make_opt, batch, threads, x, y):
    """Images/s of one training epoch over (x, y) in a shuffled order. Denormal floats are
    flushed to zero: on real MNIST, PyTorch's default (no flushing) slows lenet5-modern's epoch
    from about 11,000 to under 1,000 images/s here after some 20,000 images."""
    torch.set_flush_denormal(True)
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = make()
    opt = make_opt(model.parameters())
    start = time.perf_counter()
    order = torch.randperm(len(x))
    for i in range(0, len(x), batch):
        take = order[i:i + batch]
        opt.zero_grad()
        F.cross_entropy(model(x[take]), y[take]).backward()
        opt.step()
    return len(x) / (time.perf_counter() - start)


def our_epoch_rate(lenet, data, args, threads):
    """Images/s of one `lenet train` epoch (its train_seconds) over all training images."""
    out = subprocess.run([lenet, "train", *args, "--epochs", "1", "--threads", str(threads),
                          "--test-limit", "1", "--data", str(data), "--json"],
                         check=True, capture_output=True, text=True).stdout
    summary = json.loads(out.strip().splitlines()[-1])
    return 60000 / summary["train_seconds"]


def compare_epochs(args):
    if not os.access(args.lenet, os.X_OK):
        sys.exit(f"compare_pytorch.py: {args.lenet} is not executable; build it with "
                 "scripts/setup.sh --no-run, or pass --lenet PATH")
    data = pathlib.Path(args.data)
    x, y = mnist_train_set(data)
    version = subprocess.run([args.lenet, "--version"], check=True, capture_output=True,
                             text=True).stdout.strip()
    print(f"PyTorch {torch.__version__}; {version}; one real MNIST epoch; "
          f"median of {args.rounds}")
    print(f"{'case':36} {'LeNet Studio':>14} {'PyTorch':>12} {'ratio':>7}")
    for name, lenet_args, make, make_opt, batch in EPOCH_CASES:
        for threads in args.threads:
            mine, theirs = [], []
            for _ in range(args.rounds):  # alternate the two sides
                settle()
                mine.append(our_epoch_rate(args.lenet, data, lenet_args, threads))
                settle()
                theirs.append(torch_epoch_rate(make, make_opt, batch, threads, x, y))
            m, t = statistics.median(mine), statistics.median(theirs)
            label = f"{name} t{threads}"
            print(f"{label:36} {m:10.0f} img/s {t:8.0f} img/s {m / t:6.2f}x", flush=True)
    return 0


def torch_inference_us(make):
    torch.set_num_threads(1)
    model = make().eval()
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


def torch_eval_seconds(make, threads, images=10000, batch=256):
    """Classifies `images` test-set-sized inputs in batches of 256, as `lenet eval` does."""
    torch.set_num_threads(threads)
    model = make().eval()
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
    for name, pattern, make, loss_fn, batch, threads in CASES:
        mine, theirs = [], []
        images = 2000 if batch == 1 else 8000
        for _ in range(args.rounds):  # alternate the two sides
            settle()
            mine.append(ours(args.bench, pattern))
            settle()
            theirs.append(torch_train_rate(make, loss_fn, batch, threads, images))
        m, t = statistics.median(mine), statistics.median(theirs)
        print(f"{name:30} {m:10.0f} img/s {t:8.0f} img/s {m / t:6.2f}x", flush=True)
    for name, pattern, make in [("lenet5-1998 inference", "inference/lenet5_1998$", Lenet1998),
                                ("lenet5-modern inference", "inference/lenet5_modern$", modern)]:
        mine, theirs = [], []
        for _ in range(args.rounds):
            settle()
            mine.append(ours(args.bench, pattern) * 1e6)
            settle()
            theirs.append(torch_inference_us(make))
        m, t = statistics.median(mine), statistics.median(theirs)
        print(f"{name:30} {m:11.1f} us {t:9.1f} us {t / m:6.2f}x", flush=True)
    mine, theirs = [], []
    for _ in range(args.rounds):
        settle()
        mine.append(ours(args.bench, "evaluation/lenet5_1998_10000/2/"))
        settle()
        theirs.append(torch_eval_seconds(Lenet1998, 2))
    m, t = statistics.median(mine), statistics.median(theirs)
    print(f"{'lenet5-1998 eval 10k t2':30} {m:12.3f} s {t:10.3f} s {t / m:6.2f}x", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
