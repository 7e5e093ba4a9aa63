#!/usr/bin/env bash
# Soak gate (issue 14), 3 minutes: failoversrc with a failover or failback
# every 10 s (publisher kill, stall, server restart in turn) and
# autorestoresink through an nginx-rtmp restart every 5 s, in one process,
# sampling RSS, threads and fds every 20 s (two failover periods: every
# sample sees the primary in the same state). One check per target (no fd
# growth, no thread growth, RSS growth < 1 MiB per 100 restores after the
# warm-up, each element back to live every time, no ERROR); the last line
# is `N passed, N failed`. The one-hour run is in docs/BENCHMARKS.md.
# Real servers on 127.0.0.1 only. Extra arguments go to resilient-soak.
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
log=build/soak-gate.log
build/bench/soak/resilient-soak --duration-s 180 --warmup-s 30 \
  --sample-every-s 20 --failover-every-ms 10000 --restore-every-ms 5000 \
  "$@" 2>build/soak-gate.stderr | tee "$log"
last=$(tail -n 1 "$log")
if [[ ! "$last" =~ ^[0-9]+\ passed,\ [0-9]+\ failed$ ]]; then
  echo "resilient-soak did not finish (see build/soak-gate.stderr)"
  echo "0 passed, 1 failed"
  exit 1
fi
[[ "$last" =~ \ 0\ failed$ ]]
