#!/usr/bin/env bash
# Long libFuzzer runs: every target in tests/fuzz until it has executed
# RUNS inputs (default 10 million), one after the other, at nice 10. Starts
# from the committed seeds plus a working corpus kept in
# bench/results/fuzz/corpus/<target> (so a second run goes on from the
# first). Prints one line per target: executions, exec/s, coverage (edges),
# features, corpus size, findings; logs in bench/results/fuzz/<target>.log.
# Usage: bench/fuzz/run-fuzz-bench.sh [RUNS] [target ...]
# FUZZ_MAX_SECONDS caps each target's run time (on a shared machine);
# FUZZ_NICE sets the nice level (default 10). FUZZ_TIMEOUT (seconds, default
# 60) is libFuzzer's per-input limit: it counts wall time, and a nice-19
# run on a busy machine can wait seconds for a core (three 5 s "timeouts"
# of one session re-ran alone in 11-28 ms), so a hang is what the default
# finds, not a busy neighbour. FUZZ_FORK=N runs each target as one libFuzzer
# session in fork mode (-fork=N): N worker processes on the shared corpus,
# the parent counting every execution against RUNS and stopping at the first
# finding (a target whose rate falls as its inputs grow, fuzz_sdp at 0.7 k/s
# on one core, reaches 10 M in a working session only on both cores).
# FUZZ_SESSIONS=N runs N plain sessions of a target side by side on the one
# working corpus instead (each RUNS/N executions; libFuzzer re-reads the
# corpus directory every second, so each takes up what the others found):
# fork mode re-writes, re-loads and merges its corpus around every job,
# which cost fuzz_sdp half its rate (0.9-1.0 k/s on two cores, against
# 1.3 k/s for one plain session on one core). The line then sums the
# sessions' executions; cov and features are the highest of a session.
set -uo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-10000000}
shift || true
out=build-fuzz
res=bench/results/fuzz
mkdir -p "$res"
targets=$(bash tests/fuzz/build.sh "$out" 2>/dev/null) || { bash tests/fuzz/build.sh "$out"; exit 1; }
[ $# -gt 0 ] && targets=$(for t in "$@"; do echo "$out/$t"; done)
# ASan's defaults cost these small parsers half their speed: a 256 MB
# quarantine of freed chunks makes nearly every allocation a fresh page (a
# page fault on this VM), and every allocation's first 4 KB is filled. A
# 16 MB quarantine still holds thousands of a parser's freed strings (a use
# after free is caught while its chunk is in it), and the fill only makes
# reads of uninitialised heap deterministic, which ASan does not report.
# Measured on fuzz_candidates from its corpus: 2.2k -> 4k exec/s.
# malloc_context_size=0 stops recording each allocation's stack (7 % of
# fuzz_sdp's samples went to unwinding and the stack depot): a report still
# names the bad access and where it happened, and a finding is re-run from
# its artifact with ASan's defaults for the allocation's stack. Replaying
# fuzz_sdp's 6,035-input corpus: 3.5 s -> 3.0 s.
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:quarantine_size_mb=16:max_malloc_fill_size=0:malloc_context_size=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
printf '%-20s %12s %9s %7s %8s %7s %s\n' target execs exec/s cov features corpus findings
for bin in $targets; do
  name=$(basename "$bin")
  work=$res/corpus/$name
  mkdir -p "$work" "$res/findings/$name"
  start=$(date +%s)
  sessions=${FUZZ_SESSIONS:-1}
  logs=()
  pids=()
  for i in $(seq 1 "$sessions"); do
    log=$res/$name.log
    [ "$sessions" -gt 1 ] && log=$res/$name.s$i.log
    logs+=("$log")
    nice -n "${FUZZ_NICE:-10}" "$bin" "$work" "tests/fuzz/corpus/${name#fuzz_}" \
      -runs=$(( (runs + sessions - 1) / sessions )) \
      ${FUZZ_MAX_SECONDS:+-max_total_time=$FUZZ_MAX_SECONDS} \
      ${FUZZ_FORK:+-fork=$FUZZ_FORK} \
      -max_len=8192 -timeout="${FUZZ_TIMEOUT:-60}" -rss_limit_mb=1024 -print_final_stats=1 \
      -artifact_prefix="$res/findings/$name/" >"$log" 2>&1 &
    pids+=($!)
  done
  rc=0
  for p in "${pids[@]}"; do wait "$p" || rc=$?; done
  secs=$(( $(date +%s) - start ))
  # a session's executions: its final stats, else (stopped early) the
  # count of its last status line
  execs=$(for l in "${logs[@]}"; do
      n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$l")
      [ -n "$n" ] || n=$(grep -o '^#[0-9]*' "$l" | tail -1 | tr -d '#')
      echo "${n:-0}"
    done | awk '{ n += $1 } END { print n }')
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "${logs[0]}")
  [ "$sessions" -gt 1 ] && [ "$secs" -gt 0 ] && rate=$((execs / secs))
  # the last cov / ft of each session's log; the highest of them
  last_of () { for l in "${logs[@]}"; do grep -o "$1: [0-9]*" "$l" | tail -1 | cut -d' ' -f2; done | sort -n | tail -1; }
  cov=$(last_of cov)
  ft=$(last_of ft)
  if [ -n "${FUZZ_FORK:-}" ]; then
    # fork mode: the parent's last "#N: ..." line counts every job's runs
    # (its cov counts features of another kind than a single run's)
    execs=$(grep -o '^#[0-9]*:' "$res/$name.log" | tail -1 | tr -d '#:')
    [ -n "$execs" ] && [ "$secs" -gt 0 ] && rate=$((execs / secs))
  fi
  corp=$(ls "$work" | wc -l)
  # crash-, leak-, timeout-, oom- artifacts; slow-unit- files (an input
  # over 10 s of wall time, which a busy machine gives a 9 ms input) are
  # counted apart
  found=$(ls "$res/findings/$name" | grep -vc '^slow-unit-')
  slow=$(ls "$res/findings/$name" | grep -c '^slow-unit-')
  [ "$slow" -gt 0 ] && found="$found, $slow slow-unit"
  [ $rc -eq 0 ] || found="$found (exit $rc)"
  printf '%-20s %12s %9s %7s %8s %7s %s  (%ss)\n' "$name" "${execs:-?}" "${rate:-?}" \
    "${cov:-?}" "${ft:-?}" "$corp" "$found" "$secs"
done
