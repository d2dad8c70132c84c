"""Python values to the JSON forms the SDK reads (facts, parameter overrides, evaluation dates).

The extension converts JSON-native values itself and calls :func:`jsonable` for anything else.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import json
import math
import sys
from typing import Any, Mapping, Optional

from ._errors import FactsError, ProvisoError

__all__ = ["jsonable", "param_text", "params_text", "as_of_text", "DateLike"]

DateLike = Any  # datetime.date, "YYYY-MM-DD", numpy.datetime64, pandas.Timestamp

_DAY_NS = 86_400_000_000_000


def _is_missing(obj: Any) -> bool:
    pd = sys.modules.get("pandas")
    if pd is not None and (obj is pd.NaT or obj is pd.NA):
        return True
    np = sys.modules.get("numpy")
    if np is not None and isinstance(obj, (np.datetime64, np.timedelta64)) and np.isnat(obj):
        return True
    return False


def _days(td: _dt.timedelta, path: str) -> str:
    if td.seconds or td.microseconds:
        raise FactsError(f"`{path}`: {td} is not a whole number of days", path=path)
    return f"{td.days} days"


def jsonable(obj: Any, path: str = "") -> Any:
    """A JSON-native value for ``obj``, or raise :class:`FactsError` naming ``path``.

    dates -> ``"YYYY-MM-DD"`` (a datetime or Timestamp gives its date), timedeltas -> ``"N days"``
    (whole days only), numpy scalars -> Python scalars, ``decimal.Decimal`` -> its exact text,
    NaN/NaT/NA -> ``None`` (missing), other mappings -> dicts, numpy arrays -> lists.
    """
    if obj is None or _is_missing(obj):
        return None
    if isinstance(obj, _dt.datetime):
        return obj.date().isoformat()
    if isinstance(obj, _dt.date):
        return obj.isoformat()
    if isinstance(obj, _dt.timedelta):  # also pandas.Timedelta
        return _days(obj, path)
    if isinstance(obj, decimal.Decimal):
        if not obj.is_finite():
            return None if obj.is_nan() else str(obj)
        return str(obj)
    np = sys.modules.get("numpy")
    if np is not None:
        # (timedelta64 is an np.integer: test it first)
        if isinstance(obj, np.datetime64):
            return str(obj.astype("datetime64[D]"))
        if isinstance(obj, np.timedelta64):
            ns = int(obj.astype("timedelta64[ns]").astype(np.int64))
            if ns % _DAY_NS:
                raise FactsError(f"`{path}`: {obj} is not a whole number of days", path=path)
            return f"{ns // _DAY_NS} days"
        if isinstance(obj, np.bool_):
            return bool(obj)
        if isinstance(obj, np.integer):
            return int(obj)
        if isinstance(obj, np.floating):
            f = float(obj)
            return None if math.isnan(f) else f
        if isinstance(obj, np.ndarray):
            return obj.tolist()
    if isinstance(obj, Mapping):
        return dict(obj)
    if isinstance(obj, (frozenset, set, list, tuple)):
        return list(obj)
    raise FactsError(
        f"`{path}`: cannot use a value of type `{type(obj).__name__}` as a fact ({obj!r})" if path
        else f"cannot use a value of type `{type(obj).__name__}` as facts ({obj!r})",
        path=path,
    )


def _to_json_text(value: Any, path: str) -> str:
    def default(o: Any) -> Any:
        v = jsonable(o, path)
        if v is o:
            raise FactsError(f"`{path}`: cannot convert {o!r}", path=path)
        return v

    if isinstance(value, (set, frozenset)):
        value = sorted(value, key=repr)
    return json.dumps(value, default=default, allow_nan=False)


def param_text(name: str, value: Any) -> str:
    """A parameter override in the SDK's text form (Proviso literal or JSON).

    ``str`` values are text, enum names or Proviso literals such as ``"60 days"``; Python values
    map naturally: ``timedelta(days=60)``, ``date(2020, 8, 31)``, ``{"US", "JP"}``, ``True``, ``0.5``.
    """
    try:
        if isinstance(value, float) and not math.isfinite(value):
            raise FactsError(f"param `{name}`: {value} is not a number", path=name)
        return _to_json_text(value, name)
    except (TypeError, ValueError) as e:
        if isinstance(e, ProvisoError):
            raise
        raise FactsError(f"param `{name}`: cannot use {value!r} ({e})", path=name) from None


def params_text(params: Optional[Mapping[str, Any]]) -> dict:
    """:func:`param_text` over a mapping (``None`` = no overrides)."""
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping of param name to value, not {type(params).__name__}")
    return {str(k): param_text(str(k), v) for k, v in params.items()}


def as_of_text(as_of: DateLike) -> Optional[str]:
    """``"YYYY-MM-DD"`` for an evaluation date (``None`` = today, UTC)."""
    if as_of is None:
        return None
    if isinstance(as_of, str):
        return as_of
    if _is_missing(as_of):
        raise ProvisoError("as_of is missing (NaT)")
    v = jsonable(as_of, "as_of")
    if not isinstance(v, str):
        raise TypeError(f"as_of must be a date, not {type(as_of).__name__}")
    return v
