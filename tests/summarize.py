#!/usr/bin/env python3
"""Counts test cases across the suite and prints `N passed, N failed`.

meson knows test binaries; GoogleTest knows test cases. Each binary writes a
JUnit XML under <build>/tests/results/. A binary that crashed, timed out or
wrote no XML counts as one failure, so nothing that broke is hidden.
Exit status: 0 when nothing failed, 1 otherwise.
"""
import json
import os
import sys
import xml.etree.ElementTree as ET


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    log = os.path.join(build, "meson-logs", "testlog.json")
    results = os.path.join(build, "tests", "results")
    passed = failed = skipped = 0
    failures = []
    try:
        lines = open(log, encoding="utf-8").read().splitlines()
    except OSError:
        print(f"no meson test log at {log}", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    for line in lines:
        if not line.strip():
            continue
        t = json.loads(line)
        name = t["name"]
        result = t["result"]
        exe = os.path.basename(t["command"][0]) if t.get("command") else name
        # GoogleTest never overwrites: a second run writes exe_1.xml. Read
        # the newest one, which belongs to this run.
        candidates = [os.path.join(results, f) for f in
                      (os.listdir(results) if os.path.isdir(results) else [])
                      if f == exe + ".xml" or (f.startswith(exe + "_") and f.endswith(".xml")
                                               and f[len(exe) + 1:-4].isdigit())]
        xml_path = max(candidates, key=os.path.getmtime) if candidates else None
        counted = False
        if xml_path:
            try:
                root = ET.parse(xml_path).getroot()
                for case in root.iter("testcase"):
                    full = f"{case.get('classname')}.{case.get('name')}"
                    if case.find("failure") is not None or case.find("error") is not None:
                        failed += 1
                        failures.append(f"{name}: {full}")
                    elif case.get("result") == "skipped" or case.find("skipped") is not None:
                        skipped += 1
                    else:
                        passed += 1
                    counted = True
            except ET.ParseError:
                pass
        if result == "SKIP":
            skipped += 0 if counted else 1
        elif result not in ("OK", "EXPECTEDFAIL"):
            # Crashed, timed out or failed without a readable XML entry.
            if not counted or not any(f.startswith(name + ":") for f in failures):
                failed += 1
                failures.append(f"{name}: binary {result}")
        elif not counted:
            passed += 1
    for f in failures:
        print(f"FAILED {f}")
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
