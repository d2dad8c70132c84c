"""The language's law-grade constructs from Python: constraints on facts, narrowing, default logic."""

from __future__ import annotations

import pandas as pd
import pytest

import proviso

CONSTRAINTS = """
enum Role { processor, entrusted, third_party }
input { minute: int in 0..1439, people: int >= 0, lead: text != "", role: Role != third_party }
output ok: bool
rule r { then ok = minute > people }
"""


@pytest.fixture(scope="module", params=["jit", "interpreter"])
def constrained(request):
    return proviso.compile(CONSTRAINTS, backend=request.param)


def test_a_fact_that_breaks_a_constraint_names_its_field(constrained) -> None:
    assert constrained.evaluate({"minute": 10, "people": 2, "lead": "Li", "role": "processor"})["ok"] is True
    with pytest.raises(proviso.FactsError, match=r"`minute`: 1500 does not satisfy `in 0\.\.1439`") as e:
        constrained.evaluate({"minute": 1500, "people": 2, "lead": "Li", "role": "processor"})
    assert e.value.path == "minute"
    with pytest.raises(proviso.FactsError, match='`lead`: "" does not satisfy `!= ""`'):
        constrained.evaluate({"minute": 10, "people": 2, "lead": "", "role": "processor"})


def test_a_frame_cell_that_breaks_a_constraint_names_its_row(constrained) -> None:
    df = pd.DataFrame({"minute": [10, 20, 30], "people": [1, 2, -4], "lead": ["Li", "Li", "Wang"],
                       "role": ["processor", "entrusted", "processor"]})
    with pytest.raises(proviso.FactsError, match=r"`people\[2\]`: -4 does not satisfy `>= 0`"):
        constrained.evaluate_frame(df)
    df.loc[2, "people"] = 4
    assert constrained.evaluate_frame(df)["ok"].tolist() == [True, True, True]
    df.loc[1, "role"] = "third_party"
    with pytest.raises(proviso.FactsError, match=r"`role\[1\]`: third_party does not satisfy `!= third_party`"):
        constrained.evaluate_frame(df)


def test_alternatives_that_agree_and_an_exception_to_two_rules() -> None:
    policy = proviso.compile("""
input { sensitive: bool, abroad: bool, waiver: bool }
output assess: bool
rule none_required { then assess = false }
rule sensitive_data exception to none_required { when sensitive then assess = true }
rule transfer_abroad exception to none_required { when abroad then assess = true }
rule waived exception to sensitive_data, transfer_abroad { when waiver then assess = false }
""")
    assert policy.evaluate({"sensitive": True, "abroad": True, "waiver": False})["assess"] is True
    assert policy.evaluate({"sensitive": True, "abroad": True, "waiver": True})["assess"] is False


def test_narrowing_lets_an_optional_be_read_after_it_is_present() -> None:
    policy = proviso.compile("""
input { reported_on: date?, found_on: date }
output late: bool
rule r { then late = reported_on is present and reported_on - found_on > 3 days }
""")
    assert policy.evaluate({"reported_on": "2024-03-10", "found_on": "2024-03-01"})["late"] is True
    assert policy.evaluate({"reported_on": None, "found_on": "2024-03-01"})["late"] is False
