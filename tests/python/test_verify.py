"""proviso.verify and proviso.diff (issue 20): proofs and witnesses from Python, witnesses as a
DataFrame that evaluate_frame reads."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import proviso
from conftest import CLI, ROOT

pytestmark = pytest.mark.skipif(not CLI.exists(), reason="the proviso CLI is not built")

CALL_CENTER = ROOT / "policies" / "cn" / "call_center.proviso"


@pytest.fixture(autouse=True)
def _cli(monkeypatch):
    monkeypatch.setenv("PROVISO_CLI", str(CLI))


def test_verify_proves_and_finds_counterexamples():
    proved = proviso.verify(ROOT / "policies" / "cn" / "network_data_security_2020.proviso")
    assert proved.status == "proved" and proved.proved and not proved.counterexamples
    fails = proviso.verify(CALL_CENTER)
    assert fails.status == "fails" and not fails.proved
    assert any("outside the calendar" in c["error"] for c in fails.counterexamples)
    assert not fails.internal_bugs


def test_verify_at_a_fixed_date_within_the_calendar(tmp_path):
    r = proviso.verify(ROOT / "tests" / "verify" / "cases" / "guarded_division.proviso", as_of="2024-01-01")
    assert r.proved
    assert "as of 2024-01-01" in r.notes[0]


def test_diff_witnesses_as_a_frame(tmp_path):
    work = tmp_path / "cn"
    shutil.copytree(ROOT / "policies" / "cn", work)
    new = work / "call_center.proviso"
    new.write_text(CALL_CENTER.read_text().replace("min_retention: duration = 30 days", "min_retention: duration = 60 days"))
    r = proviso.diff(CALL_CENTER, new)
    assert not r.equivalent and r.status == "different"
    df = r.frame()
    row = df[df["what"] == "obligation keep_call_records violated"].iloc[0]
    assert row["old"] is False or row["old"] == False  # noqa: E712 (numpy bool)
    assert row["new"] == True  # noqa: E712
    # The rows run through evaluate_frame, grouped by their date, and decide as the witness says.
    policy_old = proviso.compile(str(CALL_CENTER))
    policy_new = proviso.compile(str(new))
    rows = df[df["what"] == "obligation keep_call_records violated"]
    for as_of, group in rows.groupby("as_of"):
        old = policy_old.evaluate_frame(group, as_of=as_of)
        newer = policy_new.evaluate_frame(group, as_of=as_of)
        assert not old["keep_call_records.violated"].any()
        assert newer["keep_call_records.violated"].all()


def test_diff_equivalent_and_usage_errors():
    assert proviso.diff(CALL_CENTER, CALL_CENTER).equivalent
    with pytest.raises(proviso.ProvisoError):
        proviso.diff(CALL_CENTER)
    with pytest.raises(proviso.ProvisoError):
        proviso.verify(ROOT / "does-not-exist.proviso")
