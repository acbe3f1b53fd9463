"""Sensitivity (SALib): a parameter with a real effect stands out; one without is flagged as noise."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from cxsim import sensitivity, sweep
from cxsim.cli.sweep import base_config
from cxsim.config import compose_config
from cxsim.errors import SpecError

DELIVERY = "scenario.journey.touchpoints.delivery_speed.performance.mean"
MEETING = "scenario.journey.touchpoints.dealer_meeting.performance.mean"
# six monthly cycles: the annual dealer meeting (cycle 12) never happens, so its performance has
# exactly no effect - the truth the analysis must recover
BASE = ["scenario=b2b_dealer_survey", "sim.n_customers=300", "sim.n_cycles=6"]


def _run(sampler, n, tmp_path, replications=2):
    s = sweep.settings_from_dict({
        "sampler": sampler, "n_samples": n, "seed": 1, "replications": replications, "progress": False,
        "outputs": ["nps", "retention_rate"],
        "params": [{"path": DELIVERY, "low": 2.5, "high": 8.0}, {"path": MEETING, "low": 3.5, "high": 5.0}]})
    p = sweep.plan(base_config(compose_config(BASE)), s)
    sweep.execute(p, tmp_path)
    table = sweep.collect(p, tmp_path).table
    return p, s, table, sensitivity.analyse(p, table, s)


def test_sobol_finds_the_real_driver(tmp_path):
    p, _s, _table, idx = _run("sobol", 8, tmp_path)
    assert len(p.points) == 8 * (2 + 2)  # Saltelli: N (D + 2) without second order
    nps = idx[idx["output"] == "nps"].set_index("parameter")
    assert nps.loc[DELIVERY, "ST"] > 0.5 and nps.loc[DELIVERY, "above_noise"]
    assert abs(nps.loc[MEETING, "ST"]) < 1e-9 and not nps.loc[MEETING, "above_noise"]
    assert 0 <= nps["noise_share"].iloc[0] < 0.5
    fig = sensitivity.figure(idx, tmp_path / "s.png")
    assert fig.stat().st_size > 0


def test_morris_ranks_the_real_driver_first(tmp_path):
    _, _, _, idx = _run("morris", 6, tmp_path)
    nps = idx[idx["output"] == "nps"].set_index("parameter")
    assert nps.loc[DELIVERY, "mu_star"] > 10 * nps.loc[MEETING, "mu_star"]
    assert nps.loc[DELIVERY, "above_noise"] and not nps.loc[MEETING, "above_noise"]


def test_noise_is_measured_only_with_replications(tmp_path):
    _, _, _, idx = _run("sobol", 4, tmp_path, replications=1)
    assert idx["noise_share"].isna().all() and idx["above_noise"].isna().all()


def test_sensitivity_samplers_need_continuous_parameters():
    with pytest.raises(SpecError) as err:
        sweep.settings_from_dict({"sampler": "morris", "params": [{"path": "intervention", "values": ["none"]}]})
    assert err.value.field == "sweep.params[0].values"
    with pytest.raises(SpecError):
        sweep.settings_from_dict({"sampler": "sobol", "params": []})


# --------------------------------------------------------------------------- Sobol sample sizes
def _sobol_settings(n):
    return sweep.settings_from_dict({
        "sampler": "sobol", "n_samples": n, "seed": 1, "replications": 1, "progress": False,
        "params": [{"path": DELIVERY, "low": 2.5, "high": 8.0}, {"path": MEETING, "low": 3.5, "high": 5.0}]})


@pytest.mark.parametrize("n, expected", [(1, 1), (2, 2), (3, 4), (6, 8), (8, 8), (100, 128)])
def test_sobol_sample_size_is_rounded_up_to_a_power_of_two(n, expected):
    settled, warning = sensitivity.settle_samples(_sobol_settings(n))
    assert settled.n_samples == expected
    if n == expected:
        assert warning is None and settled == _sobol_settings(n)
    else:
        assert warning is not None and warning.field == "sweep.n_samples"
        assert warning.message.startswith(f"{n} rounded up to {expected}")
    morris = sweep.settings_from_dict({"sampler": "morris", "n_samples": 6, "params": [
        {"path": DELIVERY, "low": 2.5, "high": 8.0}]})
    assert sensitivity.settle_samples(morris) == (morris, None)


def test_analysis_refuses_a_sobol_plan_that_is_not_a_power_of_two():
    s = _sobol_settings(6)
    p = sweep.plan(base_config(compose_config(BASE)), s)
    assert len(p.points) == 6 * 4
    with pytest.raises(SpecError) as err:
        sensitivity.analyse(p, pd.DataFrame(), s)
    assert err.value.field == "sweep.n_samples" and "power of two" in str(err.value)


def test_indices_outside_zero_one_are_named():
    rows = [{"output": "nps", "parameter": "a", "S1": 1.99, "S1_conf": 0.9, "ST": 1.2, "ST_conf": 0.5},
            {"output": "nps", "parameter": "b", "S1": 0.02, "S1_conf": 0.1, "ST": 0.05, "ST_conf": 0.1}]
    (w,) = sensitivity.check_indices(pd.DataFrame(rows), 8)
    assert w.code == "sobol_unstable" and w.message.startswith("8: S1 of a for nps is 1.99 (± 0.90)")
    rows[0].update(S1=1.05, ST=0.98)
    assert sensitivity.check_indices(pd.DataFrame(rows), 64) == []


def test_sweep_command_rounds_the_sample_and_never_shows_impossible_indices_silently(tmp_path):
    out = tmp_path / "sobol"
    proc = subprocess.run(
        [sys.executable, "-m", "cxsim.cli.main", "sweep", "sweep=b2b_sobol", "sweep.n_samples=6",
         "sweep.replications=1", "sweep.progress=false", "sim.n_customers=300", "sim.n_cycles=6",
         f"hydra.run.dir={out}"], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "cxsim sweep: warning: sweep.n_samples: 6 rounded up to 8" in proc.stderr
    assert len(pd.read_csv(out / "points.csv")) == 8 * (4 + 2)
    idx = pd.read_csv(out / "sensitivity.csv")
    impossible = ((idx[["S1", "ST"]] > 1 + sensitivity.OUT_OF_RANGE) | (idx[["S1", "ST"]] < -sensitivity.OUT_OF_RANGE))
    warned = "cxsim sweep: warning: sweep.n_samples: 8: " in proc.stderr
    assert warned == bool(impossible.to_numpy().any())
    codes = set(pd.read_csv(out / "warnings.csv")["code"])
    assert "sobol_samples" in codes and ("sobol_unstable" in codes) == warned
