#!/usr/bin/env bash
# CI gate: AddressSanitizer + LeakSanitizer + UndefinedBehaviorSanitizer.
# Builds the tests in build-asan/ (-Db_sanitize=address,undefined, no
# benchmarks, no integration tests) and runs the unit suites and the
# element suites with leak checking and halt-on-error UBSan; any finding
# fails the test binary that hit it (for the element suites see step 2
# below: a failed timing assertion alone does not). Suppressions, each one justified, are in
# scripts/gates/lsan.supp and scripts/gates/ubsan.supp. Runnable alone from the repo root; the last
# line is `N passed, N failed`. Extra arguments go to `meson test` (for
# example a single test: scripts/gates/10-sanitizers.sh element-failoversrc).
set -uo pipefail
cd "$(dirname "$0")/../.."
dir=${ASAN_BUILD_DIR:-build-asan}
bash scripts/deps.sh >/dev/null || { echo "deps failed"; echo "0 passed, 1 failed"; exit 1; }
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" --wrap-mode=nofallback \
    -Db_sanitize=address,undefined -Db_lundef=false \
    -Dbench=disabled -Dintegration=disabled -Ddoc=disabled >/dev/null \
    || { echo "meson setup $dir failed"; echo "0 passed, 1 failed"; exit 1; }
fi
if ! nice ninja -C "$dir" >/dev/null 2>"$dir/ninja.err"; then
  nice ninja -C "$dir" | tail -40
  echo "ASan build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

ubsan_supp=$PWD/scripts/gates/ubsan.supp
lsan_supp=$PWD/scripts/gates/lsan.supp
# detect_leaks: LeakSanitizer at exit. halt_on_error: the first finding
# stops the binary (non-zero exit), never a report that scrolls by.
export ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1:print_summary=1"
export LSAN_OPTIONS="suppressions=$lsan_supp:print_suppressions=0:report_objects=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$ubsan_supp"
# The plugin is built with ASan; the system gst-plugin-scanner is not and
# could not load it. Scan in-process (tests/meson.build already gives the
# build its own registry file, $dir/tests/registry.test.bin).
export GST_REGISTRY_FORK=no
# GLib's slice allocator hides use-after-free and leaks from ASan.
export G_SLICE=always-malloc
export G_DEBUG=gc-friendly

# Build the registry cache once, leak checking off: scanning loads every
# system plugin in-process, and their load-time allocations (first run of
# element-controlloop: 98 KB from g_malloc in 3 blocks, fontconfig, OpenNI2
# drivers) are GStreamer's one-time cache building, not the tests. The tests
# then read the cache. gst-inspect-1.0 is a system binary: the ASan runtime
# is preloaded so it can load the ASan plugin.
LD_PRELOAD=$(gcc -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0 \
  GST_PLUGIN_PATH_1_0=$PWD/$dir/gst/resilient \
  GST_REGISTRY_1_0=$PWD/$dir/tests/registry.test.bin gst-inspect-1.0 >/dev/null 2>&1
rm -rf "$dir/tests/results" "$dir/meson-logs/testlog.json"
# Distinct exit codes, so the element run below can tell a sanitizer
# finding from a failed assertion: ASan 66, UBSan 67, LeakSanitizer 23.
export ASAN_OPTIONS="$ASAN_OPTIONS:exitcode=66"
export UBSAN_OPTIONS="$UBSAN_OPTIONS:exitcode=67"
export LSAN_OPTIONS="$LSAN_OPTIONS:exitcode=23"
# gst-launch-1.0 children of the element tests load the ASan plugin too:
# tests/fixtures/process.cpp preloads this runtime into gst-* children.
# libstdc++ with it: a C tool loads it only later (with the plugin), and
# ASan, which resolves its __cxa_throw interceptor at start-up, then aborts
# on the first C++ exception (libproxy's, under libsoup's proxy lookup in a
# reswhepsrc child: "CHECK failed ... real___cxa_throw").
export RESILIENT_GST_CHILD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libstdc++.so)"

show () {
  grep -hE "ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: " "$1" | sort | uniq -c | head -40
  grep -E "^ *[0-9]+/[0-9]+ " "$1"
}

if [ $# -gt 0 ]; then
  # On request: exactly what was asked for, every failure counts.
  meson test -C "$dir" --no-rebuild --print-errorlogs --num-processes 2 \
    --timeout-multiplier 3 "$@" >"$dir/asan-test.log" 2>&1
  show "$dir/asan-test.log"
  python3 tests/summarize.py "$dir"
  exit $?
fi

# 1. The unit suites (every parser and decision class): every failure
#    counts, a sanitizer finding or a failed assertion.
meson test -C "$dir" --no-rebuild --print-errorlogs --num-processes 2 \
  --timeout-multiplier 3 --suite unit >"$dir/asan-test.log" 2>&1
show "$dir/asan-test.log"
unit=$(python3 tests/summarize.py "$dir" | tee /dev/stderr | tail -1)

# 2. The element suites (the elements in real pipelines, with their HTTP,
#    WebRTC and child-process peers): here the gate judges what only a
#    sanitizer sees. A binary fails on an ASan, LeakSanitizer or UBSan
#    report, a crash or a timeout. Assertions on timing are the main
#    suite's job: under ASan everything runs 2-3 times slower, and bounds
#    such as "the backup on air within 3 s" do not hold; such failures are
#    listed, not counted (scripts/sanitizer-verdict.sh).
rm -f "$dir"/meson-logs/asan-element* "$dir/asan-verdicts.txt"
export SANITIZER_VERDICT_LOG=$PWD/$dir/asan-verdicts.txt
meson test -C "$dir" --no-rebuild --print-errorlogs --num-processes 1 \
  --timeout-multiplier 3 --suite element --logbase asan-element \
  --wrapper "$PWD/scripts/sanitizer-verdict.sh" \
  >"$dir/asan-element.log" 2>&1
show "$dir/asan-element.log"
[ -f "$dir/asan-verdicts.txt" ] && cat "$dir/asan-verdicts.txt"
# (meson names the log after the wrapper: asan-element-<wrapper>.json)
element=$(python3 - "$dir"/meson-logs/asan-element*.json <<'PY'
import json, os, sys
ok = bad = 0
if len(sys.argv) < 2 or not os.path.exists(sys.argv[1]):
    print("FAILED no element test log", file=sys.stderr)
    print("0 passed, 1 failed")
    sys.exit(0)
for line in open(sys.argv[1], encoding="utf-8"):
    if line.strip():
        t = json.loads(line)
        if t["result"] in ("OK", "EXPECTEDFAIL"):
            ok += 1
        else:
            bad += 1
            print(f"FAILED asan element binary {t['name']}: {t['result']}", file=sys.stderr)
print(f"{ok} passed, {bad} failed")
PY
)
echo "element binaries under ASan/UBSan/LSan: $element"
read -r up _ uf _ <<<"$unit"
read -r ep _ ef _ <<<"$element"
echo "$((up + ep)) passed, $((uf + ef)) failed"
[ $((uf + ef)) -eq 0 ]
