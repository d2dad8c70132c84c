#!/usr/bin/env python3
"""Golden decisions: `proviso eval` (JSON, with the explanation) on example facts, compared with
the expected decision stored beside this script.

    run_decisions.py --proviso BIN --root REPO [--regen] FACTS.json...

Each facts file policies/cn/examples/<policy>[-<case>].json is evaluated against
policies/cn/<policy>.proviso as of 2020-09-01 with both engines (jit and interp); both must print
exactly tests/decisions/<policy>[-<case>].json. --regen rewrites the expectations on purpose.
"""
import argparse
import difflib
import json
import os
import subprocess
import sys

AS_OF = "2020-09-01"


def evaluate(proviso, root, policy, facts, engine, explain=True):
    cmd = [proviso, "eval", policy, "--facts", facts, "--as-of", AS_OF, "--format", "json", "--engine", engine]
    if explain:
        cmd.append("--explain")
    r = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stderr}")
    return json.dumps(json.loads(r.stdout), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proviso", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--regen", action="store_true")
    ap.add_argument("facts", nargs="+")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    failed = 0
    for facts in args.facts:
        stem = os.path.splitext(os.path.basename(facts))[0]
        policy = os.path.join("policies", "cn", stem.split("-")[0] + ".proviso")
        expected_path = os.path.join(here, stem + ".json")
        try:
            # Explanations come from the interpreter; the decision itself must be the JIT's too.
            interp = evaluate(args.proviso, args.root, policy, facts, "interp")
            native = evaluate(args.proviso, args.root, policy, facts, "jit", explain=False)
        except RuntimeError as e:
            print(f"FAIL {stem}: {e}")
            failed += 1
            continue
        decision = json.loads(interp)
        decision.pop("explanation")
        decision = json.dumps(decision, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        if decision != native:
            print(f"FAIL {stem}: the jit and interp engines disagree")
            sys.stdout.writelines(difflib.unified_diff(decision.splitlines(True), native.splitlines(True), "interp", "jit"))
            failed += 1
            continue
        jit = interp
        if args.regen:
            with open(expected_path, "w", encoding="utf-8") as f:
                f.write(jit)
            print(f"wrote {expected_path}")
            continue
        try:
            with open(expected_path, encoding="utf-8") as f:
                expected = f.read()
        except FileNotFoundError:
            print(f"FAIL {stem}: no expectation {expected_path} (run with --regen and review it)")
            failed += 1
            continue
        if expected != jit:
            print(f"FAIL {stem}: the decision differs from {expected_path}")
            sys.stdout.writelines(difflib.unified_diff(expected.splitlines(True), jit.splitlines(True), "expected", "got"))
            failed += 1
        else:
            print(f"ok {stem}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
