#!/usr/bin/env python3
"""A half-dead live HLS server for failoversrc tests (issue 14.7).

Serves a live sliding playlist over the MPEG-TS segments of a directory
(played in a loop, media sequence advancing with wall time) whose playlist
is always fine, but every segment stalls halfway: the first half is sent at
once, the rest only after --stall seconds. For the first --refuse seconds
every request gets 503 (the primary is down, then comes back half-dead).

usage: half_dead_hls.py PORT DIR [--stall S] [--refuse S]
"""
import argparse
import glob
import http.server
import math
import os
import time

ap = argparse.ArgumentParser()
ap.add_argument("port", type=int)
ap.add_argument("dir")
ap.add_argument("--stall", type=float, default=1.5)
ap.add_argument("--refuse", type=float, default=0.0)
ap.add_argument("--duration", type=float, default=2.0)
args = ap.parse_args()

SEGMENTS = [open(p, "rb").read()
            for p in sorted(glob.glob(os.path.join(args.dir, "*.ts")))]
T0 = time.monotonic()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        now = time.monotonic() - T0
        if now < args.refuse:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path = self.path.split("?")[0]
        if path.endswith(".m3u8"):
            seq = int(now / args.duration)
            lines = ["#EXTM3U", "#EXT-X-VERSION:3",
                     "#EXT-X-TARGETDURATION:%d" % math.ceil(args.duration),
                     "#EXT-X-MEDIA-SEQUENCE:%d" % seq]
            for n in range(seq, seq + 3):
                lines += ["#EXTINF:%.3f," % args.duration, "seg%d.ts" % n]
            body = ("\n".join(lines) + "\n").encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.apple.mpegurl")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if path.startswith("/seg") and path.endswith(".ts"):
            n = int(path[4:-3])
            data = SEGMENTS[n % len(SEGMENTS)]
            self.send_response(200)
            self.send_header("Content-Type", "video/mp2t")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            half = len(data) // 2
            try:
                self.wfile.write(data[:half])
                self.wfile.flush()
                time.sleep(args.stall)
                self.wfile.write(data[half:])
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()


http.server.ThreadingHTTPServer.daemon_threads = True
http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()
