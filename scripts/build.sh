#!/usr/bin/env bash
# Configures (once) and builds the tree in ./build from Debian packages only.
# Shows progress: ninja's [N/M] counter on a terminal, one line per 10 % and
# the elapsed time otherwise (CI logs), so a 6-minute first build is never
# silent.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
  echo "build.sh: configuring ./build (meson setup --wrap-mode=nofallback)"
  meson setup build --wrap-mode=nofallback >build-setup.log 2>&1 || {
    cat build-setup.log >&2
    exit 1
  }
  rm -f build-setup.log
fi
start=$(date +%s)
if [ -t 1 ]; then
  # ninja redraws its [N/M] status line in place on a terminal.
  ninja -C build
else
  # Not a terminal: print a line per 10 % step of ninja's [N/M] counter;
  # the full output is shown when the build fails.
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  set +e
  NINJA_STATUS="[%f/%t] " ninja -C build 2>&1 | tee "$log" | awk -v start="$start" '
    match($0, /^\[[0-9]+\/[0-9]+\]/) {
      split(substr($0, 2, RLENGTH - 2), n, "/")
      if (n[2] > 0) {
        pct = int(100 * n[1] / n[2] / 10) * 10
        if (pct > last || (n[1] == 1 && !started)) {
          started = 1
          last = pct
          cmd = "date +%s"; cmd | getline now; close(cmd)
          printf "build.sh: %3d%% (%d/%d steps, %ds)\n", 100 * n[1] / n[2], n[1], n[2], now - start
          fflush()
        }
      }
    }'
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -ne 0 ]; then
    cat "$log"
    exit "$status"
  fi
fi
echo "build.sh: build up to date ($(( $(date +%s) - start ))s)"
