"""`proviso lsp` on every policy, golden case (good and bad) and conformance case of the repository: open
each, ask for its outline, then hover, definition and references at every name and completion at the end
of every fifth line. No request may fail and the server must stay up (exit code 0 at the end).

    python3 tests/lsp/every_policy.py --proviso build/tools/proviso
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lsp_client import LspClient, utf16_len  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--proviso", required=True)
    args = parser.parse_args()
    files = sorted((ROOT / "policies").rglob("*.proviso")) + sorted((ROOT / "tests" / "golden").rglob("*.proviso")) \
        + sorted((ROOT / "tests" / "conformance").rglob("*.proviso"))
    client = LspClient(str(Path(args.proviso).resolve()), cwd=str(ROOT))
    failures = []
    requests = 0
    try:
        client.initialize(ROOT)
        for path in files:
            text = path.read_text(errors="replace")
            uri = client.open(path, text)
            client.diagnostics(uri)
            checks = [("textDocument/documentSymbol", {"textDocument": {"uri": uri}})]
            for n, line in enumerate(text.split("\n")):
                for m in re.finditer(r"[A-Za-z_][A-Za-z0-9_]*", line):
                    at = {"textDocument": {"uri": uri}, "position": {"line": n, "character": utf16_len(line[:m.start()]) + 1}}
                    checks += [("textDocument/hover", at), ("textDocument/definition", at)]
                    if m.start() % 7 == 0:
                        checks.append(("textDocument/references", at | {"context": {"includeDeclaration": True}}))
                if n % 5 == 0:
                    checks.append(("textDocument/completion", {"textDocument": {"uri": uri},
                                                               "position": {"line": n, "character": utf16_len(line)}}))
            for method, params in checks:
                requests += 1
                response = client.request(method, params)
                if "error" in response:
                    failures.append(f"{path.relative_to(ROOT)}: {method} {params.get('position')}: {response['error']}")
            client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        code = client.shutdown_and_exit()
        if code != 0:
            failures.append(f"exit code {code}")
    finally:
        client.close()
    for f in failures[:20]:
        print("FAIL:", f)
    print(f"{len(files)} files, {requests} requests, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
