"""Every metric of cxsim-compare has an interval: Fieller intervals for the cost ratios, "undefined" otherwise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxsim.compare import CompareSettings, summarise_comparison
from cxsim.ratio import fieller
from cxsim.report.comparison import report


def _runs(gains: dict[str, float], noise: float, reps: int = 6, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(reps):
        base = {"satisfaction_mean": 0.0, "retention_rate": 0.5, "nps": 0.0, "revenue": 100.0, "cost": 10.0,
                "profit": 90.0, "intervention_cost": 0.0}
        rows.append({**base, "arm": "none", "replication": r})
        for arm, gain in gains.items():
            e = rng.normal(0, noise)
            rows.append({**base, "arm": arm, "replication": r, "nps": gain + e, "retention_rate": 0.5 + gain / 100 + e / 100,
                         "profit": 90 + gain + e, "intervention_cost": 50.0 + rng.normal(0, 2)})
    return pd.DataFrame(rows)


@pytest.fixture
def result():
    runs = _runs({"clear_gain": 10.0, "no_gain": 0.0}, noise=2.0)
    return summarise_comparison(runs, "none", CompareSettings(replications=6, progress=False), 1000, "CNY")


def test_ratio_rows_carry_fieller_intervals(result):
    t = result.table.set_index(["intervention", "metric"])
    row = t.loc[("clear_gain", "cost_per_nps_point")]
    d = result.differences[result.differences["intervention"] == "clear_gain"]
    expected = fieller(d["spend"], d["nps"])
    assert row["interval"] == "fieller"
    assert (row["delta"], row["ci_low"], row["ci_high"]) == pytest.approx((expected.estimate, expected.low, expected.high))
    assert row["ci_low"] < row["delta"] < row["ci_high"]


def test_a_gain_indistinguishable_from_zero_makes_the_ratio_undefined(result):
    t = result.table.set_index(["intervention", "metric"])
    for metric in ("cost_per_nps_point", "cost_per_retained_customer"):
        assert t.loc[("no_gain", metric), "interval"] == "undefined"
    assert "undefined" in report(result)


def test_no_nan_interval_in_the_written_table(result, tmp_path):
    result.save(tmp_path)
    table = pd.read_csv(tmp_path / "comparison.csv", dtype=str, keep_default_na=False)
    for col in ("delta", "ci_low", "ci_high"):
        assert (table[col] != "").all() and (table[col].str.lower() != "nan").all(), col
    undefined = table[table["interval"] == "undefined"]
    assert not undefined.empty and (undefined[["delta", "ci_low", "ci_high"]] == "undefined").all().all()
    defined = table[table["interval"] != "undefined"]
    assert np.isfinite(defined[["delta", "ci_low", "ci_high"]].astype(float).to_numpy()).all()


def test_the_command_writes_the_report_and_no_nan_interval(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "cmp"
    proc = subprocess.run(
        [sys.executable, "-m", "cxsim.cli.main", "compare", "sim.n_customers=300", "sim.n_cycles=3",
         "compare.replications=3", "compare.interventions=[dealer_gala,staff_training]", "compare.progress=false",
         f"hydra.run.dir={out}"], capture_output=True, text=True, check=False,
        cwd=tmp_path)  # not the repository root, whose source tree has no configs package
    assert proc.returncode == 0, proc.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Ranked interventions" in html and "cxsim compare" in html
    table = pd.read_csv(out / "comparison.csv", dtype=str, keep_default_na=False)
    assert (table[["delta", "ci_low", "ci_high"]] != "").all().all()
    assert "undefined" in set(table["interval"])  # the gala's NPS gain within 3 cycles is nil
