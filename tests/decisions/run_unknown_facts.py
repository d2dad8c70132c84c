#!/usr/bin/env python3
"""Unknown facts never make a violation: the bar of issue 16 over the example facts.

    run_unknown_facts.py --proviso BIN --root REPO FACTS.json...
    run_unknown_facts.py --proviso BIN --self-test

Each facts file policies/cn/examples/<policy>[-<case>].json is evaluated against
policies/cn/<policy>.proviso as of 2020-09-01 (as run_decisions.py does) with every boolean fact
removed, recursively (in records and in the records of lists), so that each is left unknown; then with
each boolean removed alone (with all of them unknown, one that gates the others could hide a violation
another invents). On both engines (jit and interp) each decision must
  - succeed: exit status 0 and a JSON decision, the same on both engines;
  - report no violation from the facts removed. A violation may remain only where the facts still given
    establish it (a record deleted after 29 days is a breach whatever the booleans say); then it must
    also be reported with the original facts and with every completion of the removed booleans (all of
    them, or 256 when more than 8 booleans were removed), so that no value of a fact not given undoes it;
  - name what would decide what is undetermined: `missing_facts` not empty when any output, item output
    or obligation is undetermined; every undetermined output (of the policy or of an item) lists its
    facts; every obligation that may apply, may be violated or has an undetermined status has `missing`;
  - name only facts that were not given: each fact the decision says is missing is absent from the
    facts evaluated (for `list[].field`, from at least one element), and is in `missing_facts`.

--self-test checks that this runner fails when it should (a violation from a removed fact, at the top
or in a list's element; an evaluation that fails on unknown facts) and passes when it should, with the
real binary on policies written to a temporary folder.

Exit status: 0 when every file passed, 1 otherwise, 2 on a usage error.
Only the Python standard library is used.
"""
import argparse
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile

AS_OF = "2020-09-01"
ENGINES = ("interp", "jit")
TIMEOUT_SECONDS = 60
MAX_EXHAUSTIVE = 8      # up to this many removed booleans, every completion is tried
SAMPLED = 256           # above it, this many (all false, all true, and seeded random ones)


def strip_booleans(value, path="", removed=None):
    """A copy of `value` without its boolean facts; `removed` collects their paths (`a.b`, `l[].c`)."""
    if removed is None:
        removed = []
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            p = f"{path}.{k}" if path else k
            if isinstance(v, bool):
                removed.append(p)
                continue
            out[k] = strip_booleans(v, p, removed)
        return out
    if isinstance(value, list):
        # Booleans that are themselves elements stay: an element cannot be left out of a list.
        return [strip_booleans(v, f"{path}[]", removed) for v in value]
    return value


def is_missing(facts, fact):
    """Whether the fact path `a.b` or `list[].field` is absent from `facts` (from some element, for `[]`)."""

    def walk(value, parts):
        if not parts:
            return False  # the path leads to a value that was given (null included: a known none)
        head, rest = parts[0], parts[1:]
        is_list = head.endswith("[]")
        key = head[:-2] if is_list else head
        if not isinstance(value, dict) or key not in value:
            return True
        if is_list:
            return isinstance(value[key], list) and any(walk(e, rest) for e in value[key])
        return walk(value[key], rest)

    return walk(facts, fact.split("."))


def set_path(facts, path, value):
    """Gives the boolean at `path` again: `a.b`, or `l[].c` in every element of `l` that lacks it."""

    def walk(node, parts):
        head, rest = parts[0], parts[1:]
        if head.endswith("[]"):
            for e in node[head[:-2]]:
                walk(e, rest)
        elif not rest:
            node.setdefault(head, value)
        else:
            walk(node[head], rest)

    walk(facts, path.split("."))


def completions(stripped, removed, seed):
    """(description, facts) with every removed boolean given again: every combination, or SAMPLED."""
    paths = sorted(set(removed))
    if len(paths) <= MAX_EXHAUSTIVE:
        combos = list(itertools.product([False, True], repeat=len(paths)))
    else:
        rng = random.Random(seed)
        combos = [[False] * len(paths), [True] * len(paths)]
        combos += [[rng.random() < 0.5 for _ in paths] for _ in range(SAMPLED - 2)]
    for combo in combos:
        facts = json.loads(json.dumps(stripped))
        for path, value in zip(paths, combo):
            set_path(facts, path, value)
        yield ", ".join(f"{p}={str(v).lower()}" for p, v in zip(paths, combo)), facts


def evaluate(proviso, root, policy, facts_path, engine):
    """(decision, None) or (None, problem)."""
    cmd = [proviso, "eval", policy, "--facts", facts_path, "--as-of", AS_OF, "--format", "json", "--engine", engine]
    try:
        r = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return None, f"{engine}: timed out after {TIMEOUT_SECONDS}s"
    if r.returncode != 0:
        return None, f"{engine}: exited {r.returncode}: {r.stderr.strip()}"
    try:
        return json.loads(r.stdout), None
    except json.JSONDecodeError as e:
        return None, f"{engine}: not a JSON decision ({e}): {r.stdout[:200]!r}"


def violations_of(decision):
    """The violated obligations of a decision, as (name, item key as JSON or None)."""
    out = set()
    for o in decision.get("obligations") or []:
        if o.get("violated"):
            out.add((o["name"], json.dumps(o["item"].get("key")) if o.get("item") else None))
    out |= {(n, None) for n in decision.get("violations") or []}
    out |= {(v["name"], json.dumps(v["item"].get("key"))) for v in decision.get("item_violations") or []}
    return out


def describe(violations):
    return ", ".join(sorted(n if k is None else f"{n} for {k}" for n, k in violations))


def judge(decision, facts, engine):
    """The problems with what a decision on facts with unknowns says is undetermined."""
    problems = []
    say = problems.append
    named = []  # every fact the decision says is missing
    undetermined = False
    for name, missing in (decision.get("undetermined") or {}).items():
        undetermined = True
        if not missing:
            say(f"{engine}: output `{name}` is undetermined but names no missing fact")
        named += missing
    for item in decision.get("items") or []:
        for name, missing in (item.get("undetermined") or {}).items():
            undetermined = True
            if not missing:
                say(f"{engine}: output `{name}` of item {item.get('key', item.get('index'))} is undetermined "
                    "but names no missing fact")
            named += missing
    for o in decision.get("obligations") or []:
        where = f"obligation `{o['name']}`" + (f" (item {o['item'].get('key')})" if o.get("item") else "")
        states = [s for s in ("applies_undetermined", "violation_undetermined") if o.get(s)]
        if o.get("status") == "undetermined":
            states.append("status undetermined")
        if states:
            undetermined = True
            if not o.get("missing"):
                say(f"{engine}: {where} is {', '.join(states)} but names no missing fact")
        named += o.get("missing") or []
    all_missing = decision.get("missing_facts") or []
    if undetermined and not all_missing:
        say(f"{engine}: something is undetermined but `missing_facts` is empty")
    for fact in sorted(set(named) | set(all_missing)):
        if not is_missing(facts, fact):
            say(f"{engine}: `{fact}` is named as missing, but the facts give it")
    for fact in sorted(set(named) - set(all_missing)):
        say(f"{engine}: `{fact}` is named as missing but is not in `missing_facts`")
    return problems


def probe(run, facts, stripped, removed, seed):
    """Evaluates `stripped` (the facts without the booleans `removed`) on both engines.

    Returns (problems, decision of the interpreter, violations that no value of the removed booleans
    undoes)."""
    problems = []
    decisions = {}
    kept = set()
    for engine in ENGINES:
        decision, problem = run(stripped, engine)
        if problem:
            problems.append(problem)
            continue
        decisions[engine] = decision
        problems += judge(decision, stripped, engine)
        kept |= violations_of(decision)
    if len(decisions) == len(ENGINES) and decisions["interp"] != decisions["jit"]:
        problems.append("the jit and interp engines disagree")
    # A violation that remains rests on the facts still given only if no value of the removed booleans
    # undoes it: try the original facts and the completions, on both engines.
    if kept:
        trials = [("the original facts", facts)] + list(completions(stripped, removed, seed))
        for engine in ENGINES:
            for what, given in trials:
                decision, problem = run(given, engine)
                if problem:
                    problems.append(f"{problem} (with {what})")
                    break
                undone = kept - violations_of(decision)
                if undone:
                    problems.append(f"{engine}: {describe(undone)} reported violated with "
                                    f"{', '.join(removed)} unknown, but not with {what}: a violation from facts "
                                    "not given")
                    break
    return problems, decisions.get("interp"), kept


def check_one(proviso, root, policy, facts_file, label, out):
    """Evaluates `facts_file` without its booleans (all of them, then each alone) against `policy`;
    prints the verdict; True if it passed."""
    with open(os.path.join(root, facts_file), encoding="utf-8") as f:
        facts = json.load(f)
    removed = []
    stripped = strip_booleans(facts, removed=removed)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, os.path.basename(facts_file))

        def run(given, engine):
            with open(path, "w", encoding="utf-8") as f:
                json.dump(given, f, indent=2)
            return evaluate(proviso, root, policy, path, engine)

        problems, decision, kept = probe(run, facts, stripped, removed, facts_file)
        # Each boolean alone too: with all of them unknown, one that gates the others (`in_china`) may
        # hide a violation that another would invent.
        for fact in sorted(set(removed)) if len(set(removed)) > 1 else []:
            one = json.loads(json.dumps(facts))
            strip_one(one, fact)
            more, _, _ = probe(run, facts, one, [fact], facts_file)
            problems += [f"{p} (only `{fact}` left out)" for p in more]
    if problems:
        out.write(f"FAIL {label} (without {', '.join(removed) or 'any boolean fact'})\n")
        for p in problems:
            out.write(f"  {p}\n")
        return False
    missing = (decision or {}).get("missing_facts") or []
    established = f"; violated whatever they are: {describe(kept)}" if kept else "; no violation"
    how = ", together and one by one" if len(set(removed)) > 1 else ""
    out.write(f"ok {label}: {len(removed)} boolean facts left unknown{how}, "
              f"{len(missing)} missing facts named{established}\n")
    return True


def strip_one(facts, path):
    """Removes the boolean at `path` (`a.b`, or `l[].c` from every element)."""

    def walk(node, parts):
        head, rest = parts[0], parts[1:]
        if head.endswith("[]"):
            for e in node[head[:-2]]:
                walk(e, rest)
        elif not rest:
            if isinstance(node.get(head), bool):
                del node[head]
        else:
            walk(node[head], rest)

    walk(facts, path.split("."))


def policy_of(facts_file):
    """(stem, policy path relative to the root) of policies/cn/examples/<policy>[-<case>].json."""
    stem = os.path.splitext(os.path.basename(facts_file))[0]
    return stem, os.path.join("policies", "cn", stem.split("-")[0] + ".proviso")


class Sink:
    def __init__(self):
        self.text = ""

    def write(self, s):
        self.text += s


SELF_TEST_CASES = {
    # A default that invents the fact: without `verified` it is false, hence a violation.
    "invents": ("""policy invents
input { verified: bool = false, name: text }
obligation verify { subject "operator" must "verify" violated when not verified cite "Art. 1" }
""", {"verified": True, "name": "x"}, False),
    # The same inside the elements of a list.
    "invents_in_list": ("""policy invents_in_list
record Step { done: bool = false, name: text }
input { steps: list<Step> }
obligation steps_done { subject "operator" must "do every step" violated when any s in steps: not s.done
  cite "Art. 2" }
""", {"steps": [{"done": True, "name": "a"}]}, False),
    # A required output of a removed fact: the evaluation fails.
    "required": ("""policy required
input { verified: bool }
output ok: bool required
rule r { then ok = verified cite "Art. 1" }
""", {"verified": True}, False),
    # Hidden behind a gate: with both booleans unknown nothing applies; `trained` alone defaults to false.
    "gated": ("""policy gated
input { in_china: bool, trained: bool = false }
obligation train { subject "entity" must "train" when in_china violated when not trained cite "Art. 4" }
""", {"in_china": True, "trained": True}, False),
    # Faithful: the removed facts leave the obligations undetermined, and say which facts decide them.
    "faithful": ("""policy faithful
record Step { done: bool, name: text }
input { verified: bool, steps: list<Step> }
obligation verify { subject "operator" must "verify" violated when not verified cite "Art. 1" }
obligation steps_done { subject "operator" must "do every step" violated when any s in steps: not s.done
  cite "Art. 2" }
""", {"verified": False, "steps": [{"done": False, "name": "a"}]}, True),
    # A violation the facts still given establish (a number of days), whatever the boolean is.
    "established": ("""policy established
input { verified: bool, kept_days: int }
obligation keep { subject "operator" must "keep records 30 days" when verified or kept_days < 30
  violated when kept_days < 30 cite "Art. 3" }
""", {"verified": True, "kept_days": 29}, True),
}


def self_test(proviso):
    """The runner fails and passes when it should."""
    failures = []
    with tempfile.TemporaryDirectory() as root:
        for name, (source, facts, should_pass) in SELF_TEST_CASES.items():
            with open(os.path.join(root, name + ".proviso"), "w") as f:
                f.write(source)
            with open(os.path.join(root, name + ".json"), "w") as f:
                json.dump(facts, f)
            sink = Sink()
            passed = check_one(proviso, root, name + ".proviso", name + ".json", name, sink)
            if passed != should_pass:
                failures.append(f"case `{name}` {'passed' if passed else 'failed'}, it should not have:\n{sink.text}")
            elif not passed and "FAIL" not in sink.text:
                failures.append(f"case `{name}` failed without saying why")
    if strip_booleans({"a": True, "r": {"b": False, "n": 1}, "l": [{"c": True, "d": 2}]}) != \
            {"r": {"n": 1}, "l": [{"d": 2}]}:
        failures.append("booleans are not removed recursively")
    if not is_missing({"l": [{"d": 1}, {"c": 1}]}, "l[].c") or is_missing({"l": [{"c": 1}]}, "l[].c") \
            or is_missing({"x": None}, "x") or not is_missing({"r": {}}, "r.b"):
        failures.append("missing fact paths are not resolved as documented")
    if len(list(completions({}, ["a", "b", "c"], 0))) != 8 or \
            len(list(completions({}, [f"x{i}" for i in range(MAX_EXHAUSTIVE + 1)], 0))) != SAMPLED:
        failures.append("completions are not counted as documented")
    for f in failures:
        print(f"FAIL self-test: {f}")
    if not failures:
        print("PASS self-test")
    return not failures


def main():
    ap = argparse.ArgumentParser(description="Example facts with their booleans left unknown report no violation.")
    ap.add_argument("--proviso", required=True, help="path to the proviso binary")
    ap.add_argument("--root", help="repository root; policies and facts are read from here")
    ap.add_argument("--self-test", action="store_true", help="check that the runner can fail")
    ap.add_argument("facts", nargs="*", help="example facts files, relative to --root")
    args = ap.parse_args()
    proviso = os.path.abspath(args.proviso)
    if not os.access(proviso, os.X_OK):
        print(f"error: `{args.proviso}` is not an executable", file=sys.stderr)
        return 2
    if args.self_test:
        return 0 if self_test(proviso) else 1
    if not args.root or not args.facts:
        ap.error("--root and facts files are required (or --self-test)")
    root = os.path.abspath(args.root)
    failed = 0
    for facts in args.facts:
        stem, policy = policy_of(facts)
        if not check_one(proviso, root, policy, facts, stem, sys.stdout):
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
