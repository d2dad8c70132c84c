#!/usr/bin/env python3
"""Checks that the law files of policies/cn/law reproduce the source text they were cut from.

    check_law_text.py [LAW_DIR]          (default: policies/cn/law beside this repository's tests/)

Every `*.law` file in LAW_DIR is parsed as the compiler parses it (docs/language.md, "The law"):
comment lines before `document NAME "TITLE"`, an optional `source "..."` line, then paragraphs, each
a header line `[ID]` or `[ID] informative "REASON"` followed by its text. The script checks that

  - each file has a `document` line whose NAME is the file's stem, and at least one paragraph;
  - paragraph ids are well formed and unique within the file, and no paragraph is empty;
  - the paragraphs' lines, file after file in the order the documents appear in the source, equal the
    non-empty lines of LAW_DIR/source/*.txt, each stripped of surrounding whitespace and of a leading
    bullet "• " (so the files together are the whole source, nothing added, nothing left out).

Exits 0 when all holds, 1 with one message per problem otherwise. No dependencies beyond python3.
"""
import glob
import os
import re
import sys

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
HEADER = re.compile(r'\[([A-Za-z0-9][A-Za-z0-9._-]*)\](?:\s+informative\s+"((?:[^"\\]|\\.)*)")?\s*\Z')
DOCUMENT = re.compile(r'document\s+(\S+)\s+"((?:[^"\\]|\\.)*)"\s*\Z')
SOURCE = re.compile(r'source\s+"((?:[^"\\]|\\.)*)"\s*\Z')


def normalise(line):
    s = line.strip()
    if s.startswith("• "):
        s = s[2:].strip()
    return s


def parse(path, errors):
    """Returns (name, [(id, [lines])]) for one law file; appends problems to `errors`."""
    where = os.path.relpath(path)
    name = None
    paragraphs = []
    seen = set()
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for number, raw in enumerate(lines, 1):
        raw = raw.rstrip("\r")
        if raw.startswith("["):
            m = HEADER.match(raw)
            if not m:
                errors.append(f"{where}:{number}: malformed paragraph header `{raw}`")
                continue
            if name is None:
                errors.append(f"{where}:{number}: a paragraph before the `document` line")
                return name, paragraphs
            pid, reason = m.group(1), m.group(2)
            if reason is not None and not reason.strip():
                errors.append(f"{where}:{number}: paragraph `{pid}` is informative without a reason")
            if pid in seen:
                errors.append(f"{where}:{number}: paragraph `{pid}` is declared twice")
            seen.add(pid)
            paragraphs.append((pid, number, []))
            continue
        if paragraphs:
            paragraphs[-1][2].append(raw)
            continue
        s = raw.strip()
        if not s or s.startswith("//"):
            if s.startswith("//") and name is not None:
                errors.append(f"{where}:{number}: a comment after the `document` line")
            continue
        m = DOCUMENT.match(s)
        if m and name is None:
            name = m.group(1)
            if not IDENT.match(name):
                errors.append(f"{where}:{number}: document name `{name}` is not an identifier")
            stem = os.path.splitext(os.path.basename(path))[0]
            if name != stem:
                errors.append(f"{where}:{number}: document `{name}` is in a file named `{stem}.law`")
            continue
        if name is not None and SOURCE.match(s):
            continue
        errors.append(f"{where}:{number}: unexpected line `{s}`")
    if name is None:
        errors.append(f"{where}: no `document NAME \"TITLE\"` line")
    out = []
    for pid, number, text in paragraphs:
        while text and not text[-1].strip():
            text.pop()
        while text and not text[0].strip():
            text.pop(0)
        if not text:
            errors.append(f"{where}:{number}: paragraph `{pid}` has no text")
        out.append((pid, text))
    if name is not None and not out:
        errors.append(f"{where}: document `{name}` has no paragraph")
    return name, out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    law_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "policies", "cn", "law")
    errors = []
    sources = sorted(glob.glob(os.path.join(law_dir, "source", "*.txt")))
    if len(sources) != 1:
        print(f"check_law_text: expected one source text in {law_dir}/source, found {len(sources)}")
        return 1
    with open(sources[0], encoding="utf-8") as f:
        source = [normalise(l) for l in f.read().split("\n") if l.strip()]
    files = sorted(glob.glob(os.path.join(law_dir, "*.law")))
    if not files:
        print(f"check_law_text: no .law file in {law_dir}")
        return 1
    documents = []
    for path in files:
        name, paragraphs = parse(path, errors)
        lines = [normalise(l) for _, text in paragraphs for l in text if l.strip()]
        if not lines:
            continue
        try:
            start = source.index(lines[0])
        except ValueError:
            errors.append(f"{os.path.relpath(path)}: its first paragraph is not a line of the source: `{lines[0]}`")
            continue
        documents.append((start, path, lines))
    documents.sort()
    joined = []
    origin = []
    for _, path, lines in documents:
        joined += lines
        origin += [os.path.relpath(path)] * len(lines)
    for i in range(max(len(joined), len(source))):
        got = joined[i] if i < len(joined) else None
        want = source[i] if i < len(source) else None
        if got != want:
            at = origin[i] if i < len(origin) else "(after the last law file)"
            errors.append(f"line {i + 1} of the source's non-empty lines differs, in {at}:\n"
                          f"  source:    {want!r}\n  law files: {got!r}")
            break
    if errors:
        for e in errors:
            print(f"check_law_text: {e}")
        print(f"check_law_text: FAILED ({len(errors)} problem(s)) in {os.path.relpath(law_dir)}")
        return 1
    print(f"check_law_text: {len(files)} law files reproduce {os.path.relpath(sources[0])} "
          f"({len(source)} non-empty lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
