"""Robustness: worlds, probability of beating the baseline, regret, PRIM boxes, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxsim.config import compose_config
from cxsim.errors import SpecError
from cxsim.portfolio import portfolio
from cxsim.robustness import (
    RobustnessSettings,
    Uncertain,
    assess,
    discover,
    sample_worlds,
    settings_from_dict,
)

SMALL = ["sim.n_customers=300", "sim.n_cycles=3"]


def test_worlds_are_a_reproducible_latin_hypercube():
    s = RobustnessSettings(params=(Uncertain("a", 0.0, 1.0), Uncertain("b", 10.0, 20.0)), worlds=20, seed=3)
    w = sample_worlds(s)
    pd.testing.assert_frame_equal(w, sample_worlds(s))
    assert w["a"].between(0, 1).all() and w["b"].between(10, 20).all()
    # one draw in each of the 20 equal strata of every parameter (Latin hypercube)
    assert sorted(np.floor(w["a"] * 20).astype(int)) == list(range(20))
    assert not w.equals(sample_worlds(RobustnessSettings(params=s.params, worlds=20, seed=4)))


def test_prim_recovers_a_known_box():
    """Losing worlds are exactly a > 0.6 and b < 0.4: PRIM's box lies on those limits."""
    rng = np.random.default_rng(0)
    worlds = pd.DataFrame({"a": rng.uniform(0, 1, 400), "b": rng.uniform(0, 1, 400), "c": rng.uniform(0, 1, 400)})
    y = ((worlds["a"] > 0.6) & (worlds["b"] < 0.4)).to_numpy()
    boxes, note = discover(worlds, y, 0.8, "p")
    lims = boxes.set_index("path")
    assert set(lims.index) <= {"a", "b"} and {"a", "b"} <= set(lims.index)
    assert lims.loc["a", "low"] == pytest.approx(0.6, abs=0.05)
    assert lims.loc["b", "high"] == pytest.approx(0.4, abs=0.05)
    assert boxes["density"].iloc[0] >= 0.8 and boxes["coverage"].iloc[0] >= 0.8
    assert "p loses in" in note and "a >= " in note and "b <= " in note  # one-sided limits, as restricted


def test_prim_says_so_when_there_is_nothing_to_find():
    w = pd.DataFrame({"a": np.linspace(0, 1, 10)})
    assert discover(w, np.zeros(10, bool), 0.8, "p")[0].empty
    boxes, note = discover(w, np.ones(10, bool), 0.8, "p")
    assert boxes.empty and "every sampled world" in note


def test_assess_probabilities_and_regret():
    """A portfolio that only costs money never beats doing nothing in the short run (the meeting comes in
    cycle 12) and its regret is its cost; the per-world differences are paired runs of each world."""
    cfg = compose_config(SMALL)
    s = settings_from_dict({"params": [{"path": "scenario.loyalty.satisfaction_slope", "low": 0.5, "high": 1.5}],
                            "worlds": 4, "replications": 1})
    rob = assess(cfg, {"gala": portfolio({"dealer_gala": None}), "training": portfolio({"staff_training": None})}, s)
    t = rob.table.set_index("portfolio")
    assert t.loc["gala", "p_beats_baseline"] == 0.0
    assert t.loc["gala", "mean_delta"] == pytest.approx(-300_000)
    g = rob.outcomes[rob.outcomes["portfolio"] == "gala"]
    best = rob.outcomes.groupby("world")["delta"].max().clip(lower=0.0)
    assert g["regret"].to_numpy() == pytest.approx((best.loc[g["world"]] - g["delta"].to_numpy()).to_numpy())
    assert (rob.outcomes["regret"] >= 0).all()
    assert len(rob.worlds) == 4 and rob.settings.metric == "profit"


def test_posterior_draws_can_be_the_worlds():
    cfg = compose_config(SMALL)
    s = settings_from_dict({"params": [{"path": "scenario.loyalty.satisfaction_slope", "low": 0, "high": 2}],
                            "worlds": 2, "replications": 1})
    draws = pd.DataFrame({"scenario.loyalty.satisfaction_slope": [0.7, 0.9, 1.1]})
    rob = assess(cfg, {"gala": portfolio({"dealer_gala": None})}, s, worlds=draws)
    assert len(rob.outcomes) == 3 and rob.worlds.equals(draws)


@pytest.mark.parametrize("data, field", [
    ({"params": [{"path": "x", "low": 2, "high": 1}]}, "optimise.robustness.params[0].low"),
    ({"params": [{"path": "x", "low": 1}]}, "optimise.robustness.params[0].high"),
    ({"params": [{"path": "x", "low": 1, "high": 2, "step": 1}]}, "optimise.robustness.params[0].step"),
    ({"worlds": 1}, "optimise.robustness.worlds"),
    ({"density": 0}, "optimise.robustness.density"),
    ({"peel_alpha": 0.5}, "optimise.robustness.peel_alpha"),
    ({"direction": "up"}, "optimise.robustness.direction"),
    ({"colour": 1}, "optimise.robustness.colour"),
])
def test_bad_settings(data, field):
    with pytest.raises(SpecError) as err:
        settings_from_dict(data)
    assert err.value.field == field


def test_bad_paths_are_found_before_running():
    cfg = compose_config(SMALL)
    for path, why in (("scenario.no_such", "no field"), ("scenario.name", "not a number")):
        s = settings_from_dict({"params": [{"path": path, "low": 0, "high": 1}]})
        with pytest.raises(SpecError) as err:
            assess(cfg, {"gala": portfolio({"dealer_gala": None})}, s)
        assert err.value.field == "optimise.robustness.params[0].path" and why in err.value.allowed
