#!/usr/bin/env python3
"""Mutation test of `proviso diff` (issue 20).

Generates seeded mutants of the policies in policies/cn (thresholds, enum members of params, table
cells, exception links, deadlines, rule values, conditions) and checks that `proviso diff` finds
every one, each witness replayed on both engines (the CLI replays it; an internal bug exits 5) and
run unchanged by `proviso eval` on both engines; then checks that meaning-preserving rewrites
(reordered rules, a renamed let, an inlined let, a table split in two, ...) are proved equivalent.

Usage: run_mutants.py --proviso PATH --source-dir DIR [--count N] [--seed S]
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

# The policies whose facts the translation covers (no lists, no `for each`).
POLICIES = ["call_center", "network_data_security_2020", "shanghai_inspection_2020",
            "transport_scientific_data", "zhejiang_public_data", "benchmark_policy"]


def split_tests(text):
    """(declarations, tests): mutants change the declarations only."""
    i = text.find('\ntest "')
    return (text, "") if i < 0 else (text[:i], text[i:])


def code_spans(decls):
    """Offsets of code (not comments, not strings) as a mask string: 'c' code, ' ' other."""
    mask = []
    i, n = 0, len(decls)
    while i < n:
        if decls.startswith("//", i):
            j = decls.find("\n", i)
            j = n if j < 0 else j
            mask.extend(" " * (j - i))
            i = j
        elif decls[i] == '"':
            j = decls.find('"', i + 1)
            j = n - 1 if j < 0 else j
            mask.extend(" " * (j + 1 - i))
            i = j + 1
        else:
            mask.append("c")
            i += 1
    return "".join(mask)


def enums(decls):
    out = {}
    for m in re.finditer(r"\benum\s+(\w+)\s*\{([^}]*)\}", decls):
        body = re.sub(r"//[^\n]*", "", m.group(2))
        out[m.group(1)] = [v.strip() for v in body.replace("\n", ",").split(",") if v.strip()]
    return out


def mutants_of(name, text, extra_enums):
    """Every mutant of one policy's declarations: (kind, description, new text)."""
    decls, tests = split_tests(text)
    mask = code_spans(decls)
    out = []

    def add(kind, start, end, new, what):
        if "c" not in mask[start:end] or mask[start] != "c":
            return
        out.append((kind, f"{name}: {what}", decls[:start] + new + decls[end:] + tests))

    for m in re.finditer(r"\b(\d+) (days|months)\b", decls):
        n = int(m.group(1))
        add("threshold", m.start(), m.end(), f"{n + 1} {m.group(2)}", f"{m.group(0)} -> {n + 1} {m.group(2)}")
    for m in re.finditer(r"\bparam\s+(\w+)\s*:\s*set<\w+>\s*=\s*\{([^}]*)\}", decls):
        members = [x.strip() for x in m.group(2).replace("\n", " ").split(",") if x.strip()]
        for k, drop in enumerate(members):
            rest = ", ".join(x for x in members if x != drop)
            add("enum member", m.start(2), m.end(2), rest, f"param {m.group(1)} without {drop}")
    for m in re.finditer(r"\s+exception to \w+(?:\s+priority \d+)?", decls):
        add("exception link", m.start(), m.end(), "", f"`{m.group(0).strip()}` removed at offset {m.start()}")
    all_enums = dict(extra_enums)
    all_enums.update(enums(decls))
    variant_of = {v: vs for vs in all_enums.values() for v in vs}
    for m in re.finditer(r"\bthen (\w+) = (\w+)\s*\n", decls):
        v = m.group(2)
        if v in ("true", "false"):
            new = "false" if v == "true" else "true"
        elif v in variant_of:
            vs = variant_of[v]
            new = vs[(vs.index(v) + 1) % len(vs)]
        else:
            continue
        add("rule value", m.start(2), m.end(2), new, f"then {m.group(1)} = {v} -> {new}")
    for m in re.finditer(r"\n  when ([^\n]*)", decls):
        cond = m.group(1)
        if " and " in cond:
            k = m.start(1) + cond.index(" and ")
            add("condition", k, k + 5, " or ", f"`and` -> `or` in `when {cond[:60]}`")
    for m in re.finditer(r"\n  violated when ([^\n]*)", decls):
        add("condition", m.start(1), m.end(1), f"not ({m.group(1)})", f"violated when negated: {m.group(1)[:60]}")
    for m in re.finditer(r"\bdeadline (\w+) after\b", decls):
        add("deadline", m.start(), m.end(), f"deadline {m.group(1)} + 1 days after", f"deadline {m.group(1)} one day later")
    for m in re.finditer(r"=> (\d+)\n", decls):
        n = int(m.group(1))
        add("table cell", m.start(1), m.end(1), str(n + 1), f"table result at offset {m.start()} {n} -> {n + 1}")
    return out


REWRITES = [
    ("call_center", "renamed let", [("kept_for", "kept_duration")]),
    ("call_center", "inlined let", [("kept_for < min_retention", "((call.deleted_on ?? as_of) - call.ended_on) < min_retention")]),
    ("call_center", "flipped comparison", [("kept_for < min_retention", "min_retention > kept_for")]),
    ("call_center", "De Morgan", [("violated when not operator.internal_controls or not operator.outbound_call_controls",
                                   "violated when not (operator.internal_controls and operator.outbound_call_controls)")]),
    ("call_center", "double negation", [("violated when operator.makes_or_facilitates_crank_calls",
                                         "violated when not not operator.makes_or_facilitates_crank_calls")]),
    ("call_center", "reordered rules", "swap:rule call_center_business {:rule not_call_center_business {"),
    ("transport_scientific_data", "reordered exceptions",
     "swap:rule refuse_not_sharing exception:rule refuse_open_conditions_not_met exception"),
    ("shanghai_inspection_2020", "reordered conjunction", [("when in_scope and self_inspection_completed\n",
                                                           "when self_inspection_completed and in_scope\n")]),
    ("network_data_security_2020", "reordered set", [("{basic_telecom, value_added_telecom, internet_enterprise}",
                                                     "{internet_enterprise, basic_telecom, value_added_telecom}")]),
    ("zhejiang_public_data", "renamed rule", [("restricted_opening_conditions_met", "conditions_for_opening_met")]),
    ("benchmark_policy", "table split in two", "split"),
    ("benchmark_policy", "reversed unique table rows", "reverse"),
]


def swap_blocks(text, a, b):
    """Swaps the two top-level blocks starting with `a` and `b` (each up to its closing `}` line)."""
    def block(start):
        end = text.index("\n}\n", start) + 3
        return start, end
    sa, ea = block(text.index(a))
    sb, eb = block(text.index(b))
    assert ea <= sb
    return text[:sa] + text[sb:eb] + text[ea:sb] + text[sa:ea] + text[eb:]


TABLE_RE = re.compile(r"table impact_level\(object: ImpactObject, degree: ImpactDegree\) -> int hit unique\n(.*?)\{\n(.*?)\n\}\n",
                      re.S)


def rewrite(work, name, how):
    path = os.path.join(work, name + ".proviso")
    text = open(path).read()
    if isinstance(how, list):
        for old, new in how:
            assert old in text, (name, old)
            text = text.replace(old, new)
    elif how.startswith("swap:"):
        _, a, b = how.split(":")
        text = swap_blocks(text, a, b)
    else:  # the table `impact_level` of common.proviso
        common = os.path.join(work, "common.proviso")
        ctext = open(common).read()
        m = TABLE_RE.search(ctext)
        rows = m.group(2).split("\n")
        if how == "reverse":
            ctext = ctext[:m.start(2)] + "\n".join(reversed(rows)) + ctext[m.end(2):]
            open(common, "w").write(ctext)
            return
        first = [r for r in rows if r.strip().startswith(("national_security", "public_rights"))]
        rest = [r for r in rows if r not in first]
        tables = "".join(
            f"table {t}(object: ImpactObject, degree: ImpactDegree) -> int hit unique {{\n" + "\n".join(rs) + "\n  default => 0\n}\n"
            for t, rs in (("impact_level_a", first), ("impact_level_b", rest)))
        call = "impact_level(object, degree)"
        assert call in text
        text = text.replace(call, "(if object in {national_security, public_rights} then impact_level_a(object, degree) "
                                  "else impact_level_b(object, degree))")
        text = text.replace("\ninput {", "\n" + tables + "\ninput {", 1)
    open(path, "w").write(text)


def diff(proviso, old, new):
    r = subprocess.run([proviso, "diff", old, new, "--format", "json"], capture_output=True, text=True, timeout=120)
    try:
        return r.returncode, json.loads(r.stdout), r.stderr
    except json.JSONDecodeError:
        return r.returncode, None, r.stderr


def evaluate(proviso, policy, facts, as_of, engine):
    r = subprocess.run([proviso, "eval", policy, "--facts", "-", "--as-of", as_of, "--format", "json",
                        f"--engine={engine}"], input=json.dumps(facts), capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        return {"error": r.stderr.strip()}
    d = json.loads(r.stdout)
    return {"outputs": d.get("outputs"), "obligations": {o["name"]: o for o in d.get("obligations", [])}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proviso", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--seed", type=int, default=20)
    a = ap.parse_args()
    src = os.path.join(a.source_dir, "policies", "cn")
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        common_enums = enums(open(os.path.join(src, "common.proviso")).read())
        candidates = []
        for name in POLICIES:
            text = open(os.path.join(src, name + ".proviso")).read()
            candidates += [(name, "main", k, d, t) for k, d, t in mutants_of(name, text, common_enums)]
        ctext = open(os.path.join(src, "common.proviso")).read()
        candidates += [("benchmark_policy", "common", k, d, t) for k, d, t in mutants_of("common", ctext, {})]
        # Seeded, and interleaved by kind so that every kind of mutant is among the first tried.
        rng = random.Random(a.seed)
        by_kind = {}
        for c in candidates:
            by_kind.setdefault(c[2], []).append(c)
        for k in sorted(by_kind):
            rng.shuffle(by_kind[k])
        candidates = []
        while any(by_kind.values()):
            for k in sorted(by_kind):
                if by_kind[k]:
                    candidates.append(by_kind[k].pop())
        found = 0
        tried = 0
        kinds = {}
        for idx, (name, which, kind, what, text) in enumerate(candidates):
            if found >= a.count:
                break
            work = os.path.join(tmp, f"m{idx}")
            shutil.copytree(src, work)
            open(os.path.join(work, (name if which == "main" else "common") + ".proviso"), "w").write(text)
            old = os.path.join(src, name + ".proviso")
            new = os.path.join(work, name + ".proviso")
            code, report, err = diff(a.proviso, old, new)
            if report is None:  # the mutant does not compile (e.g. a rule left without its parent): not a mutant
                shutil.rmtree(work)
                continue
            tried += 1
            if code != 1 or report["equivalent"] or not report["witnesses"]:
                failures.append(f"mutant not found ({kind}): {what}: exit {code}, {json.dumps(report)[:400]}")
                continue
            found += 1
            kinds[kind] = kinds.get(kind, 0) + 1
            if found % 5:  # every fifth: the first witness, unchanged, through `proviso eval` on both engines
                shutil.rmtree(work)
                continue
            w = report["witnesses"][0]
            d = w["differences"][0]
            for engine in ("jit", "interp"):
                o = evaluate(a.proviso, old, w["facts"], w["as_of"], engine)
                n = evaluate(a.proviso, new, w["facts"], w["as_of"], engine)
                if o == n:
                    failures.append(f"witness does not reproduce with `proviso eval --engine={engine}`: {what}: {d}")
            shutil.rmtree(work)
        print(f"{found} of {tried} mutants found by `proviso diff` ({kinds})")
        if found < a.count:
            failures.append(f"only {found} mutants (wanted {a.count})")

        for name, what, how in REWRITES:
            work = os.path.join(tmp, "rewrite-" + re.sub(r"\W", "_", what))
            shutil.copytree(src, work)
            rewrite(work, name, how)
            code, report, err = diff(a.proviso, os.path.join(src, name + ".proviso"), os.path.join(work, name + ".proviso"))
            if code != 0 or report is None or not report["equivalent"]:
                failures.append(f"rewrite not proved equivalent: {name}: {what}: exit {code} "
                                f"{json.dumps(report)[:600] if report else err[:600]}")
            else:
                print(f"equivalent: {name}: {what}")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
