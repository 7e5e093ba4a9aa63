#!/bin/sh
# reswhepserversink: CPU of the serving process for 1 and N viewers of one
# 1280x720 30 fps H264 + Opus stream, side by side in one run.
#
# Usage (from the repository root, after a build):
#   [PATTERN=snow] [PLUGIN_DIR=DIR] [DIRECT="false true"] bench/server/run-whepserver-bench.sh [N=10] [SECONDS=10]
# N may be a list (10,30): one row per count after the 1-viewer row.
# DIRECT: the values of the sink's direct-send to compare, side by side in
# this run (each gets its own 1-viewer and N-viewer rows); default both,
# webrtcbin's path (false) first.
#
# The viewers are reswhepsrc gst-launch processes that take the RTP as is
# (caps=application/x-rtp, no decode), so their own CPU stays out of the
# figure; the server's CPU (utime + stime of its process from /proc) is
# measured over SECONDS once every viewer is connected. Prints one line per
# row: viewers, server CPU in % of one core, and the per-extra-viewer cost.
set -eu
N=${1:-10}
SECS=${2:-10}
PATTERN=${PATTERN:-ball} # videotestsrc pattern; snow fills the bitrate (~7 packets a frame)
# INPUT=encoded: H264 encoded in another process and sent to the server as
# RTP over loopback UDP (reswhepserversink's encoded input); the server's
# CPU is then the serving alone, without the encode's own variation
INPUT=${INPUT:-raw}
DIRECT=${DIRECT:-false true}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# PLUGIN_DIR: another build of the plugin (a before/after comparison)
export GST_PLUGIN_PATH_1_0="${PLUGIN_DIR:-$ROOT/build/gst/resilient}"
export GST_REGISTRY_1_0="${TMPDIR:-/tmp}/whepserver-bench-registry-$$.bin"
TICK=$(getconf CLK_TCK)
LOGS=$(mktemp -d)
pids=""
cleanup () { for p in $pids; do kill "$p" 2>/dev/null || true; done; }
trap 'cleanup; rm -rf "$LOGS" "$GST_REGISTRY_1_0"' EXIT INT TERM

cpu_ticks () { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# user-space ticks alone (utime): the rest is the kernel's, mostly the UDP
# sends and, on loopback, the receiving viewers' wake-ups they pay for
user_ticks () { awk '{ print $14 }' "/proc/$1/stat"; }
# context switches of all the process's threads (thread wake-ups)
switches () { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { n += $2 } END { print n }'; }
# CPU ticks of the threads that exist once per viewer: each viewer's appsrc
# streaming threads (video:src, audio:src) and its webrtcbin's (webrtc:pc,
# nicesrc*, rtpsession-*, queue* of its transport bins, dtls*); the encode
# chain's own threads are named after its elements (x264, opusenc, udpsrc,
# videotestsrc, audiotestsrc) and the fan-out's queue threads are queue0/1
# of the sink's chains. Read at one moment; the difference of two reads is
# the viewers' own CPU, without the encode's variation.
viewer_ticks () {
  for t in /proc/"$1"/task/*; do
    printf '%s\t%s\n' "$(cat "$t/comm" 2>/dev/null)" \
      "$(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null)"
  done | awk -F'\t' '$1 ~ /^(video:src|audio:src|webrtc:pc|nicesrc|rtpsession|dtls)/ { n += $2 } END { print n + 0 }'
}

run_row () {
  n=$1
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  if [ "$INPUT" = encoded ]; then
    # the encode in a process of its own, RTP over loopback UDP: the
    # server process only depayloads, parses and serves
    uport=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    gst-launch-1.0 -q udpsrc address=127.0.0.1 port="$uport" \
      caps="application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=96" ! \
      rtph264depay ! h264parse ! reswhepserversink name=s port="$port" \
      direct-send="$direct" audiotestsrc is-live=true ! opusenc ! s. >/dev/null 2>&1 &
    server=$!
    gst-launch-1.0 -q videotestsrc is-live=true pattern="$PATTERN" ! \
      video/x-raw,width=1280,height=720,framerate=30/1 ! \
      x264enc tune=zerolatency speed-preset=ultrafast key-int-max=120 bitrate=2000 ! \
      video/x-h264,profile=constrained-baseline ! rtph264pay config-interval=-1 ! \
      udpsink host=127.0.0.1 port="$uport" >/dev/null 2>&1 &
    pids="$pids $server $!"
  else
    gst-launch-1.0 -q videotestsrc is-live=true pattern="$PATTERN" ! \
      video/x-raw,width=1280,height=720,framerate=30/1 ! \
      reswhepserversink name=s port="$port" direct-send="$direct" \
      audiotestsrc is-live=true ! s. >/dev/null 2>&1 &
    server=$!
    pids="$pids $server"
  fi
  sleep 2
  vp=""
  i=0
  while [ "$i" -lt "$n" ]; do
    gst-launch-1.0 -m reswhepsrc endpoint="http://127.0.0.1:$port/whep" \
      caps=application/x-rtp ! fakesink >"$LOGS/viewer-$n-$i.log" 2>&1 &
    vp="$vp $!"
    i=$((i + 1))
  done
  pids="$pids $vp"
  sleep 5   # every viewer connected and fed
  a=$(cpu_ticks "$server")
  ua=$(user_ticks "$server")
  sa=$(switches "$server")
  va=$(viewer_ticks "$server")
  sleep "$SECS"
  b=$(cpu_ticks "$server")
  ub=$(user_ticks "$server")
  sb=$(switches "$server")
  vb=$(viewer_ticks "$server")
  pct=$(echo "($b - $a) * 100 / ($TICK * $SECS)" | bc -l)
  upct=$(echo "($ub - $ua) * 100 / ($TICK * $SECS)" | bc -l)
  vpct=$(echo "($vb - $va) * 100 / ($TICK * $SECS * $n)" | bc -l)
  # a viewer counts when its first media left reswhepsrc (bus message)
  fed=$(grep -l reswhepsrc-first-media "$LOGS"/viewer-"$n"-*.log | wc -l)
  printf 'direct-send=%s, %d viewers (%d fed): server CPU %.1f %% of one core (user space %.1f %%), %d thread switches/s, the viewers'"'"' own threads %.2f %% per viewer\n' \
    "$direct" "$n" "$fed" "$pct" "$upct" $(((sb - sa) / SECS)) "$vpct" >&2
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=""
  echo "$pct $upct"
}

for direct in $DIRECT; do
  set -- $(run_row 1 | tail -1)
  one=$1 uone=$2
  for n in $(echo "$N" | tr ',' ' '); do
    set -- $(run_row "$n" | tail -1)
    printf 'direct-send=%s: each extra viewer (1 -> %d): %.2f %% of one core (user space %.2f %%)\n' \
      "$direct" "$n" "$(echo "($1 - $one) / ($n - 1)" | bc -l)" \
      "$(echo "($2 - $uone) / ($n - 1)" | bc -l)"
  done
done
