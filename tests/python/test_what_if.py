"""what_if and plot_what_if, checked against the policy's logic computed independently."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import proviso
from conftest import AS_OF
from frame_data import random_frame

SCENARIOS = {
    "60-day retention": {"min_retention": "60 days"},
    "retaliation against XA": {"retaliation_countries": {"XA"}},
}


@pytest.fixture(scope="module")
def frame(benchmark) -> pd.DataFrame:
    df = random_frame(benchmark.batch_inputs(), 20_000, seed=42)
    return df.set_index(pd.RangeIndex(1000, 1000 + len(df)))  # labels differ from positions


@pytest.fixture(scope="module")
def result(benchmark, frame):
    return proviso.what_if(benchmark, frame, SCENARIOS, as_of=AS_OF)


def test_summary_of_a_longer_retention(frame, result) -> None:
    kept = frame["records_kept_for"].dt.days
    # The retention duty is an operator's of call-center business: the other rows do not change.
    operator = frame["call_center_operator"]
    assert operator.any() and not operator.all()
    newly_short = int(((kept >= 30) & (kept < 60) & operator).sum())
    assert newly_short > 0
    row = result.summary.loc["60-day retention"]
    assert row["rows"] == len(frame)
    assert row["became violated"] == newly_short
    assert row["no longer violated"] == 0
    assert row["retention_violation changed"] == newly_short
    assert row["level changed"] == 0 and row["export changed"] == 0 and row["deny_reason changed"] == 0
    assert row["deadlines changed"] == int(operator.sum())  # every operator's deadline moves by 30 days
    assert row["rows changed"] == int(operator.sum())
    assert row["rows violating (baseline)"] == int(((kept < 30) & operator).sum())
    assert row["rows violating (scenario)"] == int(((kept < 60) & operator).sum())


def test_summary_of_a_retaliation_list(frame, result) -> None:
    judicial = frame["overseas_law_enforcement"] & ~frame["approved"]
    newly_denied = (frame["destination"] == "XA") & ~judicial & ~frame["controlled_item"]
    assert newly_denied.sum() > 0
    row = result.summary.loc["retaliation against XA"]
    assert row["export changed"] == newly_denied.sum()
    assert row["deny_reason changed"] == newly_denied.sum()
    assert row["level changed"] == 0 and row["became violated"] == 0 and row["deadlines changed"] == 0
    assert row["rows changed"] == newly_denied.sum()
    changes = result.changes
    export = changes[(changes["scenario"] == "retaliation against XA") & (changes["outcome"] == "export")]
    assert sorted(export["row"]) == sorted(frame.index[newly_denied])
    assert set(export["baseline"]) == {"permit"} and set(export["value"]) == {"deny"}
    reason = changes[(changes["scenario"] == "retaliation against XA") & (changes["outcome"] == "deny_reason")]
    assert set(reason["baseline"]) == {None} and set(reason["value"]) == {"retaliation_list"}


def test_changes_are_tidy_and_agree_with_the_summary(result) -> None:
    changes = result.changes
    assert list(changes.columns) == ["scenario", "row", "outcome", "baseline", "value"]
    per = changes.groupby(["scenario", "outcome"]).size()
    for scenario, row in result.summary.iterrows():
        for output in ["level", "export", "deny_reason", "retention_violation"]:
            assert per.get((scenario, output), 0) == row[f"{output} changed"]
    deadline = changes[changes["outcome"] == "keep_call_records.deadline"].iloc[0]
    assert (pd.Timestamp(deadline["value"]) - pd.Timestamp(deadline["baseline"])).days == 30


def test_counts_and_frames(benchmark, frame, result) -> None:
    counts = result.counts.set_index(["outcome", "scenario"])["rows"]
    base = benchmark.evaluate_frame(frame, as_of=AS_OF)
    pd.testing.assert_frame_equal(result.baseline, base)
    retaliation = benchmark.evaluate_frame(frame, as_of=AS_OF, params={"retaliation_countries": ["XA"]})
    pd.testing.assert_frame_equal(result.results["retaliation against XA"], retaliation)
    assert counts[("export = deny", "baseline")] == (base["export"] == "deny").sum()
    assert counts[("export = deny", "retaliation against XA")] == (retaliation["export"] == "deny").sum()
    assert counts[("deny_reason = none", "baseline")] == base["deny_reason"].isna().sum()
    assert counts[("keep_call_records violated", "60-day retention")] == \
        result.summary.loc["60-day retention", "rows violating (scenario)"]
    for level in range(1, 6):
        assert counts[(f"level = {level}", "baseline")] == (base["level"] == level).sum()


def test_scenarios_apply_on_top_of_the_baseline(benchmark, frame) -> None:
    changes, summary = proviso.what_if(benchmark, frame, {"XA too": {"retaliation_countries": ["XA"]}},
                                       baseline={"min_retention": "60 days"}, as_of=AS_OF)
    assert summary.loc["XA too", "retention_violation changed"] == 0  # 60 days in both
    assert summary.loc["XA too", "export changed"] > 0
    assert set(changes["outcome"]) == {"export", "deny_reason"}


def test_what_if_on_a_row_path_policy(call_center) -> None:
    n = 500
    rng = np.random.default_rng(3)
    ended = pd.Timestamp("2020-06-01") + pd.to_timedelta(rng.integers(0, 30, n), unit="D")
    kept = rng.integers(1, 90, n)
    df = pd.DataFrame({"operator.services": [["call_center_for_clients"]] * n, "call.ended_on": ended,
                       "call.deleted_on": ended + pd.to_timedelta(kept, unit="D")})
    with pytest.raises(proviso.FactsError, match="missing column `operator.internal_controls`"):
        proviso.what_if(call_center, df, {"60 days": {"min_retention": "60 days"}}, as_of=AS_OF)
    # The operator's other facts are not given: the duties they decide stay open, and are counted
    # as such, while the retention duty (decided by the dates) changes as before.
    result = proviso.what_if(call_center, df, {"60 days": {"min_retention": "60 days"}}, as_of=AS_OF,
                             unknown="left_out")
    summary = result.summary.loc["60 days"]
    assert summary["became violated"] == ((kept >= 30) & (kept < 60)).sum()
    assert summary["rows undetermined (baseline)"] == n == summary["rows undetermined (scenario)"]
    counts = result.counts.set_index(["outcome", "scenario"])["rows"]
    assert counts["no_crank_calls may be violated", "baseline"] == n
    assert counts["no_crank_calls violated", "baseline"] == 0  # silence is not a breach
    assert counts["keep_call_records.status = undetermined", "60 days"] == 0
    assert set(result.changes["outcome"]) == {"keep_call_records.violated", "keep_call_records.deadline",
                                              "keep_call_records.status"}


def test_plot(result) -> None:
    import matplotlib

    matplotlib.use("Agg")
    fig = proviso.plot_what_if(result)
    ax = fig.axes[0]
    outcomes = result.counts["outcome"].nunique()
    assert len(ax.patches) == outcomes * (1 + len(SCENARIOS))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "export = deny" in labels and "keep_call_records violated" in labels
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["baseline", *SCENARIOS]
    # Bar lengths are the counts.
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == sorted(result.counts["rows"].astype(float))
    fig = proviso.plot_what_if(result, changed_only=True)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "export = deny" in labels and "level = 1" not in labels


def test_bad_scenarios(benchmark, frame) -> None:
    with pytest.raises(TypeError):
        proviso.what_if(benchmark, frame, {})
    with pytest.raises(proviso.ProvisoError):
        proviso.what_if(benchmark, frame, {"baseline": {}})
    with pytest.raises(proviso.FactsError) as info:
        proviso.what_if(benchmark, frame, {"typo": {"min_retentoin": "60 days"}})
    assert info.value.path == "min_retentoin"
