"""Sensitivity (SALib): a parameter with a real effect stands out; one without is flagged as noise."""

from __future__ import annotations

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
