#!/usr/bin/python3
"""Scrapes a Prometheus endpoint and parses it with Debian's
python3-prometheus-client parser (the reference implementation of the text
format). Prints one line per sample:

    <type> <sample name> <label>=<value>,... <value>

and writes the raw exposition to RAW_FILE. Exit 1 if the text does not
parse or the request fails."""
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def main():
    url, raw_file = sys.argv[1], sys.argv[2]
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            ctype = r.headers.get("Content-Type", "")
            text = r.read().decode("utf-8")
    except Exception as e:  # noqa: BLE001 - any failure is the answer
        print(f"scrape failed: {e}", file=sys.stderr)
        return 1
    with open(raw_file, "w", encoding="utf-8") as f:
        f.write(text)
    if not ctype.startswith("text/plain") or "version=0.0.4" not in ctype:
        print(f"bad content type: {ctype}", file=sys.stderr)
        return 1
    try:
        families = list(text_string_to_metric_families(text))
    except Exception as e:  # noqa: BLE001
        print(f"exposition does not parse: {e}", file=sys.stderr)
        return 1
    for fam in families:
        if not fam.documentation:
            print(f"family {fam.name} has no help text", file=sys.stderr)
            return 1
        for s in fam.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
            print(f"{fam.type} {s.name} {labels} {s.value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
