#!/usr/bin/env python3
"""`proviso verify` over every policy of the golden corpus (tests/golden/good): it never crashes or
hangs, answers proved, fails or unknown, and every counterexample it reports reproduces on both
engines (an `internal_bugs` entry, exit 5, fails this test).

Usage: run_corpus.py --proviso PATH --source-dir DIR
"""
import argparse
import glob
import json
import os
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proviso", required=True)
    ap.add_argument("--source-dir", required=True)
    a = ap.parse_args()
    failures = []
    counts = {}
    for path in sorted(glob.glob(os.path.join(a.source_dir, "tests", "golden", "good", "*.proviso"))):
        r = subprocess.run([a.proviso, "verify", path, "--format", "json"], capture_output=True, text=True, timeout=60)
        try:
            report = json.loads(r.stdout)
        except json.JSONDecodeError:
            failures.append(f"{path}: exit {r.returncode}, no report: {r.stderr[-500:]}")
            continue
        status = report.get("status")
        counts[status] = counts.get(status, 0) + 1
        expected_exit = {"proved": 0, "fails": 1, "unknown": 4}.get(status)
        if report.get("internal_bugs") or r.returncode != expected_exit:
            failures.append(f"{path}: exit {r.returncode}, {json.dumps(report)[:800]}")
        for c in report.get("counterexamples", []):
            if not c.get("error"):
                failures.append(f"{path}: counterexample without the engines' error: {c}")
    print(counts)
    if counts.get("proved", 0) < 5 or counts.get("fails", 0) < 5:
        failures.append(f"too few answers: {counts}")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
