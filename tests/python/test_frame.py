"""evaluate_frame: the columnar path equals row-by-row evaluation, for every column kind, at 1M rows."""

from __future__ import annotations

import decimal
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import proviso
from proviso import _frame
from conftest import AS_OF, ROOT
from frame_data import cli_as_frame_row, facts_of_row, frame_row_as_cli, random_frame

KINDS = Path(__file__).parent / "policies" / "kinds.proviso"


@pytest.fixture(scope="module")
def kinds():
    return proviso.compile(KINDS)


def assert_rows_equal(policy, df: pd.DataFrame, out: pd.DataFrame, rows, params=None) -> None:
    for i in rows:
        decision = policy.evaluate(facts_of_row(df, i), as_of=AS_OF, params=params)
        assert frame_row_as_cli(policy, out, i) == cli_as_frame_row(decision.to_dict()), f"row {i}"


def test_every_kind_equals_row_by_row(kinds) -> None:
    df = random_frame(kinds.batch_inputs(), 400, seed=7)
    out = kinds.evaluate_frame(df, as_of=AS_OF)
    assert len(out) == len(df) and (out.index == df.index).all()
    assert list(out.columns) == [s.name for s in kinds.batch_outputs()]
    assert_rows_equal(kinds, df, out, range(len(df)))
    # With a parameter override too.
    out = kinds.evaluate_frame(df, as_of=AS_OF, params={"surcharge": decimal.Decimal("0.25")})
    assert_rows_equal(kinds, df, out, range(0, len(df), 7), params={"surcharge": "0.25"})


def test_output_dtypes(kinds) -> None:
    df = random_frame(kinds.batch_inputs(), 300, seed=8)
    out = kinds.evaluate_frame(df, as_of=AS_OF)
    assert out["total"].dtype == np.float64
    assert out["late_on"].dtype.kind == "M"
    assert isinstance(out["color"].dtype, pd.CategoricalDtype)
    assert list(out["color"].cat.categories) == ["red", "green", "blue"]
    assert out["label"].dtype == object
    assert out["promised_on"].dtype.kind == "M" and out["promised_on"].isna().any()
    assert str(out["express_flag"].dtype) == "boolean" and out["express_flag"].isna().any()
    assert out["double_qty"].dtype == np.int64
    assert isinstance(out["size"].dtype, pd.CategoricalDtype) and out["size"].isna().any()
    assert out["ship.applies"].dtype == bool and out["ship.violated"].dtype == bool
    assert out["ship.deadline"].dtype.kind == "M"
    assert (out["ship.deadline"].isna() == ~out["ship.applies"]).all()
    # Date-times (outputs and an instant deadline) are tz-aware, UTC; dates stay naive.
    assert str(out["answer_by"].dtype) == "datetime64[ns, UTC]"
    assert str(out["answered_on"].dtype) == "datetime64[ns, UTC]" and out["answered_on"].isna().any()
    assert str(out["answer.deadline"].dtype) == "datetime64[ns, UTC]"
    assert str(out["ship.deadline"].dtype) == "datetime64[ns]"
    # Statuses: categoricals of every status, "none" where the obligation does not apply.
    for name in ("ship.status", "answer.status"):
        assert isinstance(out[name].dtype, pd.CategoricalDtype)
        assert list(out[name].cat.categories) == ["none", "pending", "met", "overdue", "early", "breached", "undetermined"]
        assert out[name].notna().all()
    assert (out["ship.status"] == "none").equals(~out["ship.applies"])
    assert set(out["answer.status"]) == {"pending", "met", "overdue"}


def test_input_dtypes_are_equivalent(kinds) -> None:
    """Categorical in another order, object/str, nullable Int64, date objects, int days, Decimal."""
    df = random_frame(kinds.batch_inputs(), 200, seed=9)
    expected = kinds.evaluate_frame(df, as_of=AS_OF)
    alt = pd.DataFrame(index=df.index)
    alt["item.price"] = [decimal.Decimal(str(x)) for x in df["item.price"]]
    alt["item.qty"] = df["item.qty"].astype("int32")
    alt["item.color"] = df["item.color"].cat.reorder_categories(["blue", "red", "green"])
    alt["item.note"] = df["item.note"].astype("category")
    alt["due"] = [d.date() for d in df["due"]]
    alt["grace"] = df["grace"].dt.days.astype(np.int64)
    alt["rush"] = df["rush"].astype(object)
    alt["discount"] = df["discount"].astype(object).where(df["discount"].notna(), None)
    alt["extra_days"] = df["extra_days"].astype("float64")  # NaN for missing
    alt["promised"] = df["promised"].dt.strftime("%Y-%m-%d").where(df["promised"].notna(), None)
    alt["express"] = df["express"].astype(object)
    # Date-times as aware Timestamps in another zone, and as ISO text with an offset.
    alt["asked_at"] = df["asked_at"].dt.tz_localize("UTC").dt.tz_convert("Asia/Shanghai").astype(object)
    alt["answered_at"] = [None if pd.isna(t) else t.isoformat()
                          for t in df["answered_at"].dt.tz_localize("UTC").dt.tz_convert("America/New_York")]
    alt["ignored"] = "extra columns are ignored"
    pd.testing.assert_frame_equal(kinds.evaluate_frame(alt, as_of=AS_OF), expected)
    alt["item.color"] = df["item.color"].astype(str)
    pd.testing.assert_frame_equal(kinds.evaluate_frame(alt, as_of=AS_OF), expected)


def test_int64_columns_go_to_the_sdk_without_a_copy(kinds) -> None:
    # (Durations are int64 seconds in the SDK now: an int days column is scaled, a copy.)
    df = random_frame(kinds.batch_inputs(), 1000, seed=1)
    assert df["item.qty"].dtype == np.int64
    batch = _frame.encode(kinds, df)
    k = [s.name for s in kinds.batch_inputs()].index("item.qty")
    assert np.shares_memory(batch.columns[k].values, df["item.qty"].to_numpy())


def test_one_million_rows_equal_row_by_row_on_a_sample(benchmark) -> None:
    n = 1_000_000
    df = random_frame(benchmark.batch_inputs(), n, seed=2024)
    out = benchmark.evaluate_frame(df, as_of=AS_OF, params={"retaliation_countries": {"XA", "XB"}})
    assert len(out) == n
    # Every outcome occurs, so that the sample exercises every rule.
    assert set(out["export"].unique()) == {"permit", "deny"}
    assert out["keep_call_records.violated"].any() and not out["keep_call_records.violated"].all()
    assert out["deny_reason"].isna().any() and out["deny_reason"].notna().any()
    sample = np.random.default_rng(5).choice(n, 2000, replace=False)
    assert_rows_equal(benchmark, df, out, sample, params={"retaliation_countries": ["XA", "XB"]})


def test_enum_set_columns_equal_row_by_row(call_center) -> None:
    """call_center takes a set of services: a column of Python sets (or lists) of names, bitmasks to C++."""
    rng = np.random.default_rng(11)
    kinds = ["call_center_for_clients", "call_center_system", "seat_rental", "self_use",
             "manpower_outsourcing", "technical_services"]
    n = 300
    ended = pd.Timestamp("2020-06-01") + pd.to_timedelta(rng.integers(0, 60, n), unit="D")
    df = pd.DataFrame({
        "operator.services": [set(rng.choice(kinds, rng.integers(1, 3), replace=False)) for _ in range(n)],
        "operator.internal_controls": rng.random(n) < 0.5,
        "operator.outbound_call_controls": rng.random(n) < 0.5,
        "call.ended_on": ended,
        "call.deleted_on": pd.Series(ended + pd.to_timedelta(rng.integers(10, 60, n), unit="D")).where(
            rng.random(n) < 0.6),
    })
    for spec in call_center.batch_inputs():  # the other facts (yes/no), all given
        if spec.name not in df.columns:
            assert spec.kind == "bool"
            df[spec.name] = rng.random(n) < 0.5
    assert [s.kind for s in call_center.batch_inputs()][0] == "enum_set"
    out = call_center.evaluate_frame(df, as_of=AS_OF)
    assert list(out.columns) == [s.name for s in call_center.batch_outputs()]
    assert out["keep_call_records.violated"].any()
    as_lists = df.assign(**{"operator.services": [sorted(x) for x in df["operator.services"]]})
    pd.testing.assert_frame_equal(call_center.evaluate_frame(as_lists, as_of=AS_OF), out)
    masks = [sum(1 << kinds.index(k) for k in x) for x in df["operator.services"]]
    as_masks = df.assign(**{"operator.services": np.array(masks, dtype=np.int64)})
    pd.testing.assert_frame_equal(call_center.evaluate_frame(as_masks, as_of=AS_OF), out)
    for i in range(n):
        facts = facts_of_row(df, i)
        facts["operator"]["services"] = sorted(facts["operator"]["services"])
        decision = call_center.evaluate(facts, as_of=AS_OF)
        assert frame_row_as_cli(call_center, out, i) == cli_as_frame_row(decision.to_dict()), f"row {i}"


def test_empty_frame(benchmark) -> None:
    df = random_frame(benchmark.batch_inputs(), 0)
    out = benchmark.evaluate_frame(df, as_of=AS_OF)
    assert len(out) == 0 and list(out.columns) == [s.name for s in benchmark.batch_outputs()]


# ---------------------------------------------------------------- the GIL


def _other_thread_share(call) -> tuple:
    """Runs `call` in a thread, again and again for at least half a second (so that the test does
    not depend on how fast one call is); returns (seconds, share of that time this thread ran).

    This thread spins while `call` runs. If `call` holds the GIL, this thread runs only for about
    one switch interval (5 ms) when the call starts; if it releases the GIL, all along. The share
    compares the spins during the call with the spins during a sleep of the same thread (which
    releases the GIL).
    """

    def spins(call):
        state = {"in_call": False, "done": False}

        def worker():
            state["in_call"] = True
            state["start"] = time.perf_counter()
            try:
                call()
                while time.perf_counter() - state["start"] < 0.5:
                    call()
            finally:
                state["end"] = time.perf_counter()
                state["in_call"] = False
                state["done"] = True

        t = threading.Thread(target=worker)
        t.start()
        n = 0
        while not state["done"]:
            if state["in_call"]:
                n += 1
        t.join()
        seconds = state["end"] - state["start"]
        return seconds, n / seconds

    _, free_rate = spins(lambda: time.sleep(0.3))
    seconds, rate = spins(call)
    return seconds, rate / free_rate


def test_row_path_for_list_inputs_equals_row_by_row(lists) -> None:
    """A list cannot be a column: the frame's rows go through Evaluate one by one."""
    rng = np.random.default_rng(12)
    n = 200
    df = pd.DataFrame({
        "tags": [list(rng.choice(["a", "b", "c"], rng.integers(1, 4))) for _ in range(n)],
        "ended_on": pd.Timestamp("2020-06-01") + pd.to_timedelta(rng.integers(0, 60, n), unit="D"),
        "note": pd.Series(["x"] * n).where(rng.random(n) < 0.5),
    })
    out = lists.evaluate_frame(df, as_of=AS_OF)
    for i in range(n):
        decision = lists.evaluate(facts_of_row(df, i), as_of=AS_OF)
        assert frame_row_as_cli(lists, out, i) == cli_as_frame_row(decision.to_dict()), f"row {i}"


def test_row_path_over_several_chunks_equals_row_by_row(lists) -> None:
    """Rows are evaluated a chunk at a time (4096) on several threads: each output row must still be
    its own input row's decision, at the chunks' and the threads' edges too."""
    rng = np.random.default_rng(13)
    n = 10_000
    df = pd.DataFrame({
        "tags": [["t"] * int(k) for k in rng.integers(1, 13, n)],
        "ended_on": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
    })
    out = lists.evaluate_frame(df, as_of=AS_OF)
    rows = [0, 1, 2047, 2048, 4095, 4096, 6143, 6144, 8191, 8192, n - 1] + list(rng.integers(0, n, 30))
    for i in rows:
        decision = lists.evaluate(facts_of_row(df, i), as_of=AS_OF)
        assert frame_row_as_cli(lists, out, i) == cli_as_frame_row(decision.to_dict()), f"row {i}"


def test_gil_is_released_while_evaluating_rows(lists) -> None:
    df = pd.DataFrame({"tags": [["a", "b"]] * 20_000, "ended_on": pd.to_datetime(["2020-06-01"] * 20_000)})
    batch = _frame.encode(lists, df)
    assert batch.columns is None  # the row-by-row path
    seconds, share = _other_thread_share(lambda: _frame.run(batch, as_of=AS_OF))
    assert share > 0.2, (seconds, share)


def test_gil_is_released_while_compiling() -> None:
    rules = "\n".join(f"output o{i}: int\nrule r{i} {{ then o{i} = a + {i} }}" for i in range(250))
    count = iter(range(1_000_000))
    # A new text each time: the compile cache must not answer.
    seconds, share = _other_thread_share(lambda: proviso.compile(f"policy big\ninput {{ a: int }}\n{rules}\n// {next(count)}\n"))
    assert share > 0.2, (seconds, share)


def test_gil_is_released_while_evaluating_a_batch(benchmark) -> None:
    df = random_frame(benchmark.batch_inputs(), 300_000, seed=4)
    batch = _frame.encode(benchmark, df)
    native = benchmark._native
    args = (batch.rows, [c.values for c in batch.columns], [c.present for c in batch.columns],
            [c.dictionary for c in batch.columns], AS_OF, {})
    seconds, share = _other_thread_share(lambda: native.evaluate_batch(*args))
    # A batch this size takes seconds in the interpreter, and milliseconds once compiled (JIT):
    # then the call is too short to tell, and only the interpreter case is judged.
    assert share > 0.2 or seconds < 0.1, (seconds, share)


DEFAULTS = """
policy defaults
input {
  approved: bool = false   // a field with a default: never a fact not given
  requested: bool
}
output denied: bool
rule deny { then denied = requested and not approved }
"""


def test_a_field_with_a_default_may_be_left_out() -> None:
    """`approved: bool = false`: a missing column, or a missing value in it, means the default."""
    policy = proviso.compile(DEFAULTS)
    spec = {s.name: s for s in policy.batch_inputs()}["approved"]
    assert spec.has_default and spec.optional
    df = pd.DataFrame({"requested": [True] * 500})
    without = policy.evaluate_frame(df, as_of=AS_OF)
    explicit = policy.evaluate_frame(df.assign(approved=False), as_of=AS_OF)
    pd.testing.assert_frame_equal(without, explicit)
    assert "missing_facts" not in without.columns and without["denied"].all()
    some = df.assign(approved=pd.array([True, None] * 250, dtype="boolean"))
    mixed = policy.evaluate_frame(some, as_of=AS_OF)
    # Given approvals are used; missing ones take the default (not approved).
    assert (~mixed["denied"].iloc[0::2]).all() and mixed["denied"].iloc[1::2].all()
    # A missing value in the other column is a fact not given: NA and the fact it waits for.
    open_ = policy.evaluate_frame(df.assign(requested=pd.array([True, None] * 250, dtype="boolean")), as_of=AS_OF)
    assert open_["denied"].isna().tolist() == [False, True] * 250
    assert open_["missing_facts"].tolist() == [(), ("requested",)] * 250


def test_str_columns_with_missing_values_equal_categoricals(kinds) -> None:
    """An optional text in a str column: None, NaN and pd.NA are all missing, as in a categorical."""
    df = random_frame(kinds.batch_inputs(), 300, seed=4)
    expected = kinds.evaluate_frame(df, as_of=AS_OF)
    note = df["item.note"].astype(object)
    markers = [None, np.nan, pd.NA]
    for k, i in enumerate(np.flatnonzero(note.isna().to_numpy())):
        note.iloc[i] = markers[k % 3]
    alt = df.assign(**{"item.note": note, "item.color": df["item.color"].astype(object)})
    pd.testing.assert_frame_equal(kinds.evaluate_frame(alt, as_of=AS_OF), expected)


@pytest.mark.parametrize("unit, per_day", [("ns", 86_400_000_000_000), ("us", 86_400_000_000),
                                           ("ms", 86_400_000), ("s", 86_400), ("h", 24), ("D", 1)])
def test_ticks_of_every_unit_become_days(unit, per_day) -> None:
    dates = np.array(["1969-12-31T23", "1970-01-01", "2020-02-29T12", "NaT"], dtype="datetime64[h]").astype(
        f"datetime64[{unit}]")
    assert _frame._ticks_per_day(dates.dtype) == per_day
    days, bad = proviso._proviso.ticks_to_days(dates.view(np.int64), per_day, False)
    expected_days = [-1, 0, 18321, 0]  # floor (a time of day keeps its date); NaT -> 0 (masked)
    assert days.tolist() == expected_days and bad == -1
    spans = np.array([0, 2, -3], dtype="timedelta64[D]").astype(f"timedelta64[{unit}]")
    days, bad = proviso._proviso.ticks_to_days(spans.view(np.int64), per_day, True)
    assert days.tolist() == [0, 2, -3] and bad == -1
    if per_day > 1:
        partial = spans.view(np.int64).copy()
        partial[1] += 1
        assert proviso._proviso.ticks_to_days(partial, per_day, True)[1] == 1
    assert _frame._ticks_per_day(np.dtype("datetime64[2s]")) == 43_200
    assert _frame._ticks_per_day(np.dtype("datetime64[7s]")) is None  # not a whole number per day


def test_an_output_date_beyond_datetime64_ns_is_an_error() -> None:
    policy = proviso.compile("""policy far_dates
input { start: date }
output far: date
rule far_rule { then far = start + 100 years cite "test" }""")
    ok = policy.evaluate_frame(pd.DataFrame({"start": pd.to_datetime(["2000-01-01", "2100-06-30"])}))
    assert ok["far"].tolist() == [pd.Timestamp("2100-01-01"), pd.Timestamp("2200-06-30")]
    with pytest.raises(proviso.ProvisoError, match=r"output `far`, row 1: 2300-06-30 is outside the dates"):
        policy.evaluate_frame(pd.DataFrame({"start": pd.to_datetime(["2000-01-01", "2200-06-30"])}))


def test_a_set_of_a_64_value_enum_uses_every_bit() -> None:
    values = [f"v{k}" for k in range(64)]
    policy = proviso.compile(f"""policy wide_sets
enum Wide {{ {', '.join(values)} }}
input {{ s: set<Wide> }}
output has_last: bool
rule last_rule {{ then has_last = v63 in s }}
output n: int
rule n_rule {{ then n = count(s) }}""")
    assert policy.batch_inputs()[0].kind == "enum_set"
    masks = pd.DataFrame({"s": np.array([1 << 63, 3, 0], dtype=np.uint64)})
    out = policy.evaluate_frame(masks)
    assert out["has_last"].tolist() == [True, False, False] and out["n"].tolist() == [1, 2, 0]
    names = pd.DataFrame({"s": [{"v63"}, ["v0", "v1"], set()]})
    pd.testing.assert_frame_equal(policy.evaluate_frame(names), out)


SET_ALGEBRA = """
policy set_algebra_columns
enum Purpose { marketing, hr, security, research, health, finance }
input { declared: set<Purpose>, consented: set<Purpose>, staff: int }
param sensitive: set<Purpose> = {hr, health} union {finance}
output lawful: bool
rule r1 { then lawful = (declared minus consented) is empty }
output unconsented: int
rule r2 { then unconsented = count(declared minus consented) }
output sensitive_count: int
rule r3 { then sensitive_count = count p in declared where p in sensitive }
output weight: int
rule r4 { then weight = sum p in (declared union consented) where p != marketing: if p == hr then staff else 1 }
output review: bool
rule r5 { then review = (declared intersect sensitive) is not empty and staff > 10 }
output mapped: int
rule r6 { then mapped = count(map p in declared where p != hr: if p == marketing then research else p) }
"""


def test_set_algebra_columns_equal_row_by_row() -> None:
    """Set operations, `is empty`, `where`, `filter`/`map` on enum-set columns (the batch entry),
    with cells not given (NA in a required column), equal the row-by-row decisions."""
    policy = proviso.compile(SET_ALGEBRA)
    rng = np.random.default_rng(17)
    names = ["marketing", "hr", "security", "research", "health", "finance"]
    n = 300
    pick = lambda: set(rng.choice(names, rng.integers(0, 4), replace=False))  # noqa: E731
    df = pd.DataFrame({"declared": [pick() for _ in range(n)],
                       "consented": [pick() if rng.random() < 0.8 else None for _ in range(n)],
                       "staff": rng.integers(0, 30, n)})
    out = policy.evaluate_frame(df, as_of=AS_OF)
    assert out["lawful"].isna().any() and (~out["lawful"].isna()).any()
    for i in range(n):
        d = policy.evaluate(facts_of_row(df, i) if df["consented"].iloc[i] is not None else
                            {"declared": sorted(df["declared"].iloc[i]), "staff": int(df["staff"].iloc[i])},
                            as_of=AS_OF)
        for name in policy.outputs:
            cell = out[name].iloc[i]
            if name in d.undetermined:
                assert pd.isna(cell), (i, name)
            else:
                assert cell == d[name], (i, name)
        assert set(out["missing_facts"].iloc[i]) == set(d.missing_facts), i


PER_ITEM = """
policy per_item_columns
record Activity { id: text, subjects: int, recorded: bool }
input { activities: list<Activity> }
param threshold: int = 250
for each a in activities key a.id {
  output lacks_record: bool
  rule lacks { then lacks_record = a.subjects > threshold and not a.recorded }
}
output lacking_count: int
rule count_lacking { then lacking_count = count a in activities where lacks_record of a }
output review: bool
rule over { then review = (count a in activities where lacks_record of a) > 2 }
"""


def test_per_item_aggregates_in_a_frame() -> None:
    """`lacks_record of a` in a count: a policy with a `for each` goes row by row; its policy-level
    outputs are columns, equal to each row's Decision, and wait for facts not given."""
    policy = proviso.compile(PER_ITEM)

    def activity(k: int, recorded) -> dict:
        a = {"id": f"A-{k}", "subjects": 100 * k}
        if recorded is not None:
            a["recorded"] = recorded
        return a
    rows = [[activity(3, False), activity(4, True)], [activity(k, False) for k in range(3, 7)],
            [activity(3, None), activity(4, False)], []]
    out = policy.evaluate_frame(pd.DataFrame({"activities": rows}), as_of=AS_OF)
    assert out["lacking_count"].tolist()[:2] == [1, 4] and pd.isna(out["lacking_count"].iloc[2])
    assert not bool(out["review"].iloc[0]) and bool(out["review"].iloc[1])
    for i, acts in enumerate(rows):
        d = policy.evaluate({"activities": acts}, as_of=AS_OF)
        if "lacking_count" in d.undetermined:
            assert pd.isna(out["lacking_count"].iloc[i]) and "activities[].recorded" in d.missing_facts
        else:
            assert out["lacking_count"].iloc[i] == d["lacking_count"]
