"""Facts not given (issue 16): undetermined outputs and obligations, the facts that would decide
them, in Decision, evaluate_frame and what_if; proviso.UNKNOWN; the forms of unknown=."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import proviso
from conftest import AS_OF, EXAMPLES, ROOT, run_cli
from frame_data import facts_of_row, random_frame


def without_booleans(node):
    """The facts with every boolean left out (not given), recursively."""
    if isinstance(node, dict):
        return {k: without_booleans(v) for k, v in node.items() if not isinstance(v, bool)}
    return node


def test_silence_is_not_a_breach(call_center, tmp_path) -> None:
    facts = json.loads((EXAMPLES / "call_center.json").read_text())
    d = call_center.evaluate(without_booleans(facts), as_of=AS_OF)
    assert not d.violations and not d.determined
    assert "operator.verifies_user_trunks_and_numbers" in d.missing_facts
    verify = d.obligation("verify_user_trunks_and_numbers")
    assert verify.violation_undetermined and not verify.violated
    assert "operator.verifies_user_trunks_and_numbers" in verify.missing
    assert "[MAY BE VIOLATED]" in str(verify) and "missing:" in str(verify)
    # The CLI's JSON says the same.
    r = run_cli(EXAMPLES.parent / "call_center.proviso", without_booleans(facts), "--as-of", AS_OF,
                tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr
    cli = json.loads(r.stdout)
    assert sorted(cli["missing_facts"]) == sorted(d.missing_facts)
    assert d.to_dict()["missing_facts"] == cli["missing_facts"]
    # Given, the same facts decide everything.
    assert call_center.evaluate(facts, as_of=AS_OF).determined


def test_reading_an_undetermined_output_raises(benchmark) -> None:
    facts = json.loads((EXAMPLES / "benchmark_policy.json").read_text())
    del facts["pfi_class"]
    d = benchmark.evaluate(facts, as_of=AS_OF)
    assert "level" not in d.outputs and d.undetermined["level"] == ("pfi_class",)
    with pytest.raises(proviso.UndeterminedError) as info:
        d["level"]
    assert isinstance(info.value, LookupError) and info.value.output == "level"
    assert info.value.missing == ("pfi_class",) and "pfi_class" in str(info.value)
    assert "level=undetermined" in repr(d) and "level = undetermined (missing: pfi_class)" in str(d)
    assert d["export"] in ("permit", "deny")  # decided outputs read as before


def test_unknown_sentinel() -> None:
    assert repr(proviso.UNKNOWN) == "proviso.UNKNOWN"
    with pytest.raises(TypeError):
        bool(proviso.UNKNOWN)


def test_unknown_sentinel_where_a_fact_cannot_be_unknown(lists) -> None:
    with pytest.raises(proviso.FactsError, match=r"tags\[1\]"):
        lists.evaluate({"tags": ["a", proviso.UNKNOWN], "ended_on": "2020-06-01"}, as_of=AS_OF)
    with pytest.raises(proviso.FactsError):
        lists.evaluate(proviso.UNKNOWN, as_of=AS_OF)  # type: ignore[arg-type]


@pytest.fixture()
def frame(benchmark) -> pd.DataFrame:
    return random_frame(benchmark.batch_inputs(), 400, seed=21)


def assert_rows_match_decisions(policy, df, out, unknown_cells) -> None:
    """Every row of ``out`` has NA exactly where the row's Decision is undetermined, and the same
    missing facts (``unknown_cells``: row -> the columns left unknown)."""
    for i in range(len(df)):
        facts = facts_of_row(df, i)
        for name in unknown_cells.get(i, ()):
            node = facts
            *parents, leaf = name.split(".")
            for p in parents:
                node = node[p]
            del node[leaf]
        d = policy.evaluate(facts, as_of=AS_OF)
        assert tuple(out["missing_facts"].iloc[i]) == tuple(sorted(d.missing_facts)) or \
            set(out["missing_facts"].iloc[i]) == set(d.missing_facts), f"row {i}"
        for name in policy.outputs:
            assert bool(pd.isna(out[name].iloc[i])) == (name in d.undetermined) or \
                (name not in d.undetermined and d.outputs.get(name) is None), (i, name)
        for o in d.obligations:
            assert bool(pd.isna(out[f"{o.name}.violated"].iloc[i])) == (o.violation_undetermined or
                                                                       o.applies_undetermined), (i, o.name)


def test_unknown_forms_agree_and_match_row_by_row(benchmark, frame) -> None:
    rng = np.random.default_rng(5)
    cols = ["pfi_class", "controlled_item", "records_kept_for"]
    marks = pd.DataFrame({c: rng.random(len(frame)) < 0.2 for c in cols}, index=frame.index)
    by_frame = benchmark.evaluate_frame(frame, as_of=AS_OF, unknown=marks)
    by_mapping = benchmark.evaluate_frame(frame, as_of=AS_OF, unknown={c: marks[c].to_numpy() for c in cols})
    pd.testing.assert_frame_equal(by_frame, by_mapping)
    assert by_frame["missing_facts"].map(len).gt(0).any()
    assert_rows_match_decisions(benchmark, frame, by_frame,
                                {i: [c for c in cols if marks[c].iloc[i]] for i in range(len(frame))})
    # NA in a column that is neither optional nor defaulted is the same as marking the cell.
    na = frame.copy()
    for c in ["controlled_item", "records_kept_for"]:
        na[c] = na[c].astype(object).where(~marks[c], None)
    just_pfi = benchmark.evaluate_frame(na, as_of=AS_OF, unknown=marks[["pfi_class"]])
    pd.testing.assert_frame_equal(just_pfi, by_frame)
    # Whole columns.
    whole = benchmark.evaluate_frame(frame, as_of=AS_OF, unknown=["controlled_item"])
    assert whole["missing_facts"].map(lambda m: m == () or "controlled_item" in m).all()


@pytest.mark.parametrize("unknown, error, match", [
    (["no_such_column"], proviso.FactsError, "not an input of policy"),
    ({"degree": [True, False]}, proviso.FactsError, "2 values for 400 rows"),
    ({"degree": np.zeros(400, dtype=int)}, proviso.FactsError, "must be bools"),
    ({"degree": pd.Series([True, None] * 200)}, proviso.FactsError, "missing value"),
    ("degree", TypeError, r"pass \['degree'\]"),
    (42, TypeError, "unknown= takes"),
])
def test_bad_unknown_arguments(benchmark, frame, unknown, error, match) -> None:
    with pytest.raises(error, match=match):
        benchmark.evaluate_frame(frame, as_of=AS_OF, unknown=unknown)


def test_row_path_frames_follow_json(lists) -> None:
    """A policy with a list input goes row by row: NA in a required column is a fact not given."""
    df = pd.DataFrame({"tags": [["a"], ["b"], ["c"]],
                       "ended_on": pd.to_datetime(["2020-06-01", None, "2020-06-03"]), "note": [None] * 3})
    out = lists.evaluate_frame(df, as_of=AS_OF)
    assert out["missing_facts"].tolist()[0] == () and out["missing_facts"].tolist()[1] == ("ended_on",)
    d = lists.evaluate({"tags": ["b"], "note": None}, as_of=AS_OF)
    assert d.missing_facts == ("ended_on",)
    for name in lists.outputs:
        assert bool(pd.isna(out[name].iloc[1])) == (name in d.undetermined)


def test_a_known_deadline_stays_when_the_status_waits() -> None:
    """`done at` not given: the status is undetermined, but the deadline is known and shown."""
    breach = proviso.compile(ROOT / "tests" / "python" / "policies" / "breach.proviso")
    df = pd.DataFrame({"aware_at": pd.to_datetime(["2024-03-04T08:00:00Z", "2024-03-05T08:00:00Z"]),
                       "notified_at": pd.to_datetime([None, None], utc=True),
                       "kept": pd.to_timedelta(["36h", "36h"])})
    out = breach.evaluate_frame(df, as_of="2024-03-10", unknown={"notified_at": np.array([True, False])})
    assert out["notify.status"].tolist() == ["undetermined", "overdue"]
    assert out["notify.deadline"].notna().all()
    assert out["missing_facts"].tolist()[0] == ("notified_at",)
    d = breach.evaluate({"aware_at": "2024-03-04T08:00:00Z", "kept": "36 hours"}, as_of="2024-03-10")
    assert d.obligation("notify").status == "undetermined" and d.obligation("notify").deadline is not None
