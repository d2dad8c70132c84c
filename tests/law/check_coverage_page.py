#!/usr/bin/python3
"""docs/policies/law-coverage.md must be what `proviso coverage --law policies/cn --format markdown` prints.

    check_coverage_page.py --proviso PATH --root REPO [--regen]

Run from anywhere; the command runs from REPO so that the paths in the page are relative to it.
--regen rewrites the page from the current output (review the diff before committing it).
Exit status: 0 when the page matches (or was rewritten), 1 otherwise.
"""

import argparse
import difflib
import subprocess
import sys
from pathlib import Path

PAGE = Path("docs/policies/law-coverage.md")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--proviso", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--regen", action="store_true")
    args = ap.parse_args()
    root = Path(args.root)
    proc = subprocess.run([args.proviso, "coverage", "--law", "policies/cn", "--format", "markdown"], cwd=root,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode not in (0, 1) or not proc.stdout.startswith("# Coverage of the law"):
        print(f"FAIL: proviso coverage exited {proc.returncode}:\n{proc.stderr}")
        return 1
    page = root / PAGE
    if args.regen:
        page.write_text(proc.stdout)
        print(f"wrote {PAGE}")
        return 0
    want = page.read_text() if page.exists() else ""
    if want == proc.stdout:
        print(f"PASS {PAGE}")
        return 0
    print(f"FAIL {PAGE} differs from `proviso coverage --law policies/cn --format markdown` "
          f"(regenerate with tests/law/check_coverage_page.py --regen and review the diff):")
    sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), proc.stdout.splitlines(True), str(PAGE), "actual"))
    return 1


if __name__ == "__main__":
    sys.exit(main())
