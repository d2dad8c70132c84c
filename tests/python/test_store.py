"""proviso.PolicyStore: policies served from a folder by name, reloaded on request and by the watch
thread; Policy.version and Decision.version (the C++ side: tests/unit/store_test.cc)."""

from __future__ import annotations

import json
import os
import pickle
import threading
import time
from pathlib import Path
from typing import Callable, Optional

import pytest

import proviso
from conftest import POLICIES, ROOT


def adder(k: int, expect_k: Optional[int] = None) -> str:
    """A policy whose output is x + k, with a test that holds for that k (or for `expect_k`)."""
    return (f"policy adder\ninput {{ x: int }}\noutput o: int\nrule r {{ then o = x + {k} }}\n"
            f"test \"adds k\" {{\n  given x = 1\n  expect o = {1 + (k if expect_k is None else expect_k)}\n}}\n")


def write(path: Path, text: str) -> None:
    """Written then renamed, as deployment tools do."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def wait_for(done: Callable[[], bool], timeout: float = 20.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if done():
            return True
        time.sleep(0.005)
    return done()


def test_serves_policies_by_file_stem(tmp_path: Path) -> None:
    write(tmp_path / "adder.proviso", adder(10))
    write(tmp_path / "lib.proviso", "param k: int = 3\n")  # no header: an import
    with proviso.PolicyStore(tmp_path) as store:
        assert store.names == ["adder"]
        assert "adder" in store and "lib" not in store
        policy = store.get("adder")
        assert isinstance(policy, proviso.Policy)
        assert policy.evaluate({"x": 1})["o"] == 11
        assert store["adder"].version == policy.version
        assert store.report.ok and store.report.loaded == ["adder"]
        with pytest.raises(proviso.ProvisoError, match=r"no policy `lib` is served .*\(served: `adder`\)"):
            store.get("lib")
    assert store.closed
    with pytest.raises(proviso.ProvisoError, match="closed"):
        store.get("adder")
    assert policy.evaluate({"x": 2})["o"] == 12  # still valid after close


def test_version_is_a_content_hash_named_by_decisions(tmp_path: Path) -> None:
    write(tmp_path / "adder.proviso", adder(1))
    with proviso.PolicyStore(tmp_path) as store:
        policy = store.get("adder")
    assert len(policy.version) == 64 and set(policy.version) <= set("0123456789abcdef")
    d = policy.evaluate({"x": 1})
    assert d.version == policy.version
    assert d.to_dict()["policy_version"] == policy.version
    same = proviso.compile(adder(1), name=str(tmp_path / "elsewhere.proviso"), backend="interpreter")
    assert same.version == policy.version
    assert proviso.compile(adder(2)).version != policy.version
    assert pickle.loads(pickle.dumps(policy)).version == policy.version
    # A shipped policy with imports and law files: the CLI's JSON names the same version.
    shipped = proviso.compile(POLICIES / "call_center.proviso")
    assert len(shipped.version) == 64


def test_the_shipped_policies_folder() -> None:
    with proviso.PolicyStore(POLICIES) as store:
        assert store.report.ok, str(store.report)
        assert "call_center" in store.names and "common" not in store  # common.proviso has no header
        assert len(store.names) == len(store.report.policies) >= 8
        # The version the CLI's JSON names (tests/decisions) is the store's.
        golden = json.loads((ROOT / "tests" / "decisions" / "call_center.json").read_text())
        assert store.get("call_center").version == golden["policy_version"]
        assert store.reload().policies["call_center"].status == "unchanged"


def test_reload_swaps_and_old_policies_keep_their_logic(tmp_path: Path) -> None:
    write(tmp_path / "adder.proviso", adder(10))
    with proviso.PolicyStore(tmp_path) as store:
        old = store.get("adder")
        generation = store.generation
        report = store.reload()
        assert report["adder"].status == "unchanged" and not report["adder"].attempted
        assert store.generation == generation
        write(tmp_path / "adder.proviso", adder(20))
        report = store.reload()
        r = report["adder"]
        assert r.status == "loaded" and r.previous_version == old.version and r.version != old.version
        assert store.generation > generation
        assert store.get("adder").evaluate({"x": 1})["o"] == 21
        assert old.evaluate({"x": 1})["o"] == 11
        assert old.evaluate({"x": 1}).version == old.version
        assert "loaded adder" in str(report)


@pytest.mark.parametrize("text, where", [
    ("policy adder\ninput { x: int }\noutput o: int\nrule r { then o = x + }\n", ":4:"),
    ("policy adder\ninput { x: int }\noutput o: int\n\nrule r { then o = x + \"ten\" }\n", ":5:"),
])
def test_a_broken_edit_keeps_the_previous_version(tmp_path: Path, text: str, where: str) -> None:
    write(tmp_path / "adder.proviso", adder(10))
    with proviso.PolicyStore(tmp_path) as store:
        v1 = store.get("adder").version
        write(tmp_path / "adder.proviso", text)
        report = store.reload()
        r = report["adder"]
        assert not report.ok and report.failed == ["adder"]
        assert r.status == "failed" and r.version == v1 == r.previous_version
        assert str(tmp_path / "adder.proviso") + where in r.reason
        assert r.diagnostics and r.diagnostics[0]["severity"] == "error"
        assert store.get("adder").version == v1
        assert store.get("adder").evaluate({"x": 1})["o"] == 11


def test_a_failing_in_language_test_keeps_the_previous_version(tmp_path: Path) -> None:
    write(tmp_path / "adder.proviso", adder(10))
    with proviso.PolicyStore(tmp_path) as store:
        write(tmp_path / "adder.proviso", adder(20, expect_k=10))
        r = store.reload()["adder"]
        assert r.status == "failed" and not r.diagnostics
        assert [t.name for t in r.failed_tests] == ["adds k"] and r.failed_tests[0].line == 5
        assert f"test `adds k` ({tmp_path / 'adder.proviso'}:5) fails" in r.reason
        assert store.get("adder").evaluate({"x": 1})["o"] == 11
    with proviso.PolicyStore(tmp_path, run_tests=False) as untested:
        assert untested.get("adder").evaluate({"x": 1})["o"] == 21


def test_a_changed_import_reloads_and_a_removed_file_is_removed(tmp_path: Path) -> None:
    write(tmp_path / "lib.proviso", "param k: int = 3\n")
    write(tmp_path / "adder.proviso",
          "policy adder\nimport \"lib.proviso\"\ninput { x: int }\noutput o: int\nrule r { then o = x + k }\n")
    with proviso.PolicyStore(tmp_path, backend="interpreter") as store:
        held = store.get("adder")
        assert held.backend == "interpreter"
        write(tmp_path / "lib.proviso", "param k: int = 5\n")
        assert store.reload()["adder"].status == "loaded"
        assert store.get("adder").evaluate({"x": 1})["o"] == 6
        (tmp_path / "adder.proviso").unlink()
        report = store.reload()
        assert report.removed == ["adder"] and store.names == []
        assert held.evaluate({"x": 1})["o"] == 4


def test_watch_mode_picks_up_a_change(tmp_path: Path) -> None:
    write(tmp_path / "adder.proviso", adder(10))
    with proviso.PolicyStore(tmp_path, watch=0.02) as store:
        generation = store.generation
        write(tmp_path / "adder.proviso", adder(20))
        assert wait_for(lambda: store.generation != generation)
        assert store.get("adder").evaluate({"x": 1})["o"] == 21
        write(tmp_path / "adder.proviso", adder(30, expect_k=0))
        assert wait_for(lambda: store.report.failed == ["adder"])
        assert store.get("adder").evaluate({"x": 1})["o"] == 21


def test_threads_evaluate_while_reloads_happen(tmp_path: Path) -> None:
    write(tmp_path / "adder.proviso", adder(0))
    with proviso.PolicyStore(tmp_path) as store:
        k_of_version = {store.get("adder").version: 0}
        done = threading.Event()
        seen: list = []
        errors: list = []

        def read(t: int) -> None:
            x = t * 1000
            while not done.is_set():
                try:
                    d = store.get("adder").evaluate({"x": x})
                    seen.append((d.version, d["o"] - x))
                except Exception as e:  # pragma: no cover - reported below
                    errors.append(repr(e))
                x += 1

        threads = [threading.Thread(target=read, args=(t,)) for t in range(4)]
        for t in threads:
            t.start()
        for i in range(1, 21):
            if i % 2:
                write(tmp_path / "adder.proviso", adder(i))
                r = store.reload()["adder"]
                assert r.status == "loaded", r.reason
                k_of_version[r.version] = i
            else:
                write(tmp_path / "adder.proviso", "policy adder\ninput { x: int }\noutput o: int\nrule r { then o = }\n")
                assert store.reload()["adder"].status == "failed"
            time.sleep(0.005)
        done.set()
        for t in threads:
            t.join()
    assert errors == []
    assert seen
    for version, k in seen:
        assert k_of_version[version] == k


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(proviso.ProvisoError, match="cannot read the policy folder"):
        proviso.PolicyStore(tmp_path / "missing")
    with pytest.raises(proviso.ProvisoError, match="unknown backend"):
        proviso.PolicyStore(tmp_path, backend="fast")
    with pytest.raises(proviso.ProvisoError, match="watch must be a positive"):
        proviso.PolicyStore(tmp_path, watch=0)
    with pytest.raises(TypeError):
        proviso.PolicyStore(tmp_path, watch="1s")  # type: ignore[arg-type]
