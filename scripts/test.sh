#!/usr/bin/env bash
# LeNet Studio: build and test, in one command (also what CI runs, via .ci/run).
#   1. scripts/setup.sh --deps-only --test-tools   (packages incl. clang)
#   2. build-test/: Release, -Werror, tests on; MNIST fetched with its lenet (scripts/setup.sh
#      --fetch-with build-test/app/lenet); ctest without the opt-in labels slow|soak;
#      scripts/check_kernels.sh: the unit tests on the baseline kernels, and `lenet` on an
#      emulated CPU without AVX (qemu-user)
#   3. build-noqt/: proves lenet_core and the CLI build without Qt
#   4. scripts/test_package.sh: the Debian package from build-test/ (lintian), installed with
#      apt-get, its programs run, removed again (installing needs root or password-less sudo)
#   5. scripts/fuzz.sh: the five libFuzzer targets, LENET_FUZZ_SECONDS (default 30) each
#   6. build-asan/: ASan+UBSan+LSan (-O1 -g1), the same ctest with the tests' time limits scaled
#      (LENET_TEST_TIME_SCALE); any sanitizer report, in a test or in a program it runs, fails.
#      LENET_SKIP_ASAN=1 skips it.
#   7. build-tsan/: ThreadSanitizer on the training thread: lenet_core's test_training and the
#      studio's test_training_controller only, on one CPU (see tests/tsan.supp for why); any
#      report fails. LENET_SKIP_TSAN=1 skips it.
# Exit code: ctest's (build-test), or non-zero when a later step fails; the last line names the
# steps that failed.
set -euo pipefail

case "${1:-}" in
  -h|--help)
    cat <<'EOF'
Usage: scripts/test.sh

Runs scripts/setup.sh --deps-only --test-tools, builds build-test/ (Release, warnings as
errors), fetches MNIST with it (scripts/setup.sh --fetch-with build-test/app/lenet) and runs
  ctest --test-dir build-test --output-on-failure -j2 -LE "slow|soak" --timeout 900
then checks the kernel sets (scripts/check_kernels.sh: the unit tests with
LENET_KERNELS=baseline, and lenet under qemu-x86_64 -cpu qemu64), checks that lenet_core and
lenet build without Qt (build-noqt/), builds the Debian package from build-test/, installs it,
runs the installed programs and removes it (scripts/test_package.sh; the install part needs
root or password-less sudo), runs each libFuzzer
target for a bounded time (scripts/fuzz.sh; any crash, hang or sanitizer report fails), and
runs the sanitizer stages (any report fails):
  build-asan/  ASan+UBSan+LSan (-O1 -g1): the same ctest, time limits scaled by 6
  build-tsan/  ThreadSanitizer: test_training and test_training_controller, time limits
               scaled by 6, pinned to the first CPU this script may use (oneTBB then starts
               no workers; tests/tsan.supp explains the settings)

Environment:
  LENET_SKIP_ASAN=1       skip the ASan+UBSan stage
  LENET_SKIP_TSAN=1       skip the ThreadSanitizer stage
  LENET_TEST_TIME_SCALE   factor (>= 1, default 1) for every time limit and wait in the tests,
                          e.g. on a slow machine; the sanitizer stages multiply theirs by it
  LENET_FUZZ_SECONDS      seconds per fuzz target (default 30); 0 skips the fuzzers
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

failed_steps=()
fail_step() {  # fail_step <name> <exit code>: records a failed step for the summary
  failed_steps+=("$1")
  ((rc != 0)) || rc=$2
}

# The tests' time scale for a sanitizer stage: its own factor times the user's
# LENET_TEST_TIME_SCALE (default 1).
stage_time_scale() {
  awk -v a="$1" -v b="${LENET_TEST_TIME_SCALE:-1}" 'BEGIN { print a * b }'
}

# Runs "$@" with the tests' time limits scaled by $scale: LENET_TEST_TIME_SCALE for the tests'
# own limits, QTEST_FUNCTION_TIMEOUT for Qt Test's 5-minute limit per test function.
with_time_scale() {
  local scale=$1; shift
  LENET_TEST_TIME_SCALE=$scale \
    QTEST_FUNCTION_TIMEOUT=$(awk -v s="$scale" 'BEGIN { printf "%d", 300000 * s }') "$@"
}

# ---- 1. packages ---------------------------------------------------------------------------------
say "scripts/setup.sh --deps-only"
bash "$REPO/scripts/setup.sh" --deps-only --test-tools
# setup.sh puts MNIST here (or in $LENET_DATA); tell the tests.
export LENET_DATA="${LENET_DATA:-$REPO/data/mnist}"

# ---- 2. test build, MNIST, ctest ---------------------------------------------------------------
say "configuring build-test (Release, warnings as errors, tests on, UI $ui)"
configure build-test -DCMAKE_BUILD_TYPE=Release -DLENET_WARNINGS_AS_ERRORS=ON \
  -DLENET_BUILD_TESTS=ON -DLENET_BUILD_UI=$ui

say "building build-test (-j$(nproc))"
cmake --build build-test -j"$(nproc)"

say "MNIST: scripts/setup.sh --fetch-with build-test/app/lenet"
bash "$REPO/scripts/setup.sh" --fetch-with "$REPO/build-test/app/lenet"

say "ctest --test-dir build-test -LE \"slow|soak\" (timeout 900 s per test)"
rc=0
run_ctest build-test || rc=$?
if ((rc == 0)); then
  say "ctest: all tests passed"
else
  say "ctest FAILED (exit code $rc)"
  failed_steps+=("ctest")
fi

# ---- 2b. kernel sets: the unit tests on the baseline set, the binary on a CPU without AVX -------
say "scripts/check_kernels.sh build-test"
if bash "$REPO/scripts/check_kernels.sh" build-test; then
  say "kernel sets: OK"
else
  say "kernel sets FAILED"
  fail_step "kernel sets" 1
fi

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
  fail_step "build without Qt" 1
fi

# ---- 4. the Debian package ------------------------------------------------------------------------
if [[ $ui == OFF ]]; then
  say "Debian package skipped (LENET_NO_UI: the package holds the studio)"
elif bash "$REPO/scripts/test_package.sh" --build-dir build-test; then
  say "Debian package: OK"
else
  say "Debian package FAILED"
  fail_step "Debian package" 1
fi

# ---- 5. fuzzers ---------------------------------------------------------------------------------
if [[ ${LENET_FUZZ_SECONDS:-60} == 0 ]]; then
  say "fuzzers skipped (LENET_FUZZ_SECONDS=0)"
elif bash "$REPO/scripts/fuzz.sh"; then
  say "fuzzers: OK"
else
  say "fuzzers FAILED"
  fail_step "fuzzers" 1
fi

# ---- 6. ASan + UBSan + LSan ------------------------------------------------------------------
# -O1: Debug's -O0 makes Eigen about ten times slower. -g1 (line tables only) is all a report's
# stack trace needs and compiles about 30 % faster than -g. Reports go to files in asan-logs/
# as well as failing the process, so that a report of a program a test runs (the CLI tests run
# `lenet`) fails the stage even when the test only looks at the exit status.
if [[ ${LENET_SKIP_ASAN:-0} == 1 ]]; then
  say "ASan+UBSan skipped (LENET_SKIP_ASAN=1)"
else
  asan_rc=0
  asan_scale=$(stage_time_scale 6)
  say "configuring build-asan (-O1 -g1, ASan+UBSan, tests on, UI $ui, no bench)"
  if configure build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
       -DLENET_SANITIZE=address -DLENET_BUILD_BENCH=OFF -DLENET_BUILD_TESTS=ON \
       -DLENET_BUILD_UI=$ui; then
    say "building build-asan (-j$(nproc))"
    if cmake --build build-asan -j"$(nproc)"; then
      logs=$REPO/build-asan/asan-logs
      rm -rf -- "$logs" && mkdir -p "$logs"
      say "ctest --test-dir build-asan -LE \"slow|soak\" (time scale $asan_scale)"
      ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:check_initialization_order=1:log_path=$logs/asan" \
        LSAN_OPTIONS="suppressions=$REPO/tests/lsan.supp:print_suppressions=0" \
        UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan" \
        with_time_scale "$asan_scale" run_ctest build-asan || asan_rc=$?
      if compgen -G "$logs/*" >/dev/null; then
        say "sanitizer reports (in $logs):"
        cat -- "$logs"/*
        ((asan_rc != 0)) || asan_rc=1
      fi
    else
      asan_rc=1
    fi
  else
    asan_rc=1
  fi
  if ((asan_rc == 0)); then
    say "ASan+UBSan: OK"
  else
    say "ASan+UBSan FAILED (exit code $asan_rc)"
    fail_step "ASan+UBSan" "$asan_rc"
  fi
fi

# ---- 7. ThreadSanitizer ------------------------------------------------------------------------
# Only the training thread's tests, on one CPU, with the settings tests/tsan.supp documents.
if [[ ${LENET_SKIP_TSAN:-0} == 1 ]]; then
  say "ThreadSanitizer skipped (LENET_SKIP_TSAN=1)"
else
  tsan_rc=0
  tsan_scale=$(stage_time_scale 6)
  tsan_tests=(tests/core/test_training)
  [[ $ui == OFF ]] || tsan_tests+=(tests/ui/test_training_controller)
  # The first CPU this script may run on: oneTBB sizes its pool from the affinity mask.
  tsan_cpu=$(taskset -pc $$ | sed 's/.*: *//; s/[-,].*//')
  say "configuring build-tsan (-O1 -g1, ThreadSanitizer, UI $ui, no bench)"
  if configure build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
       -DLENET_SANITIZE=thread -DLENET_BUILD_BENCH=OFF -DLENET_BUILD_TESTS=ON \
       -DLENET_BUILD_UI=$ui; then
    say "building ${tsan_tests[*]##*/} in build-tsan (-j$(nproc))"
    if cmake --build build-tsan -j"$(nproc)" --target "${tsan_tests[@]##*/}"; then
      for test in "${tsan_tests[@]}"; do
        say "$test on CPU $tsan_cpu (time scale $tsan_scale)"
        TSAN_OPTIONS="halt_on_error=1:ignore_interceptors_accesses=1:suppressions=$REPO/tests/tsan.supp" \
          with_time_scale "$tsan_scale" taskset -c "$tsan_cpu" "build-tsan/$test" || tsan_rc=$?
      done
    else
      tsan_rc=1
    fi
  else
    tsan_rc=1
  fi
  if ((tsan_rc == 0)); then
    say "ThreadSanitizer: OK"
  else
    say "ThreadSanitizer FAILED (exit code $tsan_rc)"
    fail_step "ThreadSanitizer" "$tsan_rc"
  fi
fi

if ((rc == 0)); then
  say "all checks passed"
else
  say "FAILED (exit code $rc): $(IFS=,; echo "${failed_steps[*]}" | sed 's/,/, /g')"
fi
exit "$rc"
