#!/usr/bin/python3
"""A failover player with PyGObject: plays the first working input of a list,
prints failoversrc's messages as they come, reads `statistics` every
second and can switch inputs by hand with the `switch-to` action signal.

    /usr/bin/python3 examples/python/failover_player.py \
        "rtmp://127.0.0.1/live/main" "srt://127.0.0.1:9000?mode=caller"

Keys while playing (on a terminal): a number switches to that input,
`a` returns to automatic choice (switch-to -1), `q` quits.

Use /usr/bin/python3: Debian's python3-gi and python3-gst-1.0 are installed
for it (a virtualenv or another Python does not see them). Run it from
`meson devenv -C build` or with GST_PLUGIN_PATH=build/gst/resilient to use
the build tree; an installed plugin is found without either.
"""
import argparse
import os
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402


def nick(obj, prop):
    """Enum properties come back as Python enum objects whose str() is the
    long description ("Another candidate is on the output"); `.value_nick`
    is the short, stable name the docs use ("backup")."""
    return obj.get_property(prop).value_nick


class Player:
    def __init__(self, uris, sink, switch_plan, duration):
        self.pipeline = Gst.Pipeline.new("player")
        self.src = Gst.ElementFactory.make("failoversrc", "input")
        if self.src is None:
            sys.exit("failoversrc not found: install gst-resilient or run "
                     "from `meson devenv -C build`")
        self.src.set_property("uris", " | ".join(uris))
        self.pipeline.add(self.src)
        self.video = self._branch("videoconvert ! queue", sink[0])
        self.audio = self._branch("audioconvert ! queue", sink[1])
        self.loop = GLib.MainLoop()
        self.switch_plan = sorted(switch_plan)
        self.result = 0
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self._on_message)
        GLib.timeout_add(1000, self._print_statistics)
        for at, index in self.switch_plan:
            GLib.timeout_add(int(at * 1000), self._switch, index)
        if duration:
            GLib.timeout_add(int(duration * 1000), self._stop)
        if sys.stdin.isatty():
            GLib.io_add_watch(sys.stdin.fileno(), GLib.IO_IN, self._on_key)

    def _branch(self, desc, sink):
        bin_ = Gst.parse_bin_from_description(f"{desc} ! {sink}", True)
        self.pipeline.add(bin_)
        return bin_


    def link(self):
        for name, branch in (("video", self.video), ("audio", self.audio)):
            self.src.get_static_pad(name).link(branch.get_static_pad("sink"))

    def _on_message(self, bus, msg):
        t = msg.type
        if t == Gst.MessageType.ELEMENT and msg.src == self.src:
            s = msg.get_structure()
            name = s.get_name()
            if name == "failoversrc-switch":
                print(f"switch {s.get_value('from-index')} -> {s.get_value('to-index')}"
                      f" ({s.get_value('reason')}), gap {s.get_value('gap-ms')} ms,"
                      f" now {s.get_value('to-uri') or 'filler'}", flush=True)
            elif name.startswith("failoversrc-"):
                print(f"{name[len('failoversrc-'):]}: {s.to_string()}", flush=True)
        elif t == Gst.MessageType.WARNING:
            err, _ = msg.parse_warning()
            print(f"warning from {msg.src.get_name()}: {err.message}", flush=True)
        elif t == Gst.MessageType.ERROR:
            err, _ = msg.parse_error()
            print(f"error from {msg.src.get_name()}: {err.message}", file=sys.stderr)
            self.result = 1
            self.loop.quit()
        elif t == Gst.MessageType.EOS:
            self.loop.quit()

    def _print_statistics(self):
        stats = self.src.get_property("statistics")
        cands = stats.get_value("candidates")
        rates = ", ".join(f"#{c.get_value('index')} {c.get_value('state')} "
                          f"{c.get_value('bitrate-kbps')} kbit/s" for c in cands)
        print(f"status={nick(self.src, 'status')} active={stats.get_value('active-index')}"
              f" switches={stats.get_value('num-switches')}"
              f" on-backup={stats.get_value('time-on-backup-ms')} ms [{rates}]", flush=True)
        return True

    def _switch(self, index):
        ok = self.src.emit("switch-to", index)
        print(f"switch-to {index}: {'accepted' if ok else 'refused'}", flush=True)
        return False

    def _on_key(self, fd, cond):
        line = sys.stdin.readline().strip()
        if line == "q":
            self._stop()
        elif line == "a":
            self._switch(-1)
        elif line.lstrip("-").isdigit():
            self._switch(int(line))
        return True

    def _stop(self):
        self.loop.quit()
        return False

    def run(self):
        self.link()
        self.pipeline.set_state(Gst.State.PLAYING)
        try:
            self.loop.run()
        except KeyboardInterrupt:
            pass
        self.pipeline.set_state(Gst.State.NULL)
        return self.result


def main():
    ap = argparse.ArgumentParser(description="failoversrc player")
    ap.add_argument("uris", nargs="+", help="inputs in order of preference")
    ap.add_argument("--video-sink", default="autovideosink")
    ap.add_argument("--audio-sink", default="autoaudiosink")
    ap.add_argument("--switch", action="append", default=[], metavar="SECONDS:INDEX",
                    help="call switch-to INDEX after SECONDS (repeatable)")
    ap.add_argument("--duration", type=float, default=0,
                    help="stop after this many seconds (0: run until Ctrl-C)")
    args = ap.parse_args()
    plan = []
    for item in args.switch:
        at, _, index = item.partition(":")
        plan.append((float(at), int(index)))
    Gst.init(None)
    return Player(args.uris, (args.video_sink, args.audio_sink), plan,
                  args.duration).run()


if __name__ == "__main__":
    sys.exit(main())
