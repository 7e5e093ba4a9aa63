#!/usr/bin/python3
"""reswhepserversink: viewer time to first frame on loopback.

One server (reswhepserversink fed a live 1280x720 30 fps test picture and
tone, H264 + Opus) in a gst-launch child; then TRIALS viewers one after the
other, each a `reswhepsrc endpoint=... ! fakesink` pipeline in this process
(decoded video): the time from set_state(PLAYING) -- the viewer's offer is
made and POSTed from there -- to the first decoded video frame at its
fakesink. Prints every trial and the median, min and max.

Usage (repository root, after a build):
  [PLUGIN_DIR=DIR] bench/server/ttff.py [TRIALS=10]
"""
import statistics
import subprocess
import sys
import threading
import time

import benchgst

Gst = benchgst.gst("ttff-bench")
trials = int(sys.argv[1]) if len(sys.argv) > 1 else 10
port = benchgst.free_port()
server = subprocess.Popen(
    ["gst-launch-1.0", "-q", "videotestsrc", "is-live=true", "pattern=ball", "!",
     "video/x-raw,width=1280,height=720,framerate=30/1", "!", "reswhepserversink",
     "name=s", "port=%d" % port, "audiotestsrc", "is-live=true", "!", "s."],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    time.sleep(2)
    results = []
    for i in range(trials):
        p = Gst.parse_launch(
            "reswhepsrc endpoint=http://127.0.0.1:%d/whep ! video/x-raw ! "
            "fakesink name=f signal-handoffs=true sync=false" % port)
        first = threading.Event()
        p.get_by_name("f").connect("handoff", lambda *a: first.set())
        t0 = time.monotonic()
        p.set_state(Gst.State.PLAYING)
        ok = first.wait(10)
        ms = (time.monotonic() - t0) * 1000
        p.set_state(Gst.State.NULL)
        if ok:
            results.append(ms)
            print("trial %d: first frame after %.0f ms" % (i + 1, ms), flush=True)
        else:
            print("trial %d: no frame within 10 s" % (i + 1), flush=True)
        time.sleep(0.5)
    if results:
        print("viewers %d/%d, time to first frame: median %.0f ms, min %.0f, max %.0f"
              % (len(results), trials, statistics.median(results), min(results),
                 max(results)))
finally:
    benchgst.stop(server)
    benchgst.remove_registry()
