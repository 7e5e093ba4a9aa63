#!/usr/bin/env bash
# Builds, then runs the failoversrc benchmark against the plugin of this
# build tree. Arguments go to resilient-failover-bench (see its header), e.g.
#   bench/run-failover-bench.sh --reps 20 --cpu-seconds 15 --cpu-rounds 3
# The Markdown tables go to stdout, per-repetition lines to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
bash scripts/build.sh
export GST_PLUGIN_PATH="$root/build/gst/resilient"
export GST_REGISTRY_1_0="$root/build/registry.bench.bin"
export RESILIENT_BUILD_ROOT="$root/build"
export RESILIENT_SOURCE_ROOT="$root"
exec "$root/build/bench/resilient-failover-bench" "$@"
