#!/usr/bin/env bash
# Soak gate (issue 14), about 3 minutes, two runs (see below): sampling
# RSS, threads and fds every 20 s; one check per target (no fd growth, no
# thread growth, RSS growth < 1 MiB per 100 restores after the warm-up for
# autorestoresink, each element back to live every time, no ERROR); the
# last line is `N passed, N failed`. The long runs are in
# docs/BENCHMARKS.md. Real servers on 127.0.0.1 only.
set -uo pipefail
cd "$(dirname "$0")/../.."
bash scripts/deps.sh >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
if ! bash scripts/build.sh; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi
export GST_PLUGIN_PATH_1_0="$PWD/build/gst/resilient"
export GST_REGISTRY_1_0="$PWD/build/registry.soak.bin"
export GST_DEBUG_NO_COLOR=1
# Two runs, about 3 minutes in all:
# 1. autorestoresink alone through an nginx-rtmp restart every 2 s (~45
#    restores after warm-up): fds, threads, RSS (< 1 MiB per 100 restores),
#    back to publishing every time, no ERROR.
# 2. failoversrc and autorestoresink together (a failover or failback every
#    10 s, a restart every 5 s): fds, threads, live every time, no ERROR.
#    Its RSS is printed, not judged: failoversrc's RSS settles only after
#    about 7 minutes (docs/BENCHMARKS.md, the 30-minute run), so 90 s cannot
#    judge it; the long bench does.
passed=0
failed=0
run () {
  local name=$1
  shift
  local log=build/soak-gate-$name.log
  build/bench/soak/resilient-soak "$@" 2>build/soak-gate-$name.stderr \
    | tee "$log"
  local last
  last=$(tail -n 1 "$log")
  if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    passed=$((passed + BASH_REMATCH[1]))
    failed=$((failed + BASH_REMATCH[2]))
  else
    echo "resilient-soak ($name) did not finish (see build/soak-gate-$name.stderr)"
    failed=$((failed + 1))
  fi
}
run restore --only restore --duration-s 100 --warmup-s 20 \
  --sample-every-s 20 --restore-every-ms 2000
run both --duration-s 90 --warmup-s 20 --sample-every-s 20 \
  --failover-every-ms 10000 --restore-every-ms 5000 --rss-check 0
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
