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
