"""The row-by-row path of :func:`proviso.evaluate_frame`: a frame's rows as facts mappings.

A policy whose input has a list (or a set that is not a bitmask column) is evaluated row by row:
every column of the frame is a fact, converted here column by column to JSON-ready Python values,
and the extension (``evaluate_rows``) reads the rows' mappings a chunk at a time. The mappings are
made a block of rows at a time when it asks (:class:`RowFacts`), so that a large frame never holds
a mapping per row all at once, and making them is spread over the chunks a progress bar counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Sequence, Tuple, overload

import numpy as np

from . import _proviso
from ._convert import UNKNOWN, Instant, duration_text
from ._errors import FactsError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["row_facts", "row_instants", "RowFacts", "BLOCK_ROWS"]

_SECOND_NS = 1_000_000_000
_DAY_NS = 86_400 * _SECOND_NS

#: Rows whose mappings are made at a time (the extension's default chunk is as long).
BLOCK_ROWS = 4096


def row_instants(name: str, s: "pd.Series", missing: np.ndarray) -> np.ndarray:
    """A datetime64 column (naive = UTC, or tz-aware) as :class:`Instant` objects, which the
    extension gives to a `date` field as their date (a midnight) or to a `datetime` field as their
    instant. A fraction of a second raises naming the column and row."""
    import pandas as pd

    if isinstance(s.dtype, pd.DatetimeTZDtype):
        local, utc, zone = s.dt.tz_localize(None).to_numpy(), s.dt.tz_convert(None).to_numpy(), f" {s.dt.tz}"
    else:
        local = utc = s.to_numpy()
        zone = ""
    ns = utc.astype("datetime64[ns]").view(np.int64)
    _, bad_row = _proviso.ticks_to_units(ns, _SECOND_NS, True)
    if bad_row >= 0:
        raise FactsError(f"column `{name}`, row {bad_row}: {s.iloc[bad_row]} has a fraction of a second "
                         "(date-times are to the second)", path=name, column=name, row=bad_row)
    local_days, _ = _proviso.ticks_to_units(local.astype("datetime64[ns]").view(np.int64), _DAY_NS, False)
    midnight = (local.astype("datetime64[ns]").view(np.int64) - local_days * _DAY_NS) == 0
    safe = np.where(missing, np.datetime64(0, "s"), utc.astype("datetime64[s]"))
    instants = np.datetime_as_string(safe, unit="s", timezone="UTC")
    safe_local = np.where(missing, np.datetime64(0, "s"), local.astype("datetime64[s]"))
    shown = np.datetime_as_string(safe_local, unit="s")
    dates = [x[:10] for x in shown.tolist()]
    return np.asarray([Instant(i, d, bool(m), f"{t}{zone}")
                       for i, d, m, t in zip(instants.tolist(), dates, midnight.tolist(), shown.tolist())], dtype=object)


def row_facts(df: "pd.DataFrame", optional: "frozenset[str]",
              unknown: Dict[str, np.ndarray]) -> Tuple["RowFacts", bool]:
    """The facts of every row (all columns, records nested by `.`), as JSON-ready Python values
    (a :class:`RowFacts`), and whether some are not known: a missing value is ``None`` (none) for
    an optional field (``optional``: the paths of those) and :data:`UNKNOWN` (left out) for others,
    as are the cells ``unknown`` marks. Every column is converted and checked here; the rows'
    mappings are made a block at a time, as they are evaluated."""
    import pandas as pd

    any_unknown = False
    paths: List[List[str]] = []
    columns: List[List[Any]] = []
    for name in df.columns:
        s = df[name]
        missing = s.isna().to_numpy()
        dtype = s.dtype
        if isinstance(dtype, pd.DatetimeTZDtype) or (isinstance(dtype, np.dtype) and dtype.kind == "M"):
            values = row_instants(str(name), s, missing)
        elif isinstance(dtype, np.dtype) and dtype.kind == "m":
            ns = s.to_numpy().astype("timedelta64[ns]").view(np.int64)
            seconds, bad_row = _proviso.ticks_to_units(ns, _SECOND_NS, True)
            if bad_row >= 0:
                raise FactsError(f"column `{name}`, row {bad_row}: {s.iloc[bad_row]} has a fraction of a second "
                                 "(durations are to the second)", path=str(name), column=str(name), row=bad_row)
            values = np.asarray([duration_text(x) for x in seconds.tolist()], dtype=object)
        else:
            values = s.to_numpy(dtype=object)
        values = values.tolist()
        if missing.any():
            blank = None if str(name) in optional else UNKNOWN
            for i in np.flatnonzero(missing):
                values[i] = blank
            any_unknown = any_unknown or blank is UNKNOWN
        marked = unknown.get(str(name))
        if marked is not None and marked.any():
            for i in np.flatnonzero(marked):
                values[i] = UNKNOWN
            any_unknown = True
        paths.append(str(name).split("."))
        columns.append(values)
    # A column that names a field and another that names a field inside it (`items`, `items.0`)
    # cannot both be facts: say which, rather than fail half-way through a row.
    whole = {tuple(p): ".".join(p) for p in paths}
    for p in paths:
        for k in range(1, len(p)):
            if tuple(p[:k]) in whole:
                inner = ".".join(p)
                raise FactsError(f"columns `{whole[tuple(p[:k])]}` and `{inner}` overlap: the first gives the "
                                 f"whole of what the second gives a part of", path=inner, column=inner)
    return RowFacts(paths, columns, len(df)), any_unknown


class RowFacts(Sequence[Dict[str, Any]]):
    """The facts mapping of each row of a frame (records nested by `.`), made ``BLOCK_ROWS`` rows
    at a time when a row of the block is asked for; only the last block made is kept. Read by the
    extension in row order (any order works, at the cost of remaking blocks). Not thread-safe."""

    def __init__(self, paths: List[List[str]], columns: List[List[Any]], rows: int) -> None:
        self._paths = paths
        self._columns = columns
        self._rows = rows
        self._flat = all(len(p) == 1 for p in paths)
        self._keys = [p[0] for p in paths]
        self._start = 0
        self._block: List[Dict[str, Any]] = []
        self.blocks_made = 0  # (for tests: how many blocks were made so far)

    def __len__(self) -> int:
        return self._rows

    @overload
    def __getitem__(self, i: int) -> Dict[str, Any]: ...

    @overload
    def __getitem__(self, i: slice) -> List[Dict[str, Any]]: ...

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._rows))]
        if i < 0:
            i += self._rows
        if not 0 <= i < self._rows:
            raise IndexError(f"row {i} of a frame of {self._rows} rows")
        if not self._start <= i < self._start + len(self._block):
            self._make(i - i % BLOCK_ROWS)
        return self._block[i - self._start]

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        for i in range(self._rows):
            yield self[i]

    def _make(self, start: int) -> None:
        end = min(start + BLOCK_ROWS, self._rows)
        block: List[Dict[str, Any]] = []
        rows = zip(*[c[start:end] for c in self._columns]) if self._columns else iter([()] * (end - start))
        for row in rows:
            if self._flat:
                block.append(dict(zip(self._keys, row)))
                continue
            d: Dict[str, Any] = {}
            for path, v in zip(self._paths, row):
                node = d
                for part in path[:-1]:
                    node = node.setdefault(part, {})
                node[path[-1]] = v
            block.append(d)
        self._start, self._block = start, block
        self.blocks_made += 1
