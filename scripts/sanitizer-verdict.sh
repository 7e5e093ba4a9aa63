#!/usr/bin/env bash
# meson test --wrapper for the sanitizer gate's element run
# (scripts/gates/10-sanitizers.sh): runs one element test binary and
# judges it by what the sanitizers saw.
#   0            pass
#   66 / 67 / 23 an ASan / UBSan / LeakSanitizer report: fail
#   1            a failed GoogleTest assertion and no sanitizer report: the
#                binary's behaviour is judged by the main suite on the
#                unsanitized build (timing bounds do not hold 2-3 times
#                slower); listed on the log as `sanitizer-verdict:`, passes
#   anything else (a signal, a timeout kill, exec failure): fail
# LeakSanitizer's own fatal error at exit ("Tracer caught signal 11":
# its stop-the-world tracer crashed, seen once in element-whipserver on
# 2026-12-06) ends the binary with LSan's exit code but is no report: the
# leak check did not run. Such a run is repeated once and the repeat is
# judged; a real report ("detected memory leaks") fails at once.
run () {
  local err
  err=$(mktemp)
  "$@" 2>"$err"
  rc=$?
  cat "$err" >&2
  lsan_fatal=0
  grep -q "LeakSanitizer has encountered a fatal error" "$err" \
    && ! grep -q "detected memory leaks" "$err" && lsan_fatal=1
  rm -f "$err"
}
run "$@"
if [ "$rc" -eq 23 ] && [ "$lsan_fatal" -eq 1 ]; then
  echo "sanitizer-verdict: $(basename "$1"): LeakSanitizer's tracer failed (no leak check); running once more" >&2
  run "$@"
fi
say () {
  echo "sanitizer-verdict: $(basename "$1"): $2"
  [ -n "${SANITIZER_VERDICT_LOG:-}" ] \
    && echo "sanitizer-verdict: $(basename "$1"): $2" >>"$SANITIZER_VERDICT_LOG"
}
case $rc in
  0) exit 0 ;;
  66) say "$1" "AddressSanitizer report"; exit 1 ;;
  67) say "$1" "UndefinedBehaviorSanitizer report"; exit 1 ;;
  23) say "$1" "LeakSanitizer report"; exit 1 ;;
  1) say "$1" "assertions failed without a sanitizer report (timing under ASan; the main suite judges them)"; exit 0 ;;
  *) say "$1" "exit $rc (crash or kill)"; exit "$rc" ;;
esac
