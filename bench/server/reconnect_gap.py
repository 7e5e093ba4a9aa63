#!/usr/bin/python3
"""Output gap at WHEP viewers when the WHIP publisher is killed and restarts.

The server is the ingest -> viewer pipeline of scripts/demo-server.sh in a
gst-launch child (reswhipserversrc ! queue ! reswhepserversink, 640x360 at
30 fps, stream key; its bus messages and the ingest's INFO log lines are
read as they come and stamped on arrival). One reswhepsrc viewer runs in
this process and decodes (sync=false: a frame counts when it leaves the
decoder); the mean luma of a row of each frame tells what it shows: the
publisher's picture (white, Y 235, or red, Y 81, alternating from one
publisher to the next), or the ingest's black filler (Y 16).

Each round: the current publisher (autorestoresink over WHIP in a
gst-launch child) has been on air at the viewer for 2 s; it is killed with
SIGKILL; after DELAY seconds a new publisher with the other colour starts.
Measured per round:

  gap        the longest interval between two consecutive frames at the
             viewer from the kill to 1 s after the first new frame (the
             viewer should never stop: hold, then black, then the new one);
  post->new  from the new publisher's POST (the ingest's "offered" log
             line) to the first frame of its colour at the viewer;
  conn->new  from its first RTP at the ingest (publisher-connected or
             publisher-replaced message) to that frame;
  spawn->new from starting the new publisher's process to that frame.

Prints every round, then the median and the worst of each figure.

Usage (repository root, after a build):
  [PLUGIN_DIR=DIR] bench/server/reconnect_gap.py [ROUNDS=10] [DELAY=1.0]
"""
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time

import benchgst
from benchgst import free_port

Gst = benchgst.gst("reconnect-gap")
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
DELAY = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
W, H = 640, 360
COLOURS = [("white", 235), ("red", 81)]
BLACK = 16


class Server:
    """The ingest -> viewers pipeline in a gst-launch child; events stamped."""

    def __init__(self, key):
        self.ingest = free_port()
        self.view = free_port()
        env = dict(os.environ, RESILIENT_STREAM_KEY=key,
                   GST_DEBUG="reswhipserversrc:4", GST_DEBUG_NO_COLOR="1")
        self.proc = subprocess.Popen(
            ["stdbuf", "-oL", "gst-launch-1.0", "-m", "reswhipserversrc", "name=in",
             "port=%d" % self.ingest, "width=%d" % W, "height=%d" % H,
             "in.video", "!", "queue", "!", "out.video", "in.audio", "!", "queue",
             "!", "out.audio", "reswhepserversink", "name=out",
             "port=%d" % self.view, "video-bitrate=1000"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.lock = threading.Lock()
        self.events = []  # (monotonic, kind, session id)
        for stream in (self.proc.stdout, self.proc.stderr):
            threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        offered = re.compile(r"publisher (\S+) \(\S+\) offered")
        message = re.compile(r"reswhipserversrc-(publisher-\w+), session-id=\(string\)(\w+)")
        for raw in stream:
            now = time.monotonic()
            line = raw.decode(errors="replace")
            m = offered.search(line)
            if m:
                self._add(now, "offered", m.group(1))
            m = message.search(line)
            if m:
                self._add(now, m.group(1), m.group(2))

    def _add(self, t, kind, sid):
        with self.lock:
            self.events.append((t, kind, sid))

    def first_after(self, t0, kinds):
        with self.lock:
            for t, kind, sid in self.events:
                if t >= t0 and kind in kinds:
                    return t, sid
        return None, None

    def stop(self):
        benchgst.stop(self.proc)


class Viewer:
    """A reswhepsrc viewer; every decoded frame stamped with its luma."""

    def __init__(self, port):
        self.pipe = Gst.parse_launch(
            "reswhepsrc endpoint=http://127.0.0.1:%d/whep ! video/x-raw ! "
            "videoconvert ! video/x-raw,format=I420 ! "
            "fakesink name=f signal-handoffs=true sync=false" % port)
        self.lock = threading.Lock()
        self.frames = []  # (monotonic, luma)
        self.pipe.get_by_name("f").connect("handoff", self._frame)
        self.pipe.set_state(Gst.State.PLAYING)

    def _frame(self, sink, buf, pad):
        now = time.monotonic()
        ok, info = buf.map(Gst.MapFlags.READ)
        if not ok:
            return
        row = info.data[W * (H // 2): W * (H // 2) + W: 8]
        buf.unmap(info)
        with self.lock:
            self.frames.append((now, sum(row) / len(row)))

    def since(self, t0):
        with self.lock:
            return [f for f in self.frames if f[0] >= t0]

    def stop(self):
        self.pipe.set_state(Gst.State.NULL)


def shows(luma, level):
    return abs(luma - level) < 25


def publisher(key, port, colour):
    return subprocess.Popen(
        ["gst-launch-1.0", "-q", "videotestsrc", "is-live=true", "pattern=" + colour,
         "!", "video/x-raw,width=%d,height=%d,framerate=30/1" % (W, H), "!",
         "ars.video", "audiotestsrc", "is-live=true", "!", "ars.audio",
         "autorestoresink", "name=ars",
         "location=whip://%s@127.0.0.1:%d/whip" % (key, port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(viewer, t0, level, timeout):
    """The first frame of `level` at the viewer after t0, or None."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for t, y in viewer.since(t0):
            if shows(y, level):
                return t
        time.sleep(0.01)
    return None


def on_air(viewer, level, seconds, timeout=20):
    """Waits until the viewer has shown `level` for `seconds`."""
    t = wait_for(viewer, time.monotonic() - 0.1, level, timeout)
    if t is None:
        return False
    time.sleep(max(0, t + seconds - time.monotonic()))
    return True


def main():
    key = "bench-%d" % os.getpid()
    server = Server(key)
    pubs = []
    viewer = None
    rows = []
    try:
        time.sleep(2)
        viewer = Viewer(server.view)
        turn = 0
        pub = publisher(key, server.ingest, COLOURS[turn][0])
        pubs.append(pub)
        if not on_air(viewer, COLOURS[turn][1], 2):
            print("the first publisher never reached the viewer", file=sys.stderr)
            return 1
        for r in range(ROUNDS):
            t_kill = time.monotonic()
            pub.send_signal(signal.SIGKILL)
            pub.wait()
            time.sleep(DELAY)
            turn = 1 - turn
            name, level = COLOURS[turn]
            t_spawn = time.monotonic()
            pub = publisher(key, server.ingest, name)
            pubs.append(pub)
            t_new = wait_for(viewer, t_spawn, level, 20)
            if t_new is None:
                print("round %d: no frame of the new publisher within 20 s" % (r + 1),
                      flush=True)
                rows.append(None)
                continue
            time.sleep(1.0)
            t_post, _ = server.first_after(t_spawn, ("offered",))
            t_conn, _ = server.first_after(
                t_spawn, ("publisher-connected", "publisher-replaced"))
            frames = [f for f in viewer.since(t_kill) if f[0] <= t_new + 1.0]
            gap = max((b[0] - a[0] for a, b in zip(frames, frames[1:])), default=None)
            black = sum(1 for _, y in frames if shows(y, BLACK))
            ms = lambda a, b: (b - a) * 1000 if a is not None and b is not None else None
            row = {"gap": ms(0, gap) if gap is not None else None,
                   "post->new": ms(t_post, t_new), "conn->new": ms(t_conn, t_new),
                   "spawn->new": ms(t_spawn, t_new)}
            rows.append(row)
            fmt = lambda v: "%.0f" % v if v is not None else "?"
            print("round %d: longest gap %s ms, post->new %s ms, conn->new %s ms, "
                  "spawn->new %s ms (%d frames, %d black)"
                  % (r + 1, fmt(row["gap"]), fmt(row["post->new"]),
                     fmt(row["conn->new"]), fmt(row["spawn->new"]), len(frames),
                     black), flush=True)
            if not on_air(viewer, level, 1):
                break
        done = [r for r in rows if r]
        print("rounds %d/%d (delay %.1f s)" % (len(done), ROUNDS, DELAY))
        for k in ("gap", "post->new", "conn->new", "spawn->new"):
            vals = [r[k] for r in done if r[k] is not None]
            if vals:
                print("%-10s median %4.0f ms, worst %4.0f ms"
                      % (k, statistics.median(vals), max(vals)))
        return 0 if len(done) == ROUNDS else 1
    finally:
        for p in pubs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if viewer:
            viewer.stop()
        server.stop()
        benchgst.remove_registry()


if __name__ == "__main__":
    sys.exit(main())
