#!/usr/bin/env bash
# The whole test suite: installs missing Debian packages, builds, runs every
# test and ends with `N passed, N failed`. Extra arguments go to `meson test`
# (for example a suite: scripts/test.sh --suite unit).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh || { echo "0 passed, 1 failed"; exit 1; }
# npm packages of the interop tests (werift); without them those tests skip.
bash scripts/npm-deps.sh || echo "npm-deps: failed; interop tests will be skipped"
if ! bash scripts/build.sh; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi
rm -rf build/tests/results build/meson-logs/testlog.json
meson test -C build --print-errorlogs --num-processes 2 "$@"
python3 tests/summarize.py build
