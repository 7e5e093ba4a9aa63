#!/usr/bin/python3
"""Draws an event log of the resilientmetrics tracer as an SVG timeline.

    GST_TRACERS="resilientmetrics(log=events.jsonl)" gst-launch-1.0 ...
    /usr/bin/python3 tools/timeline.py events.jsonl -o timeline.svg
    rsvg-convert timeline.svg -o timeline.png      # if a PNG is wanted

For every failoversrc: which candidate was on air over time (filler in
grey), each switch as a marker with its reason and gap, and the bitrate of
each candidate. For every autorestoresink (and other elements with a
status): the destination carrying media, outages, each restore with its
outage time and each failover, and the outgoing bitrate. The log format is
in docs/metrics.md. Only the Python standard library is used; the SVG is
a few rectangles, lines and texts, written with xml.etree.
"""
import argparse
import datetime as dt
import json
import sys
import xml.etree.ElementTree as ET

PALETTE = ["#2e7d32", "#1565c0", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457",
           "#9e9d24", "#4e342e"]
FILLER = "#9e9e9e"
OUTAGE = "#c62828"
WIDTH = 1100
LEFT = 170
RIGHT = 30
LANE_H = 26
CHART_H = 90


def parse_time(s):
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def load(path):
    events = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                e = json.loads(line)
                e["t"] = parse_time(e["time"])
            except (ValueError, KeyError) as err:
                raise SystemExit(f"{path}:{n}: not an event line ({err})")
            events.append(e)
    if not events:
        raise SystemExit(f"{path}: no events")
    return events


def color(index):
    return FILLER if index is None or index < 0 else PALETTE[index % len(PALETTE)]


class Canvas:
    def __init__(self, t0, t1):
        self.t0, self.t1 = t0, max(t1, t0 + 1)
        self.svg = ET.Element("svg", xmlns="http://www.w3.org/2000/svg",
                              width=str(WIDTH), version="1.1",
                              **{"font-family": "DejaVu Sans, sans-serif",
                                 "font-size": "12"})
        ET.SubElement(self.svg, "rect", x="0", y="0", width="100%",
                      height="100%", fill="white")
        self.y = 10

    def x(self, t):
        return LEFT + (t - self.t0) / (self.t1 - self.t0) * (WIDTH - LEFT - RIGHT)

    def text(self, parent, x, y, s, **kw):
        el = ET.SubElement(parent, "text", x=f"{x:.1f}", y=f"{y:.1f}", **kw)
        el.text = s
        return el

    def axis(self):
        g = ET.SubElement(self.svg, "g", {"class": "axis"})
        span = self.t1 - self.t0
        step = next(s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800,
                                3600, 7200) if span / s <= 12)
        t = 0
        while t <= span + 1e-9:
            x = self.x(self.t0 + t)
            ET.SubElement(g, "line", x1=f"{x:.1f}", x2=f"{x:.1f}",
                          y1=str(self.y), y2=str(self.y + 5), stroke="black")
            self.text(g, x, self.y + 17, f"{t:g} s", **{"text-anchor": "middle"})
            t += step
        ET.SubElement(g, "line", x1=str(LEFT), x2=str(WIDTH - RIGHT),
                      y1=str(self.y), y2=str(self.y), stroke="black")
        self.y += 30

    def heading(self, s):
        self.text(self.svg, 10, self.y + 14, s, **{"font-weight": "bold",
                                                   "font-size": "14"})
        self.y += 22

    def lane(self, name, segments, cls):
        """segments: (t_start, t_end, index or None, label)"""
        g = ET.SubElement(self.svg, "g", {"class": cls})
        self.text(g, 10, self.y + LANE_H / 2 + 4, name)
        for a, b, idx, label in segments:
            x0, x1 = self.x(a), self.x(b)
            r = ET.SubElement(g, "rect", x=f"{x0:.1f}", y=str(self.y),
                              width=f"{max(x1 - x0, 0.5):.1f}", height=str(LANE_H),
                              fill=color(idx) if idx != "outage" else OUTAGE)
            r.set("class", "segment")
            r.set("data-index", str(idx))
            ET.SubElement(r, "title").text = label
            if len(label) > 4 and 6.2 * len(label) > x1 - x0 - 8:
                label = "#" + label[1:].split(" ")[0] if label.startswith("#") else label
            if 6.2 * len(label) <= x1 - x0 - 8:
                self.text(g, (x0 + x1) / 2, self.y + LANE_H / 2 + 4, label,
                          fill="white", **{"text-anchor": "middle",
                                           "font-size": "11"})
        top = self.y
        self.y += LANE_H + 4
        return top

    def markers(self, items, lane_top, cls):
        """items: (t, label, attrs). Vertical line over the lane, label below
        in rows so neighbours do not overlap."""
        g = ET.SubElement(self.svg, "g", {"class": cls + "s"})
        rows_end = []
        for t, label, attrs in items:
            x = self.x(t)
            width = 6.2 * len(label)
            # Labels that would run off the right edge end at the marker.
            right_aligned = x + width > WIDTH - 4
            x_start = x - width if right_aligned else x
            row = next((i for i, end in enumerate(rows_end) if end < x_start - 4),
                       len(rows_end))
            if row == len(rows_end):
                rows_end.append(x_start + width)
            else:
                rows_end[row] = x_start + width
            m = ET.SubElement(g, "g", {"class": cls, **attrs})
            ET.SubElement(m, "line", x1=f"{x:.1f}", x2=f"{x:.1f}",
                          y1=str(lane_top - 3), y2=str(self.y + 14 * row + 4),
                          stroke="black", **{"stroke-width": "1"})
            if right_aligned:
                self.text(m, x - 2, self.y + 14 * row + 12, label,
                          **{"font-size": "11", "text-anchor": "end"})
            else:
                self.text(m, x + 2, self.y + 14 * row + 12, label, **{"font-size": "11"})
        self.y += 14 * max(len(rows_end), 1) + 8

    def chart(self, title, series, unit):
        """series: {name: (color, [(t, value)])}"""
        g = ET.SubElement(self.svg, "g", {"class": "bitrate"})
        self.text(g, 10, self.y + 12, title)
        self.y += 20
        top, bottom = self.y, self.y + CHART_H
        vmax = max([v for _, pts in series.values() for _, v in pts] + [1])
        ET.SubElement(g, "rect", x=str(LEFT), y=str(top),
                      width=str(WIDTH - LEFT - RIGHT), height=str(CHART_H),
                      fill="none", stroke="#bbbbbb")
        self.text(g, LEFT - 4, top + 10, f"{vmax:.0f} {unit}",
                  **{"text-anchor": "end", "font-size": "10"})
        self.text(g, LEFT - 4, bottom, f"0 {unit}",
                  **{"text-anchor": "end", "font-size": "10"})
        ly = bottom + 14
        lx = LEFT
        for name, (col, pts) in series.items():
            if pts:
                path = " ".join(f"{self.x(t):.1f},{bottom - v / vmax * (CHART_H - 4):.1f}"
                                for t, v in pts)
                pl = ET.SubElement(g, "polyline", points=path, fill="none",
                                   stroke=col, **{"stroke-width": "1.5"})
                pl.set("data-series", name)
            ET.SubElement(g, "rect", x=str(lx), y=str(ly - 9), width="10",
                          height="10", fill=col)
            self.text(g, lx + 14, ly, name, **{"font-size": "11"})
            lx += 14 + 7 * len(name) + 16
        self.y = ly + 12


def runs(samples, t_end):
    """samples: (t, key, label) in time order -> segments (start, end, key,
    label), one per run of the same key."""
    segs = []
    prev = None
    for t, key, label in samples:
        if prev is None or prev[2] != key:
            if prev:
                segs.append((prev[0], t, prev[2], prev[3]))
            prev = (t, None, key, label)
    if prev:
        segs.append((prev[0], t_end, prev[2], prev[3]))
    return segs


def failoversrc_section(cv, name, evs, t_end):
    stats = [e for e in evs if e["event"] == "statistics"]
    uris = {}
    for e in stats:
        for c in e["fields"].get("candidates", []):
            uris[c.get("index")] = c.get("uri", "")
    cv.heading(f"failoversrc {name}")
    switches = [e for e in evs if e["event"] == "switch"]
    segs = []
    for i, e in enumerate(switches):
        f = e["fields"]
        end = switches[i + 1]["t"] if i + 1 < len(switches) else t_end
        idx = f.get("to-index", -1)
        label = "filler" if idx < 0 else f"#{idx} {uris.get(idx, f.get('to-uri', ''))}"
        segs.append((e["t"], end, idx, label))
    if not segs and stats:
        # No switch in the log (it started late): on air from statistics.
        segs = runs([(e["t"], e["fields"].get("active-index", -1),
                      "filler" if e["fields"].get("active-index", -1) < 0
                      else f"#{e['fields'].get('active-index')}") for e in stats], t_end)
    top = cv.lane("on air", segs, "onair")
    marks = []
    for e in switches:
        f = e["fields"]
        frm, to = f.get("from-index", -1), f.get("to-index", -1)
        gap = f.get("gap-ms", 0)
        label = f"{'filler' if frm < 0 else '#' + str(frm)} \u2192 " \
                f"{'filler' if to < 0 else '#' + str(to)} {f.get('reason', '')}, gap {gap} ms"
        marks.append((e["t"], label, {"data-from": str(frm), "data-to": str(to),
                                      "data-reason": str(f.get("reason", "")),
                                      "data-gap-ms": str(gap)}))
    for e in evs:
        if e["event"] == "give-up":
            f = e["fields"]
            marks.append((e["t"], f"#{f.get('index')} given up ({f.get('reason', '')})",
                          {"data-index": str(f.get("index"))}))
    marks.sort(key=lambda m: m[0])
    cv.markers(marks, top, "switch")
    series = {}
    for e in stats:
        for c in e["fields"].get("candidates", []):
            idx = c.get("index", 0)
            key = f"#{idx} {c.get('uri', '')}"
            series.setdefault(key, (color(idx), []))[1].append(
                (e["t"], c.get("bitrate-kbps", 0)))
    if series:
        cv.chart("bitrate per candidate", series, "kbit/s")


def sink_section(cv, name, factory, evs, t_end):
    cv.heading(f"{factory} {name}")
    stats = [e for e in evs if e["event"] == "statistics"]
    samples = []
    for e in stats:
        f = e["fields"]
        status = f.get("status", "")
        dest_idx = f.get("destination-index", -1)
        on_air = status in ("publishing", "connected", "playing", "live")
        samples.append((e["t"], dest_idx if on_air else "outage",
                        f"#{dest_idx} {f.get('destination', '')}" if on_air else status))
    segs = runs(samples, t_end)
    top = cv.lane("on air", segs, "onair")
    marks = []
    for e in evs:
        f = e["fields"]
        ev = e["event"]
        if ev == "restored":
            label = f"restored after {f.get('outage-ms', '?')} ms"
        elif ev == "failover":
            label = f"failover {f.get('reason', '')}"
        elif ev in ("gave-up", "republish", "codec-changed", "encoder-changed",
                    "clip-closed", "error"):
            label = ev
        else:
            continue
        marks.append((e["t"], label, {"data-event": ev}))
    cv.markers(marks, top, "restore")
    pts = [(e["t"], e["fields"].get("bitrate-kbps", 0)) for e in stats
           if isinstance(e["fields"].get("bitrate-kbps"), (int, float))]
    if pts:
        cv.chart("outgoing bitrate", {"bitrate": (PALETTE[1], pts)}, "kbit/s")


def render(events, title):
    t0 = min(e["t"] for e in events)
    t1 = max(e["t"] for e in events)
    cv = Canvas(t0, t1)
    cv.text(cv.svg, 10, 22, title, **{"font-weight": "bold", "font-size": "16"})
    cv.text(cv.svg, 10, 40,
            f"from {dt.datetime.utcfromtimestamp(t0).isoformat(timespec='seconds')}Z,"
            f" {t1 - t0:.1f} s", **{"font-size": "11"})
    cv.y = 50
    cv.axis()
    by_element = {}
    for e in events:
        if e.get("element"):
            key = (e.get("pipeline", ""), e["element"], e.get("factory", ""))
            by_element.setdefault(key, []).append(e)
    for (pipeline, name, factory), evs in by_element.items():
        if factory == "failoversrc":
            failoversrc_section(cv, name, evs, t1)
        elif any("status" in e["fields"] for e in evs if e["event"] == "statistics"):
            sink_section(cv, name, factory, evs, t1)
        else:
            cv.heading(f"{factory} {name}")
            marks = [(e["t"], e["event"], {"data-event": e["event"]})
                     for e in evs if e["event"] != "statistics"]
            cv.markers(marks, cv.y, "event")
    cv.svg.set("height", str(int(cv.y + 10)))
    cv.svg.set("viewBox", f"0 0 {WIDTH} {int(cv.y + 10)}")
    return ET.ElementTree(cv.svg)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("log", help="JSON-lines event log of the resilientmetrics tracer")
    ap.add_argument("-o", "--output", help="SVG file to write (default: LOG with .svg)")
    ap.add_argument("--title", default="gst-resilient timeline")
    args = ap.parse_args()
    out = args.output or (args.log.rsplit(".", 1)[0] + ".svg")
    tree = render(load(args.log), args.title)
    ET.indent(tree)
    tree.write(out, encoding="utf-8", xml_declaration=True)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
