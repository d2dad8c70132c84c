"""Evaluating a whole pandas DataFrame: columns in, columns out, through ``Policy::EvaluateBatch``.

A frame is encoded column by column into the batch layout of the C++ SDK (one int64 array per
scalar input field, plus a uint8 presence mask for optional fields; see ``proviso.h``), evaluated
in one call with the GIL released, and the output arrays are decoded back into typed pandas
columns. Every step is vectorised: no Python code runs per row.

Facts may be left unknown (NA in the column of a field that is neither optional nor defaulted,
or cells and whole columns marked by ``unknown=``): the SDK then also writes, per output column, masks of the facts
each undetermined value waits for, decoded here as NA cells and a ``missing_facts`` column.

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

from . import _frame_rows, _progress, _proviso
from ._convert import DateLike, as_of_text, call_with_params, parse_instant
from ._errors import EvaluationError, FactsError, ProvisoError

if TYPE_CHECKING:
    import pandas as pd

    from ._policy import ColumnSpec, Policy

__all__ = ["evaluate_frame"]

_SECOND_NS = 1_000_000_000
_DAY_SECONDS = 86_400
_DAY_NS = _DAY_SECONDS * _SECOND_NS
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_DECIMAL_SCALE = 1_000_000
_MAX_DECIMAL = 9e12  # the SDK's range for decimals (int64 in units of 1e-6)
_COLUMN_ROW = re.compile(r"^(.*)\[(\d+)\]$")
_TIME_OF_DAY = "has a time of day, but the field is a date (give dates, or date-times at midnight)"
_FRACTION = "has a fraction of a second (date-times are to the second)"


# ---------------------------------------------------------------------------- errors


def _bad(spec: "ColumnSpec", s: "pd.Series", row: int, why: str, value: Any = None) -> FactsError:
    label = s.index[row]
    where = f"row {row}" if label == row else f"row {row} (index {label!r})"
    return FactsError(f"column `{spec.name}`, {where}: {why}", path=spec.name, column=spec.name, row=row,
                      value=value)


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _wrong_dtype(spec: "ColumnSpec", s: "pd.Series", missing: np.ndarray, expected: str) -> FactsError:
    if len(s) == 0:  # an empty frame (a Dask frame's meta): the dtype alone is wrong
        return FactsError(f"column `{spec.name}`: expected {expected}, found column dtype `{s.dtype}`",
                          path=spec.name, column=spec.name)
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
    known: Optional[np.ndarray] = None  # uint8 (0: a fact not given), or None = every cell known


def _object_values(spec: "ColumnSpec", s: "pd.Series", missing: np.ndarray,
                   convert: Callable[[Any], Any], expected: str) -> np.ndarray:
    """Element by element (object columns only): ``convert`` returns the int64 code, or None if
    the value is not of the kind (``expected``), or a str saying what is wrong with it."""
    out = np.zeros(len(s), dtype=np.int64)
    values = s.to_numpy(dtype=object)
    for i in np.flatnonzero(~missing):
        v = values[i]
        code = convert(v)
        if code is None or isinstance(code, str):
            raise _bad(spec, s, int(i), code or f"expected {expected}, found {v!r}", v)
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
        # 2.0**63 is exact in floating point and one past the largest int64 (2**63 - 1 rounds to it).
        with np.errstate(invalid="ignore"):
            bad = ~missing & ((arr != np.floor(arr)) | (arr >= 2.0**63) | (arr < -2.0**63))
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
        bad = (arr > _MAX_DECIMAL) | (arr < -_MAX_DECIMAL)  # not np.abs: abs(-2**63) is negative
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


#: Nanoseconds in one tick of each datetime64/timedelta64 unit of fixed length.
_NS_PER_TICK = {"W": 7 * _DAY_NS, "D": _DAY_NS, "h": 3600 * _SECOND_NS, "m": 60 * _SECOND_NS, "s": _SECOND_NS,
                "ms": 1_000_000, "us": 1_000, "ns": 1}


def _ticks_per(dtype: np.dtype, unit_ns: int) -> Optional[int]:
    """How many ticks of a datetime64/timedelta64 dtype make one unit (``unit_ns`` nanoseconds: a
    day, a second), if a whole number."""
    unit, count = np.datetime_data(dtype)
    ns = _NS_PER_TICK.get(unit)
    if ns is None:
        return None
    ns *= count
    return unit_ns // ns if unit_ns % ns == 0 else None


def _ticks_per_day(dtype: np.dtype) -> Optional[int]:
    """How many ticks of a datetime64/timedelta64 dtype make a day, if a whole number."""
    return _ticks_per(dtype, _DAY_NS)


def _whole_units(spec: "ColumnSpec", s: "pd.Series", arr: np.ndarray, missing: np.ndarray, unit_ns: int,
                 why: str) -> np.ndarray:
    """datetime64/timedelta64 values as whole units (days or seconds: ``unit_ns``) since 1970 or
    as spans, NaT as 0; the first present value that is not whole raises naming its row (``why``:
    what it has). Units that divide a day go in one C++ pass; coarser ones are multiplied."""
    ticks = arr.view(np.int64)
    per = _ticks_per(arr.dtype, unit_ns)
    if per is None:
        unit, count = np.datetime_data(arr.dtype)
        ns = _NS_PER_TICK.get(unit)
        if ns is None:  # months, years: no fixed length
            raise _wrong_dtype(spec, s, missing, f"a {arr.dtype.kind == 'M' and 'date-time' or 'duration'} "
                               f"in a unit of fixed length, not `{arr.dtype}`")
        ns *= count
        if ns % unit_ns == 0:  # coarser ticks (weeks as seconds): multiply, exactly
            factor = ns // unit_ns
            over = ~missing & ((ticks > np.iinfo(np.int64).max // factor) | (ticks < -(np.iinfo(np.int64).max // factor)))
            if over.any():
                i = _first(over)
                raise _bad(spec, s, i, f"{s.iloc[i]} is out of range", s.iloc[i])
            return np.where(missing, 0, ticks * factor)
        ticks = arr.astype(f"{arr.dtype.kind}8[ns]").view(np.int64)  # 7-second ticks and such
        per = unit_ns
    units, bad_row = _proviso.ticks_to_units(ticks, per, True)
    if bad_row >= 0:
        raise _bad(spec, s, bad_row, f"{s.iloc[bad_row]} {why}", s.iloc[bad_row])
    return units


def _date_of_object(v: Any) -> Any:
    """Days since 1970 of a date cell (date, midnight datetime/Timestamp/datetime64, "YYYY-MM-DD"),
    None if it is not a date, or a str saying why it cannot be one."""
    if isinstance(v, _dt.datetime):
        if (v.hour, v.minute, v.second, v.microsecond, getattr(v, "nanosecond", 0)) != (0, 0, 0, 0, 0):
            return f"{v} {_TIME_OF_DAY}"
        v = v.date()
    elif isinstance(v, np.datetime64):
        days = v.astype("datetime64[D]")
        if days != v:
            return f"{v} {_TIME_OF_DAY}"
        return int(days.astype(np.int64))
    elif isinstance(v, str):
        try:
            v = _dt.date.fromisoformat(v)
        except ValueError:
            return None
    if isinstance(v, _dt.date):
        return v.toordinal() - 719163  # date(1970, 1, 1).toordinal()
    return None


def _seconds_of_object(v: Any) -> Any:
    """Seconds since 1970 (UTC) of a date-time cell (datetime/Timestamp: naive = UTC, aware:
    converted; datetime64; ISO text with `Z` or an offset), None if it is not a date-time, or a
    str saying why it cannot be one."""
    if isinstance(v, str):
        t = parse_instant(v)
        if t is None:
            return None
        return (t - _EPOCH) // _dt.timedelta(seconds=1)
    if isinstance(v, np.datetime64):
        seconds = v.astype("datetime64[s]")
        if seconds != v:
            return f"{v} {_FRACTION}"
        return int(seconds.astype(np.int64))
    if isinstance(v, _dt.datetime):  # also pandas.Timestamp
        if v.microsecond or getattr(v, "nanosecond", 0):
            return f"{v} {_FRACTION}"
        if v.tzinfo is None or v.utcoffset() is None:
            v = v.replace(tzinfo=_dt.timezone.utc)
        return (v - _EPOCH) // _dt.timedelta(seconds=1)
    return None


def _encode_time(spec: "ColumnSpec", s: "pd.Series", missing: np.ndarray) -> np.ndarray:
    """A date column as days since 1970 (datetime64 at midnight: a tz-aware one's local date), or a
    datetime column as seconds since 1970, UTC (datetime64: naive = UTC, tz-aware converted)."""
    import pandas as pd

    date = spec.kind == "date"
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None) if date else s.dt.tz_convert(None)
    if isinstance(s.dtype, np.dtype) and s.dtype.kind == "M":
        return _whole_units(spec, s, s.to_numpy(), missing, _DAY_NS if date else _SECOND_NS,
                            _TIME_OF_DAY if date else _FRACTION)
    if s.dtype == object:
        if date:
            return _object_values(spec, s, missing, _date_of_object, 'a date (datetime64, datetime.date or "YYYY-MM-DD")')
        return _object_values(spec, s, missing, _seconds_of_object,
                              'a date-time (datetime64, datetime, Timestamp or "YYYY-MM-DDTHH:MM:SSZ")')
    raise _wrong_dtype(spec, s, missing, f"a {'date' if date else 'date-time'} (a datetime64 column)")


def _seconds_of_duration(v: Any) -> Any:
    """Seconds of a duration cell (timedelta, Timedelta, timedelta64, int days), None if it is
    not a duration, or a str saying why it cannot be one."""
    if isinstance(v, _dt.timedelta):  # also pandas.Timedelta
        if v.microseconds or getattr(v, "nanoseconds", 0):
            return f"{v} has a fraction of a second (durations are to the second)"
        return v.days * _DAY_SECONDS + v.seconds
    if isinstance(v, np.timedelta64):
        if np.datetime_data(v.dtype)[0] in ("Y", "M"):
            return None
        seconds = v.astype("timedelta64[s]")
        if seconds != v:
            return f"{v} has a fraction of a second (durations are to the second)"
        return int(seconds.astype(np.int64))
    if _is_int(v):
        return int(v) * _DAY_SECONDS  # int days
    return None


def _encode_duration(spec: "ColumnSpec", s: "pd.Series", missing: np.ndarray) -> np.ndarray:
    """Seconds (the SDK's encoding); int columns are whole days."""
    dtype = s.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "m":
        return _whole_units(spec, s, s.to_numpy(), missing, _SECOND_NS,
                            "has a fraction of a second (durations are to the second)")
    if dtype == object:
        return _object_values(spec, s, missing, _seconds_of_duration,
                              "a duration (timedelta, to the second, or int days)")
    days = _ints(spec, s, missing, "a duration (timedelta64, or int days)")
    limit = np.iinfo(np.int64).max // _DAY_SECONDS
    over = ~missing & ((days > limit) | (days < -limit))  # not np.abs: abs(-2**63) is negative
    if over.any():
        i = _first(over)
        raise _bad(spec, s, i, f"{days[i]} days is out of range", days[i])
    return days * _DAY_SECONDS


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
        if why == "utf8":
            raise _bad(spec, s, bad_row, f"{v!r} is not valid text (it has a lone surrogate)", v)
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
    if spec.kind in ("date", "datetime"):
        return _encode_time(spec, s, missing), None
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


def _encode_column(spec: "ColumnSpec", s: "pd.Series", unknown: Optional[np.ndarray]) -> _Column:
    """One input column; ``unknown`` marks the cells that are facts not given (or None)."""
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
    if values is None:  # (cells not known are not read)
        values, dictionary = _encode_typed(spec, s, missing if unknown is None else missing | unknown)
    if not spec.optional and not spec.has_default:
        # A missing value of a field that is neither optional nor defaulted: a fact not given.
        unknown = missing if unknown is None else unknown | missing
        missing = np.zeros(len(s), dtype=bool)
    present = (~missing).astype(np.uint8) if missing.any() else None
    known = (~unknown).astype(np.uint8) if unknown is not None and unknown.any() else None
    return _Column(np.ascontiguousarray(values, dtype=_dtype(spec)), present, dictionary, known)


def _dtype(spec: "ColumnSpec") -> type:
    """The element type the SDK reads for a column (ColumnSpec.width)."""
    if spec.width == 1:
        return np.uint8 if spec.kind == "bool" else np.int8
    return np.int32 if spec.width == 4 else np.int64


# ---------------------------------------------------------------------------- batches


@dataclass
class _Batch:
    """A frame encoded once, to be evaluated under several sets of params (what-if)."""

    policy: "Policy"
    index: "pd.Index"
    rows: int
    columns: Optional[List[_Column]]  # the batch path
    facts: Optional[Sequence[Dict[str, Any]]]  # the row-by-row path (_frame_rows.RowFacts)
    unknowns: bool = False  # some cell is a fact not given


def _columnar(policy: "Policy") -> bool:
    try:
        policy.batch_inputs()
        return True
    except ProvisoError:
        return False


#: ``evaluate_frame(df, unknown=LEFT_OUT)``: every input column ``df`` does not have is a fact not given.
LEFT_OUT = "left_out"


def _unknown_masks(unknown: Any, df: "pd.DataFrame") -> Dict[str, np.ndarray]:
    """``unknown=`` of :func:`evaluate_frame` as column name -> bool array of the frame's length."""
    import pandas as pd

    if unknown is None or (isinstance(unknown, str) and unknown == LEFT_OUT):
        return {}
    n = len(df)
    out: Dict[str, np.ndarray] = {}
    if isinstance(unknown, pd.DataFrame):
        if not unknown.index.equals(df.index):
            raise FactsError("unknown=: a DataFrame of unknown cells must have the frame's index")
        items = [(str(c), unknown[c]) for c in unknown.columns]
    elif isinstance(unknown, Mapping):
        items = [(str(c), v) for c, v in unknown.items()]
    elif isinstance(unknown, str):
        raise TypeError(f"unknown=: a str must be {LEFT_OUT!r} (every input column the frame does not have is "
                        f"a fact not given); to name one column, pass [{unknown!r}]")
    elif isinstance(unknown, (list, tuple, set, frozenset)):
        items = [(str(c), True) for c in unknown]
    else:
        raise TypeError("unknown= takes column names, a mapping of column name to a bool per row (or one "
                        f"bool), or a bool DataFrame; not {type(unknown).__name__}")
    for name, v in items:
        if isinstance(v, (bool, np.bool_)):
            out[name] = np.full(n, bool(v))
            continue
        if isinstance(v, pd.Series) and v.isna().any():
            raise FactsError(f"unknown=: column `{name}` has a missing value; give True or False for every row",
                             path=name, column=name)
        arr = np.asarray(v)
        if arr.dtype != bool:
            raise FactsError(f"unknown=: column `{name}` must be bools (True: the cell is a fact not given), "
                             f"not `{arr.dtype}`", path=name, column=name)
        if arr.shape != (n,):
            raise FactsError(f"unknown=: column `{name}` has {arr.shape[0] if arr.ndim else 1} values for {n} rows",
                             path=name, column=name)
        out[name] = arr
    return out


def encode(policy: "Policy", df: "pd.DataFrame", unknown: Any = None) -> _Batch:
    """Checks and encodes the input columns of ``df`` for ``policy`` (see :func:`evaluate_frame`)."""
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, not {type(df).__name__}")
    if not df.columns.is_unique:
        dup = df.columns[df.columns.duplicated()][0]
        raise FactsError(f"column `{dup}` appears more than once", path=str(dup), column=str(dup))
    policy.batch_outputs()  # raises if an output cannot be a column
    masks = _unknown_masks(unknown, df)
    left_out = isinstance(unknown, str) and unknown == LEFT_OUT
    if not _columnar(policy):
        for name in masks:
            if name not in df.columns:
                raise FactsError(f"unknown= names column `{name}`, which the frame does not have", path=name,
                                 column=name)
        facts, any_unknown = _frame_rows.row_facts(df, frozenset(policy._native.optional_facts), masks)
        return _Batch(policy, df.index, len(df), None, facts, any_unknown)
    specs = policy.batch_inputs()
    names = {s.name for s in specs}
    for name in masks:
        if name not in names:
            raise FactsError(f"unknown= names column `{name}`, which is not an input of policy `{policy.name}` "
                             f"(its columns: {', '.join(s.name for s in specs)})", path=name, column=name)
    n = len(df)
    columns: List[_Column] = []
    for spec in specs:
        mask = masks.get(spec.name)
        if spec.name in df.columns:
            columns.append(_encode_column(spec, df[spec.name], mask))
            continue
        # A column left out: its default, or, when unknown= names it, a fact not given. Otherwise an
        # error, so that a misspelt column name does not turn every row undetermined.
        if mask is None and not spec.has_default and left_out:
            mask = np.ones(n, dtype=bool)
        elif mask is None and not spec.has_default:
            raise FactsError(f"missing column `{spec.name}` (name it in unknown= to leave it a fact not given)",
                             path=spec.name, column=spec.name)
        columns.append(_Column(np.zeros(n, dtype=_dtype(spec)), np.zeros(n, dtype=np.uint8) if spec.optional or
                               spec.has_default else None, [] if spec.kind == "text" else None,
                               None if mask is None or not mask.any() else (~mask).astype(np.uint8)))
    return _Batch(policy, df.index, n, columns, None, any(c.known is not None for c in columns))


@dataclass
class _Raw:
    """The SDK's output arrays for one evaluation of a batch."""

    columns: List[np.ndarray]
    present: List[Optional[np.ndarray]]
    dictionary: List[str]
    # With facts not given: per column, (rows, words) uint64 masks of the facts each value waits for.
    missing: Optional[List[np.ndarray]] = None

    def undetermined(self, i: int) -> Optional[np.ndarray]:
        """The rows whose value of column ``i`` depends on facts not given (None: none do)."""
        if self.missing is None:
            return None
        u = self.missing[i].any(axis=1)
        return u if u.any() else None


def run(
    batch: _Batch, *, as_of: DateLike = None, params: Optional[Mapping[str, Any]] = None, budget: int = 0,
    chunk_rows: Optional[int] = None, progress: Optional[Callable[[int, int], Any]] = None,
) -> _Raw:
    """Evaluates an encoded batch (GIL released in the SDK); ``budget`` per row, as in
    :meth:`Policy.evaluate`. ``chunk_rows`` rows at a time (None: the default of
    :func:`_progress.chunk_rows`); between chunks Ctrl-C raises :class:`KeyboardInterrupt` and
    ``progress(done_rows, total_rows)`` is called: an exception from either propagates, and
    nothing is returned."""
    native = batch.policy._native
    when = as_of_text(as_of)
    if chunk_rows is None:
        chunk_rows = _progress.chunk_rows(None, progress, batch.rows, batch.columns is not None)

    def call(overrides: Dict[str, str]) -> Any:
        if batch.columns is not None:
            return native.evaluate_batch(
                batch.rows,
                [c.values for c in batch.columns],
                [c.present for c in batch.columns],
                [c.dictionary for c in batch.columns],
                when,
                overrides,
                [c.known for c in batch.columns] if batch.unknowns else None,
                budget,
                chunk_rows,
                progress,
            )
        return native.evaluate_rows(batch.facts, when, overrides, budget, chunk_rows, progress)

    try:
        out = call_with_params(call, params)
    except (FactsError, EvaluationError) as e:
        if batch.columns is not None and isinstance(e, FactsError) and e.path:
            m = _COLUMN_ROW.match(e.path)  # EvaluateBatch names a bad code "column[row]"
            if m:
                e.column, e.row = m.group(1), int(m.group(2))
        elif batch.columns is None and isinstance(e, FactsError) and e.path and e.row is not None:
            e.column = e.path.split("[", 1)[0]  # the row path: facts paths are column names (`call.ended_on`)
        if e.row is not None and 0 <= e.row < batch.rows:
            label = batch.index[e.row]
            if label != e.row:
                e.args = (f"{e.args[0]} (frame index {label!r})",) + e.args[1:]
                e.message = e.args[0]
        raise
    return _Raw(list(out[0]), list(out[1]), list(out[2]), None if out[3] is None else list(out[3]))


def decode_column(spec: "ColumnSpec", values: np.ndarray, present: Optional[np.ndarray],
                  dictionary: Sequence[str], undetermined: Optional[np.ndarray] = None) -> Any:
    """One output column as a pandas array: bool, Int64/boolean (optional, or with undetermined
    rows), float (decimal), datetime64 (dates, NaT when missing), datetime64[ns, UTC] (date-times),
    Categorical (enums, obligation statuses), object (text). Rows in ``undetermined`` are missing
    values, but for an obligation's status, which says ``undetermined``."""
    import pandas as pd

    missing = None if present is None else present == 0
    if undetermined is not None and not _is_status(spec):
        missing = undetermined if missing is None else missing | undetermined
    if missing is not None and not missing.any():
        missing = None
    kind = spec.kind
    if missing is not None and kind in ("date", "datetime"):
        present = (~missing).astype(np.uint8)  # the SDK's NaT marks
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
        ns, bad_row = _proviso.units_to_ns(values, present, _DAY_NS)
        if bad_row >= 0:
            date = np.datetime_as_string(np.int64(values[bad_row]).astype("datetime64[D]"))
            raise ProvisoError(f"output `{spec.name}`, row {bad_row}: {date} is outside the dates a pandas "
                               "datetime64[ns] column can hold (1677-09-22 to 2262-04-11)")
        return ns.view("datetime64[ns]")
    if kind == "datetime":  # tz-aware, UTC
        ns, bad_row = _proviso.units_to_ns(values, present, _SECOND_NS)
        if bad_row >= 0:
            instant = np.datetime_as_string(np.int64(values[bad_row]).astype("datetime64[s]"), timezone="UTC")
            raise ProvisoError(f"output `{spec.name}`, row {bad_row}: {instant} is outside the instants a pandas "
                               "datetime64[ns] column can hold (1677-09-21T00:12:44Z to 2262-04-11T23:47:16Z)")
        return pd.DatetimeIndex(ns.view("datetime64[ns]")).tz_localize("UTC").array
    if kind == "duration":  # (not a batch output today) seconds
        d = values.astype("timedelta64[s]")
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


def _is_status(spec: "ColumnSpec") -> bool:
    return spec.kind == "enum" and spec.name.endswith(".status") and "undetermined" in spec.categories


#: The column of the facts each row's decision waits for (with facts not given).
MISSING_FACTS = "missing_facts"


def missing_facts(policy: "Policy", raw: _Raw, rows: int) -> np.ndarray:
    """Per row, the tuple of the paths of the facts not given that some output column waits for
    (``()`` when the row is decided), as an object array: one tuple per distinct set, no Python
    per row."""
    out_of = np.empty(1, dtype=object)
    out_of[0] = ()
    if raw.missing is None or not raw.missing:
        return out_of[np.zeros(rows, dtype=np.intp)]
    acc = np.bitwise_or.reduce(np.stack(raw.missing), axis=0)
    waiting = acc.any(axis=1)
    index = np.zeros(rows, dtype=np.intp)
    if waiting.any():
        distinct, inverse = np.unique(acc[waiting], axis=0, return_inverse=True)
        facts = policy._native.facts
        tuples = np.empty(len(distinct) + 1, dtype=object)
        tuples[0] = ()
        for k, words in enumerate(distinct):
            tuples[k + 1] = tuple(facts[w * 64 + b] for w, word in enumerate(words.tolist())
                                  for b in range(64) if (word >> b) & 1)
        out_of = tuples
        index[waiting] = inverse.reshape(-1) + 1
    return out_of[index]


def decode(policy: "Policy", raw: _Raw, index: "pd.Index", unknowns: bool = False) -> "pd.DataFrame":
    """The output frame of one evaluation; with ``unknowns`` (the input had facts not given), the
    ``missing_facts`` column too."""
    import pandas as pd

    data = {spec.name: decode_column(spec, raw.columns[i], raw.present[i], raw.dictionary, raw.undetermined(i))
            for i, spec in enumerate(policy.batch_outputs())}
    if unknowns:
        if MISSING_FACTS in data:
            raise ProvisoError(f"policy `{policy.name}` has an output named `{MISSING_FACTS}`: with facts not given, "
                               "the frame cannot also hold the column of missing facts")
        data[MISSING_FACTS] = missing_facts(policy, raw, len(index))
    return pd.DataFrame(data, index=index)


def evaluate_frame(
    policy: "Policy",
    df: "pd.DataFrame",
    *,
    as_of: DateLike = None,
    params: Optional[Mapping[str, Any]] = None,
    unknown: Any = None,
    budget: int = 0,
    chunksize: Optional[int] = None,
    progress: Any = None,
) -> "pd.DataFrame":
    """Evaluates every row of ``df`` with ``policy`` in one batch; returns one row per input row
    (same index) and one column per output, then for each obligation ``<obligation>.applies``,
    ``<obligation>.violated`` (bool), ``<obligation>.deadline`` (NaT when none: ``datetime64[ns]``
    for a date, ``datetime64[ns, UTC]`` for an instant) and, for an obligation with a deadline,
    ``<obligation>.status`` (``Categorical``: none, pending, met, overdue, early, breached).

    Input columns are named by input path, records flattened with ``.`` (``call.ended_on``; see
    :meth:`Policy.batch_inputs`); other columns are ignored. Column types:

    - bool: ``bool`` (or nullable ``boolean``); int: any integer dtype;
    - decimal: float (rounded to 6 decimal places) or int;
    - date: ``datetime64`` at midnight (tz-aware: the local date), ``datetime.date`` objects or
      ``"YYYY-MM-DD"``; a time of day is an error;
    - datetime: ``datetime64`` (naive = UTC; tz-aware, any zone, converted to UTC), ``datetime``
      or ``Timestamp`` objects (naive = UTC), or text with ``Z`` or an offset; to the second;
    - duration: ``timedelta64`` (to the second), ``timedelta`` objects, or int days;
    - enum: ``Categorical`` or ``str``/object holding the value names;
    - text: ``str``/object or ``Categorical``;
    - set of an enum of at most 64 values: collections (set, list, tuple) of value names, or int
      bitmasks (bit k: ``categories[k]``);
    - optional fields: NaN/None/NaT/NA mark an absent value (``none``); in the column of a field
      with a default they mean the default.

    Facts not given, as a field left out of JSON facts: a missing value in the column of a field
    that is neither optional nor defaulted, and the cells ``unknown`` marks (column names: whole
    columns, which may then be left out of ``df``; a mapping of column name to a bool per row or
    one bool; or a bool DataFrame with the frame's index; or ``"left_out"``: every input column
    ``df`` does not have). A column left out of ``df`` takes the field's default; with no default
    and not named by ``unknown``, it is a :class:`FactsError` (so that a misspelt column name does
    not leave every row undetermined). A policy evaluated row by row (below) reads a column left
    out as JSON facts read a field left out: a fact not given. What depends on them is
    undetermined: NA in that row's output cells (bool and int columns become nullable),
    ``"undetermined"`` in ``<obligation>.status``, and a ``missing_facts`` column (added when some
    cell is not known) holds, per row, the tuple of the facts the row's decision waits for.

    A column of the wrong dtype, an unknown category, a fraction of a
    second or a time of day for a date raises
    :class:`FactsError` naming the column and the first bad row (``.column``, ``.row``
    positional, ``.value``). A row that has no decision raises :class:`EvaluationError` with
    ``.row``. Output types: enums as ``Categorical`` (the policy's categories), dates as
    ``datetime64[ns]``, date-times as ``datetime64[ns, UTC]``, decimals as float, optional outputs
    masked (NA/NaT/NaN).

    Numeric columns that already are int64 go to the SDK without a copy. If the policy's input
    has lists (or sets of texts, records or larger enums: not columns), every column of ``df`` is a
    fact and rows are evaluated row by row (slower, on up to 8 cores); the output is the same.
    Outputs and obligations decided in a ``for each`` cannot be frame columns (such a row raises
    :class:`ProvisoError`): read them from :attr:`Decision.items` and :attr:`Decision.obligations`.

    ``budget`` bounds each row's work as in :meth:`Policy.evaluate` (a row over it raises
    :class:`EvaluationError`).

    The rows are evaluated ``chunksize`` at a time (default: 4,096 row by row; on the batch path
    65,536, or with ``progress`` about a hundredth of the frame and at least 4,096). Between
    chunks, Ctrl-C raises :class:`KeyboardInterrupt` (no partial result is returned) and
    ``progress`` hears of it: ``True`` draws a tqdm bar of the rows evaluated (tqdm must be
    installed: an :class:`ImportError` says so), or a callable is called as
    ``progress(done_rows, total_rows)`` (an exception it raises stops the evaluation and
    propagates). Errors name rows counted from the frame's first, whatever the chunk.
    """
    import pandas as pd

    rows = len(df) if isinstance(df, pd.DataFrame) else 0  # (encode says what else df should be)
    chunk_rows = _progress.chunk_rows(chunksize, progress, rows, _columnar(policy))
    with _progress.Progress(progress, rows, policy.name) as reporter:  # (a bad progress= raises first)
        batch = encode(policy, df, unknown)
        raw = run(batch, as_of=as_of, params=params, budget=budget, chunk_rows=chunk_rows, progress=reporter.callback)
    return decode(policy, raw, batch.index, batch.unknowns)
