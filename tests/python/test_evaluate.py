"""policy.evaluate: round trips against `proviso eval --format json`, and the Decision API."""

from __future__ import annotations

import datetime as dt
import gc
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import proviso
from conftest import AS_OF, POLICIES, cli_decision, example_files, policy_of_example


@pytest.mark.parametrize("facts_file", example_files(), ids=lambda p: p.stem)
def test_every_example_matches_the_cli(facts_file: Path) -> None:
    policy = proviso.compile(policy_of_example(facts_file))
    facts = json.loads(facts_file.read_text())
    assert policy.evaluate(facts, as_of=AS_OF).to_dict() == cli_decision(
        policy_of_example(facts_file), facts_file, "--as-of", AS_OF)


@pytest.mark.parametrize("facts_file", example_files(), ids=lambda p: p.stem)
def test_every_explanation_matches_the_cli(facts_file: Path) -> None:
    policy = proviso.compile(policy_of_example(facts_file))
    facts = json.loads(facts_file.read_text())
    cli = cli_decision(policy_of_example(facts_file), facts_file, "--as-of", AS_OF, "--explain")
    explained = policy.evaluate(facts, as_of=AS_OF, explain=True)
    assert explained.to_dict() == cli
    # Asked later, the explanation is the same (the same evaluation again, with explanations on).
    assert policy.evaluate(facts, as_of=AS_OF).explanation() == cli["explanation"]


def test_param_overrides_match_cli_set(benchmark, tmp_path) -> None:
    facts = json.loads((POLICIES / "examples" / "benchmark_policy.json").read_text())
    cli = cli_decision(POLICIES / "benchmark_policy.proviso", facts, "--as-of", AS_OF,
                       "--set", "min_retention=60 days", "--set", 'retaliation_countries=["US", "JP"]',
                       tmp_path=tmp_path)
    for params in (
        {"min_retention": dt.timedelta(days=60), "retaliation_countries": {"US", "JP"}},
        {"min_retention": "60 days", "retaliation_countries": ["US", "JP"]},
        {"min_retention": np.timedelta64(60, "D"), "retaliation_countries": ("JP", "US")},
    ):
        d = benchmark.evaluate(facts, as_of=AS_OF, params=params)
        assert d.to_dict() == cli
    assert cli["outputs"]["export"] == "deny" and cli["outputs"]["deny_reason"] == "retaliation_list"
    assert cli["obligations"][0]["deadline"] == "2020-08-30"


def test_python_values_are_facts(benchmark) -> None:
    json_facts = json.loads((POLICIES / "examples" / "benchmark_policy.json").read_text())
    python_facts = dict(json_facts)
    python_facts.update(
        call_ended_on=dt.date(2020, 7, 1),
        records_kept_for=dt.timedelta(days=29),
        controlled_item=np.bool_(False),
    )
    pandas_facts = dict(json_facts)
    pandas_facts.update(call_ended_on=pd.Timestamp("2020-07-01"), records_kept_for=pd.Timedelta(days=29),
                        pfi_class=pd.Categorical(["c3"])[0])
    expected = benchmark.evaluate(json_facts, as_of=AS_OF).to_dict()
    assert benchmark.evaluate(python_facts, as_of=dt.date(2020, 9, 1)).to_dict() == expected
    assert benchmark.evaluate(pandas_facts, as_of=pd.Timestamp(AS_OF)).to_dict() == expected
    # An optional value known to be absent: None, NaN and pd.NA are JSON null (`none`) ...
    for absent in (None, float("nan"), pd.NA):
        assert benchmark.evaluate({**json_facts, "pfi_class": absent}, as_of=AS_OF).to_dict() == \
            benchmark.evaluate({**json_facts, "pfi_class": None}, as_of=AS_OF).to_dict()
    # ... while an absent key (or proviso.UNKNOWN) is a fact not given: what depends on it waits.
    left_out = benchmark.evaluate({k: v for k, v in json_facts.items() if k != "pfi_class"}, as_of=AS_OF)
    assert left_out.to_dict() == benchmark.evaluate({**json_facts, "pfi_class": proviso.UNKNOWN}, as_of=AS_OF).to_dict()
    assert left_out.undetermined == {"level": ("pfi_class",)} and left_out.missing_facts == ("pfi_class",)
    assert benchmark.evaluate({**json_facts, "pfi_class": None}, as_of=AS_OF).undetermined == {}


def test_decision_api(benchmark) -> None:
    facts = json.loads((POLICIES / "examples" / "benchmark_policy.json").read_text())
    d = benchmark.evaluate(facts, as_of=AS_OF)
    assert d.policy == "benchmark_policy"
    assert d.as_of == dt.date(2020, 9, 1)
    assert list(d.outputs) == benchmark.outputs  # declaration order
    assert d["level"] == 4 and d.outputs["export"] == "permit" and d["deny_reason"] is None
    [o] = d.obligations
    assert o.name == "keep_call_records"
    assert o.modality == "must"
    assert o.subject == "call-center business operator"
    assert o.action.startswith("keep phone call records")
    assert o.deadline == dt.date(2020, 7, 31)
    assert o.violated is True
    assert d.violations == [o]
    assert d.obligation("keep_call_records") == o and d.obligation("nothing") is None
    assert o.citations[0].document.startswith("MIIT Circular")
    assert o.citations[0].article == "p3"  # the paragraph of the Circular's law file on the 30 days
    assert o.citation.startswith("MIIT Circular on Tightening Call Center Business Management (2020-06-08), p3")
    text = d.explain()
    assert "rule `level_higher_of_influence_and_pfi` applied" in text
    assert "violated because (records_kept_for < min_retention)" in text
    assert "explanation" not in d.to_dict()  # explain() does not change the decision


def test_explain_uses_the_decisions_date_and_params(benchmark) -> None:
    facts = json.loads((POLICIES / "examples" / "benchmark_policy.json").read_text())
    d = benchmark.evaluate(facts, params={"min_retention": "60 days"})  # as_of: today
    assert d.as_of == dt.datetime.now(dt.timezone.utc).date() or d.as_of == dt.date.today()
    assert "min_retention = 60 days" in d.explain()


def test_a_policy_lives_as_long_as_python_holds_it() -> None:
    decision = proviso.compile(POLICIES / "benchmark_policy.proviso").evaluate(
        json.loads((POLICIES / "examples" / "benchmark_policy.json").read_text()), as_of=AS_OF)
    gc.collect()
    assert "retention_checked" in decision.explain()  # the decision keeps the policy alive
    policies = [proviso.compile(POLICIES / "call_center.proviso") for _ in range(3)]
    del policies[:2]
    gc.collect()
    facts = json.loads((POLICIES / "examples" / "call_center.json").read_text())
    assert policies[0].evaluate(facts, as_of=AS_OF).outputs["operates_call_center_business"] is True


def test_compile_from_source_and_path_like(tmp_path) -> None:
    source = (POLICIES / "benchmark_policy.proviso").read_text()
    # Imports of source text resolve from the directory of `name`.
    p = proviso.compile(source, name=str(POLICIES / "benchmark_policy.proviso"))
    assert p.name == "benchmark_policy"
    assert p.params == ["retaliation_countries", "min_retention"]
    assert proviso.compile(str(POLICIES / "call_center.proviso")).name == "call_center"
    tiny = "policy tiny\ninput { a: int }\noutput b: int\nrule r { then b = a * 2 }\n"
    assert proviso.compile(tiny).evaluate({"a": 21}, as_of=AS_OF)["b"] == 42
    f = tmp_path / "tiny.proviso"
    f.write_text(tiny)
    assert proviso.compile(f).evaluate({"a": np.int64(2)}, as_of=AS_OF)["b"] == 4


def test_run_tests_and_dump(call_center) -> None:
    outcomes = call_center.run_tests()
    assert outcomes and all(t.passed for t in outcomes), [t for t in outcomes if not t.passed]
    assert "keep_call_records" in call_center.dump("ir")
