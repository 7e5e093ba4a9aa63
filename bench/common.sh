# Sourced by the bench shell scripts: a scratch directory `$dir` removed at
# exit, the array `pids` of processes started (each killed at exit), and
# `ticks PID`, the CPU time (utime + stime) of a process in clock ticks of
# `$tck` a second.
dir=$(mktemp -d)
pids=()
cleanup () {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
tck=$(getconf CLK_TCK)
ticks () { awk '{print $14 + $15}' "/proc/$1/stat"; }
