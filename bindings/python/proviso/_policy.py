"""Compiling policies and evaluating one set of facts: :func:`compile`, :class:`Policy`, :class:`Decision`."""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _proviso
from ._convert import DateLike, as_of_text, params_text

if TYPE_CHECKING:  # pandas is imported only when frames are used
    import pandas

__all__ = ["compile", "Policy", "Decision", "Obligation", "Citation", "ColumnSpec", "TestOutcome"]


@dataclass(frozen=True)
class Citation:
    """The legal basis of a rule or obligation: an article of a document."""

    document: str
    article: str

    def __str__(self) -> str:
        return f"{self.document}, {self.article}" if self.document else self.article


@dataclass(frozen=True)
class Obligation:
    """An obligation in a decision: who must (not) / may do what, by when, on which basis.

    ``modality`` is ``"must"``, ``"must not"`` or ``"may"``; ``deadline`` is a
    :class:`datetime.date` or ``None``; ``violated`` says the facts already show a breach.
    """

    name: str
    modality: str
    subject: str
    action: str
    deadline: Optional[_dt.date]
    citations: Tuple[Citation, ...]
    violated: bool

    @property
    def citation(self) -> str:
        """The citations as one line of text (``"document, article; ..."``)."""
        return "; ".join(str(c) for c in self.citations)

    def __str__(self) -> str:
        by = f" by {self.deadline.isoformat()}" if self.deadline else ""
        mark = "  [VIOLATED]" if self.violated else ""
        return f'{self.name}: {self.subject} {self.modality} "{self.action}"{by}{mark}'


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a frame: an input path, an output, or ``<obligation>.applies|violated|deadline``.

    ``kind`` is one of ``bool, int, decimal, date, duration, enum, text, enum_set`` (a set of an enum
    of at most 64 values: cells are collections of value names, or int bitmasks with bit k for
    ``categories[k]``); ``categories`` are the enum's values in declaration order; ``optional``
    columns may hold missing values;
    ``has_default`` inputs may be missing (a missing value or column means the field's default);
    ``width`` is the element size the SDK reads or writes (1: uint8 bools and int8 enum codes, 4:
    int32 codes of large enums, 8: int64).
    """

    name: str
    kind: str
    optional: bool
    categories: Tuple[str, ...]
    has_default: bool = False
    width: int = 8


@dataclass(frozen=True)
class TestOutcome:
    """The result of one in-language test of a policy."""

    name: str
    file: str
    line: int
    passed: bool
    failures: Tuple[str, ...]


def _date(text: Optional[str]) -> Optional[_dt.date]:
    return _dt.date.fromisoformat(text) if text else None


class Decision:
    """The outcome of one evaluation: outputs, obligations with deadlines and citations, violations.

    A plain value, independent of later evaluations. ``outputs`` holds each output as the CLI's JSON
    does (``proviso eval --format json``): enums as their names, dates as ``"YYYY-MM-DD"``,
    durations as ``"30 days"``, decimals as floats (as the string of the exact value when a
    float cannot hold its 6 places), ``None`` for an absent optional output.
    """

    __slots__ = ("_native", "outputs", "obligations", "as_of", "policy")

    def __init__(self, native: "_proviso.Decision", policy: str, output_order: Sequence[str] = ()) -> None:
        self._native = native
        #: The name of the policy that decided.
        self.policy: str = policy
        #: The evaluation date.
        self.as_of: _dt.date = _dt.date.fromisoformat(native.as_of)
        #: Output name -> value (JSON form, as the CLI prints it), in declaration order.
        outputs = native.outputs()
        self.outputs: Dict[str, Any] = {k: outputs[k] for k in output_order if k in outputs}
        if len(self.outputs) != len(outputs):
            self.outputs.update((k, v) for k, v in outputs.items() if k not in self.outputs)
        #: The obligations that apply, in declaration order.
        self.obligations: List[Obligation] = [
            Obligation(name, modality, subject, action, _date(deadline),
                       tuple(Citation(doc, art) for doc, art in cites), violated)
            for name, modality, subject, action, deadline, cites, violated in native.obligations()
        ]

    @property
    def violations(self) -> List[Obligation]:
        """The applicable obligations that the facts already violate."""
        return [o for o in self.obligations if o.violated]

    def __getitem__(self, output: str) -> Any:
        """The value of one output; ``KeyError`` if the policy has no such output."""
        return self.outputs[output]

    def obligation(self, name: str) -> Optional[Obligation]:
        """The obligation called ``name`` if it applies, else ``None``."""
        for o in self.obligations:
            if o.name == name:
                return o
        return None

    def explain(self) -> str:
        """Why: the rules that applied, the exceptions that overrode them, the values each condition
        read, the obligations and their citations, as text.

        Evaluates the same facts again with explanations on (same params and evaluation date) the
        first time it is called, unless the decision was made with ``explain=True``.
        """
        return self._native.explanation_text()

    def explanation(self) -> Dict[str, Any]:
        """The explanation as data (the ``explanation`` object of ``proviso eval --explain --format json``)."""
        return self._native.explanation()

    def to_dict(self) -> Dict[str, Any]:
        """``{"policy", "as_of", "outputs", "obligations", "violations"}`` (and ``"explanation"`` if
        evaluated with ``explain=True``): exactly the JSON of ``proviso eval --format json``."""
        return self._native.to_dict()

    def __repr__(self) -> str:
        outs = ", ".join(f"{k}={v!r}" for k, v in self.outputs.items())
        return (f"<Decision {self.policy} as of {self.as_of}: {outs}; "
                f"{len(self.obligations)} obligations, {len(self.violations)} violated>")

    def __str__(self) -> str:
        lines = [f"decision of `{self.policy}` as of {self.as_of}", "outputs:"]
        lines += [f"  {k} = {v}" for k, v in self.outputs.items()]
        lines.append("obligations:")
        lines += [f"  {o}" for o in self.obligations] or ["  (none)"]
        return "\n".join(lines)


class Policy:
    """A compiled policy. Immutable and thread-safe; valid as long as Python holds it.

    Create with :func:`proviso.compile`.
    """

    __slots__ = ("_native", "_inputs", "_outputs", "_output_names", "__weakref__")

    def __init__(self, native: "_proviso.Policy") -> None:
        self._native = native
        self._inputs: Optional[Tuple[ColumnSpec, ...]] = None
        self._outputs: Optional[Tuple[ColumnSpec, ...]] = None
        self._output_names: Optional[Tuple[str, ...]] = None

    # ------------------------------------------------------------ description

    @property
    def name(self) -> str:
        """The policy's name (``policy NAME`` in its header)."""
        return self._native.name

    @property
    def backend(self) -> str:
        """What evaluates it: ``"jit"`` (native code, the default) or ``"interpreter"``."""
        return self._native.backend

    @property
    def outputs(self) -> List[str]:
        """The names of the outputs, in declaration order."""
        return list(self._native.output_names())

    @property
    def params(self) -> List[str]:
        """The names of the parameters that ``params=`` may override."""
        return list(self._native.param_names())

    @property
    def warnings(self) -> List[Dict[str, Any]]:
        """The compiler's warnings, as diagnostic dicts (see :class:`ProvisoError`)."""
        return list(self._native.warnings())

    def dump(self, stage: str = "typed") -> str:
        """A dump of a compiler stage: ``"ast"``, ``"typed"`` or ``"ir"``."""
        return self._native.dump(stage)

    def run_tests(self, today: DateLike = None) -> List[TestOutcome]:
        """Runs the policy's own ``test`` blocks (``proviso test``)."""
        return [
            TestOutcome(t["name"], t["location"]["file"], t["location"]["line"], t["passed"],
                        tuple(t["failures"]))
            for t in self._native.run_tests(as_of_text(today))
        ]

    def batch_inputs(self) -> Tuple[ColumnSpec, ...]:
        """The columns :meth:`evaluate_frame` reads: one per scalar input field, records flattened
        with ``.`` (``call.ended_on``). Raises :class:`ProvisoError` if an input is a set or list."""
        if self._inputs is None:
            self._inputs = tuple(ColumnSpec(s["name"], s["kind"], s["optional"], tuple(s["categories"]),
                                            s["has_default"], s["width"])
                                 for s in self._native.batch_inputs())
        return self._inputs

    def batch_outputs(self) -> Tuple[ColumnSpec, ...]:
        """The columns :meth:`evaluate_frame` writes: every output, then for each obligation
        ``<name>.applies``, ``<name>.violated`` and ``<name>.deadline``."""
        if self._outputs is None:
            self._outputs = tuple(ColumnSpec(s["name"], s["kind"], s["optional"], tuple(s["categories"]),
                                             s["has_default"], s["width"])
                                  for s in self._native.batch_outputs())
        return self._outputs

    # ------------------------------------------------------------ evaluation

    def evaluate(
        self,
        facts: Mapping[str, Any],
        *,
        as_of: DateLike = None,
        params: Optional[Mapping[str, Any]] = None,
        explain: bool = False,
    ) -> Decision:
        """Evaluates one set of facts.

        ``facts`` is a mapping shaped like the policy's ``input`` (records as nested mappings, sets
        and lists as Python sets/lists). Values may be JSON-like (as in ``proviso eval --facts``) or
        Python/numpy/pandas values: ``datetime.date``, ``timedelta`` (whole days), numpy scalars;
        ``None``/NaN/NaT is a missing value. ``as_of`` is the evaluation date (default: today,
        UTC); ``params`` overrides parameters (what-if): ``{"min_retention": timedelta(days=60)}``
        or ``{"min_retention": "60 days"}``. ``explain=True`` records the explanation at once.

        Raises :class:`FactsError` (``.path`` names the field) or :class:`EvaluationError`
        (``.location`` in the policy). Releases the GIL while evaluating.
        """
        if self._output_names is None:
            self._output_names = tuple(self._native.output_names())
        native = self._native.evaluate(facts, as_of_text(as_of), params_text(params), explain)
        return Decision(native, self._native.name, self._output_names)

    def evaluate_frame(
        self,
        df: "pandas.DataFrame",
        *,
        as_of: DateLike = None,
        params: Optional[Mapping[str, Any]] = None,
    ) -> "pandas.DataFrame":
        """Evaluates every row of a DataFrame in one batch; see :func:`proviso.evaluate_frame`."""
        from ._frame import evaluate_frame

        return evaluate_frame(self, df, as_of=as_of, params=params)

    def __repr__(self) -> str:
        return f"<proviso.Policy {self.name}: outputs {', '.join(self.outputs)}>"


def compile(
    path_or_source: Union[str, "os.PathLike[str]"],
    *,
    name: Optional[str] = None,
    backend: str = "jit",
) -> Policy:
    """Compiles a policy from a file or from source text.

    ``path_or_source`` is a path (a :class:`os.PathLike`, or a one-line ``str`` ending in
    ``.proviso`` or naming an existing file) or the policy's source text. ``name`` is the file name
    that diagnostics show for source text (default ``"<string>"``); the imports of source text are
    resolved relative to the directory of ``name``. ``backend`` is ``"jit"`` (native code, the
    default) or ``"interpreter"`` (the reference evaluator); both give the same decisions.

    Raises :class:`CompileError` (a :class:`ProvisoError`, a :class:`ValueError`) whose
    ``diagnostics`` give every problem with file:line:col. Releases the GIL while compiling.
    """
    if isinstance(path_or_source, os.PathLike):
        path: Optional[str] = os.fspath(path_or_source)
    elif isinstance(path_or_source, str):
        one_line = "\n" not in path_or_source
        looks_like_path = one_line and (path_or_source.endswith(".proviso") or os.path.isfile(path_or_source))
        path = path_or_source if looks_like_path else None
    else:
        raise TypeError(f"compile() takes a path or source text, not {type(path_or_source).__name__}")
    if path is not None:
        if name is not None:
            raise TypeError("compile(): name= is for source text; diagnostics of a file show its path")
        return Policy(_proviso.compile_file(path, backend))
    return Policy(_proviso.compile_string(path_or_source, name if name is not None else "<string>", backend))
