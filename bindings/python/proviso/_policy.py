"""Compiling policies and evaluating one set of facts: :func:`compile`, :class:`Policy`, :class:`Decision`."""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Literal, Mapping, Optional, Sequence, Tuple, Union

from . import _proviso, _sources
from ._convert import DateLike, as_of_text, call_with_params
from ._errors import ProvisoError, UndeterminedError

if TYPE_CHECKING:  # pandas is imported only when frames are used
    import pandas

__all__ = ["compile", "Policy", "Decision", "Obligation", "Citation", "ColumnSpec", "TestOutcome", "ItemRef", "Item",
           "DeadlineKind", "Status"]


@dataclass(frozen=True)
class Citation:
    """The legal basis of a rule or obligation: a paragraph of a law document, or an article named in words.

    ``text`` is the paragraph cited when the policy loads the law's text (``law "PATH"``; ``article``
    is then the paragraph id, ``"p3"``), else ``""``.
    """

    document: str
    article: str
    text: str = ""

    def __str__(self) -> str:
        return f"{self.document}, {self.article}" if self.document else self.article


#: What kind of deadline an obligation has (``None``: none): by a date or instant, the current
#: period's due date of a recurring deadline, the end of a retention, or an open standard.
DeadlineKind = Literal["by", "recurring", "retention", "open"]
#: An obligation's status against the evaluation instant (``None``: nothing says; ``"undetermined"``:
#: it depends on facts not given).
Status = Literal["pending", "met", "overdue", "early", "breached", "undetermined"]


@dataclass(frozen=True)
class ItemRef:
    """The element of a ``for each`` that an obligation or outputs were decided for.

    ``scope`` is the ``for each`` variable (``"transfer"``), ``index`` the element's position in
    the collection (from 0), ``key`` its ``key`` (or its index when there is none), as JSON.
    """

    scope: str
    index: int
    key: Any


@dataclass(frozen=True)
class Item:
    """What a ``for each`` decided for one element: ``outputs`` (name -> JSON value, as
    :attr:`Decision.outputs`), under the law of ``law_as_of``; ``undetermined`` (name -> the
    missing facts) the outputs that depend on facts not given."""

    ref: ItemRef
    law_as_of: _dt.date
    outputs: Dict[str, Any]
    undetermined: Dict[str, Tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Obligation:
    """An obligation in a decision: who must (not) / may do what, by when, on which basis.

    ``modality`` is ``"must"``, ``"must not"`` or ``"may"``; ``violated`` says the facts already
    show a breach. ``deadline`` is a :class:`datetime.date`, a :class:`datetime.datetime` (aware,
    UTC) when the deadline is an instant, or ``None``: for a retention the date until which to
    keep, for a recurring deadline the current period's due date. ``deadline_kind`` is ``"by"``,
    ``"recurring"``, ``"retention"``, ``"open"`` (an open standard, ``standard``: "without undue
    delay") or ``None``; ``status`` is ``"pending"``, ``"met"``, ``"overdue"``, ``"early"`` (done
    before a window opened), ``"breached"`` (deleted before a retention ended) or ``None``.
    ``item`` says which element of a ``for each`` it was decided for (``None``: the policy's own).

    Facts not given can leave it open: ``applies_undetermined`` (it is listed because it may
    apply), ``violation_undetermined`` (it may be violated; ``violated`` is then ``False``),
    ``status == "undetermined"``; ``missing`` names the facts that would decide.
    """

    name: str
    modality: str
    subject: str
    action: str
    deadline: Optional[_dt.date]
    citations: Tuple[Citation, ...]
    violated: bool
    deadline_kind: Optional[DeadlineKind] = None
    standard: Optional[str] = None
    status: Optional[Status] = None
    item: Optional[ItemRef] = None
    applies_undetermined: bool = False
    violation_undetermined: bool = False
    missing: Tuple[str, ...] = ()
    #: How the policy reads a text that is silent or open, when the obligation is an interpretation ("" if not).
    interpretation: str = ""

    @property
    def citation(self) -> str:
        """The citations as one line of text (``"document, article; ..."``)."""
        return "; ".join(str(c) for c in self.citations)

    def __str__(self) -> str:
        when = ""
        if self.deadline is not None:
            when = _deadline_text(self.deadline)
        kind = self.deadline_kind
        if kind == "recurring":
            when = f" next due {when}"
        elif kind == "retention":
            when = f" keep until {when}" if when else ""
        elif kind == "open":
            when = f" {self.standard}"
        elif when:
            when = f" by {when}"
        status = f" [{self.status}]" if self.status else ""
        item = f" (for {self.item.scope} {self.item.key})" if self.item else ""
        mark = ("  [VIOLATED]" if self.violated else "  [MAY APPLY]" if self.applies_undetermined
                else "  [MAY BE VIOLATED]" if self.violation_undetermined else "")
        missing = f" (missing: {', '.join(self.missing)})" if self.missing else ""
        return f'{self.name}{item}: {self.subject} {self.modality} "{self.action}"{when}{status}{mark}{missing}'


def _deadline_text(d: _dt.date) -> str:
    if isinstance(d, _dt.datetime):
        return d.strftime("%Y-%m-%dT%H:%M:%SZ")
    return d.isoformat()


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a frame: an input path, an output, or ``<obligation>.applies|violated|deadline|status``.

    ``kind`` is one of ``bool, int, decimal, date, datetime, duration, enum, text, enum_set`` (a
    set of an enum of at most 64 values: cells are collections of value names, or int bitmasks
    with bit k for ``categories[k]``); ``categories`` are the enum's values in declaration order
    (for ``<obligation>.status``: ``none, pending, met, overdue, early, breached, undetermined``); ``optional``
    columns may hold missing values;
    ``has_default`` inputs may be missing (a missing value or column means the field's default);
    a missing value in another column that is not optional is a fact not given;
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
    """A date ``"YYYY-MM-DD"`` or an instant ``"YYYY-MM-DDTHH:MM:SSZ"`` of the SDK (``None``, ``""``: none)."""
    if not text:
        return None
    if len(text) == 10:
        return _dt.date.fromisoformat(text)
    return _dt.datetime.fromisoformat(text)  # "...Z": aware, UTC


def _instant(text: str) -> _dt.datetime:
    """The evaluation instant of a decision: ``"YYYY-MM-DD"`` (its midnight) or ``"...THH:MM:SSZ"``, as UTC."""
    if len(text) == 10:
        return _dt.datetime.fromisoformat(text).replace(tzinfo=_dt.timezone.utc)
    return _dt.datetime.fromisoformat(text)


def _item_ref(d: Optional[Mapping[str, Any]]) -> Optional[ItemRef]:
    return None if d is None else ItemRef(d["scope"], d["index"], d["key"])


def _obligation(o: Mapping[str, Any]) -> Obligation:
    return Obligation(o["name"], o["modality"], o["subject"], o["action"], _date(o["deadline"]),
                      tuple(Citation(doc, art, text) for (doc, art), text in zip(o["citations"], o["citation_texts"])),
                      o["violated"], o["deadline_kind"] or None, o["standard"] or None, o["status"] or None,
                      _item_ref(o["item"]), o["applies_undetermined"], o["violation_undetermined"],
                      tuple(o["missing"]), o["interpretation"])


class Decision:
    """The outcome of one evaluation: outputs, obligations with deadlines and citations, violations.

    A plain value, independent of later evaluations. ``outputs`` holds each output as the CLI's JSON
    does (``proviso eval --format json``): enums as their names, dates as ``"YYYY-MM-DD"``,
    date-times as ``"YYYY-MM-DDTHH:MM:SSZ"``, durations as ``"30 days"`` or ``"72 hours"``,
    decimals as floats (as the string of the exact value when a float cannot hold its 6 places),
    ``None`` for an absent optional output.

    Facts left out of the input are not known: an output that depends on them is not in
    ``outputs`` but in ``undetermined`` (name -> the facts that would decide it), and reading it
    with ``decision[name]`` raises :class:`UndeterminedError`; ``missing_facts`` lists every fact
    the decision waits for.
    """

    __slots__ = ("_native", "_outputs", "_undetermined", "_missing_facts", "_obligations", "_now", "policy",
                 "_output_order", "_law_as_of", "_items")

    def __init__(self, native: "_proviso.Decision", policy: str, output_order: Sequence[str] = ()) -> None:
        # What the native decision holds is turned into Python values when first read.
        self._native = native
        #: The name of the policy that decided.
        self.policy: str = policy
        self._output_order = output_order
        self._outputs: Optional[Dict[str, Any]] = None
        self._undetermined: Optional[Dict[str, Tuple[str, ...]]] = None
        self._missing_facts: Optional[Tuple[str, ...]] = None
        self._obligations: Optional[List[Obligation]] = None
        self._now: Optional[_dt.datetime] = None
        self._law_as_of: Optional[Tuple[Optional[_dt.date]]] = None
        self._items: Optional[List[Item]] = None

    @property
    def now(self) -> _dt.datetime:
        """The evaluation instant (aware, UTC): ``now`` in the policy."""
        if self._now is None:
            self._now = _instant(self._native.as_of)
        return self._now

    @property
    def as_of(self) -> _dt.date:
        """The evaluation date: the UTC date of :attr:`now` (``as_of`` in the policy)."""
        return self.now.date()

    @property
    def outputs(self) -> Dict[str, Any]:
        """Output name -> value (JSON form, as the CLI prints it), in declaration order."""
        if self._outputs is None:
            outputs = self._native.outputs()
            ordered = {k: outputs[k] for k in self._output_order if k in outputs}
            if len(ordered) != len(outputs):
                ordered.update((k, v) for k, v in outputs.items() if k not in ordered)
            self._outputs = ordered
        return self._outputs

    @property
    def undetermined(self) -> Dict[str, Tuple[str, ...]]:
        """Output name -> the paths of the facts not given that it depends on (undetermined outputs)."""
        if self._undetermined is None:
            self._undetermined = {k: tuple(v) for k, v in self._native.undetermined().items()}
        return self._undetermined

    @property
    def missing_facts(self) -> Tuple[str, ...]:
        """Every fact not given that some output or obligation waits for (paths, sorted)."""
        if self._missing_facts is None:
            self._missing_facts = tuple(self._native.missing_facts())
        return self._missing_facts

    @property
    def obligations(self) -> List[Obligation]:
        """The obligations that apply (or may: :attr:`Obligation.applies_undetermined`): the
        policy's in declaration order, then those of each element of each ``for each``
        (:attr:`Obligation.item` says which)."""
        if self._obligations is None:
            self._obligations = [_obligation(o) for o in self._native.obligations()]
        return self._obligations

    @property
    def version(self) -> str:
        """The version of the policy that decided (:attr:`Policy.version`): with a
        :class:`PolicyStore` reloading policies, says which version made this decision."""
        return self._native.version

    @property
    def law_as_of(self) -> Optional[_dt.date]:
        """The date whose law decided, when the policy says (``law as of``); else ``None`` (the
        law of :attr:`as_of`)."""
        if self._law_as_of is None:
            self._law_as_of = (_date(self._native.law_as_of),)
        return self._law_as_of[0]  # type: ignore[return-value]

    @property
    def items(self) -> List[Item]:
        """What each ``for each`` decided, element by element in the collection's order (empty
        when the policy has no ``for each``)."""
        if self._items is None:
            self._items = [Item(ItemRef(i["scope"], i["index"], i["key"]), _dt.date.fromisoformat(i["law_as_of"]),
                                i["outputs"], {k: tuple(v) for k, v in i["undetermined"].items()}) for i in self._native.items()]
        return self._items

    @property
    def violations(self) -> List[Obligation]:
        """The applicable obligations that the facts already violate."""
        return [o for o in self.obligations if o.violated]

    @property
    def determined(self) -> bool:
        """Whether the facts given decide everything: no undetermined output, and no obligation
        that may apply or may be violated."""
        return not self.missing_facts

    def __getitem__(self, output: str) -> Any:
        """The value of one output; :class:`UndeterminedError` (a ``LookupError``) if it depends on
        facts not given, ``KeyError`` if the policy has no such output."""
        if output in self.undetermined:
            raise UndeterminedError(output, self.undetermined[output])
        return self.outputs[output]

    def obligation(self, name: str, item: Any = None) -> Optional[Obligation]:
        """The obligation called ``name`` if it applies, else ``None``: the policy's own, or with
        ``item`` (a key or an :class:`ItemRef`) the one decided for that element of a ``for each``."""
        for o in self.obligations:
            if o.name != name:
                continue
            if item is None and o.item is None:
                return o
            if item is not None and o.item is not None and (item == o.item or item == o.item.key):
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
        """``{"policy", "policy_version", "as_of", "law_as_of"?, "outputs", "obligations", "violations", "items"?}`` (and
        ``"explanation"`` if evaluated with ``explain=True``): exactly the JSON of ``proviso eval
        --format json``."""
        return self._native.to_dict()

    def __reduce__(self) -> Tuple[Any, ...]:
        """Pickles the policy (as its sources, see :meth:`Policy.__reduce__`) and what was evaluated:
        the facts, the evaluation instant, params and budget. Unpickling decides again (the policy
        compiled once per process) and gives this decision; if the policy unpickled is not the version
        that decided (:attr:`version`), it raises :class:`ProvisoError` rather than another decision."""
        return (_load_decision, (Policy(self._native.policy), self._native.state(), self._native.version))

    def __repr__(self) -> str:
        outs = ", ".join([f"{k}={v!r}" for k, v in self.outputs.items()] +
                         [f"{k}=undetermined" for k in self.undetermined])
        return (f"<Decision {self.policy} as of {self._native.as_of}: {outs}; "
                f"{len(self.obligations)} obligations, {len(self.violations)} violated>")

    def __str__(self) -> str:
        lines = [f"decision of `{self.policy}` as of {self._native.as_of}", "outputs:"]
        lines += [f"  {k} = {v}" for k, v in self.outputs.items()]
        lines += [f"  {k} = undetermined (missing: {', '.join(v)})" for k, v in self.undetermined.items()]
        for it in self.items:
            lines += [f"  {it.ref.scope} {it.ref.key}: {k} = {v}" for k, v in it.outputs.items()]
            lines += [f"  {it.ref.scope} {it.ref.key}: {k} = undetermined (missing: {', '.join(v)})"
                      for k, v in it.undetermined.items()]
        lines.append("obligations:")
        lines += [f"  {o}" for o in self.obligations] or ["  (none)"]
        return "\n".join(lines)


class Policy:
    """A compiled policy. Immutable and thread-safe; valid as long as Python holds it.

    Create with :func:`proviso.compile`. A policy pickles as its sources (every file it was
    compiled from, their layout relative to the main file kept), back end and name: unpickling
    compiles it again, once per process (see ``proviso._sources``), so it can go to other
    processes and machines (``multiprocessing``, :mod:`proviso.dask`) with no file shared.
    """

    __slots__ = ("_native", "_inputs", "_outputs", "_output_names", "_state", "_evaluators", "__weakref__")

    def __init__(self, native: "_proviso.Policy") -> None:
        self._native = native
        # Prepared evaluators of evaluate() by (as_of, params, budget) (see evaluator()).
        self._evaluators: Dict[Any, "Evaluator"] = {}
        self._inputs: Optional[Tuple[ColumnSpec, ...]] = None
        self._outputs: Optional[Tuple[ColumnSpec, ...]] = None
        self._output_names: Optional[Tuple[str, ...]] = None
        self._state: Optional["_sources.State"] = None  # what pickling carries, read once

    # ------------------------------------------------------------ description

    @property
    def name(self) -> str:
        """The policy's name (``policy NAME`` in its header)."""
        return self._native.name

    @property
    def version(self) -> str:
        """The version: the SHA-256 (64 hex digits) of the contents of every file the policy was
        compiled from (the policy, its imports, its law files). The same sources give the same
        version anywhere and with either back end; any change gives another."""
        return self._native.version

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
        """Runs the policy's own ``test`` blocks (``proviso test``); ``today`` is the date of tests
        without ``as of`` when the policy has no ``effective from`` (default: today)."""
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
        ``<name>.applies``, ``<name>.violated``, ``<name>.deadline`` (kind ``date``, or
        ``datetime`` when the deadline is an instant) and, for an obligation with a deadline,
        ``<name>.status`` (an enum: ``none, pending, met, overdue, early, breached, undetermined``)."""
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
        budget: int = 0,
    ) -> Decision:
        """Evaluates one set of facts.

        ``facts`` is a mapping shaped like the policy's ``input`` (records as nested mappings, sets
        and lists as Python sets/lists). Values may be JSON-like (as in ``proviso eval --facts``) or
        Python/numpy/pandas values: for a ``datetime`` field a ``datetime.datetime``,
        ``pandas.Timestamp`` or ``numpy.datetime64`` (naive = UTC, aware = converted to UTC; to the
        second) or ISO text with ``Z`` or an offset; for a ``date`` field a ``datetime.date`` or a
        date-time at midnight (one with a time of day is a :class:`FactsError`); for a ``duration``
        a ``timedelta``, ``pandas.Timedelta`` or ``numpy.timedelta64`` (to the second); numpy
        scalars; ``None``/NaN/NaT is a missing value. ``as_of`` is the evaluation date or instant
        (a ``date``, ``datetime``, ``Timestamp``, ``"YYYY-MM-DD"`` or ``"YYYY-MM-DDTHH:MM:SSZ"``;
        default: now); ``params`` overrides parameters (what-if): ``{"notify_within":
        timedelta(hours=48)}`` or ``{"notify_within": "48 hours"}``. ``explain=True`` records the
        explanation at once. ``budget`` bounds the work: how many collection elements the
        evaluation's loops may visit (nested quantifiers multiply); over it, an
        :class:`EvaluationError` says so. 0: the default (100,000,000); negative: no limit.

        Raises :class:`FactsError` (``.path`` names the field) or :class:`EvaluationError`
        (``.location`` in the policy). Releases the GIL while evaluating.
        """
        if self._output_names is None:
            self._output_names = tuple(self._native.output_names())
        when = as_of_text(as_of)
        if when is not None and not explain and self._native.backend == "jit":
            # Through a prepared evaluator (options parsed once, facts written into a typed row).
            key = (when, budget, tuple(sorted((k, repr(v)) for k, v in params.items())) if params else ())
            evaluator = self._evaluators.get(key)
            if evaluator is None:
                if len(self._evaluators) >= 16:
                    self._evaluators.clear()
                evaluator = self._evaluators[key] = self.evaluator(as_of=when, params=params, budget=budget)
            return evaluator.evaluate(facts)
        native = call_with_params(lambda texts: self._native.evaluate(facts, when, texts, explain, budget), params)
        return Decision(native, self._native.name, self._output_names)

    def evaluator(self, *, as_of: DateLike = None, params: Optional[Mapping[str, Any]] = None,
                  budget: int = 0) -> "Evaluator":
        """A prepared evaluator for a loop: ``as_of`` (default: now, when it is made), ``params`` and
        ``budget`` are read once; its :meth:`Evaluator.evaluate` then writes each set of facts into
        a typed row of native code (plain ``bool``, ``int`` and ``str`` values straight, others as
        :meth:`evaluate` reads them) and gives the same :class:`Decision` as :meth:`evaluate`.
        Thread-safe (one evaluation at a time). :meth:`evaluate` with an ``as_of`` uses one."""
        if self._output_names is None:
            self._output_names = tuple(self._native.output_names())
        return Evaluator(self, as_of_text(as_of), params, budget)

    def evaluate_frame(
        self,
        df: "pandas.DataFrame",
        *,
        as_of: DateLike = None,
        params: Optional[Mapping[str, Any]] = None,
        unknown: Any = None,
        budget: int = 0,
        chunksize: Optional[int] = None,
        progress: Any = None,
    ) -> "pandas.DataFrame":
        """Evaluates every row of a DataFrame in one batch (``chunksize`` rows at a time, with
        ``progress`` and Ctrl-C heard between chunks); see :func:`proviso.evaluate_frame`."""
        from ._frame import evaluate_frame

        return evaluate_frame(self, df, as_of=as_of, params=params, unknown=unknown, budget=budget,
                              chunksize=chunksize, progress=progress)

    # ------------------------------------------------------------ pickling

    def __reduce__(self) -> Tuple[Any, ...]:
        """Pickles the policy's sources, back end and name (not its machine code): the unpickled
        policy, in this process or another, is compiled from them and decides exactly as this one."""
        if self._state is None:
            self._state = _sources.state_of(self)
        return (_sources.load, self._state)

    def __copy__(self) -> "Policy":
        return self  # immutable

    def __deepcopy__(self, memo: Dict[int, Any]) -> "Policy":
        return self

    def __repr__(self) -> str:
        return f"<proviso.Policy {self.name}: outputs {', '.join(self.outputs)}>"


def compile(
    path_or_source: Union[str, "os.PathLike[str]"],
    *,
    name: Optional[str] = None,
    backend: str = "jit",
    root: Optional[Union[str, "os.PathLike[str]"]] = None,
) -> Policy:
    """Compiles a policy from a file or from source text.

    ``path_or_source`` is a path (a :class:`os.PathLike`, or a one-line ``str`` ending in
    ``.proviso`` or naming an existing file) or the policy's source text. ``name`` is the file name
    that diagnostics show for source text (default ``"<string>"``); the imports of source text are
    resolved relative to the directory of ``name``. ``backend`` is ``"jit"`` (native code, the
    default) or ``"interpreter"`` (the reference evaluator); both give the same decisions. ``root``
    is the folder the policy's imports and law files must be under (only ``.proviso`` and ``.law``
    files are read); by default the nearest folder at or above the policy's holding a
    ``.proviso-root`` file, else the policy's own folder.

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
        return Policy(_proviso.compile_file(path, backend, os.fspath(root) if root is not None else ""))
    return Policy(_proviso.compile_string(path_or_source, name if name is not None else "<string>", backend,
                                          os.fspath(root) if root is not None else ""))


def _load_decision(policy: "Policy", state: Tuple[str, str, Dict[str, str], bool, int], version: str) -> Decision:
    """Unpickles a :class:`Decision` (see :meth:`Decision.__reduce__`)."""
    if policy.version != version:
        raise ProvisoError(f"cannot unpickle a decision of `{policy.name}` version {version[:12]}: "
                           f"its policy unpickled as version {policy.version[:12]}")
    facts, as_of, params, explain, budget = state
    native = _proviso.decision_from_state(policy._native, facts, as_of, params, explain, budget)
    return Decision(native, policy.name, policy.outputs)


class Evaluator:
    """A prepared evaluator of one policy under fixed options (:meth:`Policy.evaluator`)."""

    __slots__ = ("_native", "_policy", "_name", "_output_names")

    def __init__(self, policy: Policy, when: Optional[str], params: Optional[Mapping[str, Any]], budget: int) -> None:
        self._policy = policy
        self._name = policy._native.name
        self._output_names = policy._output_names
        if policy._native.backend == "jit":
            self._native = call_with_params(lambda texts: _proviso.RowEvaluator(policy._native, when, texts, budget),
                                            params)
        else:  # the interpreter has no typed rows: the JSON path, options fixed
            self._native = _JsonEvaluator(policy, when, params, budget)

    def evaluate(self, facts: Mapping[str, Any]) -> "Decision":
        """Evaluates one set of facts (as :meth:`Policy.evaluate` takes them) under the evaluator's
        options. Raises :class:`FactsError` or :class:`EvaluationError` as :meth:`Policy.evaluate`."""
        return Decision(self._native.evaluate(facts), self._name, self._output_names)


class _JsonEvaluator:
    """An evaluator's native side for a policy on the interpreter."""

    __slots__ = ("_policy", "_when", "_params", "_budget")

    def __init__(self, policy: Policy, when: Optional[str], params: Optional[Mapping[str, Any]], budget: int) -> None:
        self._policy, self._when, self._params, self._budget = policy, when or _now_text(), params, budget

    def evaluate(self, facts: Mapping[str, Any]) -> "_proviso.Decision":
        return call_with_params(lambda texts: self._policy._native.evaluate(facts, self._when, texts, False,
                                                                            self._budget), self._params)


def _now_text() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
