#!/usr/bin/python3
"""The CLI's answers to bad or unusual input: exit codes and the messages that name the place.

    run_cli_cases.py --proviso PATH --root REPO

Each case runs `proviso` with arguments (in a temporary folder holding the case's files) and
checks the exit code and that stdout+stderr contain every expected piece of text. A crash (exit by
signal) or a timeout fails, whatever the case expects. Golden diagnostics of `proviso check` are in
tests/golden; these are the paths around it: facts files, outputs, sizes.
Only the Python standard library is used.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import threading

TIMEOUT_SECONDS = 120

DECIMAL_POLICY = """policy p
input { a: decimal }
output o: decimal
rule r { then o = a }
"""

# Shapes that once took the JIT exponential time or overflowed the stack (found by fuzzing).
LET_DAG = "input { x: int }\n" + "".join(
    f"let a{i}: int = {'x' if i == 0 else f'a{i - 1} + a{i - 1}'}\n" for i in range(30)) + \
    "output o: int\nrule r { then o = a29 }\n"
LIST_DAG = "input { x: int }\nfunction l0(v: int) -> list<int> = [v]\n" + "".join(
    f"function l{i}(v: int) -> list<int> = if v > 0 then l{i - 1}(v - 1) else l{i - 1}(v + 1)\n" for i in range(1, 21)) + \
    "output o: int\nrule r { then o = count(l20(x)) }\n"
FUNCTION_DAG = "input { x: int }\nfunction f0(v: int) -> int = v\n" + "".join(
    f"function f{i}(v: int) -> int = f{i - 1}(v) + f{i - 1}(v)\n" for i in range(1, 30)) + \
    "output o: int\nrule r { then o = f29(x) }\n"

# Six nested quantifiers over 60 elements: 4.7e10 elements visited, hours on either engine.
NESTED_QUANTIFIERS = ("input { xs: list<int> }\noutput ok: bool\nrule r { then ok = all a in xs: all b in xs: "
                      "all c in xs: all d in xs: all e in xs: all f in xs: a + b + c + d + e + f >= 0 }\n")
NESTED_FACTS = '{"xs": [' + ", ".join(str(i) for i in range(60)) + ']}'

# A policy importing {} (a path), and the library it may import.
IMPORTING = 'policy p\nimport {}\ninput {{ x: int }}\noutput o: int\nrule r {{ then o = twice(x) }}\n'
LIBRARY = "function twice(v: int) -> int = v * 2\n"

# A record that holds itself through a list, and two facts of it.
RECURSIVE_POLICY = """policy p
record R { v: int, kids: list<R> }
input { r: R, s: R }
output same: bool
rule r1 { then same = r == s }
"""

# The same records, read natively.
RECURSIVE_COUNT = RECURSIVE_POLICY.replace("output same: bool\nrule r1 { then same = r == s }",
                                           "output n: int\nrule r1 { then n = count(r.kids) + count(s.kids) }")


def deep_facts(depth):
    """Facts of RECURSIVE_POLICY: `r` and `s` equal, each a chain of `depth` records."""
    chain = '{"v": 1, "kids": [' * depth + '{"v": 1, "kids": []}' + "]}" * depth
    return '{"r": ' + chain + ', "s": ' + chain + "}"


# 40 levels: 2**40 calls if each is made where it is written.
FUNCTION_DAG_40 = "input { x: int }\nfunction f0(v: int) -> int = v\n" + "".join(
    f"function f{i}(v: int) -> int = f{i - 1}(v) + f{i - 1}(v)\n" for i in range(1, 41)) + \
    "output o: int\nrule r { then o = f40(x) }\n"

# Sizes that were quadratic (or worse) in the checker or the optimiser.
BIG_TABLE = "input { x: int }\noutput o: int\nrule r { then o = t(x) }\ntable t(a: int) -> int hit first {\n" + "".join(
    f"  {i} => {i * 2}\n" for i in range(10000)) + "  default => -1\n}\n"
SIBLINGS = "input { x: int }\noutput o: int\nrule base { then o = 0 }\n" + "".join(
    f"rule r{i} exception to base {{ when x == {i} then o = {i} }}\n" for i in range(10000))
OVERLAPS = "input { x: int }\noutput o: int\nrule r { then o = t(x) }\ntable t(a: int) -> int hit unique {\n" + "".join(
    f"  >= 0 => {i}\n" for i in range(1000)) + "}\n"

# Two tests, one failing on purpose.
TESTED_POLICY = """policy t
input { x: int }
output o: int
rule r { then o = x * 2 }
test "small one" { given x = 1 expect o = 2 }
test "wrong on purpose" { given x = 2 expect o = 5 }
"""

# An obligation violated when fewer than 30 days are kept.
VIOLATION_POLICY = """policy v
input { kept_days: int }
obligation keep { subject "operator" must "keep records 30 days" violated when kept_days < 30 cite "t" }
"""

# An obligation whose deadline is `keep after ended`, and an output `ended + 30 days` when `shift`.
DEADLINE_POLICY = """policy p
input { ended: date, shift: bool }
param keep: duration = 30 days
obligation keep_records { subject "operator" must "keep the records"
  deadline keep after ended cite "test" }
output late: date?
rule r { when shift
  then late = ended + 30 days }
"""

TABLE_DAG = "input { x: int }\ntable t0(v: int) -> int hit first {\n  default => v\n}\n" + "".join(
    f"table t{i}(v: int) -> int hit first {{\n  > 0 => t{i - 1}(v - 1) + t{i - 1}(v + 1)\n  default => 0\n}}\n"
    for i in range(1, 21)) + "output o: int\nrule r { then o = t20(x) }\n"

# A param whose default `{}` nests records declared after the one that holds them.
NESTED_DEFAULTS = """policy p
record A { b: B = {} }
record B { c: C = {} }
record C { v: int = 2 }
param p: A = {}
input { n: int }
output o: int
rule a { then o = p.b.c.v + n }
"""

# A record param and an optional date param.
RECORD_PARAM = """policy p
record D { c: int }
param p: D = {c: 1}
param od: date? = 2020-01-01
input { n: int }
output o: int
rule r { then o = p.c + n + (if od is present then 1 else 0) }
"""


def exceptions_chain(n):
    rules = "rule r0 { then o = 0 }\n" + "".join(
        f"rule r{i} exception to r{i - 1} {{ when x > {i} then o = {i} }}\n" for i in range(1, n))
    return "input { x: int }\noutput o: int\n" + rules


def obligation_chain(n):
    return "input { n: int }\nobligation b0 { subject \"s\" must \"m\" cite \"c\" }\n" + "".join(
        f"obligation b{i} exception to b{i - 1} {{ subject \"s\" must \"m\" when n > {i} cite \"c\" }}\n"
        for i in range(1, n))


def function_chain(n):
    return "input { x: int }\nfunction f0(v: int) -> int = v\n" + "".join(
        f"function f{i}(v: int) -> int = f{i - 1}(v) + 1\n" for i in range(1, n)) + \
        f"output o: int\nrule r {{ then o = f{n - 1}(x) }}\n"


def let_chain(n):
    return "input { x: int }\nlet a0 = x\n" + "".join(f"let a{i} = a{i - 1} + 1\n" for i in range(1, n)) + \
        f"output o: int\nrule r {{ then o = a{n - 1} }}\n"


def record_chain(n):
    records = "record R0 { v: int }\n" + "".join(f"record R{i} {{ r: R{i - 1} }}\n" for i in range(1, n))
    return records + f"input {{ top: R{n - 1}? }}\noutput o: int\nrule r {{ then o = 1 }}\n"


# name, files {name: text}, arguments, expected exit code, texts the output must contain.
CASES = [
    ("missing facts file", {"p.proviso": DECIMAL_POLICY},
     ["eval", "p.proviso", "--facts", "none.json"], 1, ["cannot read `none.json`: no such file"]),
    ("facts file is a directory", {"p.proviso": DECIMAL_POLICY, "d/x": ""},
     ["eval", "p.proviso", "--facts", "d"], 1, ["cannot read `d`: it is a directory"]),
    ("endless facts are refused at the size limit", {"p.proviso": DECIMAL_POLICY},
     ["eval", "p.proviso", "--facts", "/dev/zero"], 1, ["cannot read `/dev/zero`: it is larger than 256 MiB"]),
    ("facts from a pipe", {"p.proviso": DECIMAL_POLICY, "fifo:f.json": '{"a": 1.5}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01"], 0, ["o = 1.5"]),
    ("missing policy file", {},
     ["eval", "none.proviso", "--facts", "f.json"], 1, ["error[E0005]: cannot read `none.proviso`: no such file"]),
    ("a number JSON cannot hold", {"p.proviso": DECIMAL_POLICY, "f.json": '{"a": 1e400}'},
     ["eval", "p.proviso", "--facts", "f.json"], 1, ["`f.json` is not valid JSON"]),
    ("a whole decimal whose 10^-6 units overflow", {"p.proviso": DECIMAL_POLICY, "f.json": '{"a": 9223372036855}'},
     ["eval", "p.proviso", "--facts", "f.json"], 1,
     ["invalid facts in `f.json`: `a`: decimal out of range (at most 9000000000000 in magnitude)"]),
    ("a decimal param override out of range", {"p.proviso": DECIMAL_POLICY.replace(
        "rule r { then o = a }", "param k: decimal = 1.0\nrule r { then o = a * k }"), "f.json": '{"a": 1}'},
     ["eval", "p.proviso", "--facts", "f.json", "--set", "k=9223372036855"], 1, ["invalid `--set k`", "out of range"]),
    ("a decimal a double cannot hold is exact text in JSON",
     {"p.proviso": DECIMAL_POLICY, "f.json": '{"a": "999999999999.999999"}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01", "--format", "json"], 0,
     ['"o": "999999999999.999999"']),
    ("and in text", {"p.proviso": DECIMAL_POLICY, "f.json": '{"a": "999999999999.999999"}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01"], 0, ["o = 999999999999.999999\n"]),
    ("a small decimal in plain notation", {"p.proviso": DECIMAL_POLICY, "f.json": '{"a": 0.000001}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01"], 0, ["o = 0.000001\n"]),
    ("lets that each use the previous twice compile in linear time",
     {"p.proviso": LET_DAG, "f.json": '{"x": 1}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01"], 0, [f"o = {2 ** 29}\n"]),
    ("functions that each call the previous twice compile in linear time",
     {"p.proviso": FUNCTION_DAG, "f.json": '{"x": 1}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01"], 0, [f"o = {2 ** 29}\n"]),
    ("40 levels of functions calling the previous twice: the interpreter computes each call once",
     {"p.proviso": FUNCTION_DAG_40, "f.json": '{"x": 1}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01", "--engine", "interp"], 0, [f"o = {2 ** 40}\n"]),
    ("and natively it is E0601 at once, not hours of work per row",
     {"p.proviso": FUNCTION_DAG_40, "f.json": '{"x": 1}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01"], 1,
     ["error[E0601]: the JIT cannot compile a policy whose evaluation would run over", "p.proviso:34:31", "--engine=interp"]),
    ("nested quantifiers stop at the evaluation budget, natively",
     {"p.proviso": NESTED_QUANTIFIERS, "f.json": NESTED_FACTS},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01"], 1,
     ["went over its budget of 100000000 collection elements visited", "--budget N"]),
    ("and in the interpreter, at the quantifier that went over",
     {"p.proviso": NESTED_QUANTIFIERS, "f.json": NESTED_FACTS},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01", "--engine", "interp", "--budget", "100000"], 1,
     ["p.proviso:3:", "went over its budget of 100000 collection"]),
    ("a budget large enough decides",
     {"p.proviso": NESTED_QUANTIFIERS.replace("all e in xs: all f in xs: ", "").replace(" + e + f", ""),
      "f.json": '{"xs": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01", "--budget", "20000"], 0, ["ok = true"]),
    ("functions that cannot be called out of line, too large to inline everywhere",
     {"p.proviso": LIST_DAG, "f.json": '{"x": 1}'},
     ["eval", "p.proviso", "--facts", "f.json"], 1,
     ["error[E0601]: the JIT cannot compile a policy whose functions and tables, emitted at each use, come to over",
      "p.proviso:22:", "--engine=interp"]),
    ("and the interpreter evaluates it", {"p.proviso": LIST_DAG, "f.json": '{"x": 1}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01", "--engine", "interp"], 0, ["o = 1\n"]),
    ("tables that call another twice at every level: E0601 at the largest", {"p.proviso": TABLE_DAG, "f.json": '{"x": 1}'},
     ["eval", "p.proviso", "--facts", "f.json"], 1,
     ["error[E0601]: the JIT cannot compile a policy whose functions and tables", "p.proviso:81:7", "--engine=interp"]),
    ("nested record defaults declared out of order (natively; this crashed)",
     {"p.proviso": NESTED_DEFAULTS, "f.json": '{"n": 1}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01"], 0, ["o = 3\n"]),
    ("and in the interpreter (which gave none)", {"p.proviso": NESTED_DEFAULTS, "f.json": '{"n": 1}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01", "--engine", "interp"], 0, ["o = 3\n"]),
    ("an error inside a record param's --set value names the --set, not the facts",
     {"p.proviso": RECORD_PARAM, "f.json": '{"n": 1}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01", "--set", "p={}"], 1,
     ["error: invalid `--set p`: `p.c`: missing required field of type `int`"]),
    ("--set none for an optional param", {"p.proviso": RECORD_PARAM, "f.json": '{"n": 1}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01", "--set", "od=none"], 0, ["o = 2\n"]),
    ("a chain of 999 obligation exceptions natively: only the deepest that applies",
     {"p.proviso": obligation_chain(999), "f.json": '{"n": 500}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01"], 0, ["  b499: s must", "violations: 0"]),
    ("a chain of 1000 exceptions (the limit) in the interpreter",
     {"p.proviso": exceptions_chain(1000), "f.json": '{"x": 7}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01", "--engine", "interp"], 0, ["o = 6\n"]),
    ("and natively", {"p.proviso": exceptions_chain(1000), "f.json": '{"x": 7}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01"], 0, ["o = 6\n"]),
    ("a chain of exceptions over the limit", {"p.proviso": exceptions_chain(20000)},
     ["check", "p.proviso"], 1,
     ["error[E0008]: rule `r1000` is an exception 1000 levels deep (at most 999)", "p.proviso:1003:6"]),
    ("a chain of 999 functions in the LLVM dump", {"p.proviso": function_chain(999)},
     ["compile", "p.proviso", "--emit", "llvm"], 0, ["define"]),
    ("a chain of definitions over the limit", {"p.proviso": let_chain(8000)},
     ["check", "p.proviso"], 1,
     ["error[E0008]: `a1000` needs a chain of more than 1000 definitions", "p.proviso:1002:5"]),
    ("records nested 999 deep", {"p.proviso": record_chain(999), "f.json": '{}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01", "--format", "json"], 0, ['"o": 1']),
    ("and in the LLVM dump", {"p.proviso": record_chain(999)},
     ["compile", "p.proviso", "--emit", "llvm"], 0, ["define"]),
    ("records nested over the limit", {"p.proviso": record_chain(20000)},
     ["check", "p.proviso"], 1, ["error[E0008]: record `R19999` nests records more than 1000 deep", "p.proviso:20000:8"]),
    ("a deadline after the end of the calendar names the whole `D after E` clause (natively)",
     {"p.proviso": DEADLINE_POLICY, "f.json": '{"ended": "9999-12-20", "shift": false}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01"], 1,
     ["p.proviso:5:12: `keep after ended` moves the date outside the calendar (years 1 to 9999)"]),
    ("and in the interpreter", {"p.proviso": DEADLINE_POLICY, "f.json": '{"ended": "9999-12-20", "shift": false}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01", "--engine", "interp"], 1,
     ["p.proviso:5:12: `keep after ended` moves the date outside the calendar (years 1 to 9999)"]),
    ("a date expression that leaves it is named whole", {"p.proviso": DEADLINE_POLICY, "f.json": '{"ended": "9999-12-20", "shift": true}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01"], 1,
     ["p.proviso:8:15: `(ended + 30 days)` moves the date outside the calendar (years 1 to 9999)"]),
    # Hostile facts and options (issue 22): never a crash, never a silently wrong decision.
    ("facts nested 10,000 deep are refused, not a crash (natively)",
     {"p.proviso": RECURSIVE_COUNT, "f.json": deep_facts(10000)},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01"], 1,
     ["`r.kids[0].kids[0].kids[0].kids...`: the facts nest deeper than 64 objects and arrays"]),
    ("and in the interpreter", {"p.proviso": RECURSIVE_POLICY, "f.json": deep_facts(10000)},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01", "--engine", "interp"], 1,
     ["the facts nest deeper than 64 objects and arrays"]),
    ("facts nested 60 deep are read, compared and explained",
     {"p.proviso": RECURSIVE_POLICY, "f.json": deep_facts(28)},
     ["explain", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01", "--engine", "interp"], 0, ["same = true"]),
    ("`==` on a record that contains itself: E0601 from the JIT, not a crash",
     {"p.proviso": RECURSIVE_POLICY, "f.json": deep_facts(1)},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01"], 1,
     ["error[E0601]: the JIT cannot compile `==` on `R`, a record that contains itself", "p.proviso:5:", "--engine=interp"]),
    ("a key given twice is refused (JSON would keep the last and hide an invalid first)",
     {"p.proviso": DECIMAL_POLICY, "f.json": '{"a": "not a number", "a": 2.5}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01"], 1,
     ["error: `f.json`: `a`: this key is given twice"]),
    ("a nested key given twice names its path",
     {"p.proviso": RECURSIVE_COUNT, "f.json": '{"r": {"v": 1, "kids": [{"v": 3, "kids": [], "v": 5}]}, "s": {"v": 1, "kids": []}}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01"], 1, ["`r.kids[].v`: this key is given twice"]),
    ("a table of 10,000 rows is checked and compiled in linear time", {"p.proviso": BIG_TABLE, "f.json": '{"x": 9999}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01"], 0, ["o = 19998\n"]),
    ("10,000 sibling rules are checked in linear time", {"p.proviso": SIBLINGS, "f.json": '{"x": 77}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01", "--engine", "interp"], 0, ["o = 77\n"]),
    ("1,000 overlapping rows are 21 diagnostics, not half a million", {"p.proviso": OVERLAPS},
     ["check", "p.proviso"], 1, ["more rows of table `t` overlap (the first 20 are reported)", "21 errors, 0 warnings"]),
    # A closed filesystem: imports and law files under the import root, regular `.proviso`/`.law` files only.
    ("an import above the policy's folder is refused without a root marker",
     {"sub/p.proviso": IMPORTING.format('"../lib.proviso"'), "lib.proviso": LIBRARY},
     ["check", "sub/p.proviso"], 1, ["cannot import `../lib.proviso`: it is outside the import root", "sub"]),
    ("and allowed under --root", {"sub/p.proviso": IMPORTING.format('"../lib.proviso"'), "lib.proviso": LIBRARY},
     ["check", "sub/p.proviso", "--root", "."], 0, []),
    ("and under a folder holding .proviso-root",
     {"sub/p.proviso": IMPORTING.format('"../lib.proviso"'), "lib.proviso": LIBRARY, ".proviso-root": ""},
     ["check", "sub/p.proviso"], 0, []),
    ("an absolute path outside the root is refused before anything is read",
     {"p.proviso": IMPORTING.format('"/etc/passwd"')}, ["check", "p.proviso"], 1,
     ["cannot import `/etc/passwd`: only `.proviso` files can be imported"]),
    ("a symbolic link out of the root is refused", {"p.proviso": IMPORTING.format('"up.proviso"'), "link:up.proviso": "/etc/hostname"},
     ["check", "p.proviso"], 1, ["cannot import `up.proviso`: it is outside the import root"]),
    ("a law file outside the root is refused", {"sub/p.proviso": 'policy p\n  law "../x.law"\n' + LIBRARY},
     ["check", "sub/p.proviso"], 1, ["cannot read the law `../x.law`: it is outside the import root"]),
    ("an imported pipe nobody writes is refused, not a hang",
     {"p.proviso": IMPORTING.format('"lib.proviso"'), "silent-fifo:lib.proviso": ""},
     ["check", "p.proviso"], 1, ["cannot import `lib.proviso`: it is not a regular file"]),
    ("checking a pipe nobody writes is refused, not a hang", {"silent-fifo:q.proviso": ""},
     ["check", "q.proviso"], 1, ["cannot read `q.proviso`: it is not a regular file"]),
    ("--as-of with an empty value is an error, not today", {"p.proviso": DECIMAL_POLICY, "f.json": '{"a": 1}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", ""], 1, ["`` is not a valid date"]),
    # Conventions: the version, a misspelt command, `-` for standard input, a CI gate on violations.
    ("--version", {}, ["--version"], 0, ["proviso 0.1.0"]),
    ("the version command", {}, ["version"], 0, ["proviso 0.1.0"]),
    ("a misspelt command names the nearest", {}, ["chek", "p.proviso"], 2,
     ["unknown command `chek` (did you mean `check`?)"]),
    ("an unknown command with nothing near", {}, ["frobnicate"], 2, ["unknown command `frobnicate`; the commands:"]),
    ("a policy from standard input (`-`)", {"<stdin>": DECIMAL_POLICY, "f.json": '{"a": 2.5}'},
     ["eval", "-", "--facts", "f.json", "--as-of", "2020-01-01"], 0, ["o = 2.5"]),
    ("check - names it <stdin>", {"<stdin>": "policy p\ninput { a: int }\noutput o: int\nrule r { then o = b }\n"},
     ["check", "-"], 1, ["<stdin>:4:19", "unknown name `b`"]),
    ("the policy and the facts cannot both be standard input", {"<stdin>": DECIMAL_POLICY},
     ["eval", "-", "--facts", "-"], 2, ["cannot both come from standard input"]),
    ("check --format sarif", {"p.proviso": "policy p\ninput { a: int }\noutput o: int\nrule r { then o = b }\n"},
     ["check", "--format", "sarif", "p.proviso"], 1,
     ['"version": "2.1.0"', '"ruleId": "E0111"', '"uri": "p.proviso"', '"startLine": 4', '"level": "error"']),
    ("test --format junit", {"t.proviso": TESTED_POLICY}, ["test", "--format", "junit", "t.proviso"], 1,
     ['<testsuites name="proviso test" tests="2" failures="1" errors="0">', '<testcase name="small one"',
      '<failure message="expected `o` = 5, got 4">']),
    ("eval --format json: bad facts are a JSON error naming the path",
     {"p.proviso": DECIMAL_POLICY, "f.json": '{"a": "x"}'}, ["eval", "p.proviso", "--facts", "f.json", "--format", "json"], 1,
     ['"kind": "facts"', '"path": "a"', '"error": "invalid facts in `f.json`: `a`:']),
    ("eval --format json: a policy that does not compile gives its diagnostics",
     {"p.proviso": "policy p\ninput { a: int }\noutput o: int\nrule r { then o = b }\n", "f.json": '{"a": 1}'},
     ["eval", "p.proviso", "--facts", "f.json", "--format", "json"], 1,
     ['"kind": "policy"', '"code": "E0111"', '"line": 4', '"error": "`p.proviso` does not compile"']),
    ("eval --format json: no decision", {"p.proviso": DEADLINE_POLICY, "f.json": '{"ended": "9999-12-20", "shift": false}'},
     ["eval", "p.proviso", "--facts", "f.json", "--as-of", "2020-01-01", "--format", "json"], 1,
     ['"kind": "evaluation"', "moves the date outside the calendar"]),
    ("a completion script for bash", {}, ["completion", "bash"], 0, ["complete -o filenames -F _proviso proviso", "check)"]),
    ("doc needs --out", {"p.proviso": DECIMAL_POLICY}, ["doc", "p.proviso"], 2, ["--out is required"]),
    ("facts from standard input", {"p.proviso": DECIMAL_POLICY, "<stdin>": '{"a": 2.5}'},
     ["eval", "p.proviso", "--facts", "-", "--as-of", "2020-01-01"], 0, ["o = 2.5"]),
    ("--fail-on-violation: a violation exits 3", {"v.proviso": VIOLATION_POLICY, "f.json": '{"kept_days": 10}'},
     ["eval", "v.proviso", "--facts", "f.json", "--as-of", "2020-01-01", "--fail-on-violation"], 3,
     ["[VIOLATED] keep"]),
    ("--fail-on-violation: no violation exits 0", {"v.proviso": VIOLATION_POLICY, "f.json": '{"kept_days": 40}'},
     ["eval", "v.proviso", "--facts", "f.json", "--as-of", "2020-01-01", "--fail-on-violation"], 0,
     ["violations: 0"]),
    ("test --run keeps only the tests whose name matches", {"t.proviso": TESTED_POLICY},
     ["test", "--run", "^small", "-v", "t.proviso"], 0, ["PASS t.proviso:5: small one", "1 passed, 0 failed"]),
    ("test --format json: one document", {"t.proviso": TESTED_POLICY},
     ["test", "--format", "json", "t.proviso"], 1, ['"passed": 1', '"failed": 1', '"name": "wrong on purpose"']),
    ("test --run with a bad expression is a usage error", {"t.proviso": TESTED_POLICY},
     ["test", "--run", "(", "t.proviso"], 2, ["`--run (` is not a regular expression"]),
    ("check --format json over two files prints one array", {"a.proviso": "input { x: int }\noutput o: int\nrule r { then o = x + \"s\" }\n",
                                                             "b.proviso": "input { x: int }\nlet unused = 1\noutput o: int\nrule r { then o = x }\n"},
     ["check", "--format", "json", "a.proviso", "b.proviso"], 1, ['"code": "E0210"', '"code": "W0101"']),
    ("without the flag a violation exits 0", {"v.proviso": VIOLATION_POLICY, "f.json": '{"kept_days": 10}'},
     ["eval", "v.proviso", "--facts", "f.json", "--as-of", "2020-01-01"], 0, ["violations: 1"]),
]


def feed_fifo(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def run_case(proviso, name, files, args, want_exit, want_texts):
    with tempfile.TemporaryDirectory() as tmp:
        writers = []
        stdin = files.get("<stdin>")
        for fname, text in files.items():
            if fname == "<stdin>":
                continue
            if fname.startswith("silent-fifo:"):  # a pipe nobody writes: opening it would block
                os.mkfifo(os.path.join(tmp, fname[len("silent-fifo:"):]))
                continue
            if fname.startswith("fifo:"):
                path = os.path.join(tmp, fname[len("fifo:"):])
                os.mkfifo(path)
                writers.append(threading.Thread(target=feed_fifo, args=(path, text), daemon=True))
                continue
            if fname.startswith("link:"):  # a symbolic link to `text`
                os.symlink(text, os.path.join(tmp, fname[len("link:"):]))
                continue
            path = os.path.join(tmp, fname)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        for w in writers:
            w.start()
        try:
            proc = subprocess.run([proviso] + args, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  timeout=TIMEOUT_SECONDS, input=None if stdin is None else stdin.encode(),
                                  stdin=subprocess.DEVNULL if stdin is None else None)
        except subprocess.TimeoutExpired:
            return [f"timed out after {TIMEOUT_SECONDS} s"]
    out = proc.stdout.decode("utf-8", errors="replace")
    problems = []
    if proc.returncode < 0:
        problems.append(f"killed by signal {-proc.returncode}")
    elif proc.returncode != want_exit:
        problems.append(f"exit {proc.returncode}, expected {want_exit}")
    problems += [f"output lacks {t!r}" for t in want_texts if t not in out]
    if problems:
        problems.append("output:\n" + out[:2000])
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--proviso", required=True)
    ap.add_argument("--root", required=True)
    a = ap.parse_args()
    proviso = os.path.abspath(a.proviso)
    failed = 0
    for name, files, args, want_exit, want_texts in CASES:
        problems = run_case(proviso, name, files, args, want_exit, want_texts)
        print(f"{'FAIL' if problems else 'ok  '} {name}")
        for p in problems:
            print("     " + p.replace("\n", "\n     "))
        failed += bool(problems)
    print(f"{len(CASES) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
