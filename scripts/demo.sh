#!/usr/bin/env bash
# failoversrc in one command: installs missing Debian packages, builds, then
# runs bench/failover_demo.cpp, which starts a local nginx-rtmp server and
# two publishers (primary: red, 440 Hz; backup: blue, 880 Hz) on 127.0.0.1,
# plays them through failoversrc, kills the primary (kill -9), brings it
# back, stalls it (SIGSTOP), resumes it, and prints every event with its
# time as it happens. The output is recorded to demo-output/failover-demo.mkv
# (or the path given as the first argument). The resilientmetrics tracer
# (docs/metrics.md) writes the event log next to it (failover-demo-events.jsonl)
# and tools/timeline.py draws it as failover-demo-timeline.svg (and .png with
# rsvg-convert). Everything it starts is stopped by process id when it ends,
# also on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
# `scripts/demo.sh server`: the server-side demo (scripts/demo-server.sh)
if [ "${1:-}" = server ]; then
  shift
  exec bash scripts/demo-server.sh "$@"
fi
root="$(pwd)"
output="${1:-$root/demo-output/failover-demo.mkv}"

echo "== installing missing packages (scripts/deps.sh)"
bash scripts/deps.sh
echo "== building (scripts/build.sh)"
bash scripts/build.sh

demo="$root/build/bench/resilient-failover-demo"
if [ ! -x "$demo" ]; then
  echo "demo binary missing: $demo (was the build configured with -Dtests=disabled?)" >&2
  exit 1
fi

# What `meson devenv -C build` would set: the plugin from this build tree,
# with a registry of its own.
export GST_PLUGIN_PATH="$root/build/gst/resilient${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
export GST_REGISTRY_1_0="$root/build/registry.demo.bin"
export RESILIENT_BUILD_ROOT="$root/build"
export RESILIENT_SOURCE_ROOT="$root"

if ! gst-inspect-1.0 failoversrc >/dev/null 2>&1; then
  echo "failoversrc is not registered by build/gst/resilient; nothing to demo" >&2
  exit 1
fi

# Metrics and the event log for the whole run: GST_TRACERS, as any user
# would enable it (a free port, so a second demo never collides).
base="${output%.*}"
events="$base-events.jsonl"
timeline="$base-timeline.svg"
mkdir -p "$(dirname "$output")"
rm -f "$events"
export GST_TRACERS="resilientmetrics(address=127.0.0.1:0,log=$events,stats-interval=500)"

echo "== running the demo (about 30 s); event log: $events"
# The demo binary owns every server and publisher it starts (children die
# with it); forward Ctrl-C / TERM to it and wait.
"$demo" --output "$output" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' INT TERM
set +e
wait "$pid"
status=$?
set -e
trap - INT TERM
if [ -s "$output" ]; then
  echo "== recording: $output"
  ls -l "$output"
fi
if [ -s "$events" ] && /usr/bin/python3 tools/timeline.py "$events" -o "$timeline" \
    --title "failoversrc demo: primary killed, restarted, stalled, resumed" >/dev/null; then
  echo "== timeline picture: $timeline"
  if command -v rsvg-convert >/dev/null && rsvg-convert "$timeline" -o "${timeline%.svg}.png"; then
    echo "== timeline picture (PNG): ${timeline%.svg}.png"
  fi
else
  echo "== no timeline picture (event log $events missing or unreadable)" >&2
fi
exit $status
