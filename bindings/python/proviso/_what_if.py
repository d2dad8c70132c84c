"""What-if analysis: one frame evaluated under a baseline and under parameter scenarios."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Mapping, Optional, Tuple

import numpy as np

from . import _frame
from ._convert import DateLike
from ._errors import ProvisoError

if TYPE_CHECKING:
    import matplotlib.figure
    import pandas as pd

    from ._policy import ColumnSpec, Policy

__all__ = ["what_if", "WhatIfResult", "plot_what_if"]

BASELINE = "baseline"
_MAX_VALUES = 20  # int and text outputs with more distinct values than this are not counted per value


@dataclass
class WhatIfResult:
    """The result of :func:`what_if`. Unpacks as ``changes, summary = what_if(...)``.

    - ``changes``: tidy, one row per (scenario, frame row, outcome column) whose value differs from
      the baseline: columns ``scenario, row`` (the frame's index label), ``outcome``, ``baseline``,
      ``value``. Outcome columns are those of :func:`evaluate_frame` (outputs and
      ``<obligation>.applies|violated|deadline|status``).
    - ``summary``: one row per scenario (the index): ``rows``, ``rows changed`` (any outcome
      column differs), ``<output> changed`` for every output, ``obligations changed`` (an
      obligation starts or stops applying), ``deadlines changed``, ``became violated`` (rows where
      some obligation is violated that was not in the baseline), ``no longer violated``, and
      ``rows violating`` in the baseline and the scenario (rows with at least one violation); with
      facts not given, ``rows undetermined`` in both (rows where some outcome waits for a fact).
    - ``counts``: tidy, rows per outcome value for the baseline and each scenario: columns
      ``outcome`` (``"export = deny"``, ``"keep_call_records violated"``, ``"notify.status =
      overdue"``), ``scenario``, ``rows``.
    - ``baseline`` and ``results``: the full output frames (``results[name]`` per scenario).
    - ``params``: the params each scenario was evaluated with (baseline params, then its own).
    """

    changes: "pd.DataFrame"
    summary: "pd.DataFrame"
    counts: "pd.DataFrame"
    baseline: "pd.DataFrame"
    results: Dict[str, "pd.DataFrame"]
    params: Dict[str, Dict[str, Any]] = field(default_factory=dict)

    def __iter__(self) -> Iterator["pd.DataFrame"]:
        return iter((self.changes, self.summary))

    def _repr_html_(self) -> str:
        return self.summary._repr_html_()


def _decoded(spec: "ColumnSpec", raw: "_frame._Raw", i: int) -> np.ndarray:
    """An output column as a numpy object-comparable array (for the changes table)."""
    import pandas as pd

    col = _frame.decode_column(spec, raw.columns[i], raw.present[i], raw.dictionary, raw.undetermined(i))
    return np.asarray(pd.Series(col).astype(object).where(pd.notna(col), None))


def _changed(spec: "ColumnSpec", base: "_frame._Raw", scen: "_frame._Raw", i: int) -> np.ndarray:
    """Rows whose value of output column ``i`` differs (compared on the raw encodings)."""
    a, b = base.columns[i], scen.columns[i]
    if spec.kind == "text":  # codes index each run's own dictionary
        da = np.asarray(base.dictionary + [""], dtype=object)[a]
        db = np.asarray(scen.dictionary + [""], dtype=object)[b]
        diff = da != db
    else:
        diff = a != b
    # A value is compared only where it is present and decided in both runs.
    pa = np.ones(len(a), bool) if base.present[i] is None else base.present[i].astype(bool)
    pb = np.ones(len(b), bool) if scen.present[i] is None else scen.present[i].astype(bool)
    ua, ub = base.undetermined(i), scen.undetermined(i)
    status = _frame._is_status(spec)  # an undetermined status is a value, "undetermined"
    if ua is not None and not status:
        pa &= ~ua
    if ub is not None and not status:
        pb &= ~ub
    open_a = np.zeros(len(a), bool) if ua is None or status else ua
    open_b = np.zeros(len(b), bool) if ub is None or status else ub
    return (open_a != open_b) | (pa != pb) | (pa & pb & diff)


#: A count of rows per outcome value of one evaluation, additive over frames (so over the partitions
#: of a Dask frame): (output column, rank, order, value) -> rows. ``rank`` orders the kinds of
#: count of a column (``applies``/``violated``, then ``may apply``/``may be violated``; for other
#: columns ``undetermined``, then one count per value), ``order`` the values (category order, or
#: the value itself for ints and texts: :func:`_labelled` drops those with too many values).
Tally = Dict[Tuple[int, int, Tuple[Any, ...], Any], int]


def _tally(policy: "Policy", frame: "pd.DataFrame", raw: "_frame._Raw") -> Tally:
    """The rows per outcome value of one evaluation (``frame`` decoded from ``raw``)."""
    out: Tally = {}
    for i, spec in enumerate(policy.batch_outputs()):
        col = frame[spec.name]
        undetermined = raw.undetermined(i)
        if spec.name.endswith(".applies") or spec.name.endswith(".violated"):
            out[(i, 0, (), None)] = int(col.sum())  # (NA: undetermined, not counted)
            if raw.missing is not None:
                out[(i, 1, (), None)] = 0 if undetermined is None else int(undetermined.sum())
            continue
        if raw.missing is not None and not _frame._is_status(spec):
            out[(i, 0, (), None)] = 0 if undetermined is None else int(undetermined.sum())
            if undetermined is not None:
                col = col[~undetermined]
        if spec.kind == "enum":
            values: List[Any] = list(spec.categories)
        elif spec.kind == "bool":
            values = [True, False]
        elif spec.kind in ("int", "text"):
            values = col.dropna().unique().tolist()
        else:  # dates, date-times, decimals: too many values to count one by one
            continue
        fixed = spec.kind in ("enum", "bool")
        for k, v in enumerate(values):
            out[(i, 2, (0, k) if fixed else (0, v), v)] = int((col == v).sum())
        if spec.optional:
            out[(i, 2, (1,), None)] = int(col.isna().sum())
    return out


def _add(total: Tally, part: Tally) -> Tally:
    """``total`` plus ``part`` (in place)."""
    for key, n in part.items():
        total[key] = total.get(key, 0) + n
    return total


def _labelled(policy: "Policy", tally: Tally, scenario: str,
              max_values: int = _MAX_VALUES) -> List[Tuple[str, str, int]]:
    """A tally as the rows of ``WhatIfResult.counts``: ``(outcome, scenario, rows)`` in the
    policy's column order; int and text columns with more than ``max_values`` distinct values are
    left out."""
    specs = policy.batch_outputs()
    distinct: Dict[int, int] = {}
    for (i, rank, order, _) in tally:
        if rank == 2 and order[0] == 0 and specs[i].kind in ("int", "text"):
            distinct[i] = distinct.get(i, 0) + 1
    out: List[Tuple[str, str, int]] = []
    for (i, rank, order, v), n in sorted(tally.items(), key=lambda kv: kv[0][:3]):
        spec = specs[i]
        if spec.name.endswith(".applies") or spec.name.endswith(".violated"):
            name, what = spec.name.rsplit(".", 1)
            label = ({0: "applies", 1: "may apply"} if what == "applies" else {0: "violated", 1: "may be violated"})[rank]
            out.append((f"{name} {label}", scenario, n))
        elif rank == 0:
            out.append((f"{spec.name} undetermined", scenario, n))
        elif distinct.get(i, 0) <= max_values:
            text = "none" if v is None else str(v).lower() if isinstance(v, (bool, np.bool_)) else str(v)
            out.append((f"{spec.name} = {text}", scenario, n))
    return out


def _counts(policy: "Policy", frame: "pd.DataFrame", raw: "_frame._Raw", scenario: str) -> List[Tuple[str, str, int]]:
    return _labelled(policy, _tally(policy, frame, raw), scenario)


@dataclass
class Partial:
    """What :func:`evaluate` computes for one frame, additive over frames (the partitions of a
    Dask frame): per scenario (the baseline first) its summary counts and its tally; the changes
    and output frames when asked for."""

    rows: int
    unknowns: bool
    summary: Dict[str, Dict[str, int]]
    tallies: Dict[str, Tally]
    changes: List["pd.DataFrame"]
    baseline: Optional["pd.DataFrame"] = None
    results: Dict[str, "pd.DataFrame"] = field(default_factory=dict)

    def add(self, other: "Partial") -> "Partial":
        """This partial plus ``other``'s counts (in place; changes and frames are not kept)."""
        self.rows += other.rows
        self.unknowns = self.unknowns or other.unknowns
        for name, row in other.summary.items():
            mine = self.summary.setdefault(name, {})
            for k, n in row.items():
                mine[k] = mine.get(k, 0) + n
        for name, tally in other.tallies.items():
            _add(self.tallies.setdefault(name, {}), tally)
        return self


def scenario_params(scenarios: Mapping[str, Mapping[str, Any]],
                    baseline: Optional[Mapping[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """The params of the baseline and of each scenario (its overrides on top of the baseline's);
    ``TypeError``/:class:`ProvisoError` for a bad ``scenarios`` argument."""
    if not isinstance(scenarios, Mapping) or not scenarios:
        raise TypeError("scenarios must be a non-empty mapping of scenario name to params")
    if BASELINE in scenarios:
        raise ProvisoError(f"`{BASELINE}` names the baseline; give the scenario another name")
    base_params = dict(baseline or {})
    out: Dict[str, Dict[str, Any]] = {BASELINE: base_params}
    for name, overrides in scenarios.items():
        out[name] = {**base_params, **dict(overrides)}
    return out


def evaluate(batch: "_frame._Batch", params: Mapping[str, Dict[str, Any]], as_of: DateLike = None,
             changes: bool = True, frames: bool = True) -> Partial:
    """Evaluates an encoded frame under each of ``params`` (:func:`scenario_params`) and compares
    each scenario with the baseline; ``changes``/``frames``: keep the changes and the output frames."""
    import pandas as pd

    policy = batch.policy
    specs = policy.batch_outputs()
    base_raw = _frame.run(batch, as_of=as_of, params=params[BASELINE])
    base_frame = _frame.decode(policy, base_raw, batch.index, batch.unknowns)
    base_decoded: Dict[int, np.ndarray] = {}
    outputs = set(policy.outputs)
    violated_cols = [i for i, s in enumerate(specs) if s.name.endswith(".violated")]
    applies_cols = [i for i, s in enumerate(specs) if s.name.endswith(".applies")]
    deadline_cols = [i for i, s in enumerate(specs) if s.name.endswith(".deadline")]

    def any_rows(raw: "_frame._Raw", cols: List[int]) -> np.ndarray:
        acc = np.zeros(batch.rows, dtype=bool)
        for i in cols:
            acc |= raw.columns[i] != 0
        return acc

    def undetermined_rows(raw: "_frame._Raw") -> np.ndarray:
        acc = np.zeros(batch.rows, dtype=bool)
        for i in range(len(specs)):
            u = raw.undetermined(i)
            if u is not None:
                acc |= u
        return acc

    base_violating = any_rows(base_raw, violated_cols)
    out = Partial(batch.rows, batch.unknowns, {}, {BASELINE: _tally(policy, base_frame, base_raw)}, [],
                  base_frame if frames else None)
    for name, scenario_params in params.items():
        if name == BASELINE:
            continue
        raw = _frame.run(batch, as_of=as_of, params=scenario_params)
        frame = _frame.decode(policy, raw, batch.index, batch.unknowns)
        if frames:
            out.results[name] = frame
        out.tallies[name] = _tally(policy, frame, raw)
        row: Dict[str, int] = {"rows": batch.rows}
        any_change = np.zeros(batch.rows, dtype=bool)
        changed_by_col: Dict[int, np.ndarray] = {}
        for i, spec in enumerate(specs):
            changed = _changed(spec, base_raw, raw, i)
            changed_by_col[i] = changed
            any_change |= changed
            idx = np.flatnonzero(changed)
            if spec.name in outputs:
                row[f"{spec.name} changed"] = len(idx)
            if len(idx) and changes:
                if i not in base_decoded:
                    base_decoded[i] = _decoded(spec, base_raw, i)
                out.changes.append(pd.DataFrame({
                    "scenario": name,
                    "row": batch.index[idx],
                    "outcome": spec.name,
                    "baseline": base_decoded[i][idx],
                    "value": _decoded(spec, raw, i)[idx],
                }))
        row["rows changed"] = int(any_change.sum())
        row["obligations changed"] = int(np.logical_or.reduce(
            [changed_by_col[i] for i in applies_cols] or [np.zeros(batch.rows, bool)]).sum())
        row["deadlines changed"] = int(np.logical_or.reduce(
            [changed_by_col[i] for i in deadline_cols] or [np.zeros(batch.rows, bool)]).sum())
        newly = np.zeros(batch.rows, dtype=bool)
        resolved = np.zeros(batch.rows, dtype=bool)
        for i in violated_cols:
            a, b = base_raw.columns[i] != 0, raw.columns[i] != 0
            newly |= b & ~a
            resolved |= a & ~b
        row["became violated"] = int(newly.sum())
        row["no longer violated"] = int(resolved.sum())
        row["rows violating (baseline)"] = int(base_violating.sum())
        row["rows violating (scenario)"] = int(any_rows(raw, violated_cols).sum())
        if batch.unknowns:
            row["rows undetermined (baseline)"] = int(undetermined_rows(base_raw).sum())
            row["rows undetermined (scenario)"] = int(undetermined_rows(raw).sum())
        out.summary[name] = row
    return out


#: The columns of ``WhatIfResult.changes``.
CHANGES_COLUMNS = ["scenario", "row", "outcome", "baseline", "value"]


def summary_frame(policy: "Policy", partial: Partial) -> "pd.DataFrame":
    """``WhatIfResult.summary`` of an evaluation (its rows: the scenarios, in order)."""
    import pandas as pd

    ordered = ["rows", "rows changed"] + [f"{o} changed" for o in policy.outputs] + [
        "obligations changed", "deadlines changed", "became violated", "no longer violated",
        "rows violating (baseline)", "rows violating (scenario)"] + (
        ["rows undetermined (baseline)", "rows undetermined (scenario)"] if partial.unknowns else [])
    rows = [{"scenario": name, **{k: row.get(k, 0) for k in ordered}} for name, row in partial.summary.items()]
    return pd.DataFrame(rows, columns=["scenario"] + ordered).set_index("scenario")


def counts_frame(policy: "Policy", partial: Partial) -> "pd.DataFrame":
    """``WhatIfResult.counts`` of an evaluation."""
    import pandas as pd

    counts: List[Tuple[str, str, int]] = []
    for name, tally in partial.tallies.items():
        counts += _labelled(policy, tally, name)
    return pd.DataFrame(counts, columns=["outcome", "scenario", "rows"])


def what_if(
    policy: "Policy",
    df: "pd.DataFrame",
    scenarios: Mapping[str, Mapping[str, Any]],
    *,
    baseline: Optional[Mapping[str, Any]] = None,
    as_of: DateLike = None,
    unknown: Any = None,
) -> WhatIfResult:
    """Evaluates ``df`` under the baseline params and under each scenario, and compares.

    ``scenarios`` maps a scenario name to param overrides, applied on top of ``baseline`` (param
    overrides too; ``None`` = the policy's own values): ``{"60-day retention": {"min_retention":
    "60 days"}}``. The frame is checked and encoded once; each evaluation is one batch. Facts
    not given (``unknown``, columns left out, NA in a required column: see :func:`evaluate_frame`)
    stay unknown in every scenario; a value that becomes decided (or undetermined) counts as a change.
    Returns a :class:`WhatIfResult` (``changes``, ``summary``, ``counts``, the frames).
    """
    import pandas as pd

    params = scenario_params(scenarios, baseline)
    batch = _frame.encode(policy, df, unknown)
    partial = evaluate(batch, params, as_of)
    changes_frame = (pd.concat(partial.changes, ignore_index=True) if partial.changes
                     else pd.DataFrame({c: pd.Series(dtype=object) for c in CHANGES_COLUMNS}))
    assert partial.baseline is not None
    return WhatIfResult(changes_frame, summary_frame(policy, partial), counts_frame(policy, partial),
                        partial.baseline, partial.results, params)


def plot_what_if(
    result: WhatIfResult,
    *,
    changed_only: bool = False,
    ax: Any = None,
) -> "matplotlib.figure.Figure":
    """A horizontal bar chart of ``result.counts``: for each outcome (``export = deny``,
    ``keep_call_records violated``, ...), the rows with that outcome in the baseline and in each
    scenario. ``changed_only`` keeps the outcomes whose count differs in some scenario. Draws on
    ``ax`` if given; returns the figure (matplotlib is imported only here).
    """
    import matplotlib.pyplot as plt

    counts = result.counts
    table = counts.pivot(index="outcome", columns="scenario", values="rows")
    order = list(dict.fromkeys(counts["outcome"]))  # policy order, not alphabetical
    scenarios = [BASELINE] + [s for s in result.results]
    table = table.loc[order, scenarios]
    if changed_only:
        differs = table.ne(table[BASELINE], axis=0).any(axis=1)
        if differs.any():
            table = table[differs]
    n_out, n_sc = table.shape
    if ax is None:
        fig, ax = plt.subplots(figsize=(10, max(3.0, 0.28 * n_out * n_sc + 1.2)))
    else:
        fig = ax.figure
    height = 0.8 / n_sc
    y = np.arange(n_out)
    for k, scenario in enumerate(scenarios):
        ax.barh(y + (k - (n_sc - 1) / 2) * height, table[scenario].to_numpy(), height=height, label=scenario)
    ax.set_yticks(y)
    ax.set_yticklabels(table.index)
    ax.invert_yaxis()
    ax.set_xlabel("rows")
    ax.set_title("What if: outcomes in the baseline and in each scenario")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig
