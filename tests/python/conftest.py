"""Shared fixtures of the Python SDK tests.

Run by ctest (bindings/python/CMakeLists.txt) with PYTHONPATH=<build>/python, PROVISO_CLI and
PROVISO_SOURCE_DIR set; by hand, `/usr/bin/python3 -m pytest tests/python` finds build/ itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

ROOT = Path(os.environ.get("PROVISO_SOURCE_DIR", Path(__file__).resolve().parents[2]))
try:
    import proviso
except ImportError:  # not run by ctest: use the default build tree
    sys.path.insert(0, str(ROOT / "build" / "python"))
    import proviso

CLI = Path(os.environ.get("PROVISO_CLI", ROOT / "build" / "tools" / "proviso"))
POLICIES = ROOT / "policies" / "cn"
EXAMPLES = POLICIES / "examples"
AS_OF = "2020-09-01"


def run_cli(policy: Path, facts: Any, *args: str, tmp_path: Optional[Path] = None) -> subprocess.CompletedProcess:
    """Runs `proviso eval POLICY --facts F --format json ARGS...`; `facts` is a file or a JSON value."""
    if not isinstance(facts, Path):
        assert tmp_path is not None
        path = tmp_path / "facts.json"
        path.write_text(json.dumps(facts))
        facts = path
    return subprocess.run([str(CLI), "eval", str(policy), "--facts", str(facts), "--format", "json", *args],
                          capture_output=True, text=True, cwd=ROOT)


def cli_decision(policy: Path, facts: Any, *args: str, tmp_path: Optional[Path] = None) -> Dict[str, Any]:
    r = run_cli(policy, facts, *args, tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def example_files() -> List[Path]:
    files = sorted(EXAMPLES.glob("*.json"))
    assert files, f"no example facts in {EXAMPLES}"
    return files


def policy_of_example(facts: Path) -> Path:
    return POLICIES / (facts.stem.split("-")[0] + ".proviso")


@pytest.fixture(scope="session")
def benchmark():
    return proviso.compile(POLICIES / "benchmark_policy.proviso")


@pytest.fixture(scope="session")
def call_center():
    return proviso.compile(POLICIES / "call_center.proviso")


@pytest.fixture(scope="session")
def lists():
    """A policy with a list input: its frames take the row-by-row path."""
    return proviso.compile(Path(__file__).parent / "policies" / "lists.proviso")
