#!/usr/bin/python3
"""A restoring publisher with PyGObject: a camera-like test source published
with autorestoresink to one or more destinations (RTMP, SRT, WHIP). It
prints every restore, retry and failover as it happens and the outgoing
bitrate every second; the pipeline never stops because a server went away.

    /usr/bin/python3 examples/python/restoring_publisher.py \
        "rtmp://127.0.0.1/live/stream" --backup "rtmp://backup.example/live/stream"

Use /usr/bin/python3 (Debian's python3-gi and python3-gst-1.0).
"""
import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402


def nick(value):
    """GObject enums print as their long description; `.value_nick` is the
    short name the docs and messages use ("publishing", "restoring")."""
    return value.value_nick


def main():
    ap = argparse.ArgumentParser(description="autorestoresink publisher")
    ap.add_argument("location", help="destination URI")
    ap.add_argument("--backup", action="append", default=[],
                    help="backup destination (repeatable)")
    ap.add_argument("--duration", type=float, default=0,
                    help="stop after this many seconds (0: until Ctrl-C)")
    ap.add_argument("--min-restores", type=int, default=0,
                    help="exit 1 unless at least this many restores happened")
    args = ap.parse_args()
    Gst.init(None)
    pipeline = Gst.parse_launch(
        "videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=30/1"
        " ! queue ! sink.video "
        "audiotestsrc is-live=true wave=sine ! audio/x-raw,rate=48000,channels=2"
        " ! queue ! sink.audio "
        "autorestoresink name=sink video-bitrate=500 audio-bitrate=64")
    sink = pipeline.get_by_name("sink")
    if sink is None:
        sys.exit("autorestoresink not found")
    sink.set_property("location", " ".join([args.location] + args.backup))
    loop = GLib.MainLoop()
    state = {"restores": 0, "result": 0}

    def on_message(bus, msg):
        if msg.type == Gst.MessageType.ELEMENT and msg.src == sink:
            s = msg.get_structure()
            name = s.get_name()
            if name == "autorestoresink-restored":
                state["restores"] += 1
                print(f"restored {s.get_value('destination')} after"
                      f" {s.get_value('outage-ms')} ms ({s.get_value('attempt')} tries)",
                      flush=True)
            elif name.startswith("autorestoresink-"):
                print(f"{name[len('autorestoresink-'):]}: {s.to_string()}", flush=True)
        elif msg.type == Gst.MessageType.WARNING:
            err, _ = msg.parse_warning()
            print(f"warning: {err.message}", flush=True)
        elif msg.type == Gst.MessageType.ERROR:
            err, _ = msg.parse_error()
            print(f"error: {err.message}", file=sys.stderr, flush=True)
            state["result"] = 1
            loop.quit()

    def report():
        st = sink.get_property("statistics")
        print(f"status={nick(sink.get_property('status'))}"
              f" destination={st.get_value('destination')}"
              f" bitrate={st.get_value('bitrate-kbps'):.0f} kbit/s"
              f" restores={st.get_value('restores')}", flush=True)
        return True

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    GLib.timeout_add(1000, report)
    if args.duration:
        GLib.timeout_add(int(args.duration * 1000), loop.quit)
    pipeline.set_state(Gst.State.PLAYING)
    try:
        loop.run()
    except KeyboardInterrupt:
        pass
    pipeline.set_state(Gst.State.NULL)
    if state["result"] == 0 and state["restores"] < args.min_restores:
        print(f"only {state['restores']} restores, expected {args.min_restores}",
              file=sys.stderr)
        return 1
    return state["result"]


if __name__ == "__main__":
    sys.exit(main())
