"""evaluate_frame(..., chunksize=, progress=): rows evaluated a chunk at a time, progress told and
Ctrl-C heard between chunks, errors naming the frame's rows whatever the chunk."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import proviso
from conftest import AS_OF, POLICIES
from frame_data import random_frame

KINDS = Path(__file__).parent / "policies" / "kinds.proviso"
BOTH = {"excluded_services": {"self_use", "manpower_outsourcing", "technical_services", "seat_rental"}}


@pytest.fixture(scope="module")
def kinds():
    return proviso.compile(KINDS)


def services_frame(n: int, services: int = 0b1000) -> pd.DataFrame:
    """call_center facts (a batch policy: its enum set is a bitmask column), every row alike."""
    df = pd.DataFrame({s.name: np.zeros(n, dtype=bool) for s in proviso.compile(POLICIES / "call_center.proviso")
                       .batch_inputs() if s.kind == "bool"})
    df["operator.services"] = np.full(n, services, dtype=np.int64)  # bit 3: self_use
    df["call.ended_on"] = pd.Timestamp("2020-06-01")
    df["call.deleted_on"] = pd.NaT
    return df


@pytest.mark.parametrize("chunksize", [1, 7, 999, 2000, 5000])
def test_chunks_give_the_whole_frames_result(kinds, chunksize) -> None:
    """Every kind in and out (text outputs too, whose codes each chunk numbers its own way), with
    cells not known (masks of missing facts per chunk), at every chunk size."""
    df = random_frame(kinds.batch_inputs(), 2000, seed=11)
    unknown = {"rush": np.random.default_rng(2).random(len(df)) < 0.1}
    whole = kinds.evaluate_frame(df, as_of=AS_OF, unknown=unknown)
    assert whole["missing_facts"].map(len).gt(0).any()
    seen = []
    out = kinds.evaluate_frame(df, as_of=AS_OF, unknown=unknown, chunksize=chunksize,
                               progress=lambda done, total: seen.append((done, total)))
    pd.testing.assert_frame_equal(out, whole)
    steps = -(-len(df) // chunksize)
    assert seen == [(min((k + 1) * chunksize, len(df)), len(df)) for k in range(steps)]


def test_chunks_on_the_interpreter_back_end(kinds) -> None:
    """The interpreter's batch numbers its text outputs per chunk too, and names rows per chunk."""
    interpreted = proviso.compile(KINDS, backend="interpreter")
    df = random_frame(kinds.batch_inputs(), 700, seed=12)
    whole = kinds.evaluate_frame(df, as_of=AS_OF)
    pd.testing.assert_frame_equal(interpreted.evaluate_frame(df, as_of=AS_OF, chunksize=64), whole)


def test_a_column_of_many_texts_in_small_chunks(kinds) -> None:
    """A text column with far more distinct texts than a chunk has rows: each chunk is given only
    the texts it uses (recoded), and the text output comes back whole."""
    df = random_frame(kinds.batch_inputs(), 3000, seed=5, missing=0.0)
    df["item.note"] = [f"note {k % 2500} é中😀"[: 8 + k % 5] + str(k % 2500) for k in range(len(df))]
    whole = kinds.evaluate_frame(df, as_of=AS_OF)
    out = kinds.evaluate_frame(df, as_of=AS_OF, chunksize=50)
    pd.testing.assert_frame_equal(out, whole)
    assert out["label"].tolist() == df["item.note"].tolist()


def test_policy_method_and_row_path_take_chunks_and_progress(lists) -> None:
    n = 1000
    df = pd.DataFrame({"tags": [["a"] * (1 + k % 3) for k in range(n)],
                       "ended_on": pd.to_datetime(["2020-06-01"] * n)})
    whole = lists.evaluate_frame(df, as_of=AS_OF)
    seen = []
    out = lists.evaluate_frame(df, as_of=AS_OF, chunksize=300, progress=lambda d, t: seen.append((d, t)))
    pd.testing.assert_frame_equal(out, whole)
    assert seen == [(300, n), (600, n), (900, n), (1000, n)]
    seen.clear()
    out = proviso.evaluate_frame(lists, df, as_of=AS_OF, progress=lambda d, t: seen.append((d, t)))
    pd.testing.assert_frame_equal(out, whole)
    assert seen == [(n, n)]  # the row path's default chunk (4096 rows) holds the frame


def test_row_path_makes_the_rows_facts_a_block_at_a_time(lists) -> None:
    """The row path never holds a facts mapping per row of the frame: they are made a block of
    4096 rows at a time, as the extension reads them, and give the same decisions."""
    from proviso import _frame, _frame_rows

    n = 10_000
    df = pd.DataFrame({"tags": [["a"] * (1 + k % 4) for k in range(n)],
                       "ended_on": pd.Timestamp("2020-06-01") + pd.to_timedelta(np.arange(n) % 90, unit="D")})
    batch = _frame.encode(lists, df)
    assert isinstance(batch.facts, _frame_rows.RowFacts) and batch.facts.blocks_made == 0
    raw = _frame.run(batch, as_of=AS_OF, chunk_rows=1000)
    assert batch.facts.blocks_made == 3 and len(batch.facts._block) <= _frame_rows.BLOCK_ROWS
    out = _frame.decode(lists, raw, batch.index)
    for i in (0, 1, 4095, 4096, 9999):
        decision = lists.evaluate({"tags": df["tags"][i], "ended_on": df["ended_on"][i]}, as_of=AS_OF)
        assert out["per_tag"][i] == decision.outputs["per_tag"] and out["due"][i] == pd.Timestamp(decision.outputs["due"])
    assert batch.facts[4097] == {"tags": df["tags"][4097], "ended_on": batch.facts[4097]["ended_on"]}
    assert len(batch.facts[-3:]) == 3 and list(batch.facts)[5]["tags"] == df["tags"][5]


def test_default_chunks_with_progress(kinds) -> None:
    df = random_frame(kinds.batch_inputs(), 10_000, seed=3)
    seen = []
    kinds.evaluate_frame(df, as_of=AS_OF, progress=lambda d, t: seen.append(d))
    assert seen == [4096, 8192, 10_000]  # a hundredth of the frame, but at least 4096 rows


def test_an_empty_frame_reports_zero_of_zero(kinds, lists) -> None:
    for policy, df in ((kinds, random_frame(kinds.batch_inputs(), 0)),
                       (lists, pd.DataFrame({"tags": [], "ended_on": pd.to_datetime([])}))):
        seen = []
        out = policy.evaluate_frame(df, as_of=AS_OF, chunksize=10, progress=lambda d, t: seen.append((d, t)))
        assert len(out) == 0 and seen == [(0, 0)], policy.name


def test_progress_true_draws_a_tqdm_bar(kinds, capsys) -> None:
    pytest.importorskip("tqdm")
    df = random_frame(kinds.batch_inputs(), 500, seed=3)
    out = kinds.evaluate_frame(df, as_of=AS_OF, progress=True, chunksize=100)
    pd.testing.assert_frame_equal(out, kinds.evaluate_frame(df, as_of=AS_OF))
    err = capsys.readouterr().err
    assert "kinds" in err and "500/500" in err and "rows" in err


def test_progress_true_without_tqdm_says_how_to_get_it(kinds, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm now raises ImportError
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    df = random_frame(kinds.batch_inputs(), 10, seed=3)
    with pytest.raises(ImportError, match=r"tqdm.*pip install tqdm.*python3-tqdm.*callable"):
        kinds.evaluate_frame(df, as_of=AS_OF, progress=True)


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-5, ValueError), (2.5, TypeError), (True, TypeError),
                                        ("100", TypeError)])
def test_a_bad_chunksize_is_refused(kinds, bad, error) -> None:
    df = random_frame(kinds.batch_inputs(), 10, seed=3)
    with pytest.raises(error, match="chunksize must be a positive int"):
        kinds.evaluate_frame(df, as_of=AS_OF, chunksize=bad)


def test_a_bad_progress_is_refused(kinds) -> None:
    df = random_frame(kinds.batch_inputs(), 10, seed=3)
    with pytest.raises(TypeError, match=r"progress= takes True .* not str"):
        kinds.evaluate_frame(df, as_of=AS_OF, progress="yes")


@pytest.mark.parametrize("path", ["batch", "rows"])
def test_an_interrupt_from_progress_stops_at_once(kinds, lists, path) -> None:
    """KeyboardInterrupt raised by the progress callback (as Ctrl-C would be, between chunks):
    no chunk after it is evaluated and nothing is returned."""
    if path == "batch":
        policy, df = kinds, random_frame(kinds.batch_inputs(), 5000, seed=3)
    else:
        policy = lists
        df = pd.DataFrame({"tags": [["a"]] * 5000, "ended_on": pd.to_datetime(["2020-06-01"] * 5000)})
    seen = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        policy.evaluate_frame(df, as_of=AS_OF, chunksize=100, progress=progress)
    assert seen == [100, 200, 300]
    with pytest.raises(ZeroDivisionError):  # any exception of the callback stops it the same way
        policy.evaluate_frame(df, as_of=AS_OF, chunksize=100, progress=lambda d, t: 1 // 0)


@pytest.mark.parametrize("path", ["batch", "rows"])
def test_sigint_stops_within_a_few_chunks(lists, path) -> None:
    """SIGINT raised from another thread while the extension evaluates (GIL released): the signal
    is heard between chunks (PyErr_CheckSignals), KeyboardInterrupt stops the evaluation within a
    chunk or two of it, and nothing is returned."""
    if path == "batch":  # the interpreter's batch: chunks slow enough for the signal to land in time
        policy = proviso.compile(POLICIES / "benchmark_policy.proviso", backend="interpreter")
        df = random_frame(policy.batch_inputs(), 400_000, seed=1, missing=0.0)
        chunksize = 500
    else:
        policy = lists
        n = 200_000
        df = pd.DataFrame({"tags": [["a", "b"]] * n, "ended_on": pd.to_datetime(["2020-06-01"] * n)})
        chunksize = 250
    total = -(-len(df) // chunksize)
    seen = []
    at_signal = []

    def interrupt() -> None:
        signal.raise_signal(signal.SIGINT)  # (this thread holds the GIL from here to the count)
        at_signal.append(len(seen))

    def progress(done: int, _total: int) -> None:
        seen.append(done)
        if len(seen) == 2:
            threading.Thread(target=interrupt).start()

    def on_sigint(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        with pytest.raises(KeyboardInterrupt):
            policy.evaluate_frame(df, as_of=AS_OF, chunksize=chunksize, progress=progress)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert at_signal and len(seen) < total
    assert len(seen) - at_signal[0] <= 2, (at_signal, len(seen))


@pytest.mark.parametrize("backend", ["jit", "interpreter"])
def test_errors_in_a_later_chunk_name_the_frames_row(backend) -> None:
    call_center = proviso.compile(POLICIES / "call_center.proviso", backend=backend)
    n = 3000
    df = services_frame(n)
    df.index = np.arange(n) + 100_000
    df.loc[102_500, "operator.services"] = 0b100  # seat_rental: the params make two rules conflict
    for chunksize in (None, 1000, 7):
        with pytest.raises(proviso.EvaluationError) as info:
            call_center.evaluate_frame(df, as_of=AS_OF, params=BOTH, chunksize=chunksize)
        assert info.value.row == 2500, chunksize
        assert str(info.value).count("row 2500") == 1 and "(frame index 102500)" in str(info.value)
        assert "conflict" in str(info.value) and info.value.location.line > 0
    df.loc[102_500, "operator.services"] = 1 << 40  # a bit that is not a value: the SDK's check
    for chunksize in (None, 1000, 7):
        with pytest.raises(proviso.FactsError) as facts:
            call_center.evaluate_frame(df, as_of=AS_OF, chunksize=chunksize)
        e = facts.value
        assert (e.column, e.row, e.path) == ("operator.services", 2500, "operator.services[2500]"), chunksize
        assert "`operator.services[2500]`" in str(e) and "(frame index 102500)" in str(e)


def test_row_path_errors_in_a_later_chunk_name_the_frames_row(lists) -> None:
    n = 1000
    tags = [["a"]] * n
    tags[730] = []  # division by zero
    df = pd.DataFrame({"tags": tags, "ended_on": pd.to_datetime(["2020-06-01"] * n)})
    with pytest.raises(proviso.EvaluationError) as info:
        lists.evaluate_frame(df, as_of=AS_OF, chunksize=100)
    assert info.value.row == 730 and "division by zero" in str(info.value)


def test_dask_partitions_take_a_chunksize(kinds) -> None:
    dd = pytest.importorskip("dask.dataframe")
    import proviso.dask

    df = random_frame(kinds.batch_inputs(), 600, seed=9)
    ddf = dd.from_pandas(df, npartitions=3)
    out = proviso.dask.evaluate_frame(ddf, kinds, as_of=AS_OF, chunksize=7).compute(scheduler="sync")
    pd.testing.assert_frame_equal(out, kinds.evaluate_frame(df, as_of=AS_OF), check_dtype=False)
    with pytest.raises(ValueError, match="chunksize"):
        proviso.dask.evaluate_frame(ddf, kinds, as_of=AS_OF, chunksize=0)
