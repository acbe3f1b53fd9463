"""Paired comparisons: common random numbers, intervals, outputs, the command and its bad input."""

from __future__ import annotations

import subprocess

import numpy as np
import pandas as pd
import pytest

from cxsim.cli import compare as cli
from cxsim.compare import (
    CompareSettings,
    compare,
    composer_from_overrides,
    paired_differences,
    replications_needed,
    summarise_comparison,
    t_interval,
)
from cxsim.errors import SpecError

SMALL = ["sim.n_customers=400", "sim.n_cycles=12"]


@pytest.fixture(scope="module")
def crn_and_independent():
    # without operations the training's spend is exactly its own cost (in b2b_dealer the dealers
    # it keeps also raise the meeting's per-attendee budget, an operations cost)
    compose = composer_from_overrides(["scenario=b2b_dealer_survey", *SMALL])
    settings = {"interventions": ("staff_training",), "replications": 8, "progress": False}
    return (compare(compose, CompareSettings(**settings, crn=True)),
            compare(compose, CompareSettings(**settings, crn=False)))


def _width(result, metric):
    row = result.table[(result.table["metric"] == metric)].iloc[0]
    return row["ci_high"] - row["ci_low"]


def test_common_random_numbers_narrow_the_interval(crn_and_independent):
    crn, independent = crn_and_independent
    for metric in ("satisfaction", "nps", "profit"):
        assert _width(crn, metric) < _width(independent, metric), metric
    # the baseline arm is the same run in both (arm 0 keeps the root seed)
    b1 = crn.runs[crn.runs["arm"] == "none"].reset_index(drop=True)
    b2 = independent.runs[independent.runs["arm"] == "none"].reset_index(drop=True)
    assert b1.equals(b2)
    # with CRN the arms share their draws: the per-replication baseline variance largely cancels
    d = crn.differences["satisfaction"].std(ddof=1)
    assert d < crn.runs[crn.runs["arm"] == "none"]["satisfaction_mean"].std(ddof=1)


def test_table_is_the_paired_t_interval(crn_and_independent):
    crn, _ = crn_and_independent
    runs = crn.runs
    base = runs[runs["arm"] == "none"].set_index("replication")["nps"]
    arm = runs[runs["arm"] == "staff_training"].set_index("replication")["nps"]
    m, lo, hi = t_interval((arm - base).to_numpy())
    row = crn.table[(crn.table["intervention"] == "staff_training") & (crn.table["metric"] == "nps")].iloc[0]
    assert (row["delta"], row["ci_low"], row["ci_high"]) == pytest.approx((m, lo, hi))
    # the forest plot's error bars: the same interval from the comparison's own differences
    d = crn.differences.set_index("replication")["nps"]
    assert crn.interval(d) == pytest.approx((lo, hi))
    assert list(crn.table.columns[:5]) == ["intervention", "metric", "delta", "ci_low", "ci_high"]
    metrics = set(crn.table["metric"])
    assert {"satisfaction", "retention", "nps", "revenue", "cost", "profit", "cost_per_nps_point",
            "cost_per_retained_customer", "roi", "spend"} <= metrics


def test_cost_effectiveness_and_roi_follow_from_the_runs(crn_and_independent):
    crn, _ = crn_and_independent
    t = crn.table.set_index(["intervention", "metric"])["delta"]
    spend = t["staff_training", "spend"]
    assert spend == pytest.approx(800_000 + 12 * 50_000)   # fixed + per cycle, from the yaml
    if t["staff_training", "nps"] > 0:
        assert t["staff_training", "cost_per_nps_point"] == pytest.approx(spend / t["staff_training", "nps"])
    assert t["staff_training", "roi"] == pytest.approx(t["staff_training", "profit"] / spend)
    assert t["staff_training", "cost"] - t["staff_training", "spend"] < spend


def test_spend_includes_the_operations_cost_of_added_capacity():
    """Opening a fifth shop: its rent (an operations cost) is part of what the intervention costs."""
    res = compare(composer_from_overrides(["scenario=retail_street", "sim.n_customers=300", "sim.n_cycles=3"]),
                  CompareSettings(interventions=("open_second_store",), replications=2, progress=False))
    runs = res.runs.set_index(["arm", "replication"])
    extra_ops = (runs.loc["open_second_store", "operations_cost"] - runs.loc["none", "operations_cost"]).mean()
    assert extra_ops > 0
    t = res.table.set_index(["intervention", "metric"])["delta"]
    assert t["open_second_store", "spend"] == pytest.approx(1_500_000 + extra_ops)


def test_ranking_and_indistinguishable_pairs_are_reported():
    """Two arms built to be identical in effect cannot be told apart; a note says so."""
    runs = []
    rng = np.random.default_rng(0)
    for r in range(4):
        base = {"satisfaction_mean": 0.0, "retention_rate": 0.5, "nps": 0.0, "revenue": 100.0,
                "cost": 10.0, "profit": 90.0, "intervention_cost": 0.0}
        runs.append({**base, "arm": "none", "replication": r})
        for arm, gain in (("a", 5.0), ("b", 5.0), ("c", 50.0)):
            noise = rng.normal(0, 3)
            runs.append({**base, "arm": arm, "replication": r, "profit": 90 + gain + noise,
                         "nps": gain + noise, "intervention_cost": 1.0})
    settings = CompareSettings(replications=4, progress=False)
    res = summarise_comparison(pd.DataFrame(runs), "none", settings, 100, "CNY")
    assert res.ranking["intervention"].iloc[0] == "c"
    notes = " ".join(res.notes())
    assert "too small to tell" in notes
    pair = res.pairs[(res.pairs["a"].isin(["a", "b"])) & (res.pairs["b"].isin(["a", "b"]))].iloc[0]
    assert not pair["distinguishable"] and pair["replications_needed"] > 4


def test_replications_needed_grows_with_noise():
    rng = np.random.default_rng(1)
    quiet = 1.0 + rng.normal(0, 0.5, 20)
    loud = 1.0 + rng.normal(0, 5.0, 20)
    assert replications_needed(quiet) < replications_needed(loud)


def test_paired_differences_match_by_replication():
    runs = pd.DataFrame([
        {"arm": "none", "replication": 0, "satisfaction_mean": 1, "retention_rate": 0.5, "nps": 1,
         "revenue": 10, "cost": 1, "profit": 9, "intervention_cost": 0},
        {"arm": "none", "replication": 1, "satisfaction_mean": 2, "retention_rate": 0.5, "nps": 2,
         "revenue": 20, "cost": 2, "profit": 18, "intervention_cost": 0},
        {"arm": "x", "replication": 1, "satisfaction_mean": 5, "retention_rate": 0.6, "nps": 3,
         "revenue": 25, "cost": 4, "profit": 21, "intervention_cost": 2},
        {"arm": "x", "replication": 0, "satisfaction_mean": 2, "retention_rate": 0.5, "nps": 1,
         "revenue": 10, "cost": 3, "profit": 7, "intervention_cost": 2},
    ])
    d = paired_differences(runs, "none").set_index("replication")
    assert d.loc[0, "satisfaction"] == 1 and d.loc[1, "satisfaction"] == 3
    assert d.loc[0, "roi"] == -1.0 and d.loc[1, "roi"] == 1.5


def test_command_writes_every_output(tmp_path):
    out = tmp_path / "cmp"
    proc = subprocess.run(
        ["cxsim-compare", "sim.n_customers=300", "sim.n_cycles=12", "compare.replications=3",
         "compare.interventions=[dealer_gala,faster_delivery,open_second_store]", f"hydra.run.dir={out}"],
        capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    for name in ["comparison.csv", "ranking.csv", "pairs.csv", "runs.csv", "notes.txt", "comparison.png"]:
        assert (out / name).is_file(), name
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["intervention"]) == {"dealer_gala", "faster_delivery"}
    assert "skipped open_second_store" in proc.stdout
    assert "compare" in proc.stderr  # the progress bar
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == 3 * 3 and set(runs["arm"]) == {"none", "dealer_gala", "faster_delivery"}


def test_default_arms_are_every_shipped_intervention_that_applies():
    from cxsim.compare import plan

    p = plan(composer_from_overrides(SMALL), CompareSettings(replications=2))
    assert p.baseline.name == "none"
    assert {a.name for a in p.arms} == {"faster_delivery", "dealer_gala", "staff_training", "callback_service"}
    assert [n for n, _ in p.skipped] == ["marketing_campaign", "open_second_store"]


BAD = {
    "R < 2": (["compare.replications=1"], "compare.replications"),
    "unknown intervention": (["compare.interventions=[nope]"], "compare.interventions"),
    "nothing applies": (["compare.interventions=[open_second_store]"], "compare.interventions"),
    "unknown rank": (["compare.rank_by=joy"], "compare.rank_by"),
    "unknown compare key": (["+compare.nope=1"], "compare.nope"),
    "negative cost in an arm": (["intervention=dealer_gala", "intervention.scenarios.b2b_dealer.cost.fixed=-1"],
                                "intervention.scenarios.b2b_dealer.cost.fixed"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line_and_exit_2(case, rejects):
    overrides, field = BAD[case]
    rejects(cli.main, "cxsim-compare", overrides, field)


@pytest.mark.slow
def test_worker_processes_give_the_same_runs():
    compose = composer_from_overrides(["sim.n_customers=300", "sim.n_cycles=4"])
    settings = {"interventions": ("dealer_gala", "staff_training"), "replications": 3, "progress": False}
    one = compare(compose, CompareSettings(**settings))
    two = compare(compose, CompareSettings(**settings, n_jobs=2))
    pd.testing.assert_frame_equal(one.runs, two.runs)
    pd.testing.assert_frame_equal(one.table, two.table)


def test_settings_validation():
    with pytest.raises(SpecError):
        CompareSettings(confidence=1.2)
    with pytest.raises(SpecError):
        CompareSettings(crn="yes")  # type: ignore[arg-type]
    with pytest.raises(SpecError):
        CompareSettings(n_jobs=-1)
