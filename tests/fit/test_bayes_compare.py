"""A posterior carried into ``cxsim compare``: parameters fixed and with parameter uncertainty."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from cxsim.cli import compare as cli
from cxsim.compare import CompareSettings, compare, composer_from_overrides
from cxsim.execution import Execution
from cxsim.report.comparison import report

SMALL = ["sim.n_customers=300", "sim.n_cycles=12", "sim.seed=0"]
PATH = "memory.w_end"  # the weight of the end: how much a better dealer meeting at the year's end counts


@pytest.fixture
def wide(tmp_path):
    """A wide posterior of the end's memory weight."""
    path = tmp_path / "posterior.parquet"
    pd.DataFrame({PATH: np.random.default_rng(1).uniform(0.0, 0.6, 200)}).to_parquet(path, index=False)
    return path


def test_intervals_widen_with_parameter_uncertainty(wide):
    settings = CompareSettings(interventions=("dealer_gala",), replications=10, progress=False, rank_by="satisfaction",
                               posterior=str(wide))
    result = compare(composer_from_overrides(SMALL), settings)
    runs = result.posterior_runs
    per_rep = runs.pivot(index="replication", columns="arm", values=f"param:{PATH}")
    assert (per_rep["none"] == per_rep["dealer_gala"]).all() and per_rep["none"].nunique() > 5
    u = result.uncertainty.set_index("metric").loc["satisfaction"]
    assert u["uncertain_high"] - u["uncertain_low"] > u["fixed_high"] - u["fixed_low"]
    assert 0.0 <= u["p_better"] <= 1.0
    assert result.runs["arm"].nunique() == 2 and len(result.runs) == 20  # the fixed runs
    text = report(result)
    assert "with parameter uncertainty" in text and "P(beats baseline)" in text


def test_the_same_posterior_and_seed_give_the_same_comparison(wide):
    settings = CompareSettings(interventions=("dealer_gala",), replications=3, progress=False, posterior=str(wide))
    one = compare(composer_from_overrides(SMALL), settings)
    two = compare(composer_from_overrides(SMALL), settings)
    pd.testing.assert_frame_equal(one.uncertainty, two.uncertainty)


def test_command_writes_the_uncertainty_tables(tmp_path, wide):
    out = tmp_path / "cmp"
    proc = subprocess.run(
        [sys.executable, "-m", "cxsim.cli.compare", *SMALL, "compare.replications=4", "compare.interventions=[dealer_gala]",
         f"posterior={wide}", "compare.progress=false", f"hydra.run.dir={out}"],
        capture_output=True, text=True, check=False,
        cwd=tmp_path)  # not the repository root, whose source tree has no configs package
    assert proc.returncode == 0, proc.stderr
    u = pd.read_csv(out / "uncertainty.csv")
    assert {"fixed_delta", "uncertain_low", "uncertain_high", "p_better"} <= set(u.columns)
    assert len(pd.read_csv(out / "runs_posterior.csv")) == 2 * 4
    assert "parameters fixed at the posterior means" in proc.stdout


def test_bad_posteriors_are_one_line_errors_before_anything_runs(tmp_path, rejects):
    rejects(cli.main, "cxsim-compare", [*SMALL, f"posterior={tmp_path / 'nope.parquet'}"], "compare.posterior")
    bad = tmp_path / "bad.parquet"
    pd.DataFrame({"scenario.loyalty.nope": [1.0]}).to_parquet(bad, index=False)
    rejects(cli.main, "cxsim-compare", [*SMALL, f"compare.posterior={bad}"], "posterior.scenario.loyalty.nope")


def test_posterior_comparison_is_the_same_on_local_workers_and_in_process(wide):
    """The posterior runs go through the execution backend: same tables in process and on 2 workers."""
    settings = CompareSettings(interventions=("dealer_gala",), replications=3, progress=False, posterior=str(wide))
    one = compare(composer_from_overrides(SMALL), settings)
    two = compare(composer_from_overrides(SMALL), settings, Execution(workers=2, batch=1))
    pd.testing.assert_frame_equal(one.posterior_runs, two.posterior_runs)
    pd.testing.assert_frame_equal(one.uncertainty, two.uncertainty)
    pd.testing.assert_frame_equal(one.runs, two.runs)
