"""Pickled policies and proviso.dask: a policy rebuilt from its sources in another process decides
as the original; Dask frames (threads, and a LocalCluster of two worker processes) give what local
evaluation gives, errors included."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import proviso
from conftest import AS_OF, POLICIES, ROOT, example_files, policy_of_example
from frame_data import random_frame

import proviso.dask  # (needs no Dask to import; its calls do)

try:
    import dask.dataframe as dd
    import distributed
except ImportError:  # the pickling tests still run
    dd = distributed = None
needs_dask = pytest.mark.skipif(dd is None or distributed is None, reason="Dask is not installed (python3-dask and "
                                "python3-distributed; pip install 'proviso[dask]')")

# distributed 2022.12 on this tornado: a warning that is theirs, not ours.
pytestmark = pytest.mark.filterwarnings("ignore:make_current is deprecated:DeprecationWarning")

SCENARIOS = {
    "60-day retention": {"min_retention": "60 days"},
    "retaliation against XA": {"retaliation_countries": {"XA"}},
}
#: Where `import proviso` comes from, for child processes (ctest sets PYTHONPATH; by hand,
#: conftest puts build/python on sys.path).
PACKAGE_PATH = os.path.dirname(os.path.dirname(os.path.abspath(proviso.__file__)))


def child_env() -> dict:
    path = [PACKAGE_PATH] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path)}


def assert_frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """assert_frame_equal, with categorical columns compared by dtype and codes (pandas compares
    their values as objects: seconds per million rows)."""
    assert a.dtypes.to_dict() == b.dtypes.to_dict()

    def codes(df: pd.DataFrame) -> pd.DataFrame:
        cat = [c for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)]
        return df.assign(**{c: df[c].cat.codes for c in cat})

    pd.testing.assert_frame_equal(codes(a), codes(b))


def bench_frame(n: int, seed: int = 2024) -> pd.DataFrame:
    return random_frame(proviso.compile(POLICIES / "benchmark_policy.proviso").batch_inputs(), n, seed=seed)


def copy_benchmark(to: Path) -> Path:
    """benchmark_policy with its import and law files, copied under `to` (the layout kept)."""
    (to / "law").mkdir(parents=True)
    for name in ["benchmark_policy.proviso", "common.proviso"]:
        shutil.copy(POLICIES / name, to / name)
    for law in (POLICIES / "law").glob("*.law"):
        shutil.copy(law, to / "law" / law.name)
    return to / "benchmark_policy.proviso"


# ---------------------------------------------------------------- pickling


def test_pickle_round_trip_decides_as_the_original(benchmark) -> None:
    again = pickle.loads(pickle.dumps(benchmark))
    assert again is not benchmark and again.name == benchmark.name and again.backend == "jit"
    assert again.outputs == benchmark.outputs and again.params == benchmark.params
    # Compiled again, from a copy of the sources in this process's folder.
    assert again._native.source_files()[0][0] != benchmark._native.source_files()[0][0]
    assert [c for _, c in again._native.source_files()] == [c for _, c in benchmark._native.source_files()]
    df = bench_frame(5000)
    params = {"retaliation_countries": {"XA"}}
    pd.testing.assert_frame_equal(again.evaluate_frame(df, as_of=AS_OF, params=params),
                                  benchmark.evaluate_frame(df, as_of=AS_OF, params=params))
    for facts in example_files():
        if policy_of_example(facts).name != "benchmark_policy.proviso":
            continue
        text = facts.read_text()
        assert again.evaluate(json.loads(text), as_of=AS_OF).to_dict() == \
            benchmark.evaluate(json.loads(text), as_of=AS_OF).to_dict()
    # A second load of the same sources is the policy already compiled.
    assert pickle.loads(pickle.dumps(benchmark)) is again
    assert pickle.loads(pickle.dumps(again)) is again


def test_pickle_keeps_the_back_end() -> None:
    policy = proviso.compile(POLICIES / "call_center.proviso", backend="interpreter")
    again = pickle.loads(pickle.dumps(policy))
    assert again.backend == "interpreter"
    facts = next(f for f in example_files() if policy_of_example(f).name == "call_center.proviso")
    assert again.evaluate(json.loads(facts.read_text()), as_of=AS_OF).to_dict() == \
        policy.evaluate(json.loads(facts.read_text()), as_of=AS_OF).to_dict()


def test_pickle_of_a_policy_from_source_text() -> None:
    text = (ROOT / "tests" / "python" / "policies" / "lists.proviso").read_text()
    policy = proviso.compile(text)
    again = pickle.loads(pickle.dumps(policy))
    assert again.name == "lists"
    facts = {"tags": ["a", "b"], "ended_on": "2020-06-01"}
    assert again.evaluate(facts, as_of=AS_OF).to_dict() == policy.evaluate(facts, as_of=AS_OF).to_dict()


def test_pickle_needs_no_original_file_and_crosses_processes(tmp_path) -> None:
    """A policy with an import and three law files, compiled from a folder that is gone before
    another process unpickles it; that process decides as the original."""
    main = copy_benchmark(tmp_path / "copy")
    policy = proviso.compile(main)
    assert len(policy._native.source_files()) == 5  # the policy, common.proviso, 3 law files
    data = pickle.dumps(policy)
    shutil.rmtree(tmp_path / "copy")
    df = bench_frame(2000, seed=3)
    (tmp_path / "policy.pickle").write_bytes(data)
    df.to_pickle(tmp_path / "facts.pickle")
    script = (
        "import pickle, sys, pandas as pd, proviso\n"
        "policy = pickle.loads(open(sys.argv[1], 'rb').read())\n"
        "out = policy.evaluate_frame(pd.read_pickle(sys.argv[2]), as_of=sys.argv[3])\n"
        "out.to_pickle(sys.argv[4])\n"
        "print(policy.name, policy._native.source_files()[0][0])\n")
    r = subprocess.run([sys.executable, "-c", script, str(tmp_path / "policy.pickle"), str(tmp_path / "facts.pickle"),
                        AS_OF, str(tmp_path / "out.pickle")], capture_output=True, text=True, env=child_env(),
                       cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    name, where = r.stdout.split()
    assert name == "benchmark_policy" and "proviso-policies-" in where
    pd.testing.assert_frame_equal(pd.read_pickle(tmp_path / "out.pickle"), policy.evaluate_frame(df, as_of=AS_OF))
    # In this process too, with the files gone.
    pd.testing.assert_frame_equal(pickle.loads(data).evaluate_frame(df, as_of=AS_OF),
                                  policy.evaluate_frame(df, as_of=AS_OF))


def test_pickle_keeps_imports_above_the_main_file(tmp_path) -> None:
    """Imports and law files in `../` and in sub-folders keep their places relative to the main file."""
    copy_benchmark(tmp_path / "shared")
    (tmp_path / "shared" / "benchmark_policy.proviso").unlink()
    text = (POLICIES / "benchmark_policy.proviso").read_text()
    text = text.replace('import "common.proviso"', 'import "../shared/common.proviso"')
    text = text.replace('law "law/', 'law "../shared/law/')
    (tmp_path / "deep").mkdir()
    (tmp_path / ".proviso-root").touch()  # imports may be read up to here (where the SDK has import roots)
    main = tmp_path / "deep" / "benchmark_policy.proviso"
    main.write_text(text)
    policy = proviso.compile(main)
    name, backend, files, origin = pickle.loads(pickle.dumps(policy)).__reduce__()[1]
    assert [rel for rel, _ in files] == ["benchmark_policy.proviso", "../shared/common.proviso",
                                         "../shared/law/data_security_law_draft.law",
                                         "../shared/law/miit_call_center_circular.law",
                                         "../shared/law/financial_data_classification_guidelines.law"]
    data = pickle.dumps(policy)
    shutil.rmtree(tmp_path / "deep")
    shutil.rmtree(tmp_path / "shared")
    again = pickle.loads(data)
    df = bench_frame(1000, seed=4)
    pd.testing.assert_frame_equal(again.evaluate_frame(df, as_of=AS_OF), policy.evaluate_frame(df, as_of=AS_OF))


def test_copies_are_the_policy_itself(benchmark) -> None:
    import copy

    assert copy.copy(benchmark) is benchmark and copy.deepcopy(benchmark) is benchmark


def test_errors_pickle_with_their_fields(benchmark) -> None:
    df = bench_frame(10)
    df["degree"] = df["degree"].astype(object)
    df.loc[4, "degree"] = "huge"
    with pytest.raises(proviso.FactsError) as info:
        benchmark.evaluate_frame(df, as_of=AS_OF)
    e = pickle.loads(pickle.dumps(info.value))
    assert type(e) is proviso.FactsError and str(e) == str(info.value)
    assert (e.column, e.row, e.value, e.path) == ("degree", 4, "huge", "degree")
    u = pickle.loads(pickle.dumps(proviso.UndeterminedError("level", ["degree"])))
    assert (u.output, u.missing, str(u)) == ("level", ("degree",), str(proviso.UndeterminedError("level", ["degree"])))


# ---------------------------------------------------------------- Dask, threads


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return bench_frame(20_000, seed=7)


@pytest.fixture(scope="module")
def ddf(frame) -> "dd.DataFrame":
    return dd.from_pandas(frame, npartitions=4)


@needs_dask
def test_evaluate_frame_is_lazy_and_equals_local(benchmark, frame, ddf) -> None:
    out = proviso.dask.evaluate_frame(ddf, benchmark, as_of=AS_OF)
    assert isinstance(out, dd.DataFrame) and out.npartitions == 4 and out.divisions == ddf.divisions
    local = benchmark.evaluate_frame(frame, as_of=AS_OF)
    assert out._meta.dtypes.to_dict() == local.dtypes.to_dict()  # known before computing
    pd.testing.assert_frame_equal(out.compute(), local)


@needs_dask
def test_params_and_unknown_pass_through(benchmark, frame, ddf) -> None:
    params = {"retaliation_countries": {"XA"}, "min_retention": "60 days"}
    pd.testing.assert_frame_equal(proviso.dask.evaluate_frame(ddf, benchmark, as_of=AS_OF, params=params).compute(),
                                  benchmark.evaluate_frame(frame, as_of=AS_OF, params=params))
    # Facts not given: the result has missing_facts, and bool/int columns are nullable (before
    # computing, so in every partition); the values are those of local evaluation.
    marked = pd.DataFrame({"approved": np.arange(len(frame)) % 5 == 0, "degree": np.arange(len(frame)) % 7 == 0},
                          index=frame.index)
    local = benchmark.evaluate_frame(frame, as_of=AS_OF, unknown=marked)
    assert local["missing_facts"].map(len).gt(0).any()
    for unknown in [dd.from_pandas(marked, npartitions=4),
                    {"approved": dd.from_pandas(marked["approved"], npartitions=4), "degree": dd.from_pandas(
                        marked["degree"], npartitions=4)}]:
        out = proviso.dask.evaluate_frame(ddf, benchmark, as_of=AS_OF, unknown=unknown)
        assert str(out._meta["level"].dtype) == "Int64" and str(out._meta["retention_violation"].dtype) == "boolean"
        assert "missing_facts" in out.columns
        got = out.compute()
        pd.testing.assert_frame_equal(got, local.astype(got.dtypes.to_dict()))
    # Whole columns: named, or left out of the frame.
    local = benchmark.evaluate_frame(frame.drop(columns=["approved"]), as_of=AS_OF, unknown=["approved"])
    got = proviso.dask.evaluate_frame(ddf.drop(columns=["approved"]), benchmark, as_of=AS_OF,
                                      unknown="left_out").compute()
    pd.testing.assert_frame_equal(got, local.astype(got.dtypes.to_dict()))


@needs_dask
def test_facts_not_given_need_unknown(benchmark, frame) -> None:
    """A missing value in a required column is a fact not given; the result's columns are fixed
    before computing, so Dask asks for unknown= (locally the result just gains missing_facts)."""
    df = frame.copy()
    df.loc[15_000, "degree"] = None  # a category column with a missing value, in partition 3
    ddf = dd.from_pandas(df, npartitions=4)
    with pytest.raises(proviso.FactsError, match=r"^partition 3: .*pass unknown="):
        proviso.dask.evaluate_frame(ddf, benchmark, as_of=AS_OF).compute()
    got = proviso.dask.evaluate_frame(ddf, benchmark, as_of=AS_OF, unknown=[]).compute()
    local = benchmark.evaluate_frame(df, as_of=AS_OF)
    pd.testing.assert_frame_equal(got, local.astype(got.dtypes.to_dict()))
    assert got.loc[15_000, "missing_facts"] == ("degree",) and pd.isna(got.loc[15_000, "level"])


@needs_dask
def test_optional_bool_outputs_are_nullable_in_every_partition() -> None:
    kinds = proviso.compile(ROOT / "tests" / "python" / "policies" / "kinds.proviso")
    df = random_frame(kinds.batch_inputs(), 400, seed=9)
    out = proviso.dask.evaluate_frame(dd.from_pandas(df, npartitions=3), kinds, as_of=AS_OF)
    assert str(out._meta["express_flag"].dtype) == "boolean"
    pd.testing.assert_frame_equal(out.compute(), kinds.evaluate_frame(df, as_of=AS_OF))


@needs_dask
def test_a_bad_value_raises_the_local_error_naming_partition_and_row(benchmark, frame) -> None:
    df = frame.copy()
    df["degree"] = df["degree"].astype(object)
    df.loc[12_345, "degree"] = "huge"
    with pytest.raises(proviso.FactsError) as info:
        proviso.dask.evaluate_frame(dd.from_pandas(df, npartitions=4), benchmark, as_of=AS_OF).compute()
    e = info.value
    assert str(e) == "partition 2: column `degree`, row 2345 (index 12345): 'huge' is not one of very_serious, " \
                     "serious, medium, light"
    assert (e.partition, e.row, e.column, e.value) == (2, 2345, "degree", "huge")


@needs_dask
def test_the_budget_reaches_the_partitions() -> None:
    policy = proviso.compile("""policy nested
input { xs: list<int> }
output ok: bool
rule r { then ok = all a in xs: all b in xs: all c in xs: a + b + c >= 0 }
""")
    df = pd.DataFrame({"xs": [list(range(5)), list(range(20)), [1]]})
    ddf = dd.from_pandas(df, npartitions=2)
    with pytest.raises(proviso.EvaluationError, match="budget of 5000"):
        proviso.dask.evaluate_frame(ddf, policy, as_of=AS_OF, budget=5000).compute()
    out = proviso.dask.evaluate_frame(ddf, policy, as_of=AS_OF, budget=10000).compute()
    assert out["ok"].tolist() == [True, True, True]


@needs_dask
def test_errors_that_the_dtypes_show_raise_before_computing(benchmark, frame, ddf) -> None:
    with pytest.raises(proviso.FactsError, match="missing column `approved`"):
        proviso.dask.evaluate_frame(ddf.drop(columns=["approved"]), benchmark, as_of=AS_OF)
    with pytest.raises(proviso.FactsError, match="column `controlled_item`"):
        proviso.dask.evaluate_frame(ddf.assign(controlled_item=ddf["call_ended_on"]), benchmark, as_of=AS_OF)
    with pytest.raises(proviso.ProvisoError, match="no_such_param"):
        proviso.dask.evaluate_frame(ddf, benchmark, as_of=AS_OF, params={"no_such_param": 1})
    with pytest.raises(TypeError, match="Dask DataFrame first"):
        proviso.dask.evaluate_frame(benchmark, ddf)
    with pytest.raises(TypeError, match="for a pandas DataFrame use proviso.evaluate_frame"):
        proviso.dask.evaluate_frame(frame, benchmark)
    with pytest.raises(TypeError, match="unknown="):
        proviso.dask.evaluate_frame(ddf, benchmark, unknown={"approved": np.zeros(len(frame), bool)})


@needs_dask
def test_default_as_of_is_the_instant_of_the_call(benchmark, frame, ddf) -> None:
    """Without as_of, every partition is evaluated as of the instant of the call (not each when it runs)."""
    when = proviso.dask._instant(None)
    assert len(when) == 20 and when.endswith("Z")
    out = proviso.dask.evaluate_frame(ddf, benchmark)
    pd.testing.assert_frame_equal(out.compute(), benchmark.evaluate_frame(frame, as_of=when))


@needs_dask
def test_what_if_equals_local(benchmark, frame, ddf) -> None:
    result = proviso.dask.what_if(ddf, benchmark, SCENARIOS, as_of=AS_OF)
    local = proviso.what_if(benchmark, frame, SCENARIOS, as_of=AS_OF)
    pd.testing.assert_frame_equal(result.summary, local.summary)
    pd.testing.assert_frame_equal(result.counts, local.counts)
    assert result.params == local.params
    changes = result.changes.compute()
    key = ["scenario", "outcome", "row"]
    pd.testing.assert_frame_equal(changes.sort_values(key, kind="stable").reset_index(drop=True),
                                  local.changes.sort_values(key, kind="stable").reset_index(drop=True))
    pd.testing.assert_frame_equal(result.baseline.compute(), local.baseline)
    pd.testing.assert_frame_equal(result.results["retaliation against XA"].compute(),
                                  local.results["retaliation against XA"])
    changes, summary = result  # unpacks as locally
    assert summary is result.summary


@needs_dask
def test_what_if_with_facts_not_given_and_a_baseline_equals_local(benchmark, frame, ddf) -> None:
    marked = pd.DataFrame({"approved": np.arange(len(frame)) % 3 == 0}, index=frame.index)
    kwargs = dict(baseline={"min_retention": "45 days"}, as_of=AS_OF)
    result = proviso.dask.what_if(ddf, benchmark, SCENARIOS, unknown=dd.from_pandas(marked, npartitions=4), **kwargs)
    local = proviso.what_if(benchmark, frame, SCENARIOS, unknown=marked, **kwargs)
    assert "rows undetermined (scenario)" in local.summary.columns
    pd.testing.assert_frame_equal(result.summary, local.summary)
    pd.testing.assert_frame_equal(result.counts, local.counts)


@needs_dask
def test_what_if_counts_int_values_over_all_partitions() -> None:
    """An int output is counted per value when the whole frame has at most 20 distinct values,
    whatever each partition has: the partitions' counts are added before the rule is applied."""
    kinds = proviso.compile(ROOT / "tests" / "python" / "policies" / "kinds.proviso")
    df = random_frame(kinds.batch_inputs(), 600, seed=10)
    df["item.qty"] = np.arange(600) // 40  # 15 values: 2 or 3 per partition of 6
    ddf = dd.from_pandas(df, npartitions=6)
    result = proviso.dask.what_if(ddf, kinds, {"x": {}}, as_of=AS_OF)
    local = proviso.what_if(kinds, df, {"x": {}}, as_of=AS_OF)
    assert local.counts["outcome"].str.startswith("double_qty = ").sum() == 2 * 15
    pd.testing.assert_frame_equal(result.counts, local.counts)
    df["item.qty"] = np.arange(600) // 20  # 30 values in all, 5 per partition: none counted
    result = proviso.dask.what_if(dd.from_pandas(df, npartitions=6), kinds, {"x": {}}, as_of=AS_OF)
    local = proviso.what_if(kinds, df, {"x": {}}, as_of=AS_OF)
    assert not local.counts["outcome"].str.startswith("double_qty = ").any()
    pd.testing.assert_frame_equal(result.counts, local.counts)


@needs_dask
def test_what_if_bad_scenarios_raise_at_once(benchmark, ddf) -> None:
    with pytest.raises(proviso.ProvisoError, match="`baseline` names the baseline"):
        proviso.dask.what_if(ddf, benchmark, {"baseline": {}})
    with pytest.raises(proviso.ProvisoError, match="no_such_param"):
        proviso.dask.what_if(ddf, benchmark, {"x": {"no_such_param": 1}})


# ---------------------------------------------------------------- Dask, two worker processes


@pytest.fixture(scope="module")
def client():
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = child_env()["PYTHONPATH"]  # the workers import proviso too
    try:
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                      silence_logs=40) as cluster, distributed.Client(cluster) as c:
            yield c
    finally:
        if before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = before


@needs_dask
def test_a_local_cluster_of_two_processes_evaluates_a_million_rows_as_locally(benchmark, client) -> None:
    n = 1_000_000
    df = bench_frame(n, seed=2024)
    ddf = dd.from_pandas(df, npartitions=4)
    params = {"retaliation_countries": {"XA", "XB"}}
    out = proviso.dask.evaluate_frame(ddf, benchmark, as_of=AS_OF, params=params).persist()
    distributed.wait(out)
    got = out.compute()
    local = benchmark.evaluate_frame(df, as_of=AS_OF, params=params)
    assert len(got) == n and set(got["export"].unique()) == {"permit", "deny"}
    assert_frames_equal(got, local)
    # Each worker process compiled the policy from its sources, in a folder of its own.
    folders = client.run(lambda: __import__("proviso._sources", fromlist=["_"])._root)
    assert len(folders) == 2 and len({pid for pid, _ in folders.values()} | {os.getpid()}) == 3
    # what_if over the same partitions, counted on the workers.
    result = proviso.dask.what_if(ddf, benchmark, SCENARIOS, as_of=AS_OF)
    local = proviso.what_if(benchmark, df, SCENARIOS, as_of=AS_OF)
    pd.testing.assert_frame_equal(result.summary, local.summary)
    pd.testing.assert_frame_equal(result.counts, local.counts)


@needs_dask
def test_a_worker_error_reaches_the_client_as_the_local_error(client, lists) -> None:
    n = 40
    df = pd.DataFrame({"tags": [["a"]] * n, "ended_on": pd.Timestamp("2020-06-01") + pd.to_timedelta(np.arange(n), unit="D")},
                      index=np.arange(100, 100 + n))
    df.at[125, "tags"] = []  # 12 / count(tags): division by zero, row 5 of partition 2
    ddf = dd.from_pandas(df, npartitions=4)
    with pytest.raises(proviso.EvaluationError) as info:
        proviso.dask.evaluate_frame(ddf, lists, as_of=AS_OF).compute()
    e = info.value
    assert (e.partition, e.row) == (2, 5)
    # The policy's file is named as the client knows it, not by the worker's copy.
    assert str(e).startswith("partition 2: row 5: ") and "(frame index 125)" in str(e)
    assert e.location is not None and Path(e.location.file).name == "lists.proviso"
    assert "proviso-policies-" not in str(e) and "proviso-policies-" not in e.location.file
    assert Path(e.location.file).resolve() == (ROOT / "tests" / "python" / "policies" / "lists.proviso").resolve()
    with pytest.raises(proviso.EvaluationError, match="division by zero"):
        proviso.dask.what_if(ddf, lists, {"x": {}}, as_of=AS_OF)


@needs_dask
def test_progress_of_what_if(client, benchmark, ddf) -> None:
    result = proviso.dask.what_if(ddf, benchmark, SCENARIOS, as_of=AS_OF, progress=True)
    assert int(result.summary.loc["60-day retention", "rows"]) == 20_000
