#!/bin/bash
# CPU of failoversrc's filler, side by side in one run: the process CPU of
#   failoversrc mode=encoded uris=file://in.flv ! h264parse ! flvmux ! fakesink
# (and the audio pad into the same flvmux) while its one candidate (a
# SIZE H.264 + AAC file, 10 s) is on the output, then while the output is on
# the encoded filler (the file ended; its retry is 10 min away), and the same
# with every H.264/AAC encoder ranked out (no slate: the pads carry nothing
# on filler, as before the encoded filler existed), and for mode=decoded
# (raw filler: black and silence, into fakesinks).
# Run from the build tree's devenv:
#   meson devenv -C build bash bench/filler/encoded-filler-cpu.sh [WxH] [rounds]
set -euo pipefail
size=${1:-1280x720}
rounds=${2:-3}
W=${size%x*}
H=${size#*x}
. "$(dirname "$0")/../common.sh"

gst-launch-1.0 -q videotestsrc num-buffers=300 pattern=red \
  ! "video/x-raw,width=$W,height=$H,framerate=30/1" \
  ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 \
  ! h264parse ! queue ! flvmux name=m ! filesink location="$dir/in.flv" \
  audiotestsrc num-buffers=470 samplesperbuffer=1024 \
  ! audio/x-raw,rate=48000,channels=2 ! voaacenc ! aacparse ! queue ! m. \
  >/dev/null

# cpu PID FROM TO: percent of one core between seconds FROM and TO of the run
cpu () {
  local pid=$1 from=$2 to=$3 t0 t1
  sleep "$from"
  t0=$(ticks "$pid")
  sleep $((to - from))
  t1=$(ticks "$pid")
  awk -v a="$t0" -v b="$t1" -v s=$((to - from)) -v t="$tck" \
    'BEGIN { printf "%.2f", (b - a) / t / s * 100 }'
}

# The run without the filler (its behaviour before the filler existed):
# every H.264 and AAC encoder ranked out of reach, so no slate is made.
ranked_out=x264enc:NONE,openh264enc:NONE,voaacenc:NONE,avenc_aac:NONE
common="uris=file://$dir/in.flv timeout=1000 retry-delay=600000 retry-max-delay=600000"
run () {
  local mode=$1
  if [ "$mode" = encoded ] || [ "$mode" = no-filler ]; then
    [ "$mode" = no-filler ] && export GST_PLUGIN_FEATURE_RANK=$ranked_out
    GST_DEBUG=failoversrc:4 GST_DEBUG_NO_COLOR=1 \
    gst-launch-1.0 -q failoversrc name=f mode=encoded $common \
      f.video ! h264parse ! queue ! flvmux name=m streamable=true ! fakesink \
      f.audio ! aacparse ! queue ! m. >"$dir/$mode.log" 2>&1 &
    unset GST_PLUGIN_FEATURE_RANK
  else
    gst-launch-1.0 -q failoversrc name=f $common \
      f.video ! queue ! fakesink f.audio ! queue ! fakesink \
      >"$dir/$mode.log" 2>&1 &
  fi
  local pid=$!
  pids+=("$pid")
  # 2-9 s: the file on the output; 14-34 s: on filler.
  local air filler
  air=$(cpu "$pid" 2 9)
  filler=$(cpu "$pid" 5 25)
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  # The filler was on: the slate was made (encoded) / the switch to it.
  if [ "$mode" = encoded ] && ! grep -q "slate ready" "$dir/$mode.log"; then
    echo "encoded run: no slate made" >&2
    exit 1
  fi
  if [ "$mode" = no-filler ] && ! grep -q "No h264 filler" "$dir/$mode.log"; then
    echo "no-filler run: an H.264 encoder was found" >&2
    exit 1
  fi
  echo "$mode $air $filler"
}

echo "size $size, $rounds rounds; percent of one core: on air (s 2-9), on filler (s 14-34)"
for r in $(seq "$rounds"); do
  run encoded
  run no-filler
  run decoded
done | awk '{ air[$1] = air[$1] " " $2; fil[$1] = fil[$1] " " $3 }
  END { for (m in air) printf "%s: on air%s | on filler%s\n", m, air[m], fil[m] }'
