"""The exceptions of the Proviso Python SDK.

Every error is a :class:`ProvisoError`, which is a :class:`ValueError`: the policy, the facts or an
option is wrong, and the caller can fix it. The compiled extension raises the subclasses with
their structured fields (see ``src/errors.cc``); the pure-Python layer raises them for frames.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional

__all__ = [
    "ProvisoError",
    "CompileError",
    "FactsError",
    "EvaluationError",
    "UndeterminedError",
    "SourceLocation",
]


@dataclass(frozen=True)
class SourceLocation:
    """A place in a policy file; ``line`` and ``column`` are 1-based, ``file == ""`` means unknown."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}" if self.file else "<unknown>"


_ROW = re.compile(r"^row (\d+): ")


class ProvisoError(ValueError):
    """A policy that does not compile, facts that do not fit its input, or no decision.

    Attributes (``None`` / empty when they do not apply):

    - ``diagnostics``: for compile errors, every diagnostic as a dict with the keys
      ``severity, code, message, file, line, column, help`` (and ``rendered``: the
      compiler-style text with the source excerpt);
    - ``path``: for facts errors, the field (``"call.ended_on"``) or parameter name;
    - ``location``: for evaluation errors, the :class:`SourceLocation` in the policy;
    - ``column`` and ``row``: for frames, the column and the positional row (0-based) at fault;
    - ``value``: for frames, the offending value when there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        diagnostics: Optional[List[Dict[str, Any]]] = None,
        path: Optional[str] = None,
        location: Optional[Mapping[str, Any]] = None,
        column: Optional[str] = None,
        row: Optional[int] = None,
        value: Any = None,
    ) -> None:
        super().__init__(message)
        self.message: str = message
        self.diagnostics: List[Dict[str, Any]] = list(diagnostics or [])
        self.path: Optional[str] = path
        self.location: Optional[SourceLocation] = (
            SourceLocation(str(location["file"]), int(location["line"]), int(location["column"]))
            if location is not None
            else None
        )
        self.column: Optional[str] = column
        self.row: Optional[int] = row
        self.value: Any = value
        if row is None:
            # Errors of batch and row-by-row evaluation start with "row N: ".
            m = _ROW.match(message)
            if m:
                self.row = int(m.group(1))

    @property
    def rendered(self) -> str:
        """The diagnostics as the compiler prints them (empty when there are none)."""
        return "\n".join(d.get("rendered", "") for d in self.diagnostics)


class CompileError(ProvisoError):
    """The policy (or a file it imports) has errors or cannot be read; see ``diagnostics``."""


class FactsError(ProvisoError):
    """Facts, a frame column or a parameter override do not fit the policy; see ``path``/``column``."""


class EvaluationError(ProvisoError):
    """The facts are valid but the policy cannot decide (conflict, no rule applies, ...)."""


class UndeterminedError(ProvisoError, LookupError):
    """An output that depends on facts not given was read as if it were decided.

    ``missing`` names the facts (paths, ``"operator.verifies_numbers"``) that would decide it;
    ``output`` is the output's name.
    """

    def __init__(self, output: str, missing: Sequence[str]) -> None:
        super().__init__(f"output `{output}` is undetermined: it depends on facts not given "
                         f"({', '.join(missing)})")
        self.output: str = output
        self.missing: Tuple[str, ...] = tuple(missing)

    def __reduce__(self) -> Any:
        # Pickles (to another process: Dask, multiprocessing) by its own arguments, not the message.
        return (type(self), (self.output, self.missing), self.__dict__)
