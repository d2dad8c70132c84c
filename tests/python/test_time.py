"""Time: date-times, durations to the second, evaluation instants, deadline kinds and statuses,
`for each` items and `law as of`, in facts, decisions and frames."""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import proviso
from proviso import _frame
from conftest import ROOT, cli_decision
from frame_data import cli_as_frame_row, facts_of_row, frame_row_as_cli, random_frame

HERE = Path(__file__).parent / "policies"
UTC = dt.timezone.utc
AS_OF = "2024-03-10T12:00:00Z"
STATUSES = ["none", "pending", "met", "overdue", "early", "breached", "undetermined"]


@pytest.fixture(scope="module")
def breach():
    return proviso.compile(HERE / "breach.proviso")


@pytest.fixture(scope="module")
def kinds():
    return proviso.compile(HERE / "deadline_kinds.proviso")


@pytest.fixture(scope="module")
def transfers():
    return proviso.compile(HERE / "transfers.proviso")


@pytest.fixture(scope="module")
def timed_lists():
    return proviso.compile(HERE / "timed_lists.proviso")


def facts(**changes):
    base = {"aware_at": "2024-03-04T08:00:00Z", "kept": "36 hours", "notified_at": None}  # None: not notified
    return {**base, **changes}


# ---------------------------------------------------------------- facts


@pytest.mark.parametrize("aware_at", [
    "2024-03-04T16:00:00+08:00",
    dt.datetime(2024, 3, 4, 16, tzinfo=dt.timezone(dt.timedelta(hours=8))),  # aware: to UTC
    dt.datetime(2024, 3, 4, 8),                                              # naive: UTC
    pd.Timestamp("2024-03-04T08:00:00"),
    pd.Timestamp("2024-03-04T03:00:00", tz="America/New_York"),
    np.datetime64("2024-03-04T08:00:00"),
    np.datetime64("2024-03-04T08:00:00.000000000"),                           # a zero fraction
], ids=["iso-offset", "aware", "naive", "timestamp", "timestamp-tz", "datetime64", "datetime64-ns"])
def test_a_datetime_fact_is_an_instant_in_utc(breach, aware_at, tmp_path) -> None:
    d = breach.evaluate(facts(aware_at=aware_at), as_of=AS_OF)
    assert d["notify_by"] == "2024-03-07T08:00:00Z"
    [o] = d.obligations
    assert o.deadline == dt.datetime(2024, 3, 7, 8, tzinfo=UTC)
    assert (o.deadline_kind, o.status, o.violated) == ("by", "overdue", True)
    assert d.to_dict() == cli_decision(HERE / "breach.proviso", facts(), "--as-of", AS_OF, tmp_path=tmp_path)


def test_a_midnight_is_a_date_or_an_instant_as_the_field_needs(breach, benchmark) -> None:
    # A datetime field given a midnight: the instant (the SDK refuses the date form, which is tried first).
    for midnight in (pd.Timestamp("2024-03-04"), dt.datetime(2024, 3, 4), np.datetime64("2024-03-04")):
        assert breach.evaluate(facts(aware_at=midnight), as_of=AS_OF)["notify_by"] == "2024-03-07T00:00:00Z"
    # A date field given a midnight: its date; an aware one at local midnight: its local date.
    base = json.loads((Path(__file__).parents[2] / "policies/cn/examples/benchmark_policy.json").read_text())
    expected = benchmark.evaluate(base, as_of="2020-09-01").to_dict()
    for midnight in (dt.datetime(2020, 7, 1), pd.Timestamp("2020-07-01", tz="Asia/Shanghai"),
                     np.datetime64("2020-07-01")):
        assert benchmark.evaluate({**base, "call_ended_on": midnight}, as_of="2020-09-01").to_dict() == expected


@pytest.mark.parametrize("value", [dt.datetime(2020, 7, 1, 5), pd.Timestamp("2020-07-01T00:00:01"),
                                   pd.Timestamp("2020-07-01T08:00", tz="Asia/Shanghai")])
def test_a_time_of_day_for_a_date_field_is_an_error(benchmark, value) -> None:
    base = json.loads((Path(__file__).parents[2] / "policies/cn/examples/benchmark_policy.json").read_text())
    with pytest.raises(proviso.FactsError, match="has a time of day, but the field is a date") as info:
        benchmark.evaluate({**base, "call_ended_on": value}, as_of="2020-09-01")
    assert info.value.path == "call_ended_on"
    assert str(info.value).startswith("`call_ended_on`: ")


def test_fractions_of_a_second_are_errors(breach) -> None:
    with pytest.raises(proviso.FactsError, match="fraction of a second") as info:
        breach.evaluate(facts(aware_at=dt.datetime(2024, 3, 4, 8, 0, 0, 500)), as_of=AS_OF)
    assert info.value.path == "aware_at"
    with pytest.raises(proviso.FactsError, match="fraction of a second") as info:
        breach.evaluate(facts(notified_at=pd.Timestamp("2024-03-05T00:00:00.000000001")), as_of=AS_OF)
    assert info.value.path == "notified_at"
    for kept in (dt.timedelta(seconds=1, microseconds=1), pd.Timedelta(milliseconds=1500),
                 np.timedelta64(1, "ms")):
        with pytest.raises(proviso.FactsError, match="fraction of a second") as info:
            breach.evaluate(facts(kept=kept), as_of=AS_OF)
        assert info.value.path == "kept"


@pytest.mark.parametrize("kept, seconds", [
    (dt.timedelta(hours=36, seconds=5), 129_605),
    (pd.Timedelta("1 day 00:00:01"), 86_401),
    (np.timedelta64(90, "m"), 5_400),
    (np.timedelta64(129_605_000_000_000, "ns"), 129_605),
    (dt.timedelta(days=-1, hours=1), -82_800),
    (dt.timedelta(days=20_000, seconds=7), 20_000 * 86_400 + 7),  # more seconds than 9 digits
    ("PT36H", 129_600),
])
def test_durations_are_to_the_second(breach, kept, seconds) -> None:
    assert breach.evaluate(facts(kept=kept), as_of=AS_OF)["kept_seconds"] == seconds


def test_as_of_may_be_an_instant(breach) -> None:
    # The deadline is 2024-03-07T08:00:00Z: one second before it is pending, one after overdue.
    before = [dt.datetime(2024, 3, 7, 7, 59, 59, tzinfo=UTC), "2024-03-07T15:59:59+08:00",
              pd.Timestamp("2024-03-07T07:59:59"), np.datetime64("2024-03-07T07:59:59"),
              dt.datetime(2024, 3, 7, 7, 59, 59, 999_999)]  # a fraction of as_of is dropped
    for as_of in before:
        d = breach.evaluate(facts(), as_of=as_of)
        assert d.obligation("notify").status == "pending", as_of
        assert d.now == dt.datetime(2024, 3, 7, 7, 59, 59, tzinfo=UTC)
        assert d.as_of == dt.date(2024, 3, 7)
        assert d.to_dict()["as_of"] == "2024-03-07T07:59:59Z"
        assert d["late"] is False
    after = breach.evaluate(facts(), as_of=pd.Timestamp("2024-03-07T08:00:01Z"))
    assert after.obligation("notify").status == "overdue" and after["late"] is True
    # A date is its midnight, UTC.
    for as_of in (dt.date(2024, 3, 7), "2024-03-07"):
        d = breach.evaluate(facts(), as_of=as_of)
        assert d.now == dt.datetime(2024, 3, 7, tzinfo=UTC) and d.to_dict()["as_of"] == "2024-03-07"
    with pytest.raises(proviso.ProvisoError, match="not a valid date"):
        breach.evaluate(facts(), as_of="2024-03-07T08:00:00")  # no zone: not an instant
    with pytest.raises(TypeError):
        breach.evaluate(facts(), as_of=20240307)


def test_explain_uses_the_decisions_instant(breach) -> None:
    d = breach.evaluate(facts(), as_of="2024-03-07T07:59:59Z")
    assert d.explain().count("[pending]") == 1
    assert breach.evaluate(facts(), as_of="2024-03-07T08:00:01Z").explain().count("[overdue]") == 1


def test_datetime_and_duration_params(breach, tmp_path) -> None:
    for within in (dt.timedelta(hours=48), pd.Timedelta(hours=48), np.timedelta64(48, "h"), "48 hours"):
        d = breach.evaluate(facts(), as_of=AS_OF, params={"notify_within": within})
        assert d["notify_by"] == "2024-03-06T08:00:00Z"
        assert d.obligation("notify").deadline == dt.datetime(2024, 3, 6, 8, tzinfo=UTC)
    assert d.to_dict() == cli_decision(HERE / "breach.proviso", facts(), "--as-of", AS_OF,
                                       "--set", "notify_within=48 hours", tmp_path=tmp_path)
    # A datetime param: given a midnight, then an instant with a time of day in another zone.
    assert breach.evaluate(facts(), as_of=AS_OF, params={"cutoff": pd.Timestamp("2024-03-05")})["after_cutoff"] is False
    cutoff = dt.datetime(2024, 3, 4, 16, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # 08:00 UTC
    assert breach.evaluate(facts(), as_of=AS_OF, params={"cutoff": cutoff})["after_cutoff"] is True
    assert breach.evaluate(facts(), as_of=AS_OF, params={"cutoff": cutoff + dt.timedelta(seconds=1)})[
        "after_cutoff"] is False
    # A date param: a midnight is its date; a time of day is an error naming the param.
    assert breach.evaluate(facts(), as_of=AS_OF, params={"report_day": dt.datetime(2024, 3, 11)})["report_due"] is False
    assert breach.evaluate(facts(), as_of=AS_OF, params={"report_day": dt.date(2024, 3, 10)})["report_due"] is True
    with pytest.raises(proviso.FactsError, match="has a time of day, but the param is a date") as info:
        breach.evaluate(facts(), as_of=AS_OF, params={"report_day": dt.datetime(2024, 3, 11, 9)})
    assert info.value.path == "report_day"


# ---------------------------------------------------------------- decisions


def test_deadline_kinds_and_statuses(kinds, tmp_path) -> None:
    given = dict(aware_at=dt.datetime(2024, 2, 10, 8), notified_at=pd.Timestamp("2024-02-13T16:00:00+08:00"),
                 filed_on=dt.date(2024, 2, 20), created_on=dt.date(2022, 1, 10), deleted_on=None,
                 last_report_on="2023-03-20", delay_undue=False, notified=True)
    d = kinds.evaluate(given, as_of="2024-02-15")
    got = {o.name: (o.deadline_kind, o.status, o.deadline, o.violated) for o in d.obligations}
    assert got == {
        "notify": ("by", "met", dt.datetime(2024, 2, 13, 8, tzinfo=UTC), False),
        "file_in_window": ("by", "early", dt.date(2024, 3, 31), True),
        "keep_records": ("retention", "pending", dt.date(2025, 1, 10), False),
        "annual_report": ("recurring", "pending", dt.date(2024, 3, 31), False),
        "inform_promptly": ("open", "pending", None, False),
        "stated_only": ("by", "met", dt.date(2024, 2, 1), False),
    }
    assert d.obligation("inform_promptly").standard == "without undue delay"
    assert d.obligation("notify").standard is None and d.obligation("notify").item is None
    assert str(d.obligation("keep_records")).endswith("keep until 2025-01-10 [pending]")
    assert str(d.obligation("inform_promptly")).endswith("without undue delay [pending]")
    assert str(d.obligation("notify")).endswith("by 2024-02-13T08:00:00Z [met]")
    late = kinds.evaluate({**given, "deleted_on": dt.date(2024, 6, 30), "notified": False, "filed_on": "2024-04-01",
                           "notified_at": "2024-02-13T08:00:01Z", "delay_undue": True}, as_of="2024-05-01")
    assert {o.name: o.status for o in late.obligations} == {
        "notify": "overdue", "file_in_window": "overdue", "keep_records": "breached", "annual_report": "overdue",
        "inform_promptly": "overdue", "stated_only": "overdue"}
    wire = {**given, "aware_at": "2024-02-10T08:00:00Z", "notified_at": "2024-02-13T08:00:00Z",
            "filed_on": "2024-02-20", "created_on": "2022-01-10"}
    assert d.to_dict() == cli_decision(HERE / "deadline_kinds.proviso", wire, "--as-of", "2024-02-15",
                                       tmp_path=tmp_path)


def test_for_each_items_and_per_item_obligations(transfers, tmp_path) -> None:
    given = {"transfers": [
        {"id": "T-1", "made_at": dt.datetime(2020, 6, 1, 10), "made_on": dt.date(2020, 6, 1), "amount": 500},
        {"id": "T-2", "made_at": pd.Timestamp("2021-02-01T10:00", tz="Europe/Paris"),
         "made_on": dt.date(2021, 2, 1), "amount": 500},
    ]}
    d = transfers.evaluate(given, as_of="2021-02-02T12:00:00Z")
    assert d.outputs == {"count_all": 2}  # per-item outputs are in items, not here
    assert d.items == [
        proviso.Item(proviso.ItemRef("transfer", 0, "T-1"), dt.date(2020, 6, 1), {"large": False}),
        proviso.Item(proviso.ItemRef("transfer", 1, "T-2"), dt.date(2021, 2, 1), {"large": True}),
    ]
    [o] = d.obligations
    assert o.name == "report" and o.item == proviso.ItemRef("transfer", 1, "T-2")
    assert o.deadline == dt.datetime(2021, 2, 3, 9, tzinfo=UTC) and o.status == "pending"
    assert d.obligation("report") is None  # not the policy's own
    assert d.obligation("report", item="T-2") == o and d.obligation("report", item=o.item) == o
    assert d.law_as_of is None  # no top-level `law as of`
    assert "(for transfer T-2)" in str(o)
    wire = {"transfers": [{**t, "made_at": a, "made_on": t["made_on"].isoformat()}
                          for t, a in zip(given["transfers"], ["2020-06-01T10:00:00Z", "2021-02-01T09:00:00Z"])]}
    assert d.to_dict() == cli_decision(HERE / "transfers.proviso", wire, "--as-of", "2021-02-02T12:00:00Z",
                                       tmp_path=tmp_path)


def test_law_as_of(tmp_path) -> None:
    policy = proviso.compile(HERE / "dated_law.proviso", backend="interpreter")
    old = policy.evaluate({"signed_on": dt.date(2020, 5, 1), "amount": 500}, as_of="2022-01-01")
    assert old.law_as_of == dt.date(2020, 5, 1) and old["large"] is False  # the 2020 limit: 1000
    new = policy.evaluate({"signed_on": dt.date(2021, 5, 1), "amount": 500}, as_of="2022-01-01")
    assert new.law_as_of == dt.date(2021, 5, 1) and new["large"] is True
    assert old.to_dict()["law_as_of"] == "2020-05-01"


def test_law_as_of_with_the_jit() -> None:
    policy = proviso.compile(HERE / "dated_law.proviso")
    assert policy.evaluate({"signed_on": "2020-05-01", "amount": 500}, as_of="2022-01-01").law_as_of == \
        dt.date(2020, 5, 1)


# ---------------------------------------------------------------- frames


def breach_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "aware_at": pd.to_datetime(["2024-03-04T08:00:00", "2024-03-09T23:30:00", "2024-03-01T00:00:00"]),
        "notified_at": pd.to_datetime(["2024-03-05T10:00:00", None, "2024-03-06T00:00:01"]),
        "kept": pd.to_timedelta(["36h", "1 day 00:00:01", "0s"]),
    }, index=["a", "b", "c"])


def test_frame_of_datetimes_and_durations(breach) -> None:
    out = breach.evaluate_frame(breach_frame(), as_of=AS_OF)
    assert list(out.index) == ["a", "b", "c"]
    assert str(out["notify_by"].dtype) == "datetime64[ns, UTC]"
    assert out["notify_by"].tolist() == [pd.Timestamp("2024-03-07T08:00:00Z"), pd.Timestamp("2024-03-12T23:30:00Z"),
                                         pd.Timestamp("2024-03-04T00:00:00Z")]
    assert str(out["notify.deadline"].dtype) == "datetime64[ns, UTC]"
    assert (out["notify.deadline"] == out["notify_by"]).all()
    assert out["kept_seconds"].tolist() == [129_600, 86_401, 0]  # timedelta64 -> seconds, exactly
    assert out["late"].tolist() == [False, False, True]
    status = out["notify.status"]
    assert isinstance(status.dtype, pd.CategoricalDtype) and list(status.cat.categories) == STATUSES
    assert status.tolist() == ["met", "pending", "overdue"]
    assert out["notify.violated"].tolist() == [False, False, True]


def test_frame_datetime_columns_of_every_form_are_equivalent(breach) -> None:
    df = breach_frame()
    expected = breach.evaluate_frame(df, as_of=AS_OF)
    aware = df.assign(aware_at=df["aware_at"].dt.tz_localize("UTC").dt.tz_convert("Asia/Tokyo"),
                      notified_at=df["notified_at"].dt.tz_localize("UTC").dt.tz_convert("America/Los_Angeles"))
    pd.testing.assert_frame_equal(breach.evaluate_frame(aware, as_of=AS_OF), expected)
    def objects(*values):
        return pd.Series(values, index=df.index, dtype=object)

    objects = df.assign(
        aware_at=objects(dt.datetime(2024, 3, 4, 8), pd.Timestamp("2024-03-10T00:30:00+01:00"), "2024-03-01T00:00:00Z"),
        notified_at=objects(np.datetime64("2024-03-05T10:00:00"), None, "2024-03-06T09:00:01+09:00"),
        kept=objects(dt.timedelta(hours=36), np.timedelta64(86_401, "s"), pd.Timedelta(0)),
    )
    assert (objects.dtypes == object).all()
    pd.testing.assert_frame_equal(breach.evaluate_frame(objects, as_of=AS_OF), expected)
    days = df.assign(kept=[2, 1, 0])  # int columns are whole days
    assert breach.evaluate_frame(days, as_of=AS_OF)["kept_seconds"].tolist() == [172_800, 86_400, 0]


@pytest.mark.parametrize("column, values, row, why", [
    ("aware_at", pd.to_datetime(["2024-03-04", "2024-03-04T00:00:00.5", "2024-03-04"]), 1, "has a fraction of a second"),
    ("aware_at", ["2024-03-04T08:00:00Z", "2024-03-04T08:00:00", "x"], 1, "expected a date-time"),
    ("aware_at", ["2024-03-04T08:00:00Z", "2024-03-04T08:00:00.25Z", "x"], 1, "expected a date-time"),
    ("aware_at", [dt.datetime(2024, 3, 4), dt.datetime(2024, 3, 4, 0, 0, 0, 1), 7], 1, "has a fraction of a second"),
    ("aware_at", [dt.datetime(2024, 3, 4), dt.date(2024, 3, 4), 7], 1, "expected a date-time"),
    ("kept", pd.to_timedelta(["1s", "2s", "1ms"]), 2, "has a fraction of a second"),
    ("kept", [dt.timedelta(0), pd.Timedelta(microseconds=1), 7.5], 1, "has a fraction of a second"),
])
def test_frame_time_errors_name_column_and_row(breach, column, values, row, why) -> None:
    df = breach_frame()
    df[column] = values
    with pytest.raises(proviso.FactsError, match=why) as info:
        breach.evaluate_frame(df, as_of=AS_OF)
    assert (info.value.column, info.value.row) == (column, row)
    assert f"column `{column}`, row {row} (index {df.index[row]!r})" in str(info.value)


def test_frame_nat_is_missing(breach) -> None:
    df = breach_frame()
    df.loc["a", "aware_at"] = pd.NaT  # a required instant not given: row "a" waits for it
    out = breach.evaluate_frame(df, as_of=AS_OF)
    assert out["notify.status"].tolist() == ["undetermined", "pending", "overdue"]
    assert out["notify_by"].isna().tolist() == [True, False, False]
    assert out["missing_facts"].tolist() == [("aware_at",), (), ()]
    out = breach.evaluate_frame(breach_frame().assign(notified_at=pd.NaT), as_of=AS_OF)
    assert out["notify.status"].tolist() == ["overdue", "pending", "overdue"]


def test_frame_date_column_with_a_time_of_day_is_an_error(benchmark) -> None:
    df = random_frame(benchmark.batch_inputs(), 20, seed=5)
    ok = benchmark.evaluate_frame(df, as_of="2020-09-01")
    aware = df.assign(call_ended_on=df["call_ended_on"].dt.tz_localize("Asia/Shanghai"))  # local midnights
    pd.testing.assert_frame_equal(benchmark.evaluate_frame(aware, as_of="2020-09-01"), ok)
    df.loc[6, "call_ended_on"] += pd.Timedelta(hours=5)
    with pytest.raises(proviso.FactsError, match=r"column `call_ended_on`, row 6: .* has a time of day") as info:
        benchmark.evaluate_frame(df, as_of="2020-09-01")
    assert (info.value.column, info.value.row) == ("call_ended_on", 6)
    objects = df.assign(call_ended_on=df["call_ended_on"].astype(object))
    with pytest.raises(proviso.FactsError, match="has a time of day") as info:
        benchmark.evaluate_frame(objects, as_of="2020-09-01")
    assert (info.value.column, info.value.row) == ("call_ended_on", 6)


def test_frame_equals_row_by_row_with_seconds(breach) -> None:
    df = random_frame(breach.batch_inputs(), 300, seed=21, seconds=True)
    params = {"notify_within": dt.timedelta(hours=50, seconds=7)}
    out = breach.evaluate_frame(df, as_of="2020-08-20T06:30:00Z", params=params)
    assert set(out["notify.status"]) == {"pending", "met", "overdue"}
    for i in range(len(df)):
        d = breach.evaluate(facts_of_row(df, i), as_of="2020-08-20T06:30:00Z", params=params)
        assert frame_row_as_cli(breach, out, i) == cli_as_frame_row(d.to_dict()), f"row {i}"


def test_frame_statuses_of_every_deadline_kind_equal_row_by_row(kinds) -> None:
    df = random_frame(kinds.batch_inputs(), 300, seed=22)
    # Some retentions end before the evaluation date (met), others after a deletion (breached).
    df.loc[::2, "created_on"] -= pd.Timedelta(days=4 * 365)
    as_of = pd.Timestamp("2020-09-01T12:00:00", tz="Europe/Berlin")
    out = kinds.evaluate_frame(df, as_of=as_of)
    names = ["notify", "file_in_window", "keep_records", "annual_report", "inform_promptly", "stated_only"]
    for name in names:
        assert list(out[f"{name}.status"].cat.categories) == STATUSES
    seen = set().union(*(set(out[f"{n}.status"]) for n in names))
    assert {"pending", "met", "overdue", "breached"} <= seen
    for i in range(len(df)):
        d = kinds.evaluate(facts_of_row(df, i), as_of=as_of)
        assert frame_row_as_cli(kinds, out, i) == cli_as_frame_row(d.to_dict()), f"row {i}"


def test_row_path_with_datetimes(timed_lists) -> None:
    """A list input: rows go through Evaluate; date-times go to a datetime field as instants and to a
    date field as dates (midnights), and the status and date-time columns come back the same."""
    df = pd.DataFrame({
        "tags": [["a"], ["a", "b"], []],
        "opened_at": pd.to_datetime(["2024-03-04T08:00:00", "2024-03-09", "2024-03-10T11:59:59"]),
        "opened_on": pd.to_datetime(["2024-03-04", "2024-03-09", "2024-03-10"]).tz_localize("Asia/Tokyo"),
        "wait": pd.to_timedelta(["90min", "1s", "0s"]),
    })
    assert _frame.encode(timed_lists, df).columns is None  # the row path
    out = timed_lists.evaluate_frame(df, as_of=AS_OF)
    assert str(out["ready_at"].dtype) == "datetime64[ns, UTC]"
    assert out["ready_at"].tolist() == [pd.Timestamp("2024-03-04T09:30:00Z"), pd.Timestamp("2024-03-09T00:00:02Z"),
                                        pd.Timestamp("2024-03-10T11:59:59Z")]
    assert out["day_start"].tolist() == [pd.Timestamp(d, tz="UTC") for d in ["2024-03-04", "2024-03-09", "2024-03-10"]]
    assert out["close.deadline"].tolist() == [pd.Timestamp("2024-03-05T08:00:00Z"), pd.Timestamp("2024-03-10T00:00:00Z"),
                                              pd.Timestamp("2024-03-11T11:59:59Z")]
    assert out["close.status"].tolist() == ["none", "none", "pending"]  # nothing says whether it was done
    for i in range(len(df)):
        d = timed_lists.evaluate(facts_of_row(df, i), as_of=AS_OF)
        assert frame_row_as_cli(timed_lists, out, i) == cli_as_frame_row(d.to_dict()), f"row {i}"
    late = df.assign(opened_on=df["opened_on"] + pd.Timedelta(hours=1))
    with pytest.raises(proviso.FactsError, match="has a time of day, but the field is a date") as info:
        timed_lists.evaluate_frame(late, as_of=AS_OF)
    assert (info.value.row, info.value.column) == (0, "opened_on")
    fraction = df.assign(opened_at=df["opened_at"] + pd.Timedelta(milliseconds=1))
    with pytest.raises(proviso.FactsError, match=r"column `opened_at`, row 0: .* fraction of a second"):
        timed_lists.evaluate_frame(fraction, as_of=AS_OF)


def test_the_outputs_of_a_for_each_are_no_frame_columns(transfers) -> None:
    # A frame has one row per record: the outputs decided per element live in Decision.items.
    df = pd.DataFrame({"transfers": [[{"id": "T-1", "made_at": "2020-06-01T10:00:00Z", "made_on": "2020-06-01",
                                       "amount": 5000}, {"id": "T-2", "made_at": "2020-06-02T10:00:00Z",
                                                         "made_on": "2020-06-02", "amount": 1}]]})
    frame = transfers.evaluate_frame(df, as_of="2021-01-01")
    assert frame.columns.tolist() == ["count_all"] and frame["count_all"].tolist() == [2]
    items = transfers.evaluate({"transfers": df["transfers"][0]}, as_of="2021-01-01").items
    assert [(i.ref.key, i.outputs) for i in items] == [("T-1", {"large": True}), ("T-2", {"large": False})]


def test_what_if_counts_statuses(breach) -> None:
    df = random_frame(breach.batch_inputs(), 2000, seed=23, seconds=True)
    result = proviso.what_if(breach, df, {"48 hours": {"notify_within": dt.timedelta(hours=48)}},
                             as_of="2020-08-20T06:30:00Z")
    counts = result.counts.set_index(["outcome", "scenario"])["rows"]
    for scenario, frame in [("baseline", result.baseline), ("48 hours", result.results["48 hours"])]:
        for status in STATUSES:
            assert counts[(f"notify.status = {status}", scenario)] == (frame["notify.status"] == status).sum()
    assert counts[("notify.status = overdue", "48 hours")] > counts[("notify.status = overdue", "baseline")]
    changed = result.changes[result.changes["outcome"] == "notify.status"]
    assert set(changed["baseline"]) <= {"pending", "met"} and set(changed["value"]) == {"overdue"}
    assert result.summary.loc["48 hours", "deadlines changed"] == len(df)
    deadline = result.changes[result.changes["outcome"] == "notify.deadline"].iloc[0]
    assert deadline["baseline"] - deadline["value"] == pd.Timedelta(hours=24)


# ---------------------------------------------------------------- the guide


def test_the_guides_examples_run_and_show_true_values(monkeypatch) -> None:
    """The Python examples of docs/sdk-python.md, "Date-times, durations and deadlines", run in
    order; each expression followed by `# value` must give that repr."""
    text = (ROOT / "docs" / "sdk-python.md").read_text()
    section = text.split("\n## Date-times, durations and deadlines\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 3
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    checked = 0
    for block in blocks:
        lines = block.splitlines()
        for node in ast.parse(block).body:
            line = lines[node.end_lineno - 1]
            if isinstance(node, ast.Expr) and "  # " in line:
                shown = line[line.index("  # ") + 4:].strip()
                value = eval(compile(ast.Expression(node.value), "sdk-python.md", "eval"), namespace)
                assert repr(value) == shown, ast.get_source_segment(block, node)
                checked += 1
            else:
                exec(compile(ast.Module([node], []), "sdk-python.md", "exec"), namespace)
    assert checked == 15
