#!/usr/bin/env bash
# CI gate: the Debian package gstreamer1.0-resilient builds with
# dpkg-buildpackage -b -us -uc from Debian build-dependencies alone, and the
# unpacked package provides every element and the tracer through
# GStreamer's plugin directory (scripts/check-package.sh). It is a full
# build of the plugin (44 ninja steps, no tests or benchmarks), in a copy
# under /tmp. Last line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
bash scripts/deps.sh >/dev/null 2>&1 || { echo "deps.sh failed"; echo "0 passed, 1 failed"; exit 1; }
exec bash scripts/check-package.sh
