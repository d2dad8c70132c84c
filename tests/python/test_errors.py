"""Errors: every one a ProvisoError (a ValueError) with its structured fields."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

import proviso
from proviso import _frame
from conftest import AS_OF, POLICIES, run_cli
from frame_data import random_frame

BAD_POLICY = """policy bad
input { a: int }
output y: bool
rule r { then y = a }
output z: int
rule s { then z = undefined_name }
"""


def test_compile_error_carries_every_diagnostic(tmp_path) -> None:
    with pytest.raises(proviso.ProvisoError) as info:
        proviso.compile(BAD_POLICY, name="bad.proviso")
    e = info.value
    assert isinstance(e, ValueError) and isinstance(e, proviso.CompileError)
    errors = [d for d in e.diagnostics if d["severity"] == "error"]
    assert len(errors) == 2
    first = errors[0]
    assert set(first) >= {"severity", "code", "message", "file", "line", "column", "help"}
    assert (first["file"], first["line"], first["column"]) == ("bad.proviso", 4, 19)
    assert first["code"].startswith("E")
    assert str(e).startswith("bad.proviso:4:19: ")
    assert "(2 errors)" in str(e)
    assert "undefined_name" in errors[1]["message"] and errors[1]["line"] == 6
    assert "^" in e.rendered
    # The same diagnostics as `proviso check` reports for the file.
    f = tmp_path / "bad.proviso"
    f.write_text(BAD_POLICY)
    with pytest.raises(proviso.CompileError) as from_file:
        proviso.compile(f)
    assert [(d["line"], d["column"], d["code"]) for d in from_file.value.diagnostics] == \
        [(d["line"], d["column"], d["code"]) for d in e.diagnostics]
    assert from_file.value.diagnostics[0]["file"] == str(f)


def test_missing_policy_file() -> None:
    with pytest.raises(proviso.CompileError) as info:
        proviso.compile("no/such/policy.proviso")
    assert "no/such/policy.proviso" in str(info.value)


def test_compile_rejects_name_for_a_path_and_non_text() -> None:
    with pytest.raises(TypeError):
        proviso.compile(POLICIES / "call_center.proviso", name="x")
    with pytest.raises(TypeError):
        proviso.compile(42)  # type: ignore[arg-type]


def test_facts_errors_name_the_field(call_center, tmp_path) -> None:
    facts = json.loads((POLICIES / "examples" / "call_center.json").read_text())
    bad_enum = json.loads(json.dumps(facts))
    bad_enum["operator"]["services"] = ["call_center_for_clients", "telemarketing"]
    with pytest.raises(proviso.FactsError) as info:
        call_center.evaluate(bad_enum, as_of=AS_OF)
    assert info.value.path == "operator.services[1]"
    assert info.value.row is None and info.value.column is None  # [1] is the set's element, not a row
    assert "telemarketing" in str(info.value)
    # The CLI reports the same problem.
    r = run_cli(POLICIES / "call_center.proviso", bad_enum, tmp_path=tmp_path)
    assert r.returncode == 1 and str(info.value) in r.stderr

    # A field left out is not an error but a fact not given: what depends on it is undetermined.
    missing = json.loads(json.dumps(facts))
    del missing["call"]["ended_on"]
    d = call_center.evaluate(missing, as_of=AS_OF)
    assert "call.ended_on" in d.missing_facts
    with pytest.raises(proviso.FactsError) as info:  # null is not "not given" for a required field
        call_center.evaluate({**facts, "call": {"ended_on": None}}, as_of=AS_OF)
    assert info.value.path == "call.ended_on"

    with pytest.raises(proviso.FactsError) as info:
        call_center.evaluate({**facts, "call": {"ended_on": dt.timedelta(hours=5)}}, as_of=AS_OF)
    assert info.value.path == "call.ended_on"

    with pytest.raises(proviso.FactsError) as info:
        call_center.evaluate({**facts, "call": {"ended_on": object()}}, as_of=AS_OF)
    assert info.value.path == "call.ended_on"

    with pytest.raises(proviso.FactsError) as info:
        call_center.evaluate({**facts, "operator": {**facts["operator"], "internal_controls": 2**70}}, as_of=AS_OF)
    assert info.value.path == "operator.internal_controls"


def test_evaluation_error_carries_the_location(call_center, tmp_path) -> None:
    facts = {"operator": {"services": ["seat_rental"]}, "call": {"ended_on": "2020-06-01"}}
    both = {"excluded_services": ["self_use", "manpower_outsourcing", "technical_services", "seat_rental"]}
    with pytest.raises(proviso.EvaluationError) as info:
        call_center.evaluate(facts, as_of=AS_OF, params=both)
    e = info.value
    assert isinstance(e, ValueError)
    assert "conflict" in str(e)
    assert e.location is not None and e.location.file.endswith("call_center.proviso") and e.location.line > 0
    assert str(e).startswith(str(e.location))
    r = run_cli(POLICIES / "call_center.proviso", facts, "--as-of", AS_OF, "--set",
                'excluded_services=["self_use", "manpower_outsourcing", "technical_services", "seat_rental"]',
                tmp_path=tmp_path)
    assert r.returncode == 1 and str(e) in r.stderr


def test_option_errors(benchmark) -> None:
    facts = json.loads((POLICIES / "examples" / "benchmark_policy.json").read_text())
    with pytest.raises(proviso.FactsError) as info:
        benchmark.evaluate(facts, params={"no_such_param": 1})
    assert info.value.path == "no_such_param" and "min_retention" in str(info.value)
    with pytest.raises(proviso.FactsError) as info:
        benchmark.evaluate(facts, params={"min_retention": "sixty days"})
    assert info.value.path == "min_retention"
    with pytest.raises(proviso.ProvisoError, match="not a valid date"):
        benchmark.evaluate(facts, as_of="2020-13-45")


# ---------------------------------------------------------------- frames


@pytest.fixture()
def frame(benchmark) -> pd.DataFrame:
    return random_frame(benchmark.batch_inputs(), 50, seed=3)


def test_frame_missing_column(benchmark, frame) -> None:
    # A column left out is an error (a misspelt name must not make every row undetermined) ...
    with pytest.raises(proviso.FactsError) as info:
        benchmark.evaluate_frame(frame.drop(columns=["degree"]), as_of=AS_OF)
    assert info.value.column == "degree" and "missing column `degree`" in str(info.value)
    assert "unknown=" in str(info.value)
    # ... unless unknown= says it is a fact not given.
    out = benchmark.evaluate_frame(frame.drop(columns=["degree"]), as_of=AS_OF, unknown=["degree"])
    assert out["level"].isna().all() and all("degree" in m for m in out["missing_facts"])


def test_frame_na_in_a_required_column_is_a_fact_not_given(benchmark, frame) -> None:
    df = frame.copy()
    df["object"] = df["object"].astype(object)
    df.loc[[11, 14], "object"] = None
    out = benchmark.evaluate_frame(df, as_of=AS_OF)
    full = benchmark.evaluate_frame(frame, as_of=AS_OF)
    waiting = [i for i, m in enumerate(out["missing_facts"]) if m]
    assert waiting and set(waiting) <= {11, 14}
    assert all(m == ("object",) for m in out["missing_facts"].iloc[waiting])
    rest = [i for i in range(len(df)) if i not in (11, 14)]
    pd.testing.assert_frame_equal(out.drop(columns=["missing_facts"]).iloc[rest].astype(object),
                                  full.iloc[rest].astype(object))


@pytest.mark.parametrize("column, bad, row, why", [
    ("degree", "catastrophic", 7, "'catastrophic' is not one of very_serious, serious, medium, light"),
    ("controlled_item", 1, 0, "expected true or false"),
    ("call_ended_on", "2020-02-30", 4, "expected a date"),
    ("records_kept_for", pd.Timedelta(milliseconds=1500), 9, "has a fraction of a second"),
    ("destination", 42, 5, "expected text, found 42"),
])
def test_frame_bad_value_names_column_and_first_row(benchmark, frame, column, bad, row, why) -> None:
    df = frame.copy()
    df[column] = df[column].astype(object)
    df.loc[row, column] = bad
    df.loc[row + 3, column] = bad  # only the first is reported
    with pytest.raises(proviso.FactsError) as info:
        benchmark.evaluate_frame(df, as_of=AS_OF)
    e = info.value
    assert isinstance(e, ValueError)
    assert (e.column, e.row) == (column, row)
    assert f"column `{column}`, row {row}" in str(e)
    assert why in str(e)


def test_frame_wrong_dtype(benchmark, frame) -> None:
    df = frame.assign(call_ended_on=np.arange(len(frame)), records_kept_for=2.5)
    with pytest.raises(proviso.FactsError) as info:
        benchmark.evaluate_frame(df, as_of=AS_OF)
    assert info.value.column == "call_ended_on" and info.value.row == 0
    assert "int64" in str(info.value)
    df = frame.assign(records_kept_for=[30.0] * 10 + [30.5] * 40)
    with pytest.raises(proviso.FactsError) as info:
        benchmark.evaluate_frame(df, as_of=AS_OF)
    assert (info.value.column, info.value.row) == ("records_kept_for", 10)


def test_batch_code_errors_of_the_sdk_name_column_and_row(benchmark, frame) -> None:
    """Codes are checked in Python first; the SDK checks them too, and says where."""
    batch = _frame.encode(benchmark, frame)
    k = [s.name for s in benchmark.batch_inputs()].index("degree")
    bad = batch.columns[k].values.copy()
    bad[[5, 9]] = 99
    batch.columns[k].values = bad
    with pytest.raises(proviso.FactsError) as info:
        _frame.run(batch, as_of=AS_OF)
    assert (info.value.column, info.value.row) == ("degree", 5)


def test_frame_error_shows_the_index_label(benchmark, frame) -> None:
    df = frame.set_index(pd.Index([f"id{i}" for i in range(len(frame))]))
    df["degree"] = df["degree"].astype(object)
    df.iloc[2, df.columns.get_loc("degree")] = "huge"
    with pytest.raises(proviso.FactsError, match=r"row 2 \(index 'id2'\)"):
        benchmark.evaluate_frame(df, as_of=AS_OF)


def test_frame_evaluation_error_names_the_row(call_center) -> None:
    df = pd.DataFrame({
        "operator.services": [["self_use"], ["seat_rental"], ["call_center_system"]],
        "call.ended_on": pd.to_datetime(["2020-06-01"] * 3),
    }, index=[10, 20, 30])
    both = {"excluded_services": {"self_use", "manpower_outsourcing", "technical_services", "seat_rental"}}
    with pytest.raises(proviso.EvaluationError) as info:
        call_center.evaluate_frame(df, as_of=AS_OF, params=both, unknown="left_out")
    assert info.value.row == 1 and "(frame index 20)" in str(info.value) and "conflict" in str(info.value)
    assert info.value.location is not None and info.value.location.line > 0


def test_enum_set_frame_errors_name_column_and_row(call_center) -> None:
    df = pd.DataFrame({"operator.services": [["self_use"], ["telemarketing"]],
                       "call.ended_on": pd.to_datetime(["2020-06-01"] * 2)})
    with pytest.raises(proviso.FactsError) as info:
        call_center.evaluate_frame(df, as_of=AS_OF, unknown="left_out")
    assert (info.value.column, info.value.row) == ("operator.services", 1)
    assert "'telemarketing' is not one of call_center_for_clients" in str(info.value)
    df["operator.services"] = [["self_use"], "self_use"]  # a str is not a set of names
    with pytest.raises(proviso.FactsError, match=r"row 1: expected a set of values of"):
        call_center.evaluate_frame(df, as_of=AS_OF, unknown="left_out")
    df["operator.services"] = [["call_center_for_clients"], None]  # a required field: not given in row 1
    out = call_center.evaluate_frame(df, as_of=AS_OF, unknown="left_out")
    assert "operator.services" not in out["missing_facts"].iloc[0]
    assert "operator.services" in out["missing_facts"].iloc[1]


def test_frame_facts_error_in_row_path(lists) -> None:
    df = pd.DataFrame({"tags": [["a"], [7]], "ended_on": pd.to_datetime(["2020-06-01"] * 2)})
    with pytest.raises(proviso.FactsError) as info:
        lists.evaluate_frame(df, as_of=AS_OF)
    assert info.value.row == 1 and info.value.path == "tags[0]"


def test_frame_evaluation_error_in_row_path(lists) -> None:
    df = pd.DataFrame({"tags": [["a"], []], "ended_on": pd.to_datetime(["2020-06-01"] * 2)}, index=[5, 6])
    with pytest.raises(proviso.EvaluationError) as info:
        lists.evaluate_frame(df, as_of=AS_OF)
    assert info.value.row == 1 and "(frame index 6)" in str(info.value) and "division by zero" in str(info.value)


def test_row_path_raises_the_first_failing_row_of_a_long_frame(lists) -> None:
    """The row path converts and evaluates a chunk of 4096 rows at a time, the chunk split between
    threads (2048 rows each on two cores): the error raised is still the one of the lowest failing
    row, even when another thread meets its error long before."""
    n = 10_000
    tags = [["a"]] * n
    tags[2040] = [7]     # a facts error, at the end of the first thread's part
    tags[2050] = []      # an evaluation error, at the start of the next part
    tags[9000] = [7]     # and one in a later chunk
    df = pd.DataFrame({"tags": tags, "ended_on": pd.to_datetime(["2020-06-01"] * n)})
    with pytest.raises(proviso.FactsError) as info:
        lists.evaluate_frame(df, as_of=AS_OF)
    assert info.value.row == 2040 and info.value.path == "tags[0]"
    df["tags"] = tags[:2040] + [["a"]] + tags[2041:]
    with pytest.raises(proviso.EvaluationError) as error:
        lists.evaluate_frame(df, as_of=AS_OF)
    assert error.value.row == 2050 and "division by zero" in str(error.value)
    df["tags"] = [["a"]] * 9000 + tags[9000:]
    with pytest.raises(proviso.FactsError) as info:
        lists.evaluate_frame(df, as_of=AS_OF)
    assert info.value.row == 9000


def test_row_path_raises_an_evaluation_error_before_a_later_unconvertible_row(lists) -> None:
    """A row whose facts cannot even be converted (a key that is not text) comes after the rows
    before it are evaluated: their error, if any, is the first."""
    n = 5000
    tags = [["a"]] * n
    tags[10] = []                 # evaluation error
    tags[4000] = [{1: "x"}]       # cannot be converted to JSON facts
    df = pd.DataFrame({"tags": tags, "ended_on": pd.to_datetime(["2020-06-01"] * n)})
    with pytest.raises(proviso.EvaluationError) as error:
        lists.evaluate_frame(df, as_of=AS_OF)
    assert error.value.row == 10
    tags[10] = ["a"]
    df["tags"] = tags
    with pytest.raises(proviso.FactsError, match="keys must be text") as info:
        lists.evaluate_frame(df, as_of=AS_OF)
    assert info.value.row == 4000


def test_errors_are_value_errors() -> None:
    for cls in (proviso.CompileError, proviso.FactsError, proviso.EvaluationError):
        assert issubclass(cls, proviso.ProvisoError) and issubclass(cls, ValueError)
