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
"$@"
rc=$?
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
