"""Serving named policies from a folder, reloaded without downtime: :class:`PolicyStore`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Dict, List, Literal, Mapping, Optional, Tuple, Union

from . import _proviso
from ._convert import DateLike, as_of_text
from ._policy import Policy, TestOutcome

__all__ = ["PolicyStore", "ReloadReport", "PolicyReload"]

#: What a reload did to one policy.
ReloadStatus = Literal["loaded", "unchanged", "failed", "removed"]


@dataclass(frozen=True)
class PolicyReload:
    """What a reload did to one policy.

    ``status`` is ``"loaded"`` (a new version serves), ``"unchanged"`` (the same version serves),
    ``"failed"`` (the files on disk do not give a servable version: a syntax or type error, a
    failing in-language test; the previous version, if any, goes on serving) or ``"removed"`` (the
    file is gone). ``version`` is the version serving after the reload, ``previous_version`` the
    one before (``None``: none). For a failure, ``reason`` says why in one line with file:line,
    ``diagnostics`` are the compiler's (dicts, as :attr:`ProvisoError.diagnostics`) and
    ``failed_tests`` the tests that failed. ``attempted`` is false when the watch thread only
    repeats a failure whose files have not changed since.
    """

    name: str
    path: str
    status: ReloadStatus
    attempted: bool
    version: Optional[str]
    previous_version: Optional[str]
    reason: str = ""
    diagnostics: Tuple[Dict[str, Any], ...] = ()
    failed_tests: Tuple[TestOutcome, ...] = ()
    warnings: Tuple[Dict[str, Any], ...] = ()


@dataclass(frozen=True)
class ReloadReport:
    """What a reload did: ``policies`` maps each policy of the folder (and each removed one) to its
    :class:`PolicyReload`; ``error`` is set (watch mode only) when the folder could not be read."""

    policies: Dict[str, PolicyReload]
    error: str = ""
    text: str = ""

    @property
    def ok(self) -> bool:
        """No policy failed and there is no error."""
        return not self.error and all(p.status != "failed" for p in self.policies.values())

    @property
    def loaded(self) -> List[str]:
        """The policies a new version of which serves now."""
        return [n for n, p in self.policies.items() if p.status == "loaded"]

    @property
    def failed(self) -> List[str]:
        """The policies whose files on disk do not give a servable version."""
        return [n for n, p in self.policies.items() if p.status == "failed"]

    @property
    def removed(self) -> List[str]:
        """The policies served no more."""
        return [n for n, p in self.policies.items() if p.status == "removed"]

    def __getitem__(self, name: str) -> PolicyReload:
        return self.policies[name]

    def __str__(self) -> str:
        return self.text.rstrip("\n") or "nothing changed"


def _report(d: Mapping[str, Any]) -> ReloadReport:
    policies = {}
    for p in d["policies"]:
        tests = tuple(TestOutcome(t["name"], t["location"]["file"], t["location"]["line"], t["passed"],
                                  tuple(t["failures"])) for t in p["failed_tests"])
        policies[p["name"]] = PolicyReload(p["name"], p["path"], p["status"], p["attempted"], p["version"] or None,
                                           p["previous_version"] or None, p["reason"], tuple(p["diagnostics"]),
                                           tests, tuple(p["warnings"]))
    return ReloadReport(policies, d["error"], d["text"])


class PolicyStore:
    """The policies of a folder, served by name and reloaded without downtime.

    A policy is a ``*.proviso`` file directly in ``folder`` that starts with a ``policy`` header; its
    name is the file's stem (files without a header are imports; ``.law`` files are law texts).
    :meth:`get` returns the version serving now, a :class:`Policy` that keeps evaluating with its
    own logic after later reloads. :meth:`reload` (or, with ``watch=SECONDS``, a background thread
    checking the files' contents that often) compiles what changed — a policy file, or a file it
    imports or a law file it cites — runs the new version's in-language tests (``run_tests``,
    with ``today`` their date when the policy has no ``effective from``), and swaps it in
    atomically; a version that does not compile or fails a test is not served, and the report
    says why. Every decision names the version that made it (:attr:`Decision.version`).

    ``backend`` and ``root`` are as in :func:`proviso.compile`. Raises :class:`ProvisoError` if the
    folder cannot be read; a policy that fails is not served (see :attr:`report`). Thread-safe;
    releases the GIL while compiling. Use it as a context manager, or call :meth:`close` to stop
    the watch thread.
    """

    __slots__ = ("_native", "__weakref__")

    def __init__(
        self,
        folder: Union[str, "os.PathLike[str]"],
        *,
        watch: Optional[float] = None,
        backend: str = "jit",
        root: Optional[Union[str, "os.PathLike[str]"]] = None,
        run_tests: bool = True,
        today: DateLike = None,
    ) -> None:
        if watch is not None and (isinstance(watch, bool) or not isinstance(watch, (int, float))):
            raise TypeError(f"watch must be a number of seconds or None, not {type(watch).__name__}")
        self._native = _proviso.PolicyStore(os.fspath(folder), None if watch is None else float(watch), backend,
                                            os.fspath(root) if root is not None else "", run_tests,
                                            as_of_text(today))

    def get(self, name: str) -> Policy:
        """The version of ``name`` serving now; :class:`ProvisoError` if none is (the message lists
        the policies served)."""
        return Policy(self._native.get(name))

    def __getitem__(self, name: str) -> Policy:
        return self.get(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._native.find(name) is not None

    @property
    def names(self) -> List[str]:
        """The names of the policies served, sorted."""
        return list(self._native.names())

    def reload(self) -> ReloadReport:
        """Checks the folder now and reloads what changed (a policy whose last attempt failed is
        compiled again); returns the report. Raises :class:`ProvisoError` if the folder cannot be read."""
        return _report(self._native.reload())

    @property
    def report(self) -> ReloadReport:
        """The report of the last :meth:`reload`, or of the last watch check that changed something
        (at first, of the initial load)."""
        return _report(self._native.last_report())

    @property
    def generation(self) -> int:
        """A number that increases every time what is served changes (a version loaded, a policy removed)."""
        return self._native.generation

    @property
    def folder(self) -> str:
        return self._native.folder

    @property
    def closed(self) -> bool:
        return self._native.closed

    def close(self) -> None:
        """Stops the watch thread. Policies already returned stay valid; the store serves no more."""
        self._native.close()

    def __enter__(self) -> "PolicyStore":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.closed:
            return "<proviso.PolicyStore (closed)>"
        return f"<proviso.PolicyStore {self.folder}: {', '.join(self.names) or 'no policy'}>"
