#!/usr/bin/env bash
# The kernel sets of one build (core/lenet/kernels.h), checked as CI checks them:
#   1. the unit tests once more with LENET_KERNELS=baseline (the default run used the best set
#      this CPU runs)
#   2. the same `lenet` binary on an emulated x86-64 CPU without AVX (qemu-x86_64 -cpu qemu64):
#      --version must say baseline, and a short training run and a prediction must work (an AVX
#      instruction outside the dispatched code would stop it with SIGILL)
# Usage: scripts/check_kernels.sh BUILD_DIR   (LENET_DATA: the MNIST folder)
set -euo pipefail

say() { printf '==> %s\n' "$*"; }
die() { printf 'check_kernels.sh: error: %s\n' "$*" >&2; exit 1; }

build=${1:?usage: scripts/check_kernels.sh BUILD_DIR}
lenet="$build/app/lenet"
[[ -x $lenet ]] || die "$lenet was not built"
data=${LENET_DATA:?LENET_DATA must name the MNIST folder}

native=$("$lenet" --version)
say "native: $native"

say "unit tests with LENET_KERNELS=baseline"
LENET_KERNELS=baseline ctest --test-dir "$build" --output-on-failure -j2 -L unit --timeout 900 \
  --no-tests=error

command -v qemu-x86_64 >/dev/null || die "qemu-x86_64 not found (Debian package qemu-user)"
work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT
emulated=(qemu-x86_64 -cpu qemu64)

version=$("${emulated[@]}" "$lenet" --version)
say "qemu64: $version"
[[ $version == *"(kernels: baseline"* ]] || die "on qemu64 --version does not say baseline"

say "qemu64: a short training run"
"${emulated[@]}" "$lenet" train --preset lenet5-modern --epochs 1 --train-limit 300 \
  --test-limit 100 --threads 2 --data "$data" --out "$work/model.lenet"

# The first test image of MNIST (a 7) as a binary PGM: its 784 pixels follow a 16-byte header.
{
  printf 'P5\n28 28\n255\n'
  dd if="$data/t10k-images-idx3-ubyte" bs=1 skip=16 count=784 status=none
} >"$work/seven.pgm"
say "qemu64: predict with the bundled model"
prediction=$("${emulated[@]}" "$lenet" predict --json \
  --model "$(dirname "${BASH_SOURCE[0]}")/../resources/models/lenet5-1998.lenet" "$work/seven.pgm")
echo "$prediction"
[[ $prediction == *'"class":7'* || $prediction == *'"class": 7'* ]] ||
  die "the bundled model does not read the 7 on qemu64"
"${emulated[@]}" "$lenet" predict --model "$work/model.lenet" "$work/seven.pgm"
say "kernel sets: OK"
