#!/usr/bin/python3
"""Viewer churn soak of reswhepserversink: every viewer session must leave
no file descriptor, thread or memory behind.

The server is a gst-launch child (a 640x360 30 fps test picture and tone,
x264 + Opus, reswhepserversink on a free loopback port; its bus messages
and INFO log read as they come). Viewers are reswhepsrc gst-launch children
(`caps=application/x-rtp`, no decode) in batches of CONCURRENT: each plays
for PLAY seconds (long enough to be moved onto the direct send path), then
stops with SIGINT (it DELETEs its session), except one batch in KILL_EVERY
whose viewers are killed with SIGKILL (their sessions reaped when their
RTCP stops). After each batch, once the server has seen every viewer leave,
its fds, threads and RSS are read from /proc.

Judged after WARMUP sessions (the first viewers load webrtcbin, libnice,
DTLS and OpenSSL state once): the highest fd and thread counts of the
last samples no higher than in the first third after the warm-up (idle
pool threads come and go), RSS growth per 100 sessions printed. Also
counted: sessions that reached the direct send path ("direct send ready"
in the server's INFO log) and the viewers' reasons for leaving.

Usage (repository root, after a build):
  [PLUGIN_DIR=DIR] [DIRECT_SEND=false] bench/server/viewer_soak.py [SESSIONS=200] [CONCURRENT=4] [PLAY=2.0]
DIRECT_SEND=false runs the server with direct-send=false (the sessions are
then not expected on the direct path).
Last line: `N passed, N failed` (fds, threads, every session served).
"""
import os
import re
import signal
import subprocess
import sys
import threading
import time

import benchgst
from benchgst import free_port, stop

benchgst.gst("viewer-soak")
SESSIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 200
CONCURRENT = int(sys.argv[2]) if len(sys.argv) > 2 else 4
PLAY = float(sys.argv[3]) if len(sys.argv) > 3 else 2.0
WARMUP = max(CONCURRENT * 3, 12)
KILL_EVERY = 5
DIRECT = os.environ.get("DIRECT_SEND", "true") != "false"


class Server:
    def __init__(self):
        self.port = free_port()
        env = dict(os.environ, GST_DEBUG="reswhepserversink:4",
                   GST_DEBUG_NO_COLOR="1")
        self.proc = subprocess.Popen(
            ["gst-launch-1.0", "-m", "videotestsrc", "is-live=true",
             "pattern=ball", "!",
             "video/x-raw,width=640,height=360,framerate=30/1", "!",
             "reswhepserversink", "name=s", "port=%d" % self.port,
             "video-bitrate=800", "direct-send=%s" % str(DIRECT).lower(),
             "audiotestsrc", "is-live=true", "!", "s."],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
            text=True, errors="replace")
        self.joined = 0
        self.left = 0
        self.direct = 0
        self.errors = []
        self.reasons = {}
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            with self.lock:
                if "reswhepserversink-viewer-joined" in line:
                    self.joined += 1
                elif "reswhepserversink-viewer-left" in line:
                    self.left += 1
                    m = re.search(r'reason=\(string\)"?([^,";]*)', line)
                    r = m.group(1) if m else "?"
                    r = re.sub(r"\d+", "N", r)
                    self.reasons[r] = self.reasons.get(r, 0) + 1
                elif "direct send ready" in line:
                    self.direct += 1
                elif " ERROR " in line or "ERROR:" in line:
                    self.errors.append(line.strip())

    def counts(self):
        with self.lock:
            return self.joined, self.left

    def sample(self):
        pid = self.proc.pid
        fds = len(os.listdir("/proc/%d/fd" % pid))
        status = open("/proc/%d/status" % pid).read()
        threads = int(re.search(r"Threads:\s+(\d+)", status).group(1))
        rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        return fds, threads, rss


def viewer(port):
    return subprocess.Popen(
        ["gst-launch-1.0", "-q", "reswhepsrc",
         "endpoint=http://127.0.0.1:%d/whep" % port,
         "caps=application/x-rtp", "!", "fakesink"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        errors="replace")


def wait_idle(server, started, timeout=30.0):
    """True once every viewer started has joined and left."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        joined, left = server.counts()
        if left >= started:
            return True
        time.sleep(0.2)
    return False


def main():
    server = Server()
    time.sleep(2)
    started = 0
    batch = 0
    samples = []  # (sessions, fds, threads, rss)
    lost = 0
    t0 = time.monotonic()
    try:
        while started < SESSIONS:
            batch += 1
            procs = [viewer(server.port) for _ in range(CONCURRENT)]
            started += len(procs)
            time.sleep(PLAY)
            kill = batch % KILL_EVERY == 0
            for p in procs:
                p.send_signal(signal.SIGKILL if kill else signal.SIGINT)
            errs = []
            for p in procs:
                try:
                    errs.append(p.communicate(timeout=10)[1])
                except subprocess.TimeoutExpired:
                    p.kill()
                    errs.append(p.communicate()[1])
            if not wait_idle(server, started - lost):
                joined, left = server.counts()
                print("batch %d: %d viewers never joined, %d sessions still "
                      "open" % (batch, started - lost - joined, joined - left),
                      file=sys.stderr, flush=True)
                for e in errs:
                    if e.strip():
                        print("  a viewer said: " + e.strip()[-300:],
                              file=sys.stderr)
                lost = started - left
            fds, threads, rss = server.sample()
            samples.append((started, fds, threads, rss))
            print("%5d sessions (%s): fds %d, threads %d, RSS %d KiB" % (
                started, "killed" if kill else "DELETE", fds, threads, rss),
                flush=True)
    finally:
        stop(server.proc)
        benchgst.remove_registry()
    base = next(s for s in samples if s[0] >= WARMUP)
    last = samples[-1]
    sessions = last[0] - base[0]
    rss_per_100 = (last[3] - base[3]) * 100.0 / max(sessions, 1)
    joined, left = server.counts()
    print("after the warm-up (%d sessions): %d sessions in %.0f s; fds %d -> %d "
          "(max %d), threads %d -> %d (max %d), RSS %d -> %d KiB (%.0f KiB "
          "per 100 sessions)" % (
              base[0], sessions, time.monotonic() - t0, base[1], last[1],
              max(s[1] for s in samples if s[0] >= base[0]), base[2], last[2],
              max(s[2] for s in samples if s[0] >= base[0]), base[3], last[3],
              rss_per_100))
    print("sessions: %d started, %d joined, %d left, %d on the direct path; "
          "reasons: %s" % (started, joined, left, server.direct,
                           ", ".join("%s %d" % kv for kv in sorted(
                               server.reasons.items()))))
    # Idle threads of GLib's and GStreamer's pools come and go (18-33 in a
    # run): a leak shows as growth of the highest count, so the last
    # samples' highest is judged against the highest of the first third
    # after the warm-up.
    after = [s for s in samples if s[0] >= base[0]]
    early = after[:max(len(after) // 3, 1)]
    late = after[-3:]
    checks = [
        ("no fd left behind",
         max(s[1] for s in late) <= max(s[1] for s in early)),
        ("no thread left behind",
         max(s[2] for s in late) <= max(s[2] for s in early)),
        ("every session joined and left", joined == started and left == started
         and lost == 0),
        ("every session on the direct path" if DIRECT else
         "no session on the direct path",
         server.direct == (started if DIRECT else 0)),
        ("no ERROR from the server", not server.errors),
    ]
    for name, ok in checks:
        print("%s %s" % ("PASS" if ok else "FAIL", name))
    for e in server.errors[:5]:
        print("  " + e)
    passed = sum(1 for _, ok in checks if ok)
    print("%d passed, %d failed" % (passed, len(checks) - passed))
    return 0 if passed == len(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
