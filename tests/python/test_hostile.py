"""Hostile and unusual input from Python (issue 22): never a crash, never a silently wrong decision.
Each case once crashed the interpreter, wrapped a value or passed a non-number on as text."""

from __future__ import annotations

import decimal

import numpy as np
import pandas as pd
import pytest

import proviso

DURATION_POLICY = """policy p
input { kept: duration, n: int }
obligation keep { subject "operator" must "keep records 30 days" violated when kept < 30 days cite "t" }
output twice: int
rule r { then twice = n * 2 }
"""

TEXT_POLICY = """policy t
input { label: text, amount: decimal }
output same: text
rule r { then same = label }
output a: decimal
rule s { then a = amount }
"""


def test_a_float_of_2_63_in_an_int_or_duration_column_is_refused_not_wrapped() -> None:
    policy = proviso.compile(DURATION_POLICY)
    for column, frame in [("kept", pd.DataFrame({"kept": [2.0**63], "n": [1]})),
                          ("n", pd.DataFrame({"kept": [40], "n": [2.0**63]})),
                          ("n", pd.DataFrame({"kept": [40], "n": [-2.0**63 * 2]}))]:
        with pytest.raises(proviso.ProvisoError) as e:
            policy.evaluate_frame(frame, as_of="2020-01-01")
        assert f"`{column}`" in str(e.value), str(e.value)
    # The smallest int64 is a value, and days that overflow seconds are an error, not a wrap.
    out = policy.evaluate_frame(pd.DataFrame({"kept": [40], "n": [-(2**62)]}), as_of="2020-01-01")
    assert out["twice"].tolist() == [-(2**63)]
    with pytest.raises(proviso.ProvisoError, match="out of range"):
        policy.evaluate_frame(pd.DataFrame({"kept": np.array([-(2**63)], dtype=np.int64), "n": [1]}), as_of="2020-01-01")


def test_an_infinite_decimal_is_refused_not_read_as_text() -> None:
    policy = proviso.compile(TEXT_POLICY)
    for field in ("label", "amount"):
        facts = {"label": "x", "amount": decimal.Decimal("1.5"), field: decimal.Decimal("Infinity")}
        with pytest.raises(proviso.ProvisoError, match=f"`{field}`: Decimal\\('Infinity'\\) is not a number"):
            policy.evaluate(facts, as_of="2020-01-01")


def test_a_lone_surrogate_names_its_field() -> None:
    policy = proviso.compile(TEXT_POLICY)
    with pytest.raises(proviso.ProvisoError, match="`label`: text that is not valid Unicode"):
        policy.evaluate({"label": "a\ud800b", "amount": 1}, as_of="2020-01-01")
    with pytest.raises(proviso.ProvisoError, match="not valid Unicode"):
        policy.evaluate({"label": "x", "amount": 1, "\udc00": 1}, as_of="2020-01-01")


def test_cyclic_and_very_deep_facts_are_errors_not_crashes() -> None:
    policy = proviso.compile(TEXT_POLICY)
    cyclic: dict = {"label": "x", "amount": 1}
    cyclic["self"] = cyclic
    with pytest.raises(proviso.ProvisoError, match="nest deeper than 64"):
        policy.evaluate(cyclic, as_of="2020-01-01")
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(proviso.ProvisoError, match="nest deeper than 64"):
        policy.evaluate({"label": "x", "amount": 1, "extra": deep}, as_of="2020-01-01")


NESTED_POLICY = """policy nested
input { xs: list<int> }
param limit: int = 0
output ok: bool
rule r { then ok = all a in xs: all b in xs: all c in xs: a + b + c >= limit }
"""


@pytest.mark.parametrize("backend", ["jit", "interpreter"])
def test_an_evaluation_over_its_budget_is_an_error_naming_it(backend: str) -> None:
    # Nested quantifiers multiply: 20^3 = 8,000 elements visited.
    policy = proviso.compile(NESTED_POLICY, backend=backend)
    facts = {"xs": list(range(20))}
    with pytest.raises(proviso.EvaluationError, match="budget of 5000"):
        policy.evaluate(facts, as_of="2021-01-01", budget=5000)
    assert policy.evaluate(facts, as_of="2021-01-01", budget=10000)["ok"] is True
    assert policy.evaluate(facts, as_of="2021-01-01", budget=-1)["ok"] is True
    # A frame of list facts is evaluated row by row, each row with the budget.
    frame = pd.DataFrame({"xs": [list(range(5)), list(range(20))]})
    with pytest.raises(proviso.EvaluationError, match="budget of 5000"):
        policy.evaluate_frame(frame, as_of="2021-01-01", budget=5000)
    assert policy.evaluate_frame(frame, as_of="2021-01-01", budget=10000)["ok"].tolist() == [True, True]


def test_the_default_budget_stops_a_runaway_evaluation() -> None:
    # 500^3 = 1.25e8 visits: over the default 1e8 (natively, a fraction of a second to find out).
    policy = proviso.compile(NESTED_POLICY)
    with pytest.raises(proviso.EvaluationError, match="budget of 100000000"):
        policy.evaluate({"xs": list(range(500))}, as_of="2021-01-01")


@pytest.mark.parametrize("backend", ["jit", "interpreter"])
def test_a_decision_pickles_and_decides_again_as_the_original(backend: str) -> None:
    import pickle

    policy = proviso.compile(DURATION_POLICY, backend=backend)
    decision = policy.evaluate({"kept": "20 days", "n": 4}, as_of="2020-05-01T10:30:00Z")
    again = pickle.loads(pickle.dumps(decision))
    assert again.to_dict() == decision.to_dict()
    assert again.now == decision.now and again.version == decision.version
    assert [o.violated for o in again.obligations] == [True]
    assert again.explain() == decision.explain()
    # Params and facts not given survive too.
    undetermined = policy.evaluate({"kept": "40 days"}, as_of="2020-05-01")
    back = pickle.loads(pickle.dumps(undetermined))
    assert back.undetermined == undetermined.undetermined == {"twice": ("n",)}


def test_a_pickled_decision_of_another_version_is_refused() -> None:
    import pickle

    from proviso import _policy

    decision = proviso.compile(DURATION_POLICY).evaluate({"kept": "20 days", "n": 4}, as_of="2020-05-01")
    other = proviso.compile(DURATION_POLICY.replace("n * 2", "n * 3"))
    reduced = decision.__reduce__()
    with pytest.raises(proviso.ProvisoError, match="version"):
        _policy._load_decision(other, *reduced[1][1:])
    assert pickle.loads(pickle.dumps(decision))["twice"] == 8


def test_frame_columns_that_overlap_are_named_not_a_typeerror() -> None:
    # Found by test_fuzz_objects: `items` and `items.0` both as columns of a frame evaluated row by row.
    policy = proviso.compile(NESTED_POLICY)
    frame = pd.DataFrame({"xs": [[1]], "xs.0": [2]})
    with pytest.raises(proviso.FactsError, match="columns `xs` and `xs.0` overlap"):
        policy.evaluate_frame(frame, as_of="2021-01-01")
