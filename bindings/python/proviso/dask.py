"""Evaluating Dask DataFrames, partition by partition, on a cluster or on local processes.

    import dask.dataframe as dd, distributed, proviso, proviso.dask
    client = distributed.Client("tcp://scheduler:8786")          # or distributed.LocalCluster()
    policy = proviso.compile("policies/cn/benchmark_policy.proviso")
    ddf = dd.read_parquet("records/*.parquet")
    out = proviso.dask.evaluate_frame(ddf, policy, as_of="2020-09-01")      # lazy: a Dask DataFrame
    changes, summary = proviso.dask.what_if(ddf, policy, {"60 days": {"min_retention": "60 days"}})

Each partition is a pandas DataFrame evaluated by the same code as :func:`proviso.evaluate_frame`
(the SDK's batch entry), in an ordinary Dask task: the scheduler's progress reporting, the
dashboard and ``distributed.progress`` see them like any other. The policy goes to the workers
pickled, as its sources (see :class:`proviso.Policy`), as one object of the graph: each worker
process compiles it once.

Dask is imported when these functions are called, never by ``import proviso``.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Tuple

import numpy as np

from . import _frame, _progress, _sources, _what_if
from ._convert import DateLike, as_of_text
from ._errors import FactsError, ProvisoError
from ._policy import Policy
from ._what_if import WhatIfResult

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd

__all__ = ["evaluate_frame", "what_if"]


# ---------------------------------------------------------------------------- arguments


def _dask() -> Any:
    """``dask.dataframe``, or an ImportError saying how to get it."""
    try:
        import dask.dataframe
    except ImportError as e:  # pragma: no cover - the tests skip without dask
        raise ImportError("proviso.dask needs Dask: install `dask[dataframe]` and `distributed` "
                          "(pip install 'proviso[dask]', or Debian's python3-dask and python3-distributed)") from e
    _register_token()
    return dask.dataframe


_registered = False


def _register_token() -> None:
    """Lets Dask name a policy by its content (its sources and back end), so that graphs holding
    the same policy have the same keys, and a policy is one object of a graph."""
    global _registered
    if _registered:
        return
    from dask.base import normalize_token

    @normalize_token.register(Policy)
    def _token(policy: Policy) -> Tuple[str, str, str]:
        if policy._state is None:
            policy._state = _sources.state_of(policy)
        name, backend, files, origin = policy._state
        return ("proviso.Policy", backend, _sources.digest(files))

    _registered = True


def _check(ddf: Any, policy: Any, fn: str) -> None:
    dd = _dask()
    if isinstance(ddf, Policy) and isinstance(policy, dd.DataFrame):
        raise TypeError(f"proviso.dask.{fn}(ddf, policy, ...) takes the Dask DataFrame first (the local "
                        f"proviso.{fn} takes the policy first)")
    if not isinstance(ddf, dd.DataFrame):
        raise TypeError(f"proviso.dask.{fn} takes a Dask DataFrame, not {type(ddf).__name__} "
                        f"(for a pandas DataFrame use proviso.{fn})")
    if not isinstance(policy, Policy):
        raise TypeError(f"proviso.dask.{fn} takes a proviso.Policy, not {type(policy).__name__}")


def _instant(as_of: DateLike) -> str:
    """``as_of`` as the SDK's text, checked now; the default (now) is fixed now, so that every
    partition is evaluated at the same instant."""
    if as_of is None:
        return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = as_of_text(as_of)
    assert text is not None
    return text


class _Unknown:
    """``unknown=`` of a Dask evaluation, split into what every partition takes as it is (column
    names, ``"left_out"``, one bool per column) and a Dask DataFrame of bool flags per cell (from a
    Dask DataFrame, or a mapping's Dask Series), aligned with the frame's partitions."""

    def __init__(self, unknown: Any, ddf: "dd.DataFrame") -> None:
        dd = _dask()
        import pandas as pd

        self.fixed: Any = unknown
        self.flags: Optional["dd.DataFrame"] = None
        self.whole = False  # flags is the user's DataFrame (else: a mapping's Series, as columns)
        if isinstance(unknown, dd.DataFrame):
            self.fixed, self.flags, self.whole = None, unknown, True
        elif isinstance(unknown, Mapping):
            lazy = {str(k): v for k, v in unknown.items() if isinstance(v, dd.Series)}
            local = [k for k, v in unknown.items() if isinstance(v, (pd.Series, pd.DataFrame, np.ndarray, list))]
            if local:
                raise TypeError(f"unknown=: column `{local[0]}` is given as local data; over a Dask frame give "
                                "one bool, or a Dask Series with the frame's partitions")
            self.fixed = {str(k): v for k, v in unknown.items() if str(k) not in lazy}
            if lazy:
                self.flags = ddf[[]].assign(**lazy)
        elif isinstance(unknown, (pd.DataFrame, pd.Series, np.ndarray)):
            raise TypeError("unknown=: over a Dask frame, give column names, a mapping of column name to one bool "
                            "or a Dask Series, or a Dask DataFrame of bools with the frame's partitions")

    @property
    def given(self) -> bool:
        """Whether the caller said facts may be unknown (the result then has ``missing_facts``)."""
        return self.fixed is not None or self.flags is not None

    @property
    def part(self) -> "_Part":
        """What a partition's task needs (no Dask collection)."""
        return _Part(self.fixed, self.whole, self.given)

    def meta(self) -> Any:
        return self.part.local(None if self.flags is None else self.flags._meta)


class _Part:
    """``unknown=`` as a partition's task has it: the part every partition takes as it is, whether
    a partition's flags are the caller's DataFrame (else a mapping's columns), whether given at all."""

    def __init__(self, fixed: Any, whole: bool, given: bool) -> None:
        self.fixed, self.whole, self.given = fixed, whole, given

    def local(self, flags: Optional["pd.DataFrame"]) -> Any:
        """``unknown=`` for one partition, given its flags (or the flags' meta)."""
        if flags is None:
            return self.fixed
        if self.whole:
            return flags
        out = dict(self.fixed or {})
        out.update((str(c), flags[c]) for c in flags.columns)
        return out


# ---------------------------------------------------------------------------- evaluate_frame


def _meta(policy: Policy, index: "pd.Index", unknowns: bool) -> "pd.DataFrame":
    """The empty frame whose columns and dtypes every partition's result has: those of
    :func:`proviso.evaluate_frame`, but that a bool or int column that may hold missing values (an
    optional output, or any output when facts may be unknown) is always nullable (``boolean``,
    ``Int64``), and ``missing_facts`` is there when facts may be unknown."""
    import pandas as pd

    data: Dict[str, Any] = {}
    for spec in policy.batch_outputs():
        nullable = spec.optional or unknowns
        if spec.kind == "bool" and nullable:
            data[spec.name] = pd.array([], dtype="boolean")
        elif spec.kind == "int" and nullable:
            data[spec.name] = pd.array([], dtype="Int64")
        else:
            width = np.int8 if spec.kind == "enum" else np.int64
            data[spec.name] = _frame.decode_column(spec, np.zeros(0, dtype=width), None, [])
    if unknowns:
        data[_frame.MISSING_FACTS] = np.zeros(0, dtype=object)
    return pd.DataFrame(data, index=index[:0])


def _conform(out: "pd.DataFrame", dtypes: Dict[str, Any]) -> "pd.DataFrame":
    """``out`` with ``dtypes`` (bool and int columns made nullable where the meta says)."""
    for name, dtype in dtypes.items():
        if out[name].dtype != dtype:
            out[name] = out[name].astype(dtype)
    return out


def _in_partition(e: ProvisoError, policy: Policy, number: Optional[int]) -> ProvisoError:
    """``e`` raised in partition ``number``: its message says which (``.row`` is positional in
    the partition; ``.partition`` is the partition's number), and names the policy's files as the
    client does (not the worker's copies)."""
    _sources.original_paths(policy, e)
    if number is not None and getattr(e, "partition", None) is None:
        e.partition = number  # type: ignore[attr-defined]
        e.message = f"partition {number}: {e.message}"
        e.args = (e.message,) + e.args[1:]
    return e


def _evaluate_partition(df: "pd.DataFrame", flags: Optional["pd.DataFrame"], policy: Policy, as_of: str,
                        params: Optional[Mapping[str, Any]], unknown: _Part, dtypes: Dict[str, Any], budget: int,
                        chunksize: Optional[int] = None,
                        partition_info: Optional[Dict[str, Any]] = None) -> "pd.DataFrame":
    number = None if partition_info is None else partition_info.get("number")
    try:
        batch = _frame.encode(policy, df, unknown.local(flags))
        if batch.unknowns and not unknown.given:
            raise FactsError("the frame has facts not given (a missing value in the column of a field that is "
                             "neither optional nor defaulted, or a column left out); over a Dask frame, pass "
                             "unknown= (unknown=[] if no cell is marked) so that the result has a "
                             f"`{_frame.MISSING_FACTS}` column in every partition")
        raw = _frame.run(batch, as_of=as_of, params=params, budget=budget,
                         chunk_rows=_progress.chunk_rows(chunksize, None, batch.rows, batch.columns is not None))
        out = _frame.decode(policy, raw, batch.index, unknown.given)
    except ProvisoError as e:
        raise _in_partition(e, policy, number)
    return _conform(out, dtypes)


def _args(ddf: "dd.DataFrame", policy: Policy, unknown: Any) -> Tuple[_Unknown, Any]:
    """``unknown=`` split for the partitions, and the policy as one object of the graph."""
    import dask

    u = _Unknown(unknown, ddf)
    return u, dask.delayed(policy, pure=True)


def evaluate_frame(
    ddf: "dd.DataFrame",
    policy: Policy,
    *,
    as_of: DateLike = None,
    params: Optional[Mapping[str, Any]] = None,
    unknown: Any = None,
    budget: int = 0,
    chunksize: Optional[int] = None,
) -> "dd.DataFrame":
    """Evaluates every row of a Dask DataFrame with ``policy``; returns a lazy Dask DataFrame with
    one row per input row (same index and partitions) and the columns of
    :func:`proviso.evaluate_frame` (outputs, then ``<obligation>.applies|violated|deadline|status``).

    Each partition is evaluated by :func:`proviso.evaluate_frame` in a Dask task, so the result's
    values are those of local evaluation, and the arguments mean the same: ``as_of`` (default: the
    instant of this call, the same for every partition), ``params``, ``unknown``, ``budget``,
    ``chunksize`` (rows a partition's task evaluates at a time; progress is Dask's own: its bars
    and dashboard count partitions). ``unknown`` is
    column names, ``"left_out"``, a mapping of column name to one bool or to a Dask Series of bools
    (with the frame's partitions), or a Dask DataFrame of bools (idem).

    The result's dtypes are fixed before any partition is computed, so they do not depend on the
    data: they are those of local evaluation, except that an optional bool or int output is always
    nullable (``boolean``, ``Int64``), and when ``unknown`` is given (facts may be unknown) every
    bool and int output is nullable and the ``missing_facts`` column is there. A partition with a
    fact not given (NA in a required column) when ``unknown`` is not given raises
    :class:`FactsError` saying to pass ``unknown=`` (``unknown=[]`` marks no cell).

    Raises at once (before computing) what the frame's dtypes already show: a missing column, a
    column of the wrong dtype (:class:`FactsError`), a policy whose outputs cannot be columns, a bad
    ``as_of`` or param (:class:`ProvisoError`). A bad value raises when its partition is computed:
    the :class:`FactsError` or :class:`EvaluationError` of local evaluation, its message starting
    with ``partition N:``, ``.partition`` the partition's number, ``.row`` the row's position in
    its partition (and the message names the row's index label when it differs).
    """
    dd = _dask()
    _check(ddf, policy, "evaluate_frame")
    when = _instant(as_of)
    u, delayed_policy = _args(ddf, policy, unknown)
    meta = _meta(policy, ddf._meta.index, u.given)
    # What the frame's meta already shows, checked now: columns, dtypes, params, as_of.
    _frame.run(_frame.encode(policy, ddf._meta, u.meta()), as_of=when, params=params)
    # (No pandas object among the arguments: map_partitions would make it a Dask frame to align.)
    _progress.chunk_rows(chunksize, None, 0, True)  # a bad chunksize raises now, not in a task
    args = (delayed_policy, when, params, u.part, meta.dtypes.to_dict(), budget, chunksize)
    if u.flags is None:
        return ddf.map_partitions(_evaluate_partition, None, *args, meta=meta, align_dataframes=False)
    return dd.map_partitions(_evaluate_partition, ddf, u.flags, *args, meta=meta)


# ---------------------------------------------------------------------------- what_if


def _what_if_partition(df: "pd.DataFrame", flags: Optional["pd.DataFrame"], policy: Policy, as_of: str,
                       params: Dict[str, Dict[str, Any]], unknown: _Part, number: int) -> _what_if.Partial:
    try:
        batch = _frame.encode(policy, df, unknown.local(flags))
        return _what_if.evaluate(batch, params, as_of, changes=False, frames=False)
    except ProvisoError as e:
        raise _in_partition(e, policy, number)


def _combine(parts: List[_what_if.Partial]) -> _what_if.Partial:
    total = _what_if.Partial(0, False, {}, {}, [])
    for part in parts:
        total.add(part)
    return total


def _changes_partition(df: "pd.DataFrame", flags: Optional["pd.DataFrame"], policy: Policy, as_of: str,
                       params: Dict[str, Dict[str, Any]], unknown: _Part, dtypes: Dict[str, Any],
                       partition_info: Optional[Dict[str, Any]] = None) -> "pd.DataFrame":
    import pandas as pd

    number = None if partition_info is None else partition_info.get("number")
    try:
        batch = _frame.encode(policy, df, unknown.local(flags))
        part = _what_if.evaluate(batch, params, as_of, changes=True, frames=False)
    except ProvisoError as e:
        raise _in_partition(e, policy, number)
    if not part.changes:
        return pd.DataFrame({c: pd.Series(dtype=d) for c, d in dtypes.items()})
    return pd.concat(part.changes, ignore_index=True).astype(dtypes)


def what_if(
    ddf: "dd.DataFrame",
    policy: Policy,
    scenarios: Mapping[str, Mapping[str, Any]],
    *,
    baseline: Optional[Mapping[str, Any]] = None,
    as_of: DateLike = None,
    unknown: Any = None,
    progress: bool = False,
) -> WhatIfResult:
    """:func:`proviso.what_if` over a Dask DataFrame: evaluates every partition under the baseline
    and each scenario (one task per partition) and adds up what they count.

    ``scenarios``, ``baseline``, ``as_of`` (default: the instant of this call) and ``unknown`` (as
    in :func:`evaluate_frame` of this module) mean what they mean locally. Computes at once (through
    the current Dask scheduler or ``distributed.Client``); ``progress=True`` shows Dask's progress
    bar meanwhile (``distributed.progress`` under a client, else ``dask.diagnostics.ProgressBar``).

    Returns a :class:`WhatIfResult` whose ``summary`` and ``counts`` are pandas DataFrames equal to
    those of local :func:`proviso.what_if` on the whole frame, and whose ``changes``, ``baseline``
    and ``results`` are lazy Dask DataFrames (computed when asked for: their partitions are
    evaluated again): ``changes`` holds the rows of the local ``changes``, partition by partition
    (in the local order within each); ``baseline`` and ``results[name]`` are
    :func:`evaluate_frame` of this module under each scenario's ``params``. Errors are those of
    :func:`evaluate_frame` of this module.
    """
    import dask
    import pandas as pd

    dd = _dask()
    _check(ddf, policy, "what_if")
    params = _what_if.scenario_params(scenarios, baseline)
    when = _instant(as_of)
    u, delayed_policy = _args(ddf, policy, unknown)
    meta_batch = _frame.encode(policy, ddf._meta, u.meta())
    for p in params.values():  # bad params raise now, not in a worker
        _frame.run(meta_batch, as_of=when, params=p)

    parts = ddf.to_delayed()
    flag_parts: List[Any] = [None] * len(parts)
    if u.flags is not None:
        flags = u.flags
        if flags.npartitions != ddf.npartitions:
            raise ValueError("unknown=: the Dask flags must have the frame's partitions "
                             f"({flags.npartitions} partitions for {ddf.npartitions})")
        flag_parts = flags.to_delayed()
    partial = dask.delayed(_what_if_partition, pure=True)
    partials = [partial(part, flag, delayed_policy, when, params, u.part, k)
                for k, (part, flag) in enumerate(zip(parts, flag_parts))]
    total = dask.delayed(_combine, pure=True)(partials)
    combined = _compute(total, progress)

    changes_meta = pd.DataFrame({"scenario": pd.Series(dtype=object),
                                 "row": pd.Series(dtype=ddf._meta.index.dtype),
                                 "outcome": pd.Series(dtype=object), "baseline": pd.Series(dtype=object),
                                 "value": pd.Series(dtype=object)})
    args = (delayed_policy, when, params, u.part, changes_meta.dtypes.to_dict())
    if u.flags is None:
        changes = ddf.map_partitions(_changes_partition, None, *args, meta=changes_meta, align_dataframes=False)
    else:
        changes = dd.map_partitions(_changes_partition, ddf, u.flags, *args, meta=changes_meta)
    frames = {name: evaluate_frame(ddf, policy, as_of=when, params=p, unknown=unknown) for name, p in params.items()}
    base = frames.pop(_what_if.BASELINE)
    return WhatIfResult(changes, _what_if.summary_frame(policy, combined), _what_if.counts_frame(policy, combined),
                        base, frames, params)


def _compute(value: Any, progress: bool) -> Any:
    """``value`` computed by the current scheduler, with Dask's progress bar if asked."""
    import dask

    if not progress:
        return dask.compute(value)[0]
    try:
        from distributed import default_client, progress as show

        client = default_client()
    except (ImportError, ValueError):
        from dask.diagnostics import ProgressBar

        with ProgressBar():
            return dask.compute(value)[0]
    future = client.compute(value)
    show(future)
    return future.result()
