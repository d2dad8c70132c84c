"""Evaluating a whole pandas DataFrame: columns in, columns out, through ``Policy::EvaluateBatch``.

A frame is encoded column by column into the batch layout of the C++ SDK (one int64 array per
scalar input field, plus a uint8 presence mask for optional fields; see ``proviso.h``), evaluated
in one call with the GIL released, and the output arrays are decoded back into typed pandas
columns. Every step is vectorised: no Python code runs per row.

Policies whose input has a list (or a set of anything but an enum of at most 64 values) cannot be
evaluated in columns; for them the frame's rows go through ``Policy::Evaluate`` (in C++, a chunk
of rows at a time on up to 8 cores, GIL released), which is slower.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from . import _proviso
from ._convert import DateLike, as_of_text, params_text
from ._errors import EvaluationError, FactsError, ProvisoError

if TYPE_CHECKING:
    import pandas as pd

    from ._policy import ColumnSpec, Policy

__all__ = ["evaluate_frame"]

_DAY_NS = 86_400_000_000_000
_DECIMAL_SCALE = 1_000_000
_MAX_DECIMAL = 9e12  # the SDK's range for decimals (int64 in units of 1e-6)
_COLUMN_ROW = re.compile(r"^(.*)\[(\d+)\]$")


# ---------------------------------------------------------------------------- errors


def _bad(spec: "ColumnSpec", s: "pd.Series", row: int, why: str, value: Any = None) -> FactsError:
    label = s.index[row]
    where = f"row {row}" if label == row else f"row {row} (index {label!r})"
    return FactsError(f"column `{spec.name}`, {where}: {why}", path=spec.name, column=spec.name, row=row,
                      value=value)


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _wrong_dtype(spec: "ColumnSpec", s: "pd.Series", missing: np.ndarray, expected: str) -> FactsError:
    present = np.flatnonzero(~missing)
    row = int(present[0]) if len(present) else 0
    value = s.iloc[row] if len(s) else None
    return _bad(spec, s, row, f"expected {expected}, found {value!r} (column dtype `{s.dtype}`)", value)


# ---------------------------------------------------------------------------- encoding


@dataclass
class _Column:
    values: np.ndarray  # int64, C-contiguous
    present: Optional[np.ndarray]  # uint8, or None = all present
    dictionary: Optional[List[str]]


def _object_values(spec: "ColumnSpec", s: "pd.Series", missing: np.ndarray,
                   convert: Callable[[Any], Optional[int]], expected: str) -> np.ndarray:
    """Element by element (object columns only): ``convert`` returns the int64 code or None if bad."""
    out = np.zeros(len(s), dtype=np.int64)
    values = s.to_numpy(dtype=object)
    for i in np.flatnonzero(~missing):
        v = values[i]
        code = convert(v)
        if code is None:
            raise _bad(spec, s, int(i), f"expected {expected}, found {v!r}", v)
        out[i] = code
    return out


def _is_int(v: Any) -> bool:
    """An integer value (not a bool, not a numpy timedelta64, which numpy counts as an integer)."""
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_, np.timedelta64))


def _is_int_dtype(dtype: Any) -> bool:
    return isinstance(dtype, np.dtype) and dtype.kind in "iu"


def _ints(spec: "ColumnSpec", s: "pd.Series", missing: np.ndarray, what: str) -> np.ndarray:
    """int64 values of an integer (or integral float, or nullable Int) column."""
    import pandas as pd

    dtype = s.dtype
    if _is_int_dtype(dtype):
        arr = s.to_numpy()
        if dtype == np.uint64 and len(arr) and arr.max() > np.iinfo(np.int64).max:
            raise _bad(spec, s, _first(arr > np.iinfo(np.int64).max), "does not fit in 64 bits", None)
        return arr.astype(np.int64, copy=False)
    if pd.api.types.is_integer_dtype(dtype):  # nullable Int64 & co.
        return s.to_numpy(dtype=np.int64, na_value=0)
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        arr = s.to_numpy()
        bad = ~missing & ((arr != np.floor(arr)) | (np.abs(arr) > 2.0**63 - 1))
        if bad.any():
            i = _first(bad)
            raise _bad(spec, s, i, f"expected {what}, found {arr[i]!r}", arr[i])
        return np.where(missing, 0, arr).astype(np.int64)
    if dtype == object:
        return _object_values(
            spec, s, missing,
            lambda v: int(v) if _is_int(v) else None,
            what)
    raise _wrong_dtype(spec, s, missing, what)


def _encode_bool(spec: "ColumnSpec", s: "pd.Series", missing: np.ndarray) -> np.ndarray:
    import pandas as pd

    if s.dtype == bool:
        return s.to_numpy().view(np.uint8)  # numpy bools are bytes 0/1: no copy
    if isinstance(s.dtype, pd.BooleanDtype):
        return s.to_numpy(dtype=bool, na_value=False).view(np.uint8)
    if s.dtype == object:
        return _object_values(spec, s, missing,
                              lambda v: int(v) if isinstance(v, (bool, np.bool_)) else None, "true or false")
    raise _wrong_dtype(spec, s, missing, "true or false (a bool column)")


def _encode_decimal(spec: "ColumnSpec", s: "pd.Series", missing: np.ndarray) -> np.ndarray:
    import pandas as pd

    dtype = s.dtype
    if pd.api.types.is_integer_dtype(dtype):
        arr = _ints(spec, s, missing, "a number")
        bad = np.abs(arr) > _MAX_DECIMAL
        if bad.any():
            i = _first(bad)
            raise _bad(spec, s, i, f"{arr[i]} is out of the decimal range", arr[i])
        return arr * _DECIMAL_SCALE
    if (isinstance(dtype, np.dtype) and dtype.kind == "f") or pd.api.types.is_float_dtype(dtype):
        arr = s.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~missing & ~(np.abs(arr) <= _MAX_DECIMAL)
        if bad.any():
            i = _first(bad)
            raise _bad(spec, s, i, f"{arr[i]!r} is not a decimal in range", arr[i])
        return np.rint(np.where(missing, 0.0, arr) * _DECIMAL_SCALE).astype(np.int64)
    if dtype == object:
        def convert(v: Any) -> Optional[int]:
            if isinstance(v, decimal.Decimal):
                if not v.is_finite() or abs(v) > _MAX_DECIMAL:
                    return None
                units = v.scaleb(6)
                return int(units) if units == units.to_integral_value() else None
            if _is_int(v):
                return int(v) * _DECIMAL_SCALE if abs(v) <= _MAX_DECIMAL else None
            if isinstance(v, (float, np.floating)):
                return int(round(float(v) * _DECIMAL_SCALE)) if abs(v) <= _MAX_DECIMAL else None
            return None

        return _object_values(spec, s, missing, convert, "a number with at most 6 decimal places")
    raise _wrong_dtype(spec, s, missing, "a number")


_TICKS_PER_DAY = {"D": 1, "h": 24, "m": 1440, "s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": _DAY_NS}


def _ticks_per_day(dtype: np.dtype) -> Optional[int]:
    """How many ticks of a datetime64/timedelta64 dtype make a day, if a whole number."""
    unit, count = np.datetime_data(dtype)
    per = _TICKS_PER_DAY.get(unit)
    return per // count if per is not None and per % count == 0 else None


def _days_of_datetime64(arr: np.ndarray) -> np.ndarray:
    # datetime64 of any unit -> whole days since 1970-01-01 (floor: a time of day keeps its date).
    return arr.astype("datetime64[D]").view(np.int64)


def _encode_date(spec: "ColumnSpec", s: "pd.Series", missing: np.ndarray) -> np.ndarray:
    import pandas as pd

    dtype = s.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)  # the local date
        dtype = s.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "M":
        arr = s.to_numpy()
        per = _ticks_per_day(arr.dtype)
        if per is not None:  # one pass in C++ (NaT: 0, masked as missing)
            return _proviso.ticks_to_days(arr.view(np.int64), per, False)[0]
        days = _days_of_datetime64(arr)
        return np.where(missing, 0, days) if missing.any() else days
    if dtype == object:
        def convert(v: Any) -> Optional[int]:
            if isinstance(v, _dt.datetime):
                v = v.date()
            elif isinstance(v, np.datetime64):
                return int(_days_of_datetime64(np.array([v]))[0])
            elif isinstance(v, str):
                try:
                    v = _dt.date.fromisoformat(v)
                except ValueError:
                    return None
            if isinstance(v, _dt.date):
                return v.toordinal() - 719163  # date(1970, 1, 1).toordinal()
            return None

        return _object_values(spec, s, missing, convert, 'a date (datetime64, datetime.date or "YYYY-MM-DD")')
    raise _wrong_dtype(spec, s, missing, "a date (a datetime64 column)")


def _encode_duration(spec: "ColumnSpec", s: "pd.Series", missing: np.ndarray) -> np.ndarray:
    dtype = s.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "m":
        arr = s.to_numpy()
        per = _ticks_per_day(arr.dtype)
        if per is not None:  # one pass in C++, which finds the first value that is not whole days
            days, bad_row = _proviso.ticks_to_days(arr.view(np.int64), per, True)
            if bad_row >= 0:
                raise _bad(spec, s, bad_row, f"{s.iloc[bad_row]} is not a whole number of days", s.iloc[bad_row])
            return days
        ns = arr.astype("timedelta64[ns]").view(np.int64)
        bad = ~missing & (ns % _DAY_NS != 0)
        if bad.any():
            i = _first(bad)
            raise _bad(spec, s, i, f"{s.iloc[i]} is not a whole number of days", s.iloc[i])
        return np.where(missing, 0, ns // _DAY_NS)
    if dtype == object:
        def convert(v: Any) -> Optional[int]:
            if isinstance(v, _dt.timedelta):
                return v.days if not (v.seconds or v.microseconds) else None
            if isinstance(v, np.timedelta64):
                ns = int(v.astype("timedelta64[ns]").astype(np.int64))
                return ns // _DAY_NS if ns % _DAY_NS == 0 else None
            if _is_int(v):
                return int(v)
            return None

        return _object_values(spec, s, missing, convert, "a duration in whole days (timedelta or int days)")
    return _ints(spec, s, missing, "a duration (timedelta64, or int days)")


def _encode_enum(spec: "ColumnSpec", s: "pd.Series", missing: np.ndarray) -> np.ndarray:
    """A categorical enum column (str columns go through _encode_objects). A missing value's code
    (-1) is left as it is: the SDK checks and reads only the codes of present values."""
    import pandas as pd

    categories = list(spec.categories)
    if not isinstance(s.dtype, pd.CategoricalDtype):
        raise _wrong_dtype(spec, s, missing, f"one of {', '.join(categories)} (a category or str column)")
    cat = s.cat
    if list(cat.categories) == categories:
        return cat.codes.to_numpy()  # int8 codes pass to the SDK as they are
    lut = pd.Index(categories).get_indexer(cat.categories)  # -1: not a value of the enum
    # One gather: index -1 (a missing value) reads the appended -1.
    lut = np.append(lut, -1).astype(np.int8 if len(categories) <= 127 else np.int32)
    codes = lut[cat.codes.to_numpy()]
    bad = (codes < 0) & ~missing
    if bad.any():
        i = _first(bad)
        v = s.iloc[i]
        raise _bad(spec, s, i, f"{v!r} is not one of {', '.join(categories)}", v)
    return codes


def _encode_text(spec: "ColumnSpec", s: "pd.Series", missing: np.ndarray) -> Tuple[np.ndarray, List[str]]:
    import pandas as pd

    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy().astype(np.int64)
        uniques = list(s.cat.categories)
    else:  # (str columns go through _encode_objects)
        raise _wrong_dtype(spec, s, missing, "text (a str column)")
    for k, u in enumerate(uniques):
        if not isinstance(u, str):
            i = _first(codes == k)
            raise _bad(spec, s, i, f"expected text, found {u!r}", u)
    return codes, uniques  # a missing value's -1 is masked


def _encode_objects(spec: "ColumnSpec", s: "pd.Series") -> Tuple[np.ndarray, np.ndarray, Optional[List[str]]]:
    """An enum or text column of str objects: (codes, missing mask, dictionary of a text column),
    in one pass in C++ (missing values come out as code -1, so no separate ``isna`` pass)."""
    import pandas as pd

    values = np.ascontiguousarray(s.to_numpy(dtype=object))
    enum = spec.kind == "enum"
    codes, uniques, bad_row, why = _proviso.factorize_objects(
        values, list(spec.categories) if enum else None, spec.width, (pd.NA, pd.NaT))
    if bad_row >= 0:
        v = values[bad_row]
        if why == "category":
            raise _bad(spec, s, bad_row, f"{v!r} is not one of {', '.join(spec.categories)}", v)
        expected = f"one of {', '.join(spec.categories)}" if enum else "text"
        raise _bad(spec, s, bad_row, f"expected {expected}, found {v!r}", v)
    return codes, codes < 0, None if enum else list(uniques)


def _missing_mask(spec: "ColumnSpec", s: "pd.Series") -> np.ndarray:
    """Which rows have no value, computed the cheap way for each dtype (a full ``isna`` over an
    object column costs more than encoding it)."""
    import pandas as pd

    dtype = s.dtype
    if isinstance(dtype, np.dtype):
        if dtype.kind in "biu":  # numpy bools and integers cannot be missing
            return np.zeros(len(s), dtype=bool)
        if dtype.kind in "mM":
            return np.isnat(s.to_numpy())
        if dtype.kind == "f":
            return np.isnan(s.to_numpy())
    if isinstance(dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy() < 0
    return s.isna().to_numpy()


def _encode_typed(spec: "ColumnSpec", s: "pd.Series", missing: np.ndarray) -> Tuple[np.ndarray, Optional[List[str]]]:
    """The codes of a column that is not of str objects (and a text column's dictionary)."""
    if spec.kind == "bool":
        return _encode_bool(spec, s, missing), None
    if spec.kind == "int":
        return _ints(spec, s, missing, "an integer"), None
    if spec.kind == "decimal":
        return _encode_decimal(spec, s, missing), None
    if spec.kind == "date":
        return _encode_date(spec, s, missing), None
    if spec.kind == "duration":
        return _encode_duration(spec, s, missing), None
    if spec.kind == "enum":
        return _encode_enum(spec, s, missing), None
    if spec.kind == "text":
        return _encode_text(spec, s, missing)
    if spec.kind == "enum_set":  # (collections go through _encode_enum_sets) bitmasks as they are
        if s.dtype == np.uint64:  # bit 63 of a 64-value enum
            return s.to_numpy().view(np.int64), None
        return _ints(spec, s, missing, f"a set of values of {', '.join(spec.categories)}"), None
    raise ProvisoError(f"column `{spec.name}`: unsupported kind `{spec.kind}`")  # pragma: no cover


def _encode_enum_sets(spec: "ColumnSpec", s: "pd.Series") -> Tuple[np.ndarray, np.ndarray]:
    """A column of collections of enum value names: (uint64 bitmasks as int64, missing mask), in
    one pass in C++."""
    import pandas as pd

    values = np.ascontiguousarray(s.to_numpy(dtype=object))
    masks, present, bad_row, why, item = _proviso.encode_enum_sets(values, list(spec.categories), (pd.NA, pd.NaT))
    if bad_row >= 0:
        names = ", ".join(spec.categories)
        if why == "category":
            raise _bad(spec, s, bad_row, f"{item!r} is not one of {names}", values[bad_row])
        raise _bad(spec, s, bad_row, f"expected a set of values of {names}, found {values[bad_row]!r}",
                   values[bad_row])
    return masks, present == 0


def _encode_column(spec: "ColumnSpec", s: "pd.Series") -> _Column:
    import pandas as pd

    values: Optional[np.ndarray] = None
    dictionary: Optional[List[str]] = None
    # Columns of Python objects are coded in one C++ pass that also finds the missing values.
    if spec.kind == "enum_set" and s.dtype == object:
        values, missing = _encode_enum_sets(spec, s)
    elif spec.kind in ("enum", "text") and (s.dtype == object or isinstance(s.dtype, pd.StringDtype)):
        values, missing, dictionary = _encode_objects(spec, s)
    else:
        missing = _missing_mask(spec, s)
    if not spec.optional and missing.any():
        i = _first(missing)
        raise _bad(spec, s, i, "missing value in a required column", s.iloc[i])
    if values is None:
        values, dictionary = _encode_typed(spec, s, missing)
    present = (~missing).astype(np.uint8) if missing.any() else None
    return _Column(np.ascontiguousarray(values, dtype=_dtype(spec)), present, dictionary)


def _dtype(spec: "ColumnSpec") -> type:
    """The element type the SDK reads for a column (ColumnSpec.width)."""
    if spec.width == 1:
        return np.uint8 if spec.kind == "bool" else np.int8
    return np.int32 if spec.width == 4 else np.int64


# ---------------------------------------------------------------------------- row-by-row facts


def _row_facts(df: "pd.DataFrame") -> List[Dict[str, Any]]:
    """The facts of every row (all columns, records nested by `.`), as JSON-ready Python values."""
    import pandas as pd

    paths: List[List[str]] = []
    columns: List[List[Any]] = []
    for name in df.columns:
        s = df[name]
        missing = s.isna().to_numpy()
        dtype = s.dtype
        if isinstance(dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_localize(None)
            dtype = s.dtype
        if isinstance(dtype, np.dtype) and dtype.kind == "M":
            values = np.datetime_as_string(s.to_numpy().astype("datetime64[D]")).astype(object)
        elif isinstance(dtype, np.dtype) and dtype.kind == "m":
            ns = s.to_numpy().astype("timedelta64[ns]").view(np.int64)
            whole = missing | (ns % _DAY_NS == 0)
            if not whole.all():
                i = _first(~whole)
                raise FactsError(f"column `{name}`, row {i}: {s.iloc[i]} is not a whole number of days",
                                 path=str(name), column=str(name), row=i)
            values = np.char.add((ns // _DAY_NS).astype(str), " days").astype(object)
        else:
            values = s.to_numpy(dtype=object)
        values = values.tolist()
        if missing.any():
            for i in np.flatnonzero(missing):
                values[i] = None
        paths.append(str(name).split("."))
        columns.append(values)
    facts: List[Dict[str, Any]] = []
    flat = all(len(p) == 1 for p in paths)
    keys = [p[0] for p in paths]
    for row in zip(*columns):
        if flat:
            facts.append(dict(zip(keys, row)))
            continue
        d: Dict[str, Any] = {}
        for path, v in zip(paths, row):
            node = d
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = v
        facts.append(d)
    return facts


# ---------------------------------------------------------------------------- batches


@dataclass
class _Batch:
    """A frame encoded once, to be evaluated under several sets of params (what-if)."""

    policy: "Policy"
    index: "pd.Index"
    rows: int
    columns: Optional[List[_Column]]  # the batch path
    facts: Optional[List[Dict[str, Any]]]  # the row-by-row path


def _columnar(policy: "Policy") -> bool:
    try:
        policy.batch_inputs()
        return True
    except ProvisoError:
        return False


def encode(policy: "Policy", df: "pd.DataFrame") -> _Batch:
    """Checks and encodes the input columns of ``df`` for ``policy`` (see :func:`evaluate_frame`)."""
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, not {type(df).__name__}")
    if not df.columns.is_unique:
        dup = df.columns[df.columns.duplicated()][0]
        raise FactsError(f"column `{dup}` appears more than once", path=str(dup), column=str(dup))
    policy.batch_outputs()  # raises if an output cannot be a column
    if not _columnar(policy):
        return _Batch(policy, df.index, len(df), None, _row_facts(df))
    specs = policy.batch_inputs()
    # As in JSON facts, an optional field or a field with a default may be left out: none, or the default.
    missing = [s.name for s in specs if s.name not in df.columns and not s.has_default and not s.optional]
    if missing:
        expected = ", ".join(f"`{s.name}`" for s in specs)
        raise FactsError(
            f"missing column `{missing[0]}` (policy `{policy.name}` reads the columns {expected})",
            path=missing[0], column=missing[0])
    n = len(df)
    columns = [_encode_column(spec, df[spec.name]) if spec.name in df.columns
               else _Column(np.zeros(n, dtype=_dtype(spec)), np.zeros(n, dtype=np.uint8),  # none, or the default
                            [] if spec.kind == "text" else None)
               for spec in specs]
    return _Batch(policy, df.index, n, columns, None)


@dataclass
class _Raw:
    """The SDK's output arrays for one evaluation of a batch."""

    columns: List[np.ndarray]
    present: List[Optional[np.ndarray]]
    dictionary: List[str]


def run(batch: _Batch, *, as_of: DateLike = None, params: Optional[Mapping[str, Any]] = None) -> _Raw:
    """Evaluates an encoded batch (GIL released in the SDK)."""
    native = batch.policy._native
    date = as_of_text(as_of)
    overrides = params_text(params)
    try:
        if batch.columns is not None:
            out = native.evaluate_batch(
                batch.rows,
                [c.values for c in batch.columns],
                [c.present for c in batch.columns],
                [c.dictionary for c in batch.columns],
                date,
                overrides,
            )
        else:
            out = native.evaluate_rows(batch.facts, date, overrides)
    except (FactsError, EvaluationError) as e:
        if batch.columns is not None and isinstance(e, FactsError) and e.path:
            m = _COLUMN_ROW.match(e.path)  # EvaluateBatch names a bad code "column[row]"
            if m:
                e.column, e.row = m.group(1), int(m.group(2))
        if e.row is not None and 0 <= e.row < batch.rows:
            label = batch.index[e.row]
            if label != e.row:
                e.args = (f"{e.args[0]} (frame index {label!r})",) + e.args[1:]
                e.message = e.args[0]
        raise
    return _Raw(list(out[0]), list(out[1]), list(out[2]))


def decode_column(spec: "ColumnSpec", values: np.ndarray, present: Optional[np.ndarray],
                  dictionary: Sequence[str]) -> Any:
    """One output column as a pandas array: bool, Int64/boolean (optional), float (decimal),
    datetime64 (NaT when missing), Categorical (enum), object (text)."""
    import pandas as pd

    missing = None if present is None else present == 0
    if missing is not None and not missing.any():
        missing = None
    kind = spec.kind
    if kind == "bool":
        b = values != 0
        return b if missing is None else pd.arrays.BooleanArray(b, missing)
    if kind == "int":
        return values if missing is None else pd.arrays.IntegerArray(values, missing)
    if kind == "decimal":
        f = values / _DECIMAL_SCALE
        if missing is not None:
            f[missing] = np.nan
        return f
    if kind == "date":
        ns, bad_row = _proviso.days_to_ns(values, present)
        if bad_row >= 0:
            date = np.datetime_as_string(np.int64(values[bad_row]).astype("datetime64[D]"))
            raise ProvisoError(f"output `{spec.name}`, row {bad_row}: {date} is outside the dates a pandas "
                               "datetime64[ns] column can hold (1677-09-22 to 2262-04-11)")
        return ns.view("datetime64[ns]")
    if kind == "duration":
        d = values.astype("timedelta64[D]")
        if missing is not None:
            d[missing] = np.timedelta64("NaT")
        return d.astype("timedelta64[ns]")
    if kind == "enum":
        codes = values if missing is None else np.where(missing, -1, values)
        return pd.Categorical.from_codes(codes, categories=list(spec.categories))
    if kind == "text":
        texts = np.asarray(list(dictionary) + [None], dtype=object)
        return texts[values if missing is None else np.where(missing, len(dictionary), values)]
    raise ProvisoError(f"output `{spec.name}`: unsupported kind `{kind}`")  # pragma: no cover


def decode(policy: "Policy", raw: _Raw, index: "pd.Index") -> "pd.DataFrame":
    """The output frame of one evaluation."""
    import pandas as pd

    data = {spec.name: decode_column(spec, raw.columns[i], raw.present[i], raw.dictionary)
            for i, spec in enumerate(policy.batch_outputs())}
    return pd.DataFrame(data, index=index)


def evaluate_frame(
    policy: "Policy",
    df: "pd.DataFrame",
    *,
    as_of: DateLike = None,
    params: Optional[Mapping[str, Any]] = None,
) -> "pd.DataFrame":
    """Evaluates every row of ``df`` with ``policy`` in one batch; returns one row per input row
    (same index) and one column per output, then ``<obligation>.applies``, ``<obligation>.violated``
    (bool) and ``<obligation>.deadline`` (datetime64, NaT when none) for each obligation.

    Input columns are named by input path, records flattened with ``.`` (``call.ended_on``; see
    :meth:`Policy.batch_inputs`); other columns are ignored. Column types:

    - bool: ``bool`` (or nullable ``boolean``); int: any integer dtype;
    - decimal: float (rounded to 6 decimal places) or int;
    - date: ``datetime64`` (a time of day is dropped) or ``datetime.date`` objects;
    - duration: ``timedelta64`` in whole days, or int days;
    - enum: ``Categorical`` or ``str``/object holding the value names;
    - text: ``str``/object or ``Categorical``;
    - set of an enum of at most 64 values: collections (set, list, tuple) of value names, or int
      bitmasks (bit k: ``categories[k]``);
    - optional fields: NaN/None/NaT/NA mark an absent value; the column of an optional field, or
      of a field with a default, may be left out.

    A missing required column, a column of the wrong dtype, an unknown category or a missing value
    in a required column raises :class:`FactsError` naming the column and the first bad row (``.column``,
    ``.row`` positional, ``.value``). A row that has no decision raises :class:`EvaluationError`
    with ``.row``. Output types: enums as ``Categorical`` (the policy's categories), dates as
    ``datetime64``, decimals as float, optional outputs masked (NA/NaT/NaN).

    Numeric columns that already are int64 go to the SDK without a copy. If the policy's input
    has lists (or sets of texts, records or larger enums: not columns), every column of ``df`` is a
    fact and rows are evaluated row by row (slower, on up to 8 cores); the output is the same.
    """
    batch = encode(policy, df)
    return decode(policy, run(batch, as_of=as_of, params=params), batch.index)
