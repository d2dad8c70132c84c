#!/usr/bin/env python3
"""`proviso diff` of call_center with the minimum retention changed from 30 to 60 days (issue 20's
bar): the answer is "different", with a witness whose record was deleted after 30 to 59 days,
violating the new minimum and not the old, that `proviso eval` reproduces on both engines.

Usage: run_retention.py --proviso PATH --source-dir DIR
"""
import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proviso", required=True)
    ap.add_argument("--source-dir", required=True)
    a = ap.parse_args()
    src = os.path.join(a.source_dir, "policies", "cn")
    old = os.path.join(src, "call_center.proviso")
    with tempfile.TemporaryDirectory() as tmp:
        work = os.path.join(tmp, "cn")
        shutil.copytree(src, work)
        new = os.path.join(work, "call_center.proviso")
        text = open(old).read()
        assert "param min_retention: duration = 30 days" in text
        open(new, "w").write(text.replace("param min_retention: duration = 30 days", "param min_retention: duration = 60 days"))
        r = subprocess.run([a.proviso, "diff", old, new, "--format", "json"], capture_output=True, text=True, timeout=120)
        report = json.loads(r.stdout)
        assert r.returncode == 1 and not report["equivalent"], (r.returncode, report)
        found = [w for w in report["witnesses"] if w["differences"][0]["what"] == "obligation keep_call_records violated"]
        assert found, report
        w = found[0]
        call = w["facts"]["call"]
        kept = (datetime.date.fromisoformat(call["deleted_on"]) - datetime.date.fromisoformat(call["ended_on"])).days
        assert 30 <= kept <= 59, (kept, w)
        assert w["differences"][0]["old"] is False and w["differences"][0]["new"] is True, w
        for engine in ("jit", "interp"):
            verdict = {}
            for name, policy in (("old", old), ("new", new)):
                e = subprocess.run([a.proviso, "eval", policy, "--facts", "-", "--as-of", w["as_of"], "--format", "json",
                                    f"--engine={engine}"], input=json.dumps(w["facts"]), capture_output=True, text=True)
                assert e.returncode == 0, e.stderr
                d = json.loads(e.stdout)
                verdict[name] = "keep_call_records" in d["violations"]
            assert verdict == {"old": False, "new": True}, (engine, verdict)
        print(f"witness: a record kept {kept} days, as of {w['as_of']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
