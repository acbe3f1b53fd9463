"""Every shipped scenario with every shipped memory model composes, validates and runs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from cxsim.config import available, load_run_spec
from cxsim.engine.run import run

PAIRS = list(itertools.product(available("scenario"), available("memory")))


def test_shipped_groups():
    assert available("scenario") == ["b2b_dealer", "b2b_dealer_survey", "ecommerce_delivery",
                                     "ecommerce_delivery_survey", "retail_street"]
    assert {"peak_end", "peak_end_best_worst", "mean", "integral", "total", "end", "peak",
            "recency", "key_moments"} <= set(available("memory"))


@pytest.mark.slow
@pytest.mark.parametrize(("scenario", "memory"), PAIRS)
def test_every_scenario_with_every_memory_model_runs(scenario, memory):
    spec = load_run_spec([f"scenario={scenario}", f"memory={memory}", "sim.n_customers=200",
                          "sim.n_cycles=12", "sim.replications=1"])
    assert spec.scenario.memory.model.kind == memory.replace("_best_worst", "")
    res = run(spec)
    s = res.summary.iloc[0]
    assert s["scenario"] == scenario
    for col in ["satisfaction_mean", "retention_rate", "nps", "revenue", "cost"]:
        assert np.isfinite(s[col]), col
    assert 0.0 <= s["retention_rate"] <= 1.0
    assert len(res.cycles) == 12


@pytest.mark.parametrize("name", ["b2b_grid", "b2b_lhs", "b2b_sobol", "b2b_morris"])
def test_shipped_sweeps_choose_the_survey_scenario_and_plan(name):
    """The shipped sweeps vary touchpoint performance means: they choose b2b_dealer_survey (where
    those are distributions), and every point of theirs validates."""
    from cxsim import sweep
    from cxsim.cli.sweep import base_config
    from cxsim.config import compose_config

    cfg = compose_config([f"sweep={name}"])
    assert cfg["scenario"]["name"] == "b2b_dealer_survey"
    plan = sweep.plan(base_config(cfg), sweep.settings_from_dict({**cfg["sweep"], "progress": False}))
    assert len(plan.points) > 0
