#!/usr/bin/env bash
# CI gate: a short libFuzzer run of every target in tests/fuzz (the parsers
# of untrusted input), ASan + UBSan on. Each target starts from its seed
# corpus in tests/fuzz/corpus/<target>/ and runs FUZZ_SECONDS (default 15)
# seconds; each target is one pass or fail. New inputs go to a scratch
# directory, never into the committed corpus; a crash input is copied to
# build-fuzz/findings/<target>/ to be turned into a corpus entry and a unit
# test. Runnable alone from the repo root; last line `N passed, N failed`.
# Arguments: target names to run only those (fuzz_sdp fuzz_url ...).
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${FUZZ_BUILD_DIR:-build-fuzz}
secs=${FUZZ_SECONDS:-15}
# A fixed seed makes a CI run repeatable; exploring with fresh seeds is
# bench/fuzz/run-fuzz-bench.sh's job (FUZZ_SEED=0 here picks a random one).
seed=${FUZZ_SEED:-1}
mkdir -p "$out"
if ! targets=$(nice bash tests/fuzz/build.sh "$out" 2>"$out/build.err"); then
  tail -40 "$out/build.err"
  echo "fuzz targets did not build"
  echo "0 passed, 1 failed"
  exit 1
fi
[ $# -gt 0 ] && targets=$(for t in "$@"; do echo "$out/$t"; done)
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
passed=0
failed=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for bin in $targets; do
  name=$(basename "$bin")
  corpus=tests/fuzz/corpus/${name#fuzz_}
  mkdir -p "$scratch/$name" "$out/findings/$name"
  # -rss_limit_mb/-timeout: a parser that eats memory or hangs on one input
  # is a finding too. -max_len: the bodies we read are bounded far below.
  if "$bin" "$scratch/$name" "$corpus" -max_total_time="$secs" -seed="$seed" -max_len=8192 \
       -timeout=5 -rss_limit_mb=1024 -print_final_stats=1 \
       -artifact_prefix="$out/findings/$name/" >"$out/$name.log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log")
    cov=$(grep -o 'cov: [0-9]*' "$out/$name.log" | tail -1)
    echo "PASS $name: ${execs:-?} runs in ${secs}s, $cov"
    passed=$((passed + 1))
  else
    echo "FAIL $name: see $out/$name.log; input in $out/findings/$name/"
    grep -E "ERROR: |runtime error|SUMMARY|fuzz property" "$out/$name.log" | head -5
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
