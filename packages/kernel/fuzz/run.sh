#!/usr/bin/env bash
# fuzz/run.sh [short|long|SECONDS] [prog|verifier|elf|asm ...]
#
# Builds the libFuzzer harnesses (build-fuzz: clang-19, BPFHOST_FUZZ=ON, ASan +
# UBSan) and runs each for a fixed time, one after the other, on a copy of its
# committed corpus (fuzz/corpus/<name>) in a temporary directory, so the tree
# stays clean. Prints what each run did and found. Exits non-zero when a
# harness crashed, leaked, hung or broke an invariant, and prints the path of
# the input that did it (kept under build-fuzz/artifacts/).
#
#   short  FUZZ_SHORT_SECONDS each (default 20): part of `npm test`
#   long   FUZZ_SECONDS each (default 600): the `fuzz` Nx target
#
# FUZZ_CC picks the compiler (default clang-19; it needs libclang-rt-19-dev).
# FUZZ_CORPUS_OUT=DIR keeps each run's final corpus in DIR/<name> (to refresh
# the committed seeds: minimise it with the harness's -merge=1 first).
# Any ASan or UBSan report, a leak, or an input running past 25 s stops a run.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-short}"
case "$mode" in
  short) secs="${FUZZ_SHORT_SECONDS:-20}" ;;
  long) secs="${FUZZ_SECONDS:-600}" ;;
  *[!0-9]* | "") echo "usage: $0 [short|long|SECONDS] [prog|verifier|elf|asm ...]" >&2; exit 2 ;;
  *) secs="$mode" ;;
esac
shift || true
harnesses=("$@")
[ "${#harnesses[@]}" -gt 0 ] || harnesses=(prog verifier elf asm)

cc="${FUZZ_CC:-clang-19}"
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "fuzz: $cc not found (apt-get install clang-19 libclang-rt-19-dev)" >&2
  exit 1
fi

echo "== fuzz: building the harnesses (build-fuzz, $cc) =="
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBPFHOST_WERROR=ON \
  -DBPFHOST_FUZZ=ON -DBPFHOST_BUILD_TESTS=OFF -DCMAKE_C_COMPILER="$cc" >/dev/null
targets=()
for h in "${harnesses[@]}"; do targets+=("fuzz_$h"); done
cmake --build build-fuzz --target "${targets[@]}"

artifacts="$PWD/build-fuzz/artifacts"
mkdir -p "$artifacts"
failed=0

for h in "${harnesses[@]}"; do
  bin="build-fuzz/fuzz/fuzz_$h"
  [ -x "$bin" ] || { echo "fuzz: no harness '$h' (prog, verifier, elf, asm)" >&2; exit 2; }
  work="$(mktemp -d)"
  mkdir "$work/corpus"
  cp -R "fuzz/corpus/$h/." "$work/corpus/"
  seeds=$(find "$work/corpus" -type f | wc -l)
  echo "== fuzz_$h: $secs s from $seeds seed inputs =="
  rc=0
  ASAN_OPTIONS="detect_leaks=1" \
  UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
    "$bin" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$artifacts/$h-" "$work/corpus" >"$work/log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n1)
  cov=$(grep -Eo 'cov: [0-9]+' "$work/log" | tail -n1 | cut -d' ' -f2 || true)
  inputs=$(find "$work/corpus" -type f | wc -l)
  if [ "$rc" -eq 0 ]; then
    echo "fuzz_$h: ${runs:-?} runs in $secs s, coverage ${cov:-?} edges, corpus $seeds -> $inputs inputs: nothing found"
    # what the harness says about itself (fuzz_verifier: the accept rate, known findings)
    grep "^fuzz_$h: " "$work/log" | head -n 12 || true
  else
    failed=1
    echo "fuzz_$h: FAILED (exit $rc) after ${runs:-?} runs; the end of its log:"
    grep -v '^"' "$work/log" | grep -Ev '^#[0-9]+ +(NEW|REDUCE|pulse)' | tail -n 40 || true
    unit=$(sed -n "s/.*Test unit written to //p" "$work/log" | tail -n1)
    echo "fuzz_$h: the input is kept at ${unit:-(none written)}"
    echo "fuzz_$h: reproduce with: UBSAN_OPTIONS=halt_on_error=1 $PWD/$bin ${unit:-<input>}"
  fi
  if [ -n "${FUZZ_CORPUS_OUT:-}" ]; then
    mkdir -p "$FUZZ_CORPUS_OUT/$h"
    cp -R "$work/corpus/." "$FUZZ_CORPUS_OUT/$h/"
  fi
  rm -rf "$work"
done
exit "$failed"
