#!/usr/bin/env bash
# ThreadSanitizer run of the element tests (and the unit tests), in its own
# build directory build-tsan/ (-Db_sanitize=thread). Every issue that
# touches threads runs this once before it is closed (docs/DESIGN.md).
# Usage: scripts/tsan.sh [meson test arguments, e.g. element-failoversrc]
# The race reports are collected in build-tsan/tsan/<pid>.* and summarised
# per location (our file:line first) at the end; the last line is
# `N passed, N failed` with every test binary that reported a race failed.
#
# GStreamer and GLib are not instrumented. Synchronisation TSan cannot see
# (GMutex and GCond are futex-based in GLib, GST_OBJECT_LOCK included) can
# produce reports that are not races; tsan.supp names the library-internal
# ones, and each report on our code is judged by reading the code.
set -uo pipefail
cd "$(dirname "$0")/.."
dir=${TSAN_BUILD_DIR:-build-tsan}
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" --wrap-mode=nofallback -Db_sanitize=thread -Db_lundef=false \
    -Dbench=disabled -Dintegration=disabled -Ddoc=disabled >/dev/null || exit 1
fi
nice ninja -C "$dir" >/dev/null || { nice ninja -C "$dir" | tail -30; echo "0 passed, 1 failed"; exit 1; }
rm -rf "$dir/tsan" "$dir/tests/results" "$dir/meson-logs/testlog.json"
mkdir -p "$dir/tsan"
# halt_on_error=0: collect every report of a run, not only the first.
# exitcode=66: a binary with a report fails.
export TSAN_OPTIONS="halt_on_error=0:exitcode=66:second_deadlock_stack=1:history_size=4:log_path=$PWD/$dir/tsan/report:suppressions=$PWD/scripts/tsan.supp"
export GST_REGISTRY_FORK=no
export G_SLICE=always-malloc
[ $# -eq 0 ] && set -- --suite element --suite unit
meson test -C "$dir" --no-rebuild --num-processes 1 --timeout-multiplier 5 "$@" \
  >"$dir/tsan-test.log" 2>&1
grep -E "^ *[0-9]+/[0-9]+ " "$dir/tsan-test.log"
# One line per distinct report: kind, then the first frame in our code of
# each of the two accesses.
python3 - "$dir/tsan" <<'PY'
import glob, re, sys, collections
seen = collections.Counter()
for f in glob.glob(sys.argv[1] + "/report.*"):
    text = open(f, errors="replace").read()
    for block in text.split("==================")[1:]:
        m = re.search(r"WARNING: ThreadSanitizer: ([^(\n]+)", block)
        if not m:
            continue
        ours = re.findall(r"#\d+ (\S+) .*?((?:gst|lib|tests)/[\w/.-]+:\d+)", block)
        locs = list(dict.fromkeys(f"{loc} ({fn})" for fn, loc in ours))[:3]
        key = m.group(1).strip() + " | " + " <-> ".join(locs)
        seen[key] += 1
for k, n in seen.most_common():
    print(f"{n:4d}x {k}")
print(f"{len(seen)} distinct reports" if seen else "no ThreadSanitizer reports")
PY
python3 tests/summarize.py "$dir"
