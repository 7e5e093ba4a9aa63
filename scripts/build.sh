#!/usr/bin/env bash
# Configures (once) and builds the tree in ./build from Debian packages only.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
  meson setup build --wrap-mode=nofallback >/dev/null
fi
ninja -C build >/dev/null || ninja -C build
