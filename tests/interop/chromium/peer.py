#!/usr/bin/python3
"""gst-resilient: a WHIP and WHEP endpoint whose far end is a browser.

Serves page.html to a headless chromium and relays what our elements POST
to it: a WHIP offer is answered by an RTCPeerConnection in the page that
receives and decodes, a WHEP offer by one that sends the fake camera and
microphone. Trickle PATCHes are passed on as addIceCandidate, DELETE
closes the page's connection. GET /status gives every session with the
page's getStats figures (JSON) for the tests to judge.

Usage: peer.py --port N   (0: a free port, printed as "port N" on stdout)
Only loopback; no state survives the process.
"""
import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname (os.path.abspath (__file__))
PAGE_TIMEOUT_S = 3.0     # a page that has not polled for this long is gone
ANSWER_TIMEOUT_S = 10.0

lock = threading.Condition ()
jobs = []                # for the page
sessions = {}            # id -> dict
log = []
state = {"next": 1, "last_poll": 0.0, "polls": 0}


def page_alive ():
    return time.monotonic () - state["last_poll"] < PAGE_TIMEOUT_S


def push (job):
    with lock:
        jobs.append (job)
        lock.notify_all ()


class Handler (BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message (self, fmt, *args):
        pass

    def body (self):
        n = int (self.headers.get ("Content-Length") or 0)
        return self.rfile.read (n).decode () if n else ""

    def reply (self, status, body=b"", ctype=None, headers=()):
        if isinstance (body, str):
            body = body.encode ()
        self.send_response (status)
        if ctype:
            self.send_header ("Content-Type", ctype)
        for k, v in headers:
            self.send_header (k, v)
        self.send_header ("Content-Length", str (len (body)))
        self.end_headers ()
        self.wfile.write (body)

    def do_GET (self):
        if self.path == "/":
            with open (os.path.join (HERE, "page.html"), "rb") as f:
                self.reply (200, f.read (), "text/html")
        elif self.path == "/poll":
            deadline = time.monotonic () + 2.0
            with lock:
                state["last_poll"] = time.monotonic ()
                state["polls"] += 1
                while not jobs and time.monotonic () < deadline:
                    lock.wait (deadline - time.monotonic ())
                job = jobs.pop (0) if jobs else None
                state["last_poll"] = time.monotonic ()
            if job:
                self.reply (200, json.dumps (job), "application/json")
            else:
                self.reply (204)
        elif self.path.startswith ("/play?"):
            # the page as a WHEP player: it POSTs its own recvonly offer to
            # the WHEP endpoint named by ?u= and decodes what comes
            from urllib.parse import urlparse, parse_qs
            # (&publish=1&k=KEY: the page as a WHIP publisher of its fake
            # camera and microphone, with Authorization: Bearer KEY)
            q = parse_qs (urlparse (self.path).query)
            url = q.get ("u", [""])[0]
            with lock:
                sid = state["next"]
                state["next"] += 1
                sessions[sid] = {"kind": "play", "offer": "", "answer": None,
                                 "answered": False, "deleted": False,
                                 "stats": {}, "patches": 0}
            push ({"type": "play", "id": sid, "url": url,
                   "publish": q.get ("publish", ["0"])[0] == "1",
                   "key": q.get ("k", [""])[0]})
            self.reply (200, "id %d" % sid, "text/plain")
        elif self.path.startswith ("/stop/"):
            sid = int (self.path.split ("/")[2])
            push ({"type": "stop", "id": sid})
            self.reply (204)
        elif self.path == "/summary":
            # one line per session for the C++ tests:
            # id kind answered deleted state in-video-codec frames-decoded
            # in-audio-packets out-video-codec frames-encoded
            # out-audio-packets patches first-frame-wall-clock-ms
            lines = []
            with lock:
                lines.append ("page %d" % page_alive ())
                for k, v in sorted (sessions.items ()):
                    st = v["stats"]
                    iv = st.get ("in-video", {})
                    ia = st.get ("in-audio", {})
                    ov = st.get ("out-video", {})
                    oa = st.get ("out-audio", {})
                    lines.append ("%d %s %d %d %s %s %d %d %s %d %d %d %d" % (
                        k, v["kind"], v["answered"], v["deleted"],
                        st.get ("state", "-") or "-",
                        iv.get ("codec") or "-", iv.get ("framesDecoded", 0),
                        ia.get ("packets", 0), ov.get ("codec") or "-",
                        ov.get ("framesEncoded", 0), oa.get ("packets", 0),
                        v["patches"], st.get ("firstFrame", 0)))
            self.reply (200, "\n".join (lines) + "\n", "text/plain")
        elif self.path.startswith ("/offer/"):
            with lock:
                s = sessions.get (int (self.path.split ("/")[2]))
                offer = s["offer"] if s else None
            if offer is None:
                self.reply (404)
            else:
                self.reply (200, offer, "application/sdp")
        elif self.path == "/status":
            with lock:
                out = {"page": page_alive (), "polls": state["polls"],
                       "log": log[-20:],
                       "sessions": {str (k): {x: v[x] for x in (
                           "kind", "deleted", "stats", "answered", "offer",
                           "patches")} for k, v in sessions.items ()}}
            self.reply (200, json.dumps (out), "application/json")
        else:
            self.reply (404)

    def do_OPTIONS (self):
        self.reply (204, headers=[("Accept-Post", "application/sdp")])

    def do_POST (self):
        path = self.path
        if path in ("/whip", "/whep"):
            if self.headers.get ("Content-Type") != "application/sdp":
                self.reply (415, "Content-Type must be application/sdp")
                return
            offer = self.body ()
            with lock:
                if not page_alive ():
                    self.reply (503, "no browser page", "text/plain",
                                [("Retry-After", "1")])
                    return
                sid = state["next"]
                state["next"] += 1
                sessions[sid] = {"kind": path[1:], "offer": offer,
                                 "answer": None, "answered": False,
                                 "deleted": False, "stats": {},
                                 "patches": 0}
            push ({"type": "offer", "id": sid, "kind": path[1:],
                   "sdp": offer})
            deadline = time.monotonic () + ANSWER_TIMEOUT_S
            with lock:
                while (sessions[sid]["answer"] is None
                       and time.monotonic () < deadline):
                    lock.wait (deadline - time.monotonic ())
                answer = sessions[sid]["answer"]
            if answer is None:
                self.reply (503, "the browser did not answer", "text/plain",
                            [("Retry-After", "1")])
                return
            self.reply (201, answer, "application/sdp",
                        [("Location", "/session/%d" % sid),
                         ("ETag", '"s%d"' % sid)])
        elif path.startswith ("/answer/"):
            sid = int (path.split ("/")[2])
            answer = self.body ()
            with lock:
                if sid in sessions:
                    sessions[sid]["answer"] = answer
                    sessions[sid]["answered"] = True
                    lock.notify_all ()
            self.reply (204)
        elif path.startswith ("/stats/"):
            sid = int (path.split ("/")[2])
            stats = json.loads (self.body () or "{}")
            with lock:
                if sid in sessions:
                    sessions[sid]["stats"] = stats
            self.reply (204)
        elif path.startswith ("/offer/"):
            # a player's own offer (for the test to check)
            sid = int (path.split ("/")[2])
            with lock:
                if sid in sessions:
                    sessions[sid]["offer"] = self.body ()
            self.reply (204)
        elif path.startswith ("/deleted/"):
            # a player's DELETE was answered 200
            sid = int (path.split ("/")[2])
            with lock:
                if sid in sessions:
                    sessions[sid]["deleted"] = True
            self.reply (204)
        elif path == "/log":
            with lock:
                log.append (self.body ())
            self.reply (204)
        else:
            self.reply (404)

    def do_PATCH (self):
        sid = self.session_id ()
        frag = self.body ()
        if sid is None:
            self.reply (404)
            return
        if self.headers.get ("Content-Type") != "application/trickle-ice-sdpfrag":
            self.reply (415)
            return
        mid = None
        cands = []
        for line in frag.splitlines ():
            line = line.strip ()
            if line.startswith ("a=mid:"):
                mid = line[6:]
            elif line.startswith ("a=candidate:"):
                cands.append (line[2:])
        with lock:
            sessions[sid]["patches"] += 1
        push ({"type": "candidates", "id": sid, "mid": mid,
               "candidates": cands})
        self.reply (204)

    def do_DELETE (self):
        sid = self.session_id ()
        if sid is None:
            self.reply (404)
            return
        with lock:
            sessions[sid]["deleted"] = True
        push ({"type": "close", "id": sid})
        self.reply (200)

    def session_id (self):
        parts = self.path.split ("/")
        if len (parts) == 3 and parts[1] == "session":
            try:
                sid = int (parts[2])
            except ValueError:
                return None
            with lock:
                return sid if sid in sessions else None
        return None


def main ():
    ap = argparse.ArgumentParser ()
    ap.add_argument ("--port", type=int, default=0)
    args = ap.parse_args ()
    server = ThreadingHTTPServer (("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print ("port %d" % server.server_address[1], flush=True)
    server.serve_forever ()


if __name__ == "__main__":
    sys.exit (main ())
