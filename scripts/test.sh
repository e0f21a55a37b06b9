#!/usr/bin/env bash
# LeNet Studio: build and test, in one command (also what CI runs, via .ci/run).
#   1. scripts/setup.sh --deps-only --test-tools   (packages incl. clang, MNIST)
#   2. build-test/: Release, -Werror, tests on; ctest without the opt-in labels slow|soak
#   3. build-noqt/: proves lenet_core and the CLI build without Qt
#   4. scripts/fuzz.sh: the four libFuzzer targets, LENET_FUZZ_SECONDS (default 60) each
#   5. only with LENET_SANITIZE_CHECK=1: build-asan/ (Debug, ASan+UBSan) and the same ctest
# Exit code: ctest's (build-test), or non-zero when a later step fails.
set -euo pipefail

case "${1:-}" in
  -h|--help)
    cat <<'EOF'
Usage: scripts/test.sh

Runs scripts/setup.sh --deps-only --test-tools, builds build-test/ (Release, warnings as
errors) and runs
  ctest --test-dir build-test --output-on-failure -j2 -LE "slow|soak" --timeout 900
then checks that lenet_core and lenet build without Qt (build-noqt/) and runs each libFuzzer
target for a bounded time (scripts/fuzz.sh; any crash, hang or sanitizer report fails).

Environment:
  LENET_SANITIZE_CHECK=1  also build build-asan/ (Debug, ASan+UBSan) and run the same tests
  LENET_FUZZ_SECONDS      seconds per fuzz target (default 60); 0 skips the fuzzers
  LENET_ARCH              value for -march= (default empty = portable)
  LENET_NO_UI=1           no Qt: skip UI packages, build and test without the studio
  LENET_DATA              MNIST folder (default: <repo>/data/mnist)
EOF
    exit 0 ;;
  "") ;;
  *) echo "test.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
esac

say() { printf '==> %s\n' "$*"; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
ARCH=${LENET_ARCH:-}
ui=ON
case "${LENET_NO_UI:-0}" in 1|true|yes|on|ON) ui=OFF ;; esac

# Headless Qt: a private runtime dir (mode 0700) and the offscreen platform when there is no X.
runtime_dir=
if [[ -z ${XDG_RUNTIME_DIR:-} ]]; then
  runtime_dir=$(mktemp -d)
  export XDG_RUNTIME_DIR="$runtime_dir"
  trap 'rm -rf -- "$runtime_dir"' EXIT
fi
if [[ -z ${DISPLAY:-} && -z ${QT_QPA_PLATFORM:-} ]]; then
  export QT_QPA_PLATFORM=offscreen
fi

# configure <dir> <cmake args...>: keeps the generator of an existing build dir, else Ninja.
configure() {
  local dir=$1; shift
  local gen=()
  [[ -f $dir/CMakeCache.txt ]] || gen=(-G Ninja)
  cmake -S "$REPO" -B "$dir" "${gen[@]}" "-DLENET_ARCH=$ARCH" "$@"
}

run_ctest() {  # run_ctest <dir>: prints nothing extra, returns ctest's exit code
  ctest --test-dir "$1" --output-on-failure -j2 -LE "slow|soak" --timeout 900 --no-tests=error
}

# ---- 1. packages, data, Release build --------------------------------------------------------
say "scripts/setup.sh --deps-only"
bash "$REPO/scripts/setup.sh" --deps-only --test-tools
# setup.sh puts MNIST here (or in $LENET_DATA); tell the tests.
export LENET_DATA="${LENET_DATA:-$REPO/data/mnist}"

# ---- 2. test build + ctest ---------------------------------------------------------------------
say "configuring build-test (Release, warnings as errors, tests on, UI $ui)"
configure build-test -DCMAKE_BUILD_TYPE=Release -DLENET_WARNINGS_AS_ERRORS=ON \
  -DLENET_BUILD_TESTS=ON -DLENET_BUILD_UI=$ui

say "building build-test (-j$(nproc))"
cmake --build build-test -j"$(nproc)"

say "ctest --test-dir build-test -LE \"slow|soak\" (timeout 900 s per test)"
rc=0
run_ctest build-test || rc=$?
if ((rc == 0)); then say "ctest: all tests passed"; else say "ctest FAILED (exit code $rc)"; fi

# ---- 3. core and CLI without Qt -----------------------------------------------------------------
say "configuring build-noqt (no UI, no tests, no bench)"
noqt_ok=1
if configure build-noqt -DCMAKE_BUILD_TYPE=Release -DLENET_WARNINGS_AS_ERRORS=ON \
     -DLENET_BUILD_UI=OFF -DLENET_BUILD_BENCH=OFF -DLENET_BUILD_TESTS=OFF; then
  say "building lenet_core and lenet without Qt"
  cmake --build build-noqt -j"$(nproc)" --target lenet_core lenet || noqt_ok=0
else
  noqt_ok=0
fi
if ((noqt_ok)); then
  say "build without Qt: OK"
else
  say "build without Qt FAILED"
  ((rc != 0)) || rc=1
fi

# ---- 4. fuzzers ---------------------------------------------------------------------------------
if [[ ${LENET_FUZZ_SECONDS:-60} == 0 ]]; then
  say "fuzzers skipped (LENET_FUZZ_SECONDS=0)"
elif bash "$REPO/scripts/fuzz.sh"; then
  say "fuzzers: OK"
else
  say "fuzzers FAILED"
  ((rc != 0)) || rc=1
fi

# ---- 5. optional: ASan + UBSan --------------------------------------------------------------------
if [[ ${LENET_SANITIZE_CHECK:-0} == 1 ]]; then
  say "configuring build-asan (Debug, ASan+UBSan, no bench)"
  asan_rc=0
  if configure build-asan -DCMAKE_BUILD_TYPE=Debug -DLENET_SANITIZE=address \
       -DLENET_BUILD_BENCH=OFF -DLENET_BUILD_TESTS=ON -DLENET_BUILD_UI=$ui; then
    say "building build-asan (-j$(nproc))"
    if cmake --build build-asan -j"$(nproc)"; then
      say "ctest --test-dir build-asan -LE \"slow|soak\""
      export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
      run_ctest build-asan || asan_rc=$?
    else
      asan_rc=1
    fi
  else
    asan_rc=1
  fi
  if ((asan_rc == 0)); then say "ASan+UBSan: OK"; else say "ASan+UBSan FAILED (exit code $asan_rc)"; fi
  ((rc != 0)) || rc=$asan_rc
fi

if ((rc == 0)); then say "all checks passed"; else say "FAILED (exit code $rc)"; fi
exit "$rc"
