"""Random frames for a policy's batch inputs, generated from its column specs (so that the tests
follow the policies when their inputs change)."""

from __future__ import annotations

from typing import Dict, Sequence

import numpy as np
import pandas as pd

TEXTS = ["US", "DE", "JP", "FR", "XA", "XB", "CN"]


def random_frame(specs: Sequence, n: int, seed: int = 0, missing: float = 0.2, seconds: bool = False) -> pd.DataFrame:
    """One column per spec, of the natural pandas dtype; optional columns have missing values.
    Date-times are to the second; durations are whole days unless `seconds`."""
    rng = np.random.default_rng(seed)
    cols: Dict[str, object] = {}
    for s in specs:
        absent = rng.random(n) < missing if s.optional else np.zeros(n, dtype=bool)
        if s.kind == "enum":
            codes = rng.integers(0, len(s.categories), n)
            cols[s.name] = pd.Categorical.from_codes(np.where(absent, -1, codes), categories=list(s.categories))
        elif s.kind == "bool":
            v = rng.random(n) < 0.3
            cols[s.name] = pd.array(v, dtype="boolean") if s.optional else v
            if s.optional:
                cols[s.name][absent] = pd.NA
        elif s.kind == "int":
            v = rng.integers(0, 100, n)
            cols[s.name] = pd.arrays.IntegerArray(v, absent) if s.optional else v
        elif s.kind == "decimal":
            v = np.round(rng.random(n) * 1000, 2)
            cols[s.name] = np.where(absent, np.nan, v)
        elif s.kind == "date":
            d = np.datetime64("2020-06-01") + rng.integers(0, 120, n).astype("timedelta64[D]")
            d = d.astype("datetime64[ns]")
            d[absent] = np.datetime64("NaT")
            cols[s.name] = d
        elif s.kind == "datetime":
            d = np.datetime64("2020-07-15T00:00:00") + rng.integers(0, 60 * 86_400, n).astype("timedelta64[s]")
            d = d.astype("datetime64[ns]")
            d[absent] = np.datetime64("NaT")
            cols[s.name] = d
        elif s.kind == "duration":
            span = rng.integers(0, 120 * 86_400, n) if seconds else rng.integers(0, 120, n) * 86_400
            d = span.astype("timedelta64[s]").astype("timedelta64[ns]")
            d[absent] = np.timedelta64("NaT")
            cols[s.name] = d
        elif s.kind == "text":
            v = np.asarray(TEXTS, dtype=object)[rng.integers(0, len(TEXTS), n)]
            v[absent] = None
            cols[s.name] = v
        else:
            raise AssertionError(f"unknown kind {s.kind}")
    return pd.DataFrame(cols)


def facts_of_row(df: pd.DataFrame, i: int) -> dict:
    """The facts (nested by `.`) of row i, as Python values; a missing value is None (JSON null)."""
    facts: dict = {}
    for name in df.columns:
        v = df[name].iloc[i]
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
            v = None
        node = facts
        parts = name.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = v
    return facts


def frame_row_as_cli(policy, out: pd.DataFrame, i: int) -> dict:
    """Row i of an evaluate_frame result in the shape of the CLI's JSON: outputs and obligations."""
    outputs = {}
    obligations = {}
    for spec in policy.batch_outputs():
        v = out[spec.name].iloc[i]
        missing = v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v))
        if spec.name in policy.outputs:
            if missing:
                outputs[spec.name] = None
            elif spec.kind == "date":
                outputs[spec.name] = pd.Timestamp(v).date().isoformat()
            elif spec.kind == "datetime":
                outputs[spec.name] = _instant(v)
            elif spec.kind == "bool":
                outputs[spec.name] = bool(v)
            elif spec.kind == "int":
                outputs[spec.name] = int(v)
            elif spec.kind == "decimal":
                outputs[spec.name] = float(v)
            else:
                outputs[spec.name] = str(v)
            continue
        name, what = spec.name.rsplit(".", 1)
        o = obligations.setdefault(name, {})
        if what == "deadline":
            o["deadline"] = None if missing else _instant(v) if spec.kind == "datetime" else \
                pd.Timestamp(v).date().isoformat()
        elif what == "status":
            o["status"] = str(v)
        else:
            o[what] = bool(v)
    applied = {k: {"violated": v["violated"], "deadline": v["deadline"],
                   **({"status": v["status"]} if v.get("status", "none") != "none" else {})}
               for k, v in obligations.items() if v["applies"]}
    return {"outputs": outputs, "obligations": applied}


def _instant(v) -> str:
    """A tz-aware (UTC) frame cell as the CLI writes an instant."""
    t = pd.Timestamp(v)
    assert str(t.tz) == "UTC", t
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def cli_as_frame_row(decision: dict) -> dict:
    """The CLI's JSON reduced to what a frame row holds."""
    return {
        "outputs": {k: (float(v) if isinstance(v, float) else v) for k, v in decision["outputs"].items()},
        "obligations": {o["name"]: {"violated": o["violated"], "deadline": o["deadline"],
                                    **({"status": o["status"]} if "status" in o else {})}
                        for o in decision["obligations"]},
    }
