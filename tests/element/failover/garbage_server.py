#!/usr/bin/env python3
"""A TCP server that accepts and answers every connection with random bytes
(what a misconfigured port or a broken ingest sends), for failoversrc's
undecodable-stream test.

    garbage_server.py PORT [--prefix http-flv|http-flv-tags|http|none]
                           [--bytes N]

--prefix http-flv: reads the request, answers `HTTP/1.0 200 OK`
  (Content-Type video/x-flv) and an FLV file signature, then random bytes:
  the typefinder finds a weak FLV match and flvdemux never gets a stream out
  of it (the case that held a cold candidate "starting" until
  startup-timeout).
--prefix http-flv-tags: the same answer and signature, then FLV tags of a
  type no demuxer knows (0x0f) with random payloads: flvdemux skips them
  all, never errors and never adds a pad, every run the same.
--prefix http: the HTTP answer without the FLV signature.
--prefix none (default): random bytes at once, nothing read.
--bytes N: only N random bytes, then silence with the connection kept open
  (a protocol source stays in its handshake; endless garbage would make
  rtmp2src log a CRITICAL per chunk it fails to parse).
The random bytes are seeded, so every run sends the same stream. Runs until
killed (the test stops it by pid)."""
import random
import socket
import sys
import threading

PREFIXES = {
    "none": b"",
    "http": b"HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n",
    "http-flv": b"HTTP/1.0 200 OK\r\nContent-Type: video/x-flv\r\n\r\n"
    b"FLV\x01\x05\x00\x00\x00\x09\x00\x00\x00\x00",
}


def junk_tags(rng):
    """FLV tags of a type no demuxer knows (0x0f) with random payloads."""
    size = 16384 - 15
    head = bytes([0x0F, size >> 16, (size >> 8) & 0xFF, size & 0xFF]) + bytes(7)
    return head + rng.randbytes(size) + (size + 11).to_bytes(4, "big")


def serve(conn, prefix, tags, limit):
    rng = random.Random(7)
    try:
        if prefix:
            conn.settimeout(2)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            conn.settimeout(None)
            conn.sendall(prefix)
        if limit is not None:
            conn.sendall(rng.randbytes(limit))
            while conn.recv(4096):
                pass
            return
        while True:
            conn.sendall(junk_tags(rng) if tags else rng.randbytes(16384))
    except OSError:
        pass
    finally:
        conn.close()


def main():
    port = int(sys.argv[1])
    prefix = "none"
    limit = None
    args = sys.argv[2:]
    while len(args) >= 2:
        if args[0] == "--prefix":
            prefix = args[1]
        elif args[0] == "--bytes":
            limit = int(args[1])
        else:
            sys.exit("unknown option %r" % args[0])
        args = args[2:]
    tags = prefix == "http-flv-tags"
    if tags:
        prefix = "http-flv"
    if prefix not in PREFIXES:
        sys.exit("unknown --prefix %r (use %s)" % (prefix, ", ".join(PREFIXES)))
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(16)
    while True:
        conn, _ = srv.accept()
        threading.Thread(
            target=serve, args=(conn, PREFIXES[prefix], tags, limit), daemon=True
        ).start()


if __name__ == "__main__":
    main()
