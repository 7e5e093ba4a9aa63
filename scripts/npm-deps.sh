#!/usr/bin/env bash
# Installs the npm packages the interop tests use, exactly as pinned by the
# committed lock files (npm ci), when they are not installed yet:
#   tests/interop/werift   werift 0.22.x (Node 20; 0.23+ needs Node 22)
# Safe to run again: it does nothing when node_modules matches the lock.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v npm >/dev/null 2>&1; then
  echo "npm-deps: npm is not installed; interop tests will be skipped"
  exit 0
fi
for dir in "$root/tests/interop/werift"; do
  lock="$dir/package-lock.json"
  stamp="$dir/node_modules/.package-lock.json"
  if [ -f "$stamp" ] && [ "$stamp" -nt "$lock" ]; then
    continue
  fi
  echo "npm-deps: installing $(basename "$dir") from its lock file"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
done
