#!/usr/bin/env python3
"""Python SDK benchmark: one DataFrame of benchmark_policy facts, three ways to decide every row.

1. ``policy.evaluate_frame(df)``: columns through numpy into the C++ batch evaluator;
2. ``df.apply(lambda row: policy.evaluate(facts(row)), axis=1)``: one SDK call per row (timed on a
   sample, extrapolated to all rows);
3. a vectorised pandas/numpy hand-implementation of the same logic (the tables, the exceptions, the
   retention check), checked to give the same results as (1) on every row.

(1) and (3) side by side again with the text columns as pandas categories, and as
``pandas.read_json`` gives them (object columns, a new str object in every cell).

Not a test. Run after building (`ninja -C build _proviso`):

    PYTHONPATH=build/python /usr/bin/python3 bench/python_frame_bench.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
try:
    import proviso
except ImportError:
    sys.path.insert(0, str(ROOT / "build" / "python"))
    import proviso
from proviso import _frame

AS_OF = dt.date(2020, 9, 1)
OBJECTS = ["national_security", "public_rights", "personal_privacy", "enterprise_rights"]
DEGREES = ["very_serious", "serious", "medium", "light"]
PFI = ["c3", "c2", "c1"]
COUNTRIES = ["US", "DE", "JP", "GB", "SG", "FR", "KR", "AU", "NL", "CA"]


def make_frame(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "object": pd.Categorical.from_codes(rng.integers(0, 4, n), OBJECTS),
        "degree": np.asarray(DEGREES, dtype=object)[rng.integers(0, 4, n)],
        "pfi_class": pd.Categorical.from_codes(np.where(rng.random(n) < 0.6, -1, rng.integers(0, 3, n)), PFI),
        "destination": np.asarray(COUNTRIES, dtype=object)[rng.integers(0, len(COUNTRIES), n)],
        "controlled_item": rng.random(n) < 0.03,
        "overseas_law_enforcement": rng.random(n) < 0.02,
        "approved": rng.random(n) < 0.5,
        "call_ended_on": np.datetime64("2020-05-01") + rng.integers(0, 90, n).astype("timedelta64[D]"),
        "records_kept_for": pd.to_timedelta(rng.integers(7, 180, n), unit="D"),
        "call_center_operator": rng.random(n) < 0.9,  # drawn last: the columns above are as before
    })


# ---------------------------------------------------------------- 3. by hand, vectorised

# common.proviso: impact_level(object, degree) and pfi_level(pfi_class)
IMPACT = np.array([[5, 5, 4, 3],   # national_security: very_serious, serious, medium, light
                   [5, 4, 3, 2],   # public_rights
                   [4, 3, 2, 1],   # personal_privacy
                   [4, 3, 2, 1]])  # enterprise_rights
PFI_LEVEL = np.array([4, 3, 2])


def by_hand(df: pd.DataFrame, retaliation: set, min_retention_days: int) -> pd.DataFrame:
    obj = pd.Categorical(df["object"], categories=OBJECTS).codes
    deg = pd.Categorical(df["degree"], categories=DEGREES).codes
    pfi = pd.Categorical(df["pfi_class"], categories=PFI).codes
    level = np.maximum(IMPACT[obj, deg], np.where(pfi >= 0, PFI_LEVEL[pfi], 1))
    judicial = df["overseas_law_enforcement"].to_numpy() & ~df["approved"].to_numpy()
    control = df["controlled_item"].to_numpy()
    retaliate = df["destination"].isin(retaliation).to_numpy()
    denied = judicial | control | retaliate
    reason = np.select([judicial, control, retaliate], [0, 1, 2], -1)  # priority order
    kept = df["records_kept_for"].to_numpy()
    minimum = np.timedelta64(min_retention_days, "D")
    # The retention duty is an operator's of call-center business: for others it does not apply
    # (no deadline, status none).
    applies = df["call_center_operator"].to_numpy()
    short = applies & (kept < minimum)
    deadline = np.where(applies, (df["call_ended_on"].to_numpy() + minimum).astype("datetime64[ns]"),
                        np.datetime64("NaT", "ns"))
    # No `done at`, a `violated when`: pending until the deadline day has passed; then overdue when
    # the condition holds, else met (docs/language.md, statuses).
    passed = deadline < np.datetime64(AS_OF)
    status = np.where(~applies, 0, np.where(passed, np.where(short, 3, 2), 1)).astype(np.int8)
    return pd.DataFrame({
        "level": level.astype(np.int64),
        "export": pd.Categorical.from_codes(denied.astype(np.int8), ["permit", "deny"]),
        "deny_reason": pd.Categorical.from_codes(
            reason, ["judicial_assistance_not_approved", "export_control", "retaliation_list"]),
        "retention_violation": short,
        "keep_call_records.applies": applies,
        "keep_call_records.violated": short,
        "keep_call_records.deadline": deadline,
        "keep_call_records.status": pd.Categorical.from_codes(
            status, ["none", "pending", "met", "overdue", "early", "breached", "undetermined"]),
    }, index=df.index)


# ---------------------------------------------------------------- 2. one call per row


def row_by_row(policy, sample: pd.DataFrame, params: dict) -> pd.Series:
    def decide(row: pd.Series):
        d = policy.evaluate(row.to_dict(), as_of=AS_OF, params=params)
        return d.outputs["level"], d.outputs["export"], d.violations != []
    return sample.apply(decide, axis=1)


# ---------------------------------------------------------------- a policy with list inputs

ACTIVITIES = ["collection", "storage", "processing", "use", "provision", "transaction", "disclosure"]
HARMS = ["tampering", "destruction", "leakage", "illegal_acquisition", "illegal_use"]
TARGETS = ["national_security", "public_interest", "rights_of_citizens_and_organisations"]
SEVERITY = ["severe", "serious", "minor", "negligible"]


def list_frame(n: int, seed: int = 2) -> pd.DataFrame:
    """data_security_law facts, one row each: sets of activities as lists of names, and a list of
    0-3 damage assessments (records) per dataset. Such a frame cannot be columns today: its rows go
    through Policy::Evaluate one by one (the row-by-row path)."""
    rng = np.random.default_rng(seed)

    def names(pool, k):
        return [pool[i] for i in sorted(rng.choice(len(pool), k, replace=False))]

    day = np.datetime64("2019-01-01") + rng.integers(0, 500, (3, n)).astype("timedelta64[D]")
    return pd.DataFrame({
        "entity.in_china": rng.random(n) < 0.8,
        "entity.activities": [names(ACTIVITIES, k) for k in rng.integers(1, 5, n)],
        "entity.managed_stages": [names(ACTIVITIES, k) for k in rng.integers(0, 4, n)],
        "entity.security_training": rng.random(n) < 0.7,
        "entity.technical_measures": rng.random(n) < 0.7,
        "entity.relevant_department": rng.random(n) < 0.2,
        "entity.last_risk_assessment_on": np.where(rng.random(n) < 0.8, day[0], np.datetime64("NaT")),
        "entity.last_risk_report_on": np.where(rng.random(n) < 0.7, day[1], np.datetime64("NaT")),
        "entity.damages_chinese_interests": rng.random(n) < 0.3,
        "dataset.importance": np.asarray(["critical", "significant", "ordinary"], dtype=object)[rng.integers(0, 3, n)],
        "dataset.assessments": [[{"harm": HARMS[rng.integers(0, 5)], "target": TARGETS[rng.integers(0, 3)],
                                  "degree": SEVERITY[rng.integers(0, 4)]} for _ in range(k)]
                                for k in rng.integers(0, 4, n)],
        "dataset.important_data": rng.random(n) < 0.4,
        "dataset.important_data_since": day[2],
        "dataset.controlled_item": rng.random(n) < 0.05,
        "dataset.stored_in_china": rng.random(n) < 0.9,
        "export_destination": np.where(rng.random(n) < 0.5, np.asarray(COUNTRIES, dtype=object)[rng.integers(0, 10, n)],
                                       None),
        "export_licensed": rng.random(n) < 0.5,
        "overseas_request": rng.random(n) < 0.1,
        "reported_to_authority": rng.random(n) < 0.5,
        "approved_by_authority": rng.random(n) < 0.5,
        "data_provided": rng.random(n) < 0.1,
    })


def read_json_texts(df: pd.DataFrame, columns: list) -> pd.DataFrame:
    """``df`` with ``columns`` replaced by what ``pandas.read_json`` makes of them: object columns
    holding a new str object in every cell (None where a value is missing)."""
    as_json = df[columns].astype(object).where(df[columns].notna(), None).to_json(orient="records")
    read = pd.read_json(io.StringIO(as_json), orient="records", dtype=False)
    return df.assign(**{c: read[c].to_numpy() for c in columns})


def best(f, repeat: int):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=10_000, help="rows timed with df.apply")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--backend", default="jit", choices=["jit", "interpreter"])
    ap.add_argument("--list-rows", type=int, default=20_000, help="rows of the data_security_law frame")
    args = ap.parse_args()

    policy = proviso.compile(ROOT / "policies/cn/benchmark_policy.proviso", backend=args.backend)
    params = {"retaliation_countries": {"US", "JP"}, "min_retention": "60 days"}
    df = make_frame(args.rows)
    n = len(df)
    print(f"benchmark_policy ({policy.backend}), {n:,} rows, params {params}")

    # 1. evaluate_frame, and where its time goes
    t_frame, med_frame, out = best(lambda: policy.evaluate_frame(df, as_of=AS_OF, params=params), args.repeat)
    t0 = time.perf_counter(); batch = _frame.encode(policy, df)
    t1 = time.perf_counter(); raw = _frame.run(batch, as_of=AS_OF, params=params)
    t2 = time.perf_counter(); _frame.decode(policy, raw, batch.index)
    t3 = time.perf_counter()

    # 3. by hand, and the proof that it is the same logic
    t_hand, med_hand, hand = best(lambda: by_hand(df, {"US", "JP"}, 60), args.repeat)
    pd.testing.assert_frame_equal(out, hand, check_categorical=True)

    # The same frame with the enumerated text columns as pandas categories (as read_csv(dtype=
    # "category") or Arrow dictionaries give them): codes pass to the SDK without conversion.
    cat = df.astype({"degree": "category", "destination": "category"})
    t_frame_cat, _, out_cat = best(lambda: policy.evaluate_frame(cat, as_of=AS_OF, params=params), args.repeat)
    t_hand_cat, _, hand_cat = best(lambda: by_hand(cat, {"US", "JP"}, 60), args.repeat)
    pd.testing.assert_frame_equal(out_cat, hand_cat, check_categorical=True)
    pd.testing.assert_frame_equal(out_cat, out, check_categorical=True)

    # The same frame with its text columns as pandas.read_json gives them: object columns of one
    # str object per cell (no two cells share one), which the SDK codes by their characters.
    texts = ["object", "degree", "pfi_class", "destination"]
    t = time.perf_counter()
    read = read_json_texts(df, texts)
    t_read = time.perf_counter() - t
    t_frame_json, _, out_json = best(lambda: policy.evaluate_frame(read, as_of=AS_OF, params=params), args.repeat)
    t_hand_json, _, hand_json = best(lambda: by_hand(read, {"US", "JP"}, 60), args.repeat)
    pd.testing.assert_frame_equal(out_json, hand_json, check_categorical=True)
    pd.testing.assert_frame_equal(out_json, out, check_categorical=True)
    specs = {s.name: s for s in policy.batch_inputs()}
    t_codes, _, _ = best(lambda: [_frame._encode_objects(specs[c], read[c]) for c in texts], args.repeat)

    # A policy with list inputs (data_security_law): today its frames go row by row.
    lists_policy = proviso.compile(ROOT / "policies/cn/data_security_law.proviso", backend=args.backend)
    ldf = list_frame(args.list_rows)
    lists_policy.evaluate_frame(ldf.head(100), as_of=AS_OF)  # (compiles what the first rows need)
    t_lists, _, lout = best(lambda: lists_policy.evaluate_frame(ldf, as_of=AS_OF), 1)
    assert "missing_facts" not in lout  # every fact given: every row decided
    for i in range(0, len(ldf), max(1, len(ldf) // 20)):
        row = {k: (None if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)) else v)
               for k, v in ldf.iloc[i].items()}
        facts: dict = {}
        for k, v in row.items():
            node = facts
            *outer, last = k.split(".")
            for part in outer:
                node = node.setdefault(part, {})
            node[last] = v
        d = lists_policy.evaluate(facts, as_of=AS_OF)
        for name in ("protection_grade", "damage_category", "export_decision", "reach"):
            got = lout[name].iloc[i]
            assert (None if pd.isna(got) else str(got)) == d.outputs[name], (i, name)

    # 2. df.apply on a sample, extrapolated
    sample = df.sample(min(args.sample, n), random_state=0)
    t_apply, _, applied = best(lambda: row_by_row(policy, sample, params), 1)
    expected = out.loc[sample.index]
    assert [a[0] for a in applied] == expected["level"].tolist()
    assert [a[1] for a in applied] == expected["export"].astype(str).tolist()
    t_apply_all = t_apply * n / len(sample)

    us = 1e6
    print(f"\n{'method':<48}{'seconds':>10}{'us/row':>10}")
    print(f"{'evaluate_frame (best of %d)' % args.repeat:<48}{t_frame:>10.3f}{t_frame / n * us:>10.3f}")
    print(f"{'  encode columns (numpy)':<48}{t1 - t0:>10.3f}{(t1 - t0) / n * us:>10.3f}")
    print(f"{'  EvaluateBatch (C++, GIL released)':<48}{t2 - t1:>10.3f}{(t2 - t1) / n * us:>10.3f}")
    print(f"{'  decode outputs (pandas)':<48}{t3 - t2:>10.3f}{(t3 - t2) / n * us:>10.3f}")
    print(f"{'df.apply + evaluate per row (%s-row sample)' % f'{len(sample):,}':<48}"
          f"{t_apply_all:>10.1f}{t_apply / len(sample) * us:>10.3f}   (extrapolated)")
    print(f"{'pandas by hand, vectorised (best of %d)' % args.repeat:<48}{t_hand:>10.3f}{t_hand / n * us:>10.3f}")
    print(f"{'with category columns: evaluate_frame':<48}{t_frame_cat:>10.3f}{t_frame_cat / n * us:>10.3f}"
          f"   {n / t_frame_cat / 1e6:.1f} M rows/s")
    print(f"{'with category columns: pandas by hand':<48}{t_hand_cat:>10.3f}{t_hand_cat / n * us:>10.3f}"
          f"   ratio {t_hand_cat / t_frame_cat:.2f}x (above 1: evaluate_frame is faster)")
    print(f"{'with read_json str columns: evaluate_frame':<48}{t_frame_json:>10.3f}{t_frame_json / n * us:>10.3f}"
          f"   (read_json itself: {t_read:.1f} s)")
    print(f"{'  of which coding the 4 str columns':<48}{t_codes:>10.3f}{t_codes / n * us:>10.3f}")
    print(f"{'with read_json str columns: pandas by hand':<48}{t_hand_json:>10.3f}{t_hand_json / n * us:>10.3f}"
          f"   ratio {t_hand_json / t_frame_json:.2f}x (above 1: evaluate_frame is faster)")
    print(f"{'data_security_law, list columns (%s rows, row by row)' % f'{len(ldf):,}':<48}{t_lists:>10.3f}"
          f"{t_lists / len(ldf) * us:>10.3f}")
    print(f"\nevaluate_frame is {t_apply_all / t_frame:,.1f}x faster than df.apply, "
          f"and takes {t_frame / t_hand:,.2f}x the time of the hand-written pandas "
          f"({'faster' if t_frame < t_hand else 'slower'}).")


if __name__ == "__main__":
    main()
