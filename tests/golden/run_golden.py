#!/usr/bin/python3
"""Golden diagnostic tests for `proviso check`.

    run_golden.py --proviso PATH --root REPO [--regen] FILE_OR_DIR...

Each FILE is a policy path relative to REPO (absolute paths work too); a directory stands for every
`*.proviso` below it. `proviso check FILE` is run from REPO with the path exactly as given, and its
stdout and stderr are merged.

  bad/<name>.proviso   the output plus a final line `exit: <code>` must equal <name>.expected
                       byte for byte; on a mismatch a unified diff is printed. The output must hold
                       at least one diagnostic: a bad program that checks silently is a failure.
  good/<name>.proviso  must exit 0 and print no `error[` (warnings are allowed). If a
                       <name>.expected exists beside it, it is compared too.

Files under a `lib/` folder are libraries imported by other cases, never cases themselves: they are
skipped. A crash (exit by signal) or a timeout is always a failure.

--regen rewrites the .expected files of bad cases from the current output, on purpose: review every
changed expectation (git diff) before committing it. Crashes and silent outputs are never written.

--self-test checks that this runner fails when it should (a wrong expectation, an error in a good
file) and passes when it should, using the real binary in a temporary folder.

Exit status: 0 when every case passed, 1 otherwise, 2 on a usage error.
Only the Python standard library is used.
"""

import argparse
import difflib
import os
import subprocess
import sys
import tempfile

TIMEOUT_SECONDS = 60


def run_check(proviso, root, path):
    """Runs `proviso check path` from root; returns (text, exit code or None on timeout)."""
    try:
        proc = subprocess.run(
            [proviso, "check", path],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        return "", None
    return proc.stdout.decode("utf-8", errors="replace"), proc.returncode


def kind_of(path):
    """'good', 'bad' or 'lib' from the folders of a case path (the innermost one wins)."""
    parts = os.path.normpath(path).split(os.sep)[:-1]
    for part in reversed(parts):
        if part == "lib":
            return "lib"
        if part in ("good", "bad"):
            return part
    return None


def expand(root, items):
    """Files as given; directories become their *.proviso files (sorted), lib/ folders skipped."""
    out = []
    for item in items:
        full = item if os.path.isabs(item) else os.path.join(root, item)
        if os.path.isdir(full):
            for dirpath, dirnames, filenames in os.walk(full):
                dirnames[:] = sorted(d for d in dirnames if d != "lib")
                for name in sorted(filenames):
                    if name.endswith(".proviso"):
                        rel = os.path.relpath(os.path.join(dirpath, name), root)
                        out.append(rel if not os.path.isabs(item) else os.path.join(dirpath, name))
        else:
            out.append(item)
    return out


def check_one(proviso, root, path, regen, out):
    """Runs one case; writes messages to `out`; returns True when it passed."""
    kind = kind_of(path)
    full = path if os.path.isabs(path) else os.path.join(root, path)
    if kind == "lib":
        out.write(f"SKIP {path} (library)\n")
        return True
    if kind is None:
        out.write(f"FAIL {path}: not under a good/ or bad/ folder\n")
        return False
    if not os.path.isfile(full):
        out.write(f"FAIL {path}: no such file\n")
        return False
    text, code = run_check(proviso, root, path)
    if code is None:
        out.write(f"FAIL {path}: `proviso check` did not finish within {TIMEOUT_SECONDS}s\n")
        return False
    if code < 0:
        out.write(f"FAIL {path}: `proviso check` crashed (signal {-code})\n{text}")
        return False
    actual = text + f"exit: {code}\n"
    expected_path = os.path.splitext(full)[0] + ".expected"

    if kind == "good":
        ok = True
        if code != 0 or "error[" in text:
            out.write(f"FAIL {path}: a good policy must check without errors (exit {code})\n{text}")
            ok = False
        if ok and os.path.exists(expected_path):
            ok = compare(path, expected_path, actual, out)
        if ok:
            out.write(f"PASS {path}\n")
        return ok

    # kind == "bad"
    if "error[" not in text and "warning[" not in text:
        out.write(f"FAIL {path}: no diagnostic at all (exit {code}); a bad case must be reported\n{text}")
        return False
    if regen:
        old = read(expected_path)
        if old != actual:
            with open(expected_path, "w", encoding="utf-8", newline="\n") as f:
                f.write(actual)
            out.write(f"REGEN {path}{'' if old is not None else ' (new)'}\n")
        else:
            out.write(f"PASS {path} (unchanged)\n")
        return True
    if not compare(path, expected_path, actual, out):
        return False
    out.write(f"PASS {path}\n")
    return True


def read(path):
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except FileNotFoundError:
        return None


def compare(path, expected_path, actual, out):
    expected = read(expected_path)
    if expected is None:
        out.write(f"FAIL {path}: no {os.path.basename(expected_path)} (run with --regen, then review it)\n")
        return False
    if expected == actual:
        return True
    out.write(f"FAIL {path}: output differs from {os.path.basename(expected_path)}\n")
    diff = difflib.unified_diff(
        expected.splitlines(keepends=True),
        actual.splitlines(keepends=True),
        fromfile=os.path.basename(expected_path),
        tofile="actual",
    )
    for line in diff:
        out.write(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return False


def self_test(proviso):
    """The runner must fail on a wrong expectation and on an error in a good file."""
    failures = []

    class Sink:
        def __init__(self):
            self.text = ""

        def write(self, s):
            self.text += s

    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "bad"))
        os.makedirs(os.path.join(root, "good", "lib"))
        with open(os.path.join(root, "bad", "b.proviso"), "w") as f:
            f.write("let x: int = \"one\"\n")
        with open(os.path.join(root, "good", "g.proviso"), "w") as f:
            f.write("let x: int = \"one\"\n")
        with open(os.path.join(root, "good", "lib", "l.proviso"), "w") as f:
            f.write("garbage garbage\n")
        with open(os.path.join(root, "bad", "b.expected"), "w") as f:
            f.write("something else\nexit: 1\n")
        b = os.path.join("bad", "b.proviso")
        sink = Sink()
        if check_one(proviso, root, b, False, sink) or "@@" not in sink.text:
            failures.append("a wrong expectation passed or printed no diff")
        if not check_one(proviso, root, b, True, Sink()):
            failures.append("--regen failed")
        if not check_one(proviso, root, b, False, Sink()):
            failures.append("a regenerated expectation does not pass")
        if check_one(proviso, root, os.path.join("good", "g.proviso"), False, Sink()):
            failures.append("a good file with an error passed")
        if expand(root, ["good"]) != [os.path.join("good", "g.proviso")]:
            failures.append("directory expansion does not skip lib/")
        os.remove(os.path.join(root, "bad", "b.expected"))
        if check_one(proviso, root, b, False, Sink()):
            failures.append("a bad file without expectation passed")
    for f in failures:
        print(f"FAIL self-test: {f}")
    if not failures:
        print("PASS self-test")
    return not failures


def main():
    parser = argparse.ArgumentParser(description="Golden diagnostic tests for `proviso check`.")
    parser.add_argument("--proviso", required=True, help="path to the proviso binary")
    parser.add_argument("--root", required=True, help="repository root; cases are run from here")
    parser.add_argument("--regen", action="store_true", help="rewrite the .expected files on purpose")
    parser.add_argument("--self-test", action="store_true", help="check that the runner can fail")
    parser.add_argument("files", nargs="*", help="policy files or folders, relative to --root")
    args = parser.parse_args()
    proviso = os.path.abspath(args.proviso)
    if not os.access(proviso, os.X_OK):
        print(f"error: `{args.proviso}` is not an executable", file=sys.stderr)
        return 2
    if args.self_test:
        return 0 if self_test(proviso) else 1
    if not args.files:
        parser.error("no files given")
    root = os.path.abspath(args.root)
    failed = 0
    cases = expand(root, args.files)
    for path in cases:
        if not check_one(proviso, root, path, args.regen, sys.stdout):
            failed += 1
    if len(cases) > 1:
        print(f"{len(cases) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
