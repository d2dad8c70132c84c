"""Reports for CI systems from the CLI: JUnit XML from `proviso test --format junit` (well formed, one
suite per policy, the failures with their messages) and SARIF 2.1.0 from `proviso check --format sarif`."""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET

from conftest import CLI, ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, cwd=ROOT)


def test_junit_report_of_the_policies() -> None:
    r = run("test", "--format", "junit", "policies/cn", "tests/golden/good/law_citations.proviso")
    assert r.returncode == 0, r.stderr
    root = ET.fromstring(r.stdout)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert {s.get("name") for s in suites} >= {"policies/cn/call_center.proviso", "tests/golden/good/law_citations.proviso"}
    assert int(root.get("tests")) == sum(len(s.findall("testcase")) for s in suites) > 200
    assert root.get("failures") == "0" and root.get("errors") == "0"


def test_junit_names_failures_and_policies_that_do_not_compile(tmp_path) -> None:
    (tmp_path / "t.proviso").write_text('policy t\ninput { x: int }\noutput o: int\nrule r { then o = x * 2 }\n'
                                        'test "wrong & <on purpose>" { given x = 2 expect o = 5 }\n')
    (tmp_path / "broken.proviso").write_text("policy b\noutput o: int\n")
    r = run("test", "--format", "junit", str(tmp_path))
    assert r.returncode == 1
    root = ET.fromstring(r.stdout)
    failure = root.find(".//testcase[@name='wrong & <on purpose>']/failure")
    assert failure is not None and failure.get("message") == "expected `o` = 5, got 4"
    assert root.find(".//testsuite[@errors='1']/testcase/error") is not None
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "1", "1")


def test_sarif_report_of_diagnostics() -> None:
    r = run("check", "--format", "sarif", "tests/golden/bad/law_marks.proviso", "tests/golden/good/law_citations.proviso")
    assert r.returncode == 1
    sarif = json.loads(r.stdout)
    assert sarif["version"] == "2.1.0" and len(sarif["runs"]) == 1
    run0 = sarif["runs"][0]
    assert run0["tool"]["driver"]["name"] == "proviso"
    ids = {rule["id"] for rule in run0["tool"]["driver"]["rules"]}
    assert {res["ruleId"] for res in run0["results"]} == ids >= {"W0107", "W0109", "E0704"}
    w0109 = next(res for res in run0["results"] if res["ruleId"] == "W0109")
    assert w0109["level"] == "warning"
    assert w0109["relatedLocations"][0]["message"]["text"] == "cited here"
    region = w0109["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 8 and region["startColumn"] > 1
