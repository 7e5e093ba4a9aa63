#!/bin/bash
# CPU of one encoded RTMP stream received by failoversrc mode=encoded, side
# by side in one run with the same stream received by a bare uridecodebin
# (what a candidate runs), so the element's own cost is the difference.
#
# A SIZE H.264 + AAC FLV (x264 ultrafast, 3 Mbit/s, 1 s GOP, WINDOW + 15 s
# long) is made once and, for each measurement, published afresh to a local
# nginx-rtmp by a gst-launch publisher that only demuxes and remuxes (no
# encoding under the measurement). Each configuration receives it for WINDOW s
# after 4 s of warm-up, ROUNDS times, alternating; process CPU from
# /proc/PID/stat (utime + stime), thread switches from every task's
# voluntary_ctxt_switches. Receivers (each output `! queue ! fakesink`):
#   bare-sync   uridecodebin caps=<parsed H.264 / framed AAC>, sinks sync=true
#               (the queues fill and hold the source back: reads in bursts)
#   bare-drain  the same, sinks sync=false (read as it arrives, as a live
#               output that is not held back does)
#   encoded:N   failoversrc mode=encoded with the plugin found under the
#               N-th directory of PLUGIN_DIRS (before/after builds)
# Usage (repository root, after a build):
#   bash bench/failover/encoded-rtmp-cpu.sh [ROUNDS] [WINDOW] [PLUGIN_DIRS]
#   PLUGIN_DIRS: colon-separated, default build/gst/resilient
# SIZE (default 1280x720) from the environment.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
window=${2:-20}
IFS=: read -r -a plugins <<<"${3:-build/gst/resilient}"
size=${SIZE:-1280x720}
secs=$((window + 15))
W=${size%x*}
H=${size#*x}
. bench/common.sh

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$dir/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off;
master_process off;
pid $dir/nginx.pid;
error_log $dir/nginx.log info;
events { worker_connections 64; }
rtmp { server { listen 127.0.0.1:$port; chunk_size 4096;
  application live { live on; } } }
EOF
nginx -c "$dir/nginx.conf" -p "$dir" >/dev/null 2>&1 &
pids+=($!)

echo "encoding a ${size} ${secs} s H.264 + AAC file ..." >&2
gst-launch-1.0 -q videotestsrc num-buffers=$((secs * 30)) pattern=ball \
  ! "video/x-raw,width=$W,height=$H,framerate=30/1" \
  ! x264enc speed-preset=ultrafast tune=zerolatency bitrate=3000 key-int-max=30 \
  ! h264parse ! queue ! flvmux name=m streamable=true ! filesink location="$dir/in.flv" \
  audiotestsrc num-buffers=$((secs * 47)) samplesperbuffer=1024 \
  ! audio/x-raw,rate=48000 ! voaacenc ! aacparse ! queue ! m. >/dev/null

url=rtmp://127.0.0.1:$port/live/s

C='video/x-h264,parsed=true;audio/mpeg,framed=true'
switches () { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt/ { s += $2 } END { print s + 0 }'; }

measure () {
  local name=$1; shift
  # The publisher: the file at its own pace (rtmp2sink syncs).
  gst-launch-1.0 -q filesrc location="$dir/in.flv" ! flvdemux name=d \
    d.video ! queue ! h264parse ! flvmux name=m streamable=true \
    ! rtmp2sink location="$url" d.audio ! queue ! aacparse ! m. >/dev/null 2>&1 &
  local pub=$!
  pids+=($pub)
  sleep 2
  "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep 4
  local t0 s0 t1 s1 th
  t0=$(ticks $pid); s0=$(switches $pid)
  sleep "$window"
  if ! kill -0 $pid 2>/dev/null; then
    echo "$name: the receiver stopped" >&2; kill $pub; return
  fi
  t1=$(ticks $pid); s1=$(switches $pid); th=$(ls /proc/$pid/task | wc -l)
  kill $pid $pub; wait $pid $pub 2>/dev/null || true
  awk -v n="$name" -v a="$t0" -v b="$t1" -v t="$tck" -v w="$window" \
      -v s=$((s1 - s0)) -v th="$th" \
    'BEGIN { printf "| %s | %.2f | %d | %d |\n", n, (b - a) / t / w * 100, s / w, th }'
}

echo "| receiver | % of a core | switches/s | threads |"
echo "|---|---:|---:|---:|"
for r in $(seq "$rounds"); do
  measure bare-sync gst-launch-1.0 -q uridecodebin uri=$url caps="$C" name=d \
    d. ! queue ! fakesink sync=true d. ! queue ! fakesink sync=true
  measure bare-drain gst-launch-1.0 -q uridecodebin uri=$url caps="$C" name=d \
    d. ! queue ! fakesink sync=false d. ! queue ! fakesink sync=false
  for i in "${!plugins[@]}"; do
    GST_PLUGIN_PATH=${plugins[$i]} measure "encoded:$i" \
      gst-launch-1.0 -q failoversrc mode=encoded uris=$url name=f \
      f.video ! queue ! fakesink sync=true f.audio ! queue ! fakesink sync=true
  done
done
