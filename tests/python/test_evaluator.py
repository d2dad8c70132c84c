"""Policy.evaluator() and Policy.evaluate(as_of=...) through the typed row: the same decisions and the
same errors as the JSON path, for plain values (written into the row) and others (the JSON path)."""

from __future__ import annotations

import datetime as dt
import json
import random
import threading

import pytest

import proviso
from conftest import AS_OF, POLICIES, example_files, policy_of_example

BENCHMARK = POLICIES / "benchmark_policy.proviso"


def json_path(policy: proviso.Policy, facts, as_of=AS_OF, params=None):
    """The reference: the JSON path, as Policy.evaluate took it before evaluators (explain off)."""
    texts = {k: json.dumps(v) for k, v in (params or {}).items()}
    native = policy._native.evaluate(facts, as_of, texts, False, 0)
    return proviso.Decision(native, policy.name, tuple(policy.outputs)).to_dict()


def random_facts(rng: random.Random) -> dict:
    facts = {
        "object": rng.choice(["national_security", "public_rights", "personal_privacy", "enterprise_rights"]),
        "degree": rng.choice(["very_serious", "serious", "medium", "light"]),
        "pfi_class": rng.choice(["c3", "c2", "c1", None]),
        "destination": rng.choice(["XA", "XB", "DE", "中国"]),
        "controlled_item": rng.random() < 0.2,
        "overseas_law_enforcement": rng.random() < 0.2,
        "approved": rng.random() < 0.5,
        "call_center_operator": rng.random() < 0.8,
        "call_ended_on": (dt.date(2020, 6, 1) + dt.timedelta(days=rng.randrange(90))).isoformat(),
        "records_kept_for": f"{rng.randrange(60)} days",
    }
    for name in list(facts):  # some facts not given
        if rng.random() < 0.05:
            del facts[name]
    return facts


def test_evaluator_decides_as_the_json_path() -> None:
    policy = proviso.compile(BENCHMARK)
    rng = random.Random(19)
    params = {"retaliation_countries": ["XA"]}
    evaluator = policy.evaluator(as_of=AS_OF, params=params)
    for _ in range(2000):
        facts = random_facts(rng)
        assert evaluator.evaluate(facts).to_dict() == json_path(policy, facts, params=params), facts


@pytest.mark.parametrize("facts_file", example_files(), ids=lambda p: p.stem)
def test_every_example_through_an_evaluator(facts_file) -> None:
    policy = proviso.compile(policy_of_example(facts_file))
    facts = json.loads(facts_file.read_text())
    assert policy.evaluator(as_of=AS_OF).evaluate(facts).to_dict() == json_path(policy, facts)
    assert policy.evaluate(facts, as_of=AS_OF).to_dict() == json_path(policy, facts)


def test_values_of_other_types_take_the_json_path() -> None:
    policy = proviso.compile(BENCHMARK)
    facts = random_facts(random.Random(1))
    facts["call_ended_on"] = dt.date(2020, 8, 1)              # a date object
    facts["records_kept_for"] = dt.timedelta(days=12)          # a timedelta
    want = json_path(policy, {**facts, "call_ended_on": "2020-08-01", "records_kept_for": "12 days"})
    assert policy.evaluator(as_of=AS_OF).evaluate(facts).to_dict() == want


def test_errors_are_the_json_paths() -> None:
    policy = proviso.compile(BENCHMARK)
    evaluator = policy.evaluator(as_of=AS_OF)
    base = random_facts(random.Random(2))
    for bad, path in [({"degree": "catastrophic"}, "degree"), ({"approved": 1.5}, "approved"),
                      ({"call_ended_on": "2020-02-30"}, "call_ended_on"), ({"nonsense": True}, "nonsense"),
                      ({"controlled_item": "yes"}, "controlled_item")]:
        with pytest.raises(proviso.FactsError) as fast:
            evaluator.evaluate({**base, **bad})
        with pytest.raises(proviso.FactsError) as slow:
            json_path(policy, {**base, **bad})
        assert fast.value.path == slow.value.path == path
        assert str(fast.value) == str(slow.value)


def test_evaluation_errors_name_the_place() -> None:
    policy = proviso.compile("policy q\ninput { a: int, b: int }\noutput q: int\nrule r { then q = a / b }\n")
    evaluator = policy.evaluator(as_of=AS_OF)
    assert evaluator.evaluate({"a": 7, "b": 2})["q"] == 3
    with pytest.raises(proviso.EvaluationError) as e:
        evaluator.evaluate({"a": 1, "b": 0})
    assert "division by zero" in str(e.value)
    assert evaluator.evaluate({"a": 9, "b": 3})["q"] == 3  # usable after an error


def test_an_interpreted_policy_has_an_evaluator_too() -> None:
    policy = proviso.compile(BENCHMARK, backend="interpreter")
    facts = random_facts(random.Random(3))
    assert policy.evaluator(as_of=AS_OF).evaluate(facts).to_dict() == json_path(policy, facts)


def test_one_evaluator_from_many_threads() -> None:
    policy = proviso.compile(BENCHMARK)
    evaluator = policy.evaluator(as_of=AS_OF)
    rng = random.Random(4)
    cases = [random_facts(rng) for _ in range(200)]
    want = [json_path(policy, f) for f in cases]
    wrong = []

    def run() -> None:
        for f, w in zip(cases, want):
            if evaluator.evaluate(f).to_dict() != w:
                wrong.append(f)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not wrong
