#!/usr/bin/env bash
# LeNet Studio: build the libFuzzer targets with clang (build-fuzz/) and run each one for a bounded
# time from a copy of its seed corpus in tests/fuzz/corpus/. Any crash, hang, leak, out-of-memory
# or sanitizer report fails the run. Prints the executions and coverage reached per target.
set -euo pipefail

TARGETS_ALL=(fuzz_idx fuzz_model fuzz_spec fuzz_image fuzz_onnx)

usage() {
  cat <<'EOF'
Usage: scripts/fuzz.sh [TARGET...]

Configures build-fuzz/ with clang (libFuzzer + ASan + UBSan over the whole of lenet_core),
builds the fuzzers and runs each TARGET (default: all of fuzz_idx fuzz_model fuzz_spec
fuzz_image fuzz_onnx) single-process for LENET_FUZZ_SECONDS seconds, from a fresh copy of
tests/fuzz/corpus/<name>/ (tests/ is never written), with -timeout=10 -rss_limit_mb=2048 and
the dictionary tests/fuzz/dict/<name>.dict.

Per target it prints the executions, executions per second and the coverage of libFuzzer's
final line (cov: edges, ft: features). Logs, the grown corpus and crash reproducers are in
build-fuzz/fuzz/<target>/; a reproducer runs again with
  build-fuzz/tests/fuzz/<target> <reproducer>

Exit code: 0 when every target ran clean, 1 when any target crashed, hung, leaked, ran out of
memory or reported undefined behaviour, 2 on a usage error.

Environment:
  LENET_FUZZ_SECONDS   seconds per target (default 30)
  CC, CXX              the clang to use (default clang, clang++; packages clang, libclang-rt-14-dev)
EOF
}

targets=()
for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    fuzz_idx|fuzz_model|fuzz_spec|fuzz_image|fuzz_onnx) targets+=("$arg") ;;
    *) echo "fuzz.sh: unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done
((${#targets[@]})) || targets=("${TARGETS_ALL[@]}")

seconds=${LENET_FUZZ_SECONDS:-30}
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz.sh: LENET_FUZZ_SECONDS must be a positive number of seconds, not '$seconds'" >&2
  exit 2
fi

say() { printf '==> %s\n' "$*"; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$REPO/build-fuzz"
export CC=${CC:-clang} CXX=${CXX:-clang++}
if ! command -v "$CXX" >/dev/null; then
  echo "fuzz.sh: $CXX not found; install the Debian packages clang and libclang-rt-14-dev" >&2
  exit 1
fi

say "configuring build-fuzz ($CXX, libFuzzer + ASan + UBSan)"
gen=()
[[ -f $BUILD/CMakeCache.txt ]] || gen=(-G Ninja)
cmake -S "$REPO" -B "$BUILD" "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLENET_BUILD_FUZZERS=ON -DLENET_BUILD_UI=OFF -DLENET_BUILD_BENCH=OFF -DLENET_BUILD_TESTS=OFF
say "building the fuzzers (-j$(nproc))"
cmake --build "$BUILD" --target "${targets[@]}" -j"$(nproc)"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=()
summary=()
for target in "${targets[@]}"; do
  name=${target#fuzz_}
  work="$BUILD/fuzz/$target"
  rm -rf -- "$work/corpus"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp -- "$REPO/tests/fuzz/corpus/$name"/* "$work/corpus/"
  find "$work/artifacts" -type f | sort >"$work/artifacts.before"
  say "$target: ${seconds} s from $(find "$work/corpus" -type f | wc -l) seed files"
  rc=0
  "$BUILD/tests/fuzz/$target" "$work/corpus" -dict="$REPO/tests/fuzz/dict/$name.dict" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" >"$work/log.txt" 2>&1 || rc=$?

  # libFuzzer's status lines: "#<runs><TAB>DONE   cov: <edges> ft: <features> corp: ..."
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE ' "$work/log.txt" | tail -n 1 || true)
  [[ -n $done_line ]] || done_line=$(grep -E '^#[0-9]+[[:space:]].* cov: ' "$work/log.txt" | tail -n 1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log.txt" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log.txt" | tail -n 1)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$done_line")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$done_line")
  corp=$(sed -nE 's/.* corp: ([^ ]+).*/\1/p' <<<"$done_line")
  new_artifacts=$(find "$work/artifacts" -type f | sort | comm -13 "$work/artifacts.before" -)
  line=$(printf '%-11s %10s execs %7s exec/s  cov: %-6s ft: %-6s corpus: %s' "$target" \
    "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}")
  if ((rc != 0)) || [[ -n $new_artifacts ]]; then
    failed+=("$target")
    line+="  FAILED (exit $rc)"
    say "$target FAILED (exit code $rc); the end of $work/log.txt:"
    grep -E 'ERROR: |runtime error: |terminate called|what\(\): |SUMMARY: | in lenet::|Test unit written to' \
      "$work/log.txt" | head -n 25 || true
    [[ -z $new_artifacts ]] || sed 's/^/    reproducer: /' <<<"$new_artifacts"
  fi
  say "$line"
  summary+=("$line")
done

say "summary (${seconds} s per target)"
printf '    %s\n' "${summary[@]}"
if ((${#failed[@]})); then
  say "FAILED: ${failed[*]} (logs and reproducers in $BUILD/fuzz/<target>/)"
  exit 1
fi
say "all fuzzers ran clean"
