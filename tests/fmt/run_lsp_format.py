#!/usr/bin/python3
"""`textDocument/formatting` in `proviso lsp` is `proviso fmt`.

    run_lsp_format.py --proviso PATH

The server advertises formatting; an unformatted document gets one edit whose text is what
`proviso fmt -` prints; a formatted one gets no edit; a document that does not parse gets an error
naming the place of its first syntax error. Uses the test client of tests/lsp.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "lsp"))
from lsp_client import LspClient  # noqa: E402

UGLY = "policy p\ninput{x:int}\noutput o:int\nrule r{then o=x+1}\n// 中文 comment\n"
BROKEN = "policy p\noutput o: int\nrule r {\n  then o = = 1\n}\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--proviso", required=True)
    a = ap.parse_args()
    proviso = os.path.abspath(a.proviso)
    expected = subprocess.run([proviso, "fmt", "-"], input=UGLY, capture_output=True, text=True, check=True).stdout
    with tempfile.TemporaryDirectory() as tmp:
        client = LspClient(proviso, cwd=tmp)
        try:
            caps = client.initialize(Path(tmp))["capabilities"]
            assert caps.get("documentFormattingProvider") is True, caps
            options = {"tabSize": 2, "insertSpaces": True}
            uri = client.open(Path(tmp) / "p.proviso", UGLY)
            edits = client.result("textDocument/formatting", {"textDocument": {"uri": uri}, "options": options})
            assert len(edits) == 1 and edits[0]["newText"] == expected, edits
            assert edits[0]["range"]["start"] == {"line": 0, "character": 0}, edits
            assert edits[0]["range"]["end"] == {"line": 5, "character": 0}, edits
            uri2 = client.open(Path(tmp) / "q.proviso", expected)
            assert client.result("textDocument/formatting", {"textDocument": {"uri": uri2}, "options": options}) == []
            uri3 = client.open(Path(tmp) / "bad.proviso", BROKEN)
            response = client.request("textDocument/formatting", {"textDocument": {"uri": uri3}, "options": options})
            assert "error" in response and "bad.proviso:4:12" in response["error"]["message"], response
            assert client.shutdown_and_exit() == 0
        finally:
            client.close()
    print("ok")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as e:
        print(f"FAIL {e}")
        sys.exit(1)
