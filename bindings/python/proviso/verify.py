"""Proofs from Python: :func:`verify` and :func:`diff` (``proviso verify`` / ``proviso diff``, Z3).

    import proviso
    report = proviso.verify("policies/cn/call_center.proviso")
    report.status                 # "proved", "fails" or "unknown"
    report.counterexamples        # [{"facts", "as_of", "failure", "where", "error"}], each replayed on both engines

    changes = proviso.diff("call_center.proviso", "call_center_60_days.proviso")
    changes.equivalent            # False
    df = changes.frame()          # one row per witness: fact columns as evaluate_frame reads them, + as_of, what
    for as_of, rows in df.groupby("as_of"):
        policy.evaluate_frame(rows, as_of=as_of)

They run the ``proviso`` command line (the solver is not linked into the Python module): the
``PROVISO_CLI`` environment variable names it, else ``proviso`` on ``PATH``. docs/verify.md says
what is proved and what is ``unknown``; docs/sdk-python.md documents these functions.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from ._errors import ProvisoError

PathLike = Union[str, "os.PathLike[str]"]

__all__ = ["verify", "diff", "VerifyReport", "DiffReport"]


@dataclass
class VerifyReport:
    """What ``proviso verify`` answered for one policy. ``status`` is "proved" (evaluation never fails
    for complete, valid facts; ``bound`` says when lists were bounded), "fails" (``counterexamples``,
    each reproduced on both engines) or "unknown" (``reason``: a construct not translated, a timeout).
    ``findings`` are proved facts (rules that never apply, rows never chosen, ...)."""

    policy: str
    status: str
    counterexamples: List[Dict[str, Any]] = field(default_factory=list)
    findings: List[str] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)
    reason: str = ""
    bound: str = ""
    internal_bugs: List[Dict[str, Any]] = field(default_factory=list)

    @property
    def proved(self) -> bool:
        """True only when evaluation was proved never to fail."""
        return self.status == "proved"


@dataclass
class DiffReport:
    """What ``proviso diff`` answered. ``equivalent`` is True only when proved; ``status`` is
    "equivalent", "different" (``witnesses``: facts, ``as_of`` and the differences with both results,
    each reproduced on both engines) or "unknown" (``reason``)."""

    equivalent: bool
    status: str
    witnesses: List[Dict[str, Any]] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)
    reason: str = ""
    bound: str = ""
    internal_bugs: List[Dict[str, Any]] = field(default_factory=list)

    def frame(self) -> "Any":
        """The witnesses as a pandas DataFrame, one row per witness: the facts flattened into columns
        named by input path (``call.ended_on``) in the types :func:`proviso.evaluate_frame` reads
        (durations of days, hours, minutes and seconds as ``Timedelta``, dates as text), plus
        ``as_of`` (and ``old_as_of`` for ``diff --between``), ``what`` (what differs), ``old`` and
        ``new`` (the two results). Evaluate it grouped by ``as_of``."""
        import pandas as pd

        rows = []
        for w in self.witnesses:
            row: Dict[str, Any] = {}
            _flatten(w["facts"], "", row)
            d = w["differences"][0]
            row["as_of"] = w["as_of"]
            if "old_as_of" in w:
                row["old_as_of"] = w["old_as_of"]
            row["what"] = d["what"]
            row["old"] = d["old"]
            row["new"] = d["new"]
            rows.append(row)
        return pd.DataFrame(rows)


_UNITS = {"week": 7 * 86400, "day": 86400, "hour": 3600, "minute": 60, "second": 1}
_PART = re.compile(r"(-?\d+) (week|day|hour|minute|second)s?")


def _duration(text: str) -> Any:
    """ "30 days", "59 days 23 hours" as a pandas Timedelta; anything else (months) unchanged."""
    import pandas as pd

    parts = _PART.findall(text)
    if not parts or " ".join(f"{n} {u}" for n, u in parts) != re.sub(r"(\w+?)s\b", r"\1", text):
        return text
    return pd.Timedelta(seconds=sum(int(n) * _UNITS[u] for n, u in parts))


def _flatten(value: Any, prefix: str, out: Dict[str, Any]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(v, f"{prefix}.{k}" if prefix else k, out)
        return
    if isinstance(value, str) and _PART.match(value):
        value = _duration(value)
    out[prefix] = value


def _cli() -> str:
    cli = os.environ.get("PROVISO_CLI") or shutil.which("proviso")
    if not cli:
        raise ProvisoError("the `proviso` command line is needed for verify/diff: set PROVISO_CLI or put it on PATH")
    return cli


def _run(args: Sequence[str]) -> Tuple[int, Dict[str, Any]]:
    r = subprocess.run([_cli(), *args, "--format", "json"], capture_output=True, text=True)
    failed = ProvisoError((r.stderr or r.stdout).strip() or f"`proviso {args[0]}` failed (exit {r.returncode})")
    try:
        report = json.loads(r.stdout)
    except json.JSONDecodeError:
        raise failed from None
    if isinstance(report, list):  # verify prints one report per policy it could compile
        if len(report) != 1:
            raise failed
        report = report[0]
    return r.returncode, report


def _options(as_of: Optional[str], between: Optional[Tuple[str, str]], timeout_ms: int, list_bound: int) -> List[str]:
    out = ["--timeout", str(timeout_ms), "--list-bound", str(list_bound)]
    if as_of is not None:
        out += ["--as-of", str(as_of)]
    if between is not None:
        out += ["--between", str(between[0]), str(between[1])]
    return out


def verify(policy: PathLike, *, as_of: Optional[str] = None, between: Optional[Tuple[str, str]] = None,
           timeout_ms: int = 2000, list_bound: int = 3) -> VerifyReport:
    """Proves that evaluating the policy at ``policy`` (a path) never fails, for any evaluation date
    from 2000-01-01 to 2099-12-31 (``as_of``: that date; ``between``: that range), or gives
    counterexamples. Raises ProvisoError when the policy does not compile or the CLI is missing.
    Blocks while the solver runs (at most a few seconds per policy)."""
    code, r = _run(["verify", os.fspath(policy), *_options(as_of, between, timeout_ms, list_bound)])
    return VerifyReport(policy=r.get("policy", os.fspath(policy)), status=r["status"],
                        counterexamples=r.get("counterexamples", []), findings=r.get("findings", []),
                        notes=r.get("notes", []), reason=r.get("reason", ""), bound=r.get("bound", ""),
                        internal_bugs=r.get("internal_bugs", []))


def diff(old: PathLike, new: Optional[PathLike] = None, *, as_of: Optional[str] = None,
         between: Optional[Tuple[str, str]] = None, timeout_ms: int = 2000, list_bound: int = 3) -> DiffReport:
    """Compares two versions of a policy (paths; the same input schema) on the same facts and date,
    or, with ``between=(d1, d2)`` and no ``new``, one policy as of d1 with itself as of d2. Raises
    ProvisoError when a policy does not compile or the CLI is missing."""
    if (new is None) == (between is None):
        raise ProvisoError("diff takes two policies, or one policy and between=(d1, d2)")
    paths = [os.fspath(old)] + ([os.fspath(new)] if new is not None else [])
    code, r = _run(["diff", *paths, *_options(as_of, between, timeout_ms, list_bound)])
    return DiffReport(equivalent=bool(r["equivalent"]), status=r["status"], witnesses=r.get("witnesses", []),
                      notes=r.get("notes", []), reason=r.get("reason", ""), bound=r.get("bound", ""),
                      internal_bugs=r.get("internal_bugs", []))
