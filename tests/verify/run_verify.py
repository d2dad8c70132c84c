#!/usr/bin/env python3
"""`proviso verify` on the cases in tests/verify/cases (each says on its first line what verify must
answer: `// verify: proved`, `// verify: fails`, `// verify: unknown`) and on every policy in
policies/: no counterexample that fails to reproduce on an engine (an internal bug), and the
answers expected of the policies.

Usage: run_verify.py --proviso PATH --source-dir DIR
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys

# What verify answers for the policies (a policy whose answer changes must be looked at).
POLICIES = {
    "call_center": "fails",          # a call ended in 9999-12 has its 30-day deadline outside the calendar
    "benchmark_policy": "fails",     # likewise, and a retention of "-1 month" cannot be compared with 30 days
    "data_security_law": "fails",    # a risk assessment a year after a date in 9999 leaves the calendar
    "financial_data_classification": "proved",  # (lists of at most 3 elements)
    "network_data_security_2020": "proved",
    "shanghai_inspection_2020": "proved",
    "transport_scientific_data": "proved",
    "zhejiang_public_data": "proved",
}


def verify(proviso, path):
    r = subprocess.run([proviso, "verify", path, "--format", "json"], capture_output=True, text=True, timeout=120)
    return r.returncode, json.loads(r.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proviso", required=True)
    ap.add_argument("--source-dir", required=True)
    a = ap.parse_args()
    failures = []
    for path in sorted(glob.glob(os.path.join(a.source_dir, "tests", "verify", "cases", "*.proviso"))):
        first = open(path).readline()
        m = re.match(r"// verify: (\w+)", first)
        want = m.group(1)
        code, report = verify(a.proviso, path)
        if report["status"] != want or report.get("internal_bugs"):
            failures.append(f"{path}: wanted {want}, got {json.dumps(report)[:500]}")
        if want == "fails" and (code != 1 or not report["counterexamples"]):
            failures.append(f"{path}: no counterexample (exit {code})")
        for c in report["counterexamples"]:
            if not c.get("error"):
                failures.append(f"{path}: a counterexample without the engines' error: {c}")
        if "finding" in first and not report["findings"]:
            failures.append(f"{path}: no finding: {report}")
    for name, want in POLICIES.items():
        path = os.path.join(a.source_dir, "policies", "cn", name + ".proviso")
        code, report = verify(a.proviso, path)
        if report["status"] != want or report.get("internal_bugs"):
            failures.append(f"{name}: wanted {want}, got {json.dumps(report)[:800]}")
    code, report = verify(a.proviso, os.path.join(a.source_dir, "policies", "cn", "benchmark_policy.proviso"))
    if "rule `export_denied_retaliation` never applies" not in report["findings"]:
        failures.append(f"benchmark_policy: the retaliation rule (an empty list of countries) is not found dead: {report}")
    # A policy against itself across its own versions: the minimum retention went from 30 to 60 days.
    versions = os.path.join(a.source_dir, "tests", "golden", "good", "params_versions.proviso")
    r = subprocess.run([a.proviso, "diff", versions, "--between", "2021-06-01", "2023-06-01", "--format", "json"],
                       capture_output=True, text=True, timeout=60)
    report = json.loads(r.stdout)
    whats = [w["differences"][0]["what"] for w in report["witnesses"]]
    if r.returncode != 1 or "output compliant" not in whats or report.get("internal_bugs"):
        failures.append(f"diff --between: {json.dumps(report)[:800]}")
    for w in report["witnesses"]:
        if w.get("old_as_of") != "2021-06-01" or w["as_of"] != "2023-06-01":
            failures.append(f"diff --between: dates of {w}")
    # `for each`: a lower threshold changes one element's decision, compared element by element.
    import tempfile
    golden = os.path.join(a.source_dir, "tests", "golden", "good", "law_at_event_date.proviso")
    with tempfile.TemporaryDirectory() as tmp:
        lower = os.path.join(tmp, "law_at_event_date.proviso")
        text = open(golden).read()
        assert "param threshold: int = 1000" in text
        open(lower, "w").write(text.replace("param threshold: int = 1000", "param threshold: int = 900"))
        r = subprocess.run([a.proviso, "diff", golden, lower, "--format", "json"], capture_output=True, text=True, timeout=60)
        report = json.loads(r.stdout)
        whats = [w["differences"][0]["what"] for w in report["witnesses"]]
        if r.returncode != 1 or "item output needs_assessment" not in whats or report.get("internal_bugs"):
            failures.append(f"diff of a `for each`: {json.dumps(report)[:800]}")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
