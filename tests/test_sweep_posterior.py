"""Sweeps with a posterior: each point with the parameters fixed and with parameter uncertainty."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from cxsim import sweep
from cxsim.cli import sweep as cli
from cxsim.cli.sweep import base_config
from cxsim.config import compose_config
from cxsim.errors import SpecError
from cxsim.execution import Execution
from cxsim.fit.posterior import sweep_uncertainty

DELIVERY = "scenario.journey.touchpoints.delivery_speed.performance.mean"
TINY = ["scenario=b2b_dealer_survey", "sim.n_customers=200", "sim.n_cycles=6", "sim.seed=3"]
PATH = "scenario.journey.touchpoints.service_staff.performance.mean"  # the service staff, uncertain


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    path = tmp_path_factory.mktemp("post") / "posterior.parquet"
    pd.DataFrame({PATH: np.random.default_rng(1).uniform(3.5, 4.8, 200)}).to_parquet(path, index=False)
    return path


def _settings(posterior, **kw):
    return sweep.settings_from_dict({"params": [{"path": DELIVERY, "values": [3.0, 6.0]}], "replications": 4,
                                     "progress": False, "posterior": str(posterior), **kw})


@pytest.fixture(scope="module")
def uncertain(tmp_path_factory, wide):
    d = tmp_path_factory.mktemp("sweep")
    p = sweep.plan(base_config(compose_config(TINY)), _settings(wide))
    sweep.execute(p, d, commit="c")
    return p, sweep.collect(p, d)


def test_every_point_runs_fixed_and_at_the_same_posterior_draws(uncertain, wide):
    p, got = uncertain
    t = got.table
    assert got.complete and len(t) == 2 * 2 * 4 and len(p) == 16
    assert set(t["parameters"]) == {"fixed", "posterior"}
    fixed, drawn = t[t["parameters"] == "fixed"], t[t["parameters"] == "posterior"]
    mean = pd.read_parquet(wide)[PATH].mean()
    assert np.allclose(fixed[f"param:{PATH}"], mean)
    per_rep = drawn.pivot(index="replication", columns=DELIVERY, values=f"param:{PATH}")
    assert (per_rep[3.0] == per_rep[6.0]).all() and per_rep[3.0].nunique() == 4  # the same draw at every point
    assert not np.allclose(per_rep[3.0], mean)
    # the drawn weight reaches the simulation: the same seed and point, other results than the fixed runs
    a = fixed.set_index([DELIVERY, "replication"])["satisfaction_mean"]
    b = drawn.set_index([DELIVERY, "replication"])["satisfaction_mean"]
    assert not np.allclose(a.sort_index(), b.sort_index())


def test_uncertainty_table_puts_fixed_beside_uncertain(uncertain):
    p, got = uncertain
    u = sweep_uncertainty(got.table, p.params, ["satisfaction_mean", "nps"])
    assert len(u) == 2 * 2 and set(u[DELIVERY]) == {3.0, 6.0} and (u["draws"] == 4).all()
    assert (u["fixed_low"] <= u["fixed_mean"]).all() and (u["fixed_mean"] <= u["fixed_high"]).all()
    assert (u["uncertain_low"] <= u["uncertain_high"]).all()
    for delivery in (3.0, 6.0):  # the staff's uncertainty widens the interval of satisfaction
        s = u.set_index([DELIVERY, "output"]).loc[(delivery, "satisfaction_mean")]
        assert s["uncertain_high"] - s["uncertain_low"] > s["fixed_high"] - s["fixed_low"]


def test_posterior_sweep_is_the_same_on_two_workers_and_resumes(tmp_path, uncertain, wide):
    p, got = uncertain
    assert sweep.execute(p, tmp_path, commit="c", execution=Execution(workers=2, batch=3)) == 16
    pd.testing.assert_frame_equal(sweep.collect(p, tmp_path).table, got.table)
    assert sweep.execute(p, tmp_path, commit="c") == 0


def test_a_sweep_without_posterior_has_no_new_columns(tmp_path):
    s = sweep.settings_from_dict({"params": [{"path": DELIVERY, "values": [3.0]}], "progress": False})
    t = sweep.run_sweep(base_config(compose_config(TINY)), s, tmp_path).table
    assert "parameters" not in t.columns and not any(str(c).startswith("param:") for c in t.columns)


def test_bad_posterior_settings(tmp_path, wide):
    base = base_config(compose_config(TINY))
    with pytest.raises(SpecError, match="sweep.params\\[0\\].path"):
        sweep.plan(base, sweep.settings_from_dict({"params": [{"path": PATH, "values": [0.1]}],
                                                   "posterior": str(wide)}))
    with pytest.raises(SpecError, match="posterior"):
        sweep.settings_from_dict({"sampler": "sobol", "params": [{"path": DELIVERY, "low": 3, "high": 6}],
                                  "posterior": str(wide)})


def test_bad_posterior_files_are_one_line_errors(tmp_path, rejects):
    rejects(cli.main, "cxsim-sweep", [*TINY, f"posterior={tmp_path / 'nope.parquet'}"], "sweep.posterior")
    bad = tmp_path / "bad.parquet"
    pd.DataFrame({"scenario.loyalty.nope": [1.0]}).to_parquet(bad, index=False)
    rejects(cli.main, "cxsim-sweep", [*TINY, "sweep=b2b_grid", f"sweep.posterior={bad}"],
            "sweep.posterior.scenario.loyalty.nope")


def test_command_writes_the_uncertainty_table(tmp_path, wide):
    out = tmp_path / "s"
    proc = subprocess.run([sys.executable, "-m", "cxsim.cli.sweep", *TINY, "sweep.replications=3", "sweep.progress=false",
                           f"+sweep.params=[{{path: {DELIVERY}, values: [3.0, 6.0]}}]", f"posterior={wide}",
                           f"hydra.run.dir={out}"], capture_output=True, text=True, check=False,
                          cwd=tmp_path)  # not the repository root, whose source tree has no configs package
    assert proc.returncode == 0, proc.stderr
    u = pd.read_csv(out / "uncertainty.csv")
    assert {"fixed_low", "fixed_high", "uncertain_low", "uncertain_high"} <= set(u.columns) and len(u) == 2 * 4
    assert len(pd.read_parquet(out / "sweep.parquet")) == 2 * 2 * 3
    assert "each point twice: parameters fixed at the posterior means" in proc.stdout
