#!/usr/bin/env bash
# The server side in one command (scripts/demo.sh server): on 127.0.0.1,
# reswhipserversrc takes a stream in over WHIP (stream key), re-serves it
# with reswhepserversink to two reswhepsrc viewers and records it in clips;
# autorestoresink publishes to it over WHIP, is killed -9 and restarted.
# Every event is printed with its time since the start as it happens; the
# viewers' frame counts are printed every 2 s (they never stop: black and
# silence while the publisher is away); the clips are listed at the end.
# Everything it starts is stopped by process id when it ends, also on
# Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
out="${1:-$root/demo-output/server}"

if [ "${SKIP_BUILD:-}" != 1 ]; then
  echo "== installing missing packages (scripts/deps.sh)"
  bash scripts/deps.sh
  echo "== building (scripts/build.sh)"
  bash scripts/build.sh
fi

export GST_PLUGIN_PATH="$root/build/gst/resilient${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
export GST_REGISTRY_1_0="$root/build/registry.demo-server.bin"
for el in reswhipserversrc reswhepserversink reswhepsrc autorestoresink; do
  gst-inspect-1.0 "$el" >/dev/null 2>&1 || {
    echo "$el is not registered by build/gst/resilient; nothing to demo" >&2
    exit 1
  }
done

free_port () {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
ingest_port=$(free_port)
view_port=$(free_port)
key="demo-$RANDOM$RANDOM"
mkdir -p "$out"
rm -f "$out"/clip-*.mkv
start=${EPOCHREALTIME/,/.}
pids=()
cleanup () {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stamp () {
  local line
  while IFS= read -r line; do
    printf '[%6.2f s] %-9s %s\n' \
      "$(echo "${EPOCHREALTIME/,/.} - $start" | bc)" "$1" "$line"
  done
}
say () { echo "$1" | stamp demo; }

# The server: the ingest, the viewers' endpoint, the recording (10 s clips).
# -m prints the elements' messages; only the events are shown.
# (stdbuf: gst-launch's output is line by line into the filters; $! is
# gst-launch itself, so that it is the process stopped at the end)
RESILIENT_STREAM_KEY="$key" stdbuf -oL gst-launch-1.0 -m reswhipserversrc name=in \
    port="$ingest_port" width=640 height=360 \
    recording-location="$out/clip-%05d.mkv" recording-max-duration=10000 \
    in.video ! queue ! out.video  in.audio ! queue ! out.audio \
    reswhepserversink name=out port="$view_port" video-bitrate=1000 \
  > >(grep --line-buffered -E 'reswhipserversrc-|reswhepserversink-|ERROR|WARNING' \
      | sed -u -e 's/^Got message #[0-9]* from element "[a-z]*" (element): //' \
      | stamp server) 2>&1 &
pids+=($!)
say "server: WHIP ingest http://127.0.0.1:$ingest_port/whip, WHEP http://127.0.0.1:$view_port/whep"
sleep 2

viewer () {
  stdbuf -oL gst-launch-1.0 reswhepsrc endpoint="http://127.0.0.1:$view_port/whep" \
      ! video/x-raw ! fpsdisplaysink video-sink=fakesink text-overlay=false \
      fps-update-interval=2000 -v \
    > >(grep --line-buffered -o 'rendered: [0-9]*, dropped: [0-9]*' \
        | stamp "viewer $1") 2>&1 &
  pids+=($!)
}
viewer 1
viewer 2
say "two reswhepsrc viewers started"
sleep 3

publisher () {
  exec_publisher () { exec gst-launch-1.0 -q videotestsrc is-live=true pattern=ball \
      ! video/x-raw,width=640,height=360,framerate=30/1 ! ars.video \
      audiotestsrc is-live=true ! ars.audio \
      autorestoresink name=ars location="whip://$key@127.0.0.1:$ingest_port/whip"; }
  exec_publisher >/dev/null 2>&1 &
  pub=$!
  pids+=($pub)
}
publisher
say "publisher (autorestoresink over WHIP) started, pid $pub"
sleep 10
kill -9 "$pub"
wait "$pub" 2>/dev/null || true
say "publisher killed -9"
sleep 8
publisher
say "publisher restarted, pid $pub"
sleep 12
say "stopping"
cleanup
trap - EXIT
sleep 1
echo "== clips in $out"
ls -l "$out"/ | grep clip- || echo "(no clips)"
