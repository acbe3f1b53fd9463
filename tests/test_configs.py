"""Every shipped scenario with every shipped memory model composes, validates and runs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from cxsim.config import available, load_run_spec
from cxsim.engine.run import run

PAIRS = list(itertools.product(available("scenario"), available("memory")))


def test_shipped_groups():
    assert available("scenario") == ["b2b_dealer", "b2b_dealer_operations", "ecommerce_delivery",
                                     "ecommerce_operations", "retail_street"]
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
