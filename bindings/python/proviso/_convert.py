"""Python values to the JSON forms the SDK reads (facts, parameter overrides, evaluation dates).

The extension converts JSON-native values itself and calls :func:`jsonable` for anything else.

Date-times: a ``datetime.datetime``, ``pandas.Timestamp`` or ``numpy.datetime64`` is an instant
(naive = UTC; aware = converted to UTC), to the second. Its JSON form depends on the field it is
given for, which only the SDK knows (a ``date`` field reads ``"YYYY-MM-DD"``, a ``datetime`` field
``"YYYY-MM-DDTHH:MM:SSZ"``): :func:`jsonable` gives an :class:`Instant` with both, and the caller
passes the one the field takes (``src/facts.cc``: ``EvaluateFacts``; params: :func:`call_with_params`).
A date-time is a date only when it is a midnight (in its own zone): one with a time of day for a
``date`` field is an error, never truncated.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import json
import math
import re
import sys
from typing import Any, Callable, Dict, Mapping, Optional, Tuple, TypeVar

from ._errors import FactsError, ProvisoError

__all__ = ["UNKNOWN", "jsonable", "param_text", "params_text", "as_of_text", "duration_text", "instant_of",
           "parse_instant", "call_with_params", "Instant", "DateLike"]

#: ``datetime.date``, ``datetime.datetime``, ``"YYYY-MM-DD"``, ``"YYYY-MM-DDTHH:MM:SSZ"`` (or
#: with an offset), ``numpy.datetime64``, ``pandas.Timestamp``, or ``None``.
DateLike = Any

_UTC = _dt.timezone.utc
_SECOND_NS = 1_000_000_000
_DAY_SECONDS = 86_400
#: What the SDK reads as a date-time (compiler/support/calendar.cc, ParseDateTime): seconds
#: optional, a fraction only when it is zero, ``Z`` or an offset.
_ISO_INSTANT = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2})(?::(\d{2})(?:\.0+)?)?([Zz]|[+-]\d{2}:\d{2})$")


class _Unknown:
    """The type of :data:`UNKNOWN` (one instance)."""

    _instance: "Optional[_Unknown]" = None

    def __new__(cls) -> "_Unknown":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "proviso.UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("proviso.UNKNOWN has no truth value: it is a fact not given")

    def __reduce__(self) -> str:
        return "UNKNOWN"


#: A fact not given, as a value in facts: ``{"verified": proviso.UNKNOWN}`` is the same as leaving
#: ``verified`` out (what depends on it is undetermined). ``None`` is different: an optional
#: field's value ``none`` (known to be absent).
UNKNOWN = _Unknown()


class Instant:
    """A date-time in facts, in the two forms a field may take (see the module's doc).

    ``instant``: ``"YYYY-MM-DDTHH:MM:SSZ"`` (UTC); ``date``: its date in its own zone
    (``"YYYY-MM-DD"``); ``midnight``: it has no time of day (in its own zone), so that it can be
    a date; ``shown``: the value as written, for messages.
    """

    __slots__ = ("instant", "date", "midnight", "shown")

    def __init__(self, instant: str, date: str, midnight: bool, shown: str) -> None:
        self.instant = instant
        self.date = date
        self.midnight = midnight
        self.shown = shown

    def __repr__(self) -> str:
        return f"Instant({self.instant!r}, date={self.date!r}, midnight={self.midnight})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Instant) and (self.instant, self.date, self.midnight) == (
            other.instant, other.date, other.midnight)

    __hash__ = None  # type: ignore[assignment]


def _is_missing(obj: Any) -> bool:
    pd = sys.modules.get("pandas")
    if pd is not None and (obj is pd.NaT or obj is pd.NA):
        return True
    np = sys.modules.get("numpy")
    if np is not None and isinstance(obj, (np.datetime64, np.timedelta64)) and np.isnat(obj):
        return True
    return False


def _instant_text(t: _dt.datetime) -> str:
    """``"YYYY-MM-DDTHH:MM:SSZ"`` of a UTC datetime (zero-padded years, unlike strftime)."""
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}Z"


def _datetime_of_datetime64(v: Any, path: str) -> _dt.datetime:
    """A naive (UTC) datetime of a numpy.datetime64, to the second."""
    import numpy as np

    s = v.astype("datetime64[s]")
    if s != v:  # a finer unit with a fraction of a second
        raise FactsError(f"`{path}`: {v} has a fraction of a second (date-times are to the second)", path=path)
    try:
        return _dt.datetime(1970, 1, 1) + _dt.timedelta(seconds=int(s.astype(np.int64)))
    except OverflowError:
        raise FactsError(f"`{path}`: {v} is outside the calendar (years 1 to 9999)", path=path) from None


def instant_of(obj: Any, path: str) -> Instant:
    """The :class:`Instant` of a ``datetime``, ``pandas.Timestamp`` or ``numpy.datetime64``.

    Naive values are UTC; aware ones are converted to UTC. A fraction of a second raises
    :class:`FactsError` naming ``path``.
    """
    np = sys.modules.get("numpy")
    if np is not None and isinstance(obj, np.datetime64):
        t = _datetime_of_datetime64(obj, path)
        shown = str(obj)
    else:
        t = obj
        shown = str(obj)
        if t.microsecond or getattr(t, "nanosecond", 0):
            raise FactsError(f"`{path}`: {shown} has a fraction of a second (date-times are to the second)",
                             path=path)
    midnight = (t.hour, t.minute, t.second) == (0, 0, 0)
    date = f"{t.year:04d}-{t.month:02d}-{t.day:02d}"
    if t.tzinfo is not None and t.utcoffset() is not None:
        t = t.astimezone(_UTC)
    return Instant(_instant_text(t), date, midnight, shown)


def parse_instant(text: str) -> Optional[_dt.datetime]:
    """The aware (UTC) datetime of a date-time text as the SDK reads it (``Z`` or an offset, to the
    second), or ``None`` if it is not one."""
    m = _ISO_INSTANT.match(text)
    if not m:
        return None
    date, hm, sec, zone = m.groups()
    zone = "+00:00" if zone in ("Z", "z") else zone
    try:
        t = _dt.datetime.fromisoformat(f"{date}T{hm}:{sec or '00'}{zone}")
    except ValueError:
        return None
    return t.astimezone(_UTC)


def duration_text(seconds: int) -> str:
    """A whole number of seconds as a duration the SDK reads: ``"3 days"``, ``"7200 seconds"``,
    ``"-1 days -3600 seconds"`` (at most 9 digits a number)."""
    sign = "-" if seconds < 0 else ""
    days, rest = divmod(abs(seconds), _DAY_SECONDS)
    if not rest:
        return f"{sign}{days} days"
    if not days:
        return f"{sign}{rest} seconds"
    return f"{sign}{days} days {sign}{rest} seconds"


def _timedelta_seconds(td: _dt.timedelta, path: str) -> int:
    if td.microseconds or getattr(td, "nanoseconds", 0):
        raise FactsError(f"`{path}`: {td} has a fraction of a second (durations are to the second)", path=path)
    return td.days * _DAY_SECONDS + td.seconds


def jsonable(obj: Any, path: str = "") -> Any:
    """A JSON-native value for ``obj`` (or an :class:`Instant`), or raise :class:`FactsError` naming ``path``.

    ``datetime.date`` -> ``"YYYY-MM-DD"``; ``datetime``/``Timestamp``/``datetime64`` -> an
    :class:`Instant` (to the second); timedeltas -> a duration to the second (``"3 days"``,
    ``"7200 seconds"``); numpy scalars -> Python scalars; ``decimal.Decimal`` -> its exact text;
    NaN/NaT/NA -> ``None`` (missing); other mappings -> dicts; numpy arrays -> lists.
    """
    if obj is None or _is_missing(obj):
        return None
    if isinstance(obj, Instant):
        return obj
    if isinstance(obj, _dt.datetime):  # also pandas.Timestamp
        return instant_of(obj, path)
    if isinstance(obj, _dt.date):
        return obj.isoformat()
    if isinstance(obj, _dt.timedelta):  # also pandas.Timedelta
        return duration_text(_timedelta_seconds(obj, path))
    if isinstance(obj, decimal.Decimal):
        if obj.is_nan():
            return None  # a missing value, as float NaN
        if obj.is_infinite():  # never the text "Infinity": no fact is infinite
            raise FactsError(f"`{path}`: {obj!r} is not a number a fact can hold", path=path)
        return str(obj)
    np = sys.modules.get("numpy")
    if np is not None:
        # (timedelta64 is an np.integer: test it first)
        if isinstance(obj, np.datetime64):
            return instant_of(obj, path)
        if isinstance(obj, np.timedelta64):
            if np.datetime_data(obj.dtype)[0] in ("Y", "M"):
                raise FactsError(f"`{path}`: {obj} is in months or years: give a duration text such as "
                                 '"6 months"', path=path)
            s = obj.astype("timedelta64[s]")
            if s != obj:
                raise FactsError(f"`{path}`: {obj} has a fraction of a second (durations are to the second)",
                                 path=path)
            return duration_text(int(s.astype(np.int64)))
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


def _to_json_text(value: Any, path: str, instant: Callable[[Instant], str]) -> str:
    def default(o: Any) -> Any:
        v = jsonable(o, path)
        if isinstance(v, Instant):
            return instant(v)
        if v is o:
            raise FactsError(f"`{path}`: cannot convert {o!r}", path=path)
        return v

    if isinstance(value, (set, frozenset)):
        value = sorted(value, key=repr)
    return json.dumps(value, default=default, allow_nan=False)


def _is_datetime(value: Any) -> bool:
    np = sys.modules.get("numpy")
    return isinstance(value, _dt.datetime) or (np is not None and isinstance(value, np.datetime64))


def _param_forms(name: str, value: Any) -> Tuple[str, Optional[Instant]]:
    """The text of a param override, and its :class:`Instant` when it is a date-time."""
    try:
        if isinstance(value, float) and not math.isfinite(value):
            raise FactsError(f"param `{name}`: {value} is not a number", path=name)
        if _is_datetime(value) and not _is_missing(value):
            instant = instant_of(value, name)
            return json.dumps(instant.date if instant.midnight else instant.instant), instant
        # Date-times inside a collection: as dates when they are midnights.
        return _to_json_text(value, name, lambda i: i.date if i.midnight else i.instant), None
    except (TypeError, ValueError) as e:
        if isinstance(e, ProvisoError):
            raise
        raise FactsError(f"param `{name}`: cannot use {value!r} ({e})", path=name) from None


def param_text(name: str, value: Any) -> str:
    """A parameter override in the SDK's text form (Proviso literal or JSON).

    ``str`` values are text, enum names or Proviso literals such as ``"60 days"``; Python values
    map naturally: ``timedelta(hours=72)``, ``date(2020, 8, 31)``, ``datetime(...)``,
    ``{"US", "JP"}``, ``True``, ``0.5``. A midnight date-time is given as its date (see
    :func:`call_with_params` for a ``datetime`` param).
    """
    return _param_forms(name, value)[0]


def params_text(params: Optional[Mapping[str, Any]]) -> Dict[str, str]:
    """:func:`param_text` over a mapping (``None`` = no overrides)."""
    return _params_forms(params)[0]


def _params_forms(params: Optional[Mapping[str, Any]]) -> Tuple[Dict[str, str], Dict[str, Instant]]:
    if params is None:
        return {}, {}
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping of param name to value, not {type(params).__name__}")
    texts: Dict[str, str] = {}
    instants: Dict[str, Instant] = {}
    for k, v in params.items():
        text, instant = _param_forms(str(k), v)
        texts[str(k)] = text
        if instant is not None:
            instants[str(k)] = instant
    return texts, instants


T = TypeVar("T")


def call_with_params(call: Callable[[Dict[str, str]], T], params: Optional[Mapping[str, Any]]) -> T:
    """``call(texts)`` with the param overrides as texts, a date-time param in the form its type
    takes: a midnight goes as its date first, and as its instant if the SDK refuses the date (the
    param is a ``datetime``); a date-time with a time of day refused by a ``date`` param raises a
    :class:`FactsError` saying so."""
    texts, instants = _params_forms(params)
    switched: set = set()
    while True:
        try:
            return call(texts)
        except FactsError as e:
            name = e.path or ""
            instant = instants.get(name)
            if instant is None or name in switched:
                raise
            switched.add(name)
            if instant.midnight:
                texts = {**texts, name: json.dumps(instant.instant)}
                continue
            # A time of day, refused: a date param would take its date?
            try:
                call({**texts, name: json.dumps(instant.date)})
                date_param = True
            except FactsError as again:
                date_param = again.path != name
            except ProvisoError:
                date_param = True
            if not date_param:
                raise
            raise FactsError(f"param `{name}`: {instant.shown} has a time of day, but the param is a date: give "
                             "a date, or a date-time at midnight", path=name) from None


def as_of_text(as_of: DateLike) -> Optional[str]:
    """The evaluation date or instant as the SDK reads it (``None`` = now).

    A ``datetime.date`` or ``"YYYY-MM-DD"`` is that date (its midnight, UTC); a ``datetime``,
    ``pandas.Timestamp`` or ``numpy.datetime64`` is an instant (naive = UTC; a fraction of a
    second is dropped), given as ``"YYYY-MM-DDTHH:MM:SSZ"``; other strings go to the SDK as they
    are (``"2024-03-10T12:00:00+01:00"``).
    """
    if as_of is None:
        return None
    if isinstance(as_of, str):
        return as_of
    if _is_missing(as_of):
        raise ProvisoError("as_of is missing (NaT)")
    if isinstance(as_of, _dt.datetime):  # also pandas.Timestamp
        t = as_of.replace(microsecond=0)
        if hasattr(t, "nanosecond"):  # pandas.Timestamp
            t = t.replace(nanosecond=0)  # type: ignore[call-arg]
        return instant_of(t, "as_of").instant
    np = sys.modules.get("numpy")
    if np is not None and isinstance(as_of, np.datetime64):
        return instant_of(as_of.astype("datetime64[s]"), "as_of").instant
    if isinstance(as_of, _dt.date):
        return as_of.isoformat()
    raise TypeError(f"as_of must be a date or a date-time, not {type(as_of).__name__}")
