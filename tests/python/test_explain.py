"""The JSON explanation (`proviso eval --explain --format json`): valid against its documented
schema (docs/explanation.schema.json, versioned), the same whichever engine decided, and present
for a failed evaluation up to the failure."""

from __future__ import annotations

import json
import subprocess

import jsonschema
import pytest

from conftest import CLI, EXAMPLES, ROOT, run_cli

SCHEMA = json.loads((ROOT / "docs" / "explanation.schema.json").read_text())
CASES = sorted(EXAMPLES.glob("*.json"))


def policy_of(facts_path):
    return EXAMPLES.parent / (facts_path.stem.split("-")[0] + ".proviso")


@pytest.mark.parametrize("facts", CASES, ids=[c.stem for c in CASES])
def test_explanations_follow_the_schema_on_both_engines(facts, tmp_path) -> None:
    given = json.loads(facts.read_text())
    out = {}
    for engine in ("jit", "interp"):
        r = run_cli(policy_of(facts), given, "--explain", "--as-of", "2020-09-01", "--engine", engine,
                    tmp_path=tmp_path)
        assert r.returncode == 0, r.stderr
        out[engine] = json.loads(r.stdout)["explanation"]
    jsonschema.validate(out["jit"], SCHEMA)
    assert out["jit"]["version"] == 1
    assert out["jit"] == out["interp"]


def test_a_failed_evaluation_is_explained_up_to_the_failure(tmp_path) -> None:
    facts = {"sensitive": False, "automated_decisions": False, "entrusted": False, "provided_to_others": False,
             "transferred_abroad": False, "small_entity": True, "charity": False, "public_interest": True,
             "contested": True}
    policy = ROOT / "tests" / "golden" / "good" / "default_logic.proviso"
    r = run_cli(policy, facts, "--explain", tmp_path=tmp_path)
    assert r.returncode == 1 and "conflict" in r.stderr
    doc = json.loads(r.stdout)
    assert "conflict" in doc["error"]
    jsonschema.validate(doc["explanation"], SCHEMA)
    failed = [o for o in doc["explanation"]["outputs"] if o.get("failed")]
    assert [o["output"] for o in failed] == ["fee"]
    assert {"public_interest_waiver", "contested_none"} <= {rule["rule"] for rule in failed[0]["rules"]}
    text = run_text(policy, facts, tmp_path)
    assert text.stdout.startswith("why (up to the failure):") and "fee = (evaluation failed here)" in text.stdout


def run_text(policy, facts, tmp_path, *args):
    path = tmp_path / "facts-text.json"
    path.write_text(json.dumps(facts))
    return subprocess.run([str(CLI), "explain", str(policy), "--facts", str(path), *args], capture_output=True,
                          text=True, cwd=ROOT)


def test_tables_and_obligations_that_do_not_apply_are_explained(tmp_path) -> None:
    bench = EXAMPLES.parent / "benchmark_policy.proviso"
    given = json.loads((EXAMPLES / "benchmark_policy.json").read_text())
    r = run_text(bench, given, tmp_path, "--as-of", "2020-09-01")
    assert "impact_level(object, degree) = 3 (1 row matched: row 10 `personal_privacy, serious`; hit unique chose row 10)" \
        in r.stdout
    center = EXAMPLES.parent / "call_center.proviso"
    given = json.loads((EXAMPLES / "call_center-self-use.json").read_text())
    r = run_text(center, given, tmp_path, "--as-of", "2020-09-01")
    assert "obligation `keep_call_records` does not apply: when operates_call_center_business  ->  false" in r.stdout
