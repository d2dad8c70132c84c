#!/usr/bin/python3
"""`proviso fmt` over every policy of the repository: idempotent, and never a change of meaning.

    run_fmt_corpus.py --proviso PATH --root REPO

Copies the folders holding .proviso files (with their law files and examples) into a temporary
folder and formats every .proviso there that parses. Then:
  - fmt(fmt(x)) == fmt(x): `proviso fmt --check` on the formatted copies finds nothing to change;
  - the in-language tests give the same results (name, passed, failures) on each copy as on the
    original, on both engines;
  - `proviso check` gives the same diagnostics (severity, code, message) on each copy as on the
    original, for the files that do not compile too (tests/golden/bad);
  - every example facts file of policies/ gives the same decision and explanation (all but the
    policy's version, a hash of its text).
Only the Python standard library is used.
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

# The folders of the repository that hold .proviso files (and what they import or cite).
TREES = ["policies", "tests/golden", "tests/conformance", "tests/python/policies", "tests/install", "tests/doc/fixture",
         "bench", "examples"]
AS_OF = "2020-09-01"


def run(cmd, cwd):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)


def policies(root):
    found = []
    for tree in TREES:
        for path in sorted(glob.glob(os.path.join(root, tree, "**", "*.proviso"), recursive=True)):
            found.append(os.path.relpath(path, root))
    return found


def test_results(proviso, root, rel, engine):
    r = run([proviso, "test", "--format", "json", "--engine", engine, rel], root)
    try:
        report = json.loads(r.stdout)
    except json.JSONDecodeError:
        return ("no report", r.returncode, r.stderr)
    return (r.returncode, [(t["name"], t["passed"], t["failures"]) for t in report["tests"]], len(report["not_compiled"]))


def diagnostics(proviso, root, rel):
    r = run([proviso, "check", "--format", "json", rel], root)
    try:
        return (r.returncode, [(d["severity"], d["code"], d["message"]) for d in json.loads(r.stdout)])
    except json.JSONDecodeError:
        return ("no report", r.returncode, r.stderr)


def decision(proviso, root, policy, facts):
    r = run([proviso, "eval", policy, "--facts", facts, "--as-of", AS_OF, "--format", "json", "--explain",
             "--engine", "interp"], root)
    if r.returncode != 0:
        return (r.returncode, r.stdout, r.stderr)
    # The version is a hash of the policy's text: formatting changes it, by design; nothing else may.
    d = json.loads(r.stdout)
    d.pop("policy_version", None)
    return (0, json.dumps(d, indent=2, sort_keys=True, ensure_ascii=False), "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--proviso", required=True)
    ap.add_argument("--root", required=True)
    a = ap.parse_args()
    proviso, root = os.path.abspath(a.proviso), os.path.abspath(a.root)
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for tree in TREES:
            if os.path.isdir(os.path.join(root, tree)):
                shutil.copytree(os.path.join(root, tree), os.path.join(tmp, tree))
        for marker in glob.glob(os.path.join(root, ".proviso-root")):
            shutil.copy(marker, tmp)
        files = policies(tmp)
        formatted, unparsed, changed = [], [], 0
        for rel in files:
            r = run([proviso, "fmt", rel], tmp)
            if r.returncode != 0:
                if "E0901" in r.stderr:
                    problems.append(f"{rel}: the formatter refused it:\n{r.stderr}")
                unparsed.append(rel)
                continue
            with open(os.path.join(tmp, rel), encoding="utf-8", newline="") as f:
                changed += f.read() != r.stdout
            with open(os.path.join(tmp, rel), "w", encoding="utf-8", newline="") as f:
                f.write(r.stdout)
            formatted.append(rel)
        print(f"{len(formatted)} files formatted ({changed} changed), {len(unparsed)} do not parse")
        if not formatted:
            problems.append("no file was formatted")
        # Idempotence: the formatted copies are formatted.
        r = run([proviso, "fmt", "--check"] + formatted, tmp)
        if r.returncode != 0:
            problems.append(f"fmt is not idempotent on:\n{r.stdout}{r.stderr}")
        # The same meaning: tests, diagnostics, decisions.
        for rel in files:
            for engine in ("interp", "jit"):
                before, after = test_results(proviso, root, rel, engine), test_results(proviso, tmp, rel, engine)
                if before != after:
                    problems.append(f"{rel}: the tests ({engine}) differ after formatting:\n  {before}\n  {after}")
            before, after = diagnostics(proviso, root, rel), diagnostics(proviso, tmp, rel)
            if before != after:
                problems.append(f"{rel}: the diagnostics differ after formatting:\n  {before}\n  {after}")
        examples = sorted(glob.glob(os.path.join(root, "policies", "cn", "examples", "*.json")))
        for facts in examples:
            rel_facts = os.path.relpath(facts, root)
            stem = os.path.splitext(os.path.basename(facts))[0]
            policy = os.path.join("policies", "cn", stem.split("-")[0] + ".proviso")
            if not os.path.exists(os.path.join(root, policy)):
                continue
            before = decision(proviso, root, policy, rel_facts)
            after = decision(proviso, tmp, policy, rel_facts)
            if before != after or before[0] != 0:
                problems.append(f"{rel_facts}: the decision differs after formatting (or failed): {before[2]}{after[2]}")
        print(f"compared the tests and diagnostics of {len(files)} files and {len(examples)} decisions")
    for p in problems:
        print("FAIL " + p)
    print("ok" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
