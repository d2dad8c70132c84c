#!/usr/bin/python3
"""`proviso fmt` on the command line: what each mode prints, writes and exits with.

    run_fmt_cli.py --proviso PATH

Each case runs `proviso fmt` in a temporary folder holding the case's files and checks the exit
code, that stdout and stderr contain the expected pieces of text, and what the files hold after.
Only the Python standard library is used.
"""

import argparse
import os
import subprocess
import sys
import tempfile

UGLY = "policy p\ninput{x:int}\noutput o:int\nrule r{then o=x+1}\n"
PRETTY = "policy p\ninput { x: int }\noutput o: int\nrule r { then o = x + 1 }\n"
BROKEN = "policy p\noutput o: int\nrule r {\n  then o = = 1\n}\n"

# (name, files, args, stdin, exit code, texts in stdout, texts in stderr, files after (None: as before))
CASES = [
    ("default: the formatted text on stdout, the file untouched", {"a.proviso": UGLY}, ["a.proviso"], None,
     0, [PRETTY], [], None),
    ("- reads stdin, writes stdout", {}, ["-"], UGLY, 0, [PRETTY], [], None),
    ("-w rewrites a file that changes", {"a.proviso": UGLY, "b.proviso": PRETTY}, ["-w", "."], None,
     0, [], [], {"a.proviso": PRETTY, "b.proviso": PRETTY}),
    ("-l lists the files that change", {"a.proviso": UGLY, "d/b.proviso": PRETTY, "d/c.proviso": UGLY},
     ["-l", "."], None, 0, ["./a.proviso\n./d/c.proviso\n"], [], None),
    ("-l -w lists and writes", {"a.proviso": UGLY}, ["-l", "-w", "a.proviso"], None,
     0, ["a.proviso\n"], [], {"a.proviso": PRETTY}),
    ("-d prints a unified diff", {"a.proviso": UGLY}, ["-d", "a.proviso"], None,
     0, ["--- a.proviso\n+++ a.proviso\n@@ -1,4 +1,4 @@\n policy p\n-input{x:int}\n", "+input { x: int }\n"], [], None),
    ("--check: exit 1 and the files that would change", {"a.proviso": UGLY, "b.proviso": PRETTY},
     ["--check", "a.proviso", "b.proviso"], None, 1, ["a.proviso\n"], ["1 file is not formatted"], None),
    ("--check: exit 0 when every file is formatted", {"b.proviso": PRETTY}, ["--check", "."], None, 0, [], [], None),
    ("--check on stdin", {}, ["--check", "-"], UGLY, 1, ["<stdin>\n"], [], None),
    ("a file that does not parse: file:line:col, exit 1, untouched", {"bad.proviso": BROKEN, "a.proviso": UGLY},
     ["-w", "."], None, 1, [], ["bad.proviso:4:12", "`./bad.proviso` is left as it is: it does not parse"],
     {"bad.proviso": BROKEN, "a.proviso": PRETTY}),
    ("--check with a file that does not parse", {"bad.proviso": BROKEN}, ["--check", "bad.proviso"], None,
     1, [], ["bad.proviso:4:12"], None),
    ("a missing path", {}, ["nowhere.proviso"], None, 1, [], ["`nowhere.proviso`: no such file or folder"], None),
    ("no path is a usage error", {}, [], None, 2, [], ["paths is required"], None),
    ("-w through a symbolic link rewrites its target and keeps the link", {"a.proviso": UGLY, "link:l.proviso": "a.proviso"},
     ["-w", "l.proviso"], None, 0, [], [], {"a.proviso": PRETTY, "l.proviso": PRETTY}),
    ("--check and -w together are a usage error", {"a.proviso": UGLY}, ["--check", "-w", "a.proviso"], None,
     2, [], ["--check never writes"], {"a.proviso": UGLY}),
]


def run_case(proviso, files, args, stdin):
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            if name.startswith("link:"):  # a symbolic link to the file named by `text`
                os.symlink(text, os.path.join(tmp, name[len("link:"):]))
                continue
            path = os.path.join(tmp, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        r = subprocess.run([proviso, "fmt"] + args, cwd=tmp, input=stdin if stdin is not None else "",
                           capture_output=True, text=True, timeout=60)
        after = {}
        for name in files:
            real = name[len("link:"):] if name.startswith("link:") else name
            if name.startswith("link:") and not os.path.islink(os.path.join(tmp, real)):
                after[real] = "(no longer a symbolic link)"
                continue
            with open(os.path.join(tmp, real), encoding="utf-8") as f:
                after[real] = f.read()
        left = sorted(n for n in os.listdir(tmp) if n.endswith(".fmt-tmp"))
        return r, after, left


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--proviso", required=True)
    a = ap.parse_args()
    proviso = os.path.abspath(a.proviso)
    failed = 0
    for name, files, args, stdin, want_exit, want_out, want_err, want_files in CASES:
        r, after, left = run_case(proviso, files, args, stdin)
        problems = []
        if r.returncode != want_exit:
            problems.append(f"exit {r.returncode}, expected {want_exit}")
        problems += [f"stdout lacks {t!r}" for t in want_out if t not in r.stdout]
        problems += [f"stderr lacks {t!r}" for t in want_err if t not in r.stderr]
        for f, text in (want_files or files).items():
            if f.startswith("link:"):
                continue
            if after[f] != text:
                problems.append(f"{f} holds {after[f]!r}, expected {text!r}")
        if left:
            problems.append(f"temporary files left: {left}")
        if problems:
            problems.append(f"stdout: {r.stdout!r}\nstderr: {r.stderr!r}")
        print(f"{'FAIL' if problems else 'ok  '} {name}")
        for p in problems:
            print("     " + p.replace("\n", "\n     "))
        failed += bool(problems)
    print(f"{len(CASES) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
