"""The VS Code extension (editors/vscode) as far as it can be checked without VS Code: package.json is
valid and names its entry point, activation and settings; the language client is a pinned dependency;
extension.js is valid JavaScript (node --check) whose activate() starts `proviso lsp` with the `proviso.path`
setting (run under node with stand-ins for the vscode modules: tests/lsp/extension_smoke.js)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXT = ROOT / "editors" / "vscode"


def main() -> int:
    package = json.loads((EXT / "package.json").read_text())
    problems = []

    def expect(cond: bool, what: str) -> None:
        if not cond:
            problems.append(what)

    expect(package.get("main") == "./extension.js", "main is ./extension.js")
    expect((EXT / package.get("main", "missing")).is_file(), "the main file exists")
    expect("onLanguage:proviso" in package.get("activationEvents", []), "activationEvents has onLanguage:proviso")
    props = package.get("contributes", {}).get("configuration", {}).get("properties", {})
    expect(props.get("proviso.path", {}).get("default") == "proviso", "the setting proviso.path defaults to proviso")
    dep = package.get("dependencies", {}).get("vscode-languageclient", "")
    expect(re.fullmatch(r"\d+\.\d+\.\d+", dep) is not None, f"vscode-languageclient is pinned (found {dep!r})")
    expect(package["contributes"]["grammars"][0]["path"] == "./syntaxes/proviso.tmLanguage.json", "the grammar")
    expect(package["contributes"]["languages"][0]["id"] == "proviso", "the language id")
    source = (EXT / "extension.js").read_text()
    expect("vscode-languageclient/node" in source, "extension.js uses vscode-languageclient")
    expect("getConfiguration('proviso')" in source and "get('path')" in source, "extension.js reads proviso.path")
    expect("['lsp']" in source, "extension.js runs `proviso lsp`")
    expect(re.search(r"module\.exports\s*=\s*\{\s*activate,\s*deactivate\s*\}", source) is not None, "exports")
    expect(not (EXT / "node_modules").exists() or "node_modules/" in (EXT / ".gitignore").read_text(),
           "node_modules is not committed")
    node = shutil.which("node") or shutil.which("nodejs")
    if node:
        run = subprocess.run([node, "--check", str(EXT / "extension.js")], capture_output=True, text=True)
        expect(run.returncode == 0, f"node --check extension.js: {run.stderr.strip()}")
        smoke = Path(__file__).resolve().parent / "extension_smoke.js"
        run = subprocess.run([node, str(smoke), str(EXT / "extension.js")], capture_output=True, text=True)
        expect(run.returncode == 0, f"activate() under stand-ins for vscode: {(run.stdout + run.stderr).strip()}")
        run = subprocess.run([node, str(smoke), str(EXT / "extension.js"), "--without-client"], capture_output=True,
                             text=True)
        expect(run.returncode == 0, f"activate() without the language client: {(run.stdout + run.stderr).strip()}")
    else:
        print("note: node is not installed: extension.js was not syntax-checked")
    for p in problems:
        print(f"FAIL: {p}")
    print("ok" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
