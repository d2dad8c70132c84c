"""The law's text in policies (`law "PATH"`): obligations carry the paragraph they cite and the
interpretation they rest on, in the Python SDK and in the JSON explanation (valid against its schema)."""

from __future__ import annotations

import json

import jsonschema

import proviso
from conftest import ROOT, run_cli

POLICY = ROOT / "tests" / "golden" / "good" / "law_citations.proviso"
SCHEMA = json.loads((ROOT / "docs" / "explanation.schema.json").read_text())
FACTS = {"service": "call_center", "call_ended_on": "2020-07-01", "deleted_on": None, "resells": True}


def test_obligations_carry_the_cited_paragraph_and_the_interpretation() -> None:
    d = proviso.compile(str(POLICY)).evaluate(FACTS, as_of="2020-09-01")
    by_name = {o.name: o for o in d.obligations}
    resale = by_name["no_resale"]
    assert resale.violated
    assert resale.citations == (proviso.Citation("Circular on the Retention of Records (example)", "p2",
                                                 "Operators shall not resell voice trunk lines without approval."),)
    assert resale.interpretation == "leasing a line out is reselling it"
    keep = by_name["keep_records"]
    assert [c.article for c in keep.citations] == ["p1", "p1.1"]
    assert keep.citations[1].text == "A record still kept is not a breach."
    assert keep.interpretation == ""
    assert "leasing a line out is reselling it" in d.explain()


def test_the_json_explanation_quotes_the_law_on_both_engines(tmp_path) -> None:
    for engine in ("jit", "interp"):
        r = run_cli(POLICY, FACTS, "--explain", "--as-of", "2020-09-01", "--engine", engine, tmp_path=tmp_path)
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        jsonschema.validate(out["explanation"], SCHEMA)
        ob = {o["obligation"]: o for o in out["explanation"]["obligations"]}["no_resale"]
        assert ob["interpretation"] == "leasing a line out is reselling it"
        assert ob["citations"] == [{"document": "Circular on the Retention of Records (example)", "article": "p2",
                                    "law": "retention_circular",
                                    "text": "Operators shall not resell voice trunk lines without approval."}]
        decided = {o["name"]: o for o in out["obligations"]}["no_resale"]
        assert decided["interpretation"] == "leasing a line out is reselling it"
        assert decided["citations"][0]["text"].startswith("Operators shall not resell")
