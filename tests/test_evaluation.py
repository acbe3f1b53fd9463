"""Portfolio evaluation: common random numbers, paired differences, the run cache, parallel runs."""

from __future__ import annotations

import pandas as pd
import pytest

from cxsim.compare import replication_summary
from cxsim.config import compose_config
from cxsim.engine.run import run_replication
from cxsim.evaluation import Evaluator, prepared
from cxsim.portfolio import portfolio

SMALL = ["sim.n_customers=300", "sim.n_cycles=4"]  # the dealer meeting closes cycle 12: its figures are NaN here


def _same(a: dict, b: dict) -> None:
    pd.testing.assert_series_equal(pd.Series(a), pd.Series(b))  # NaN (no meeting yet) equals NaN


@pytest.fixture(scope="module")
def config() -> dict:
    return compose_config(SMALL)


def test_baseline_rows_are_the_runs_of_the_composed_config(config):
    ev = Evaluator(config, 3)
    rows = ev.rows([(None, 0), (None, 2)])
    spec = ev.baseline_spec
    _same(rows[1], replication_summary(run_replication(spec, 2), spec))
    assert [r["replication"] for r in rows] == [0, 2]


def test_replication_seed_does_not_depend_on_the_room_left(config):
    """Replication r of a config prepared for 3 or for 50 replications is the same run."""
    a = Evaluator(config, 3).rows([(None, 1)])[0]
    b = Evaluator(config, 50).rows([(None, 1)])[0]
    _same(a, b)


def test_paired_differences_and_spend(config):
    ev = Evaluator(config, 2)
    gala = portfolio({"dealer_gala": None})
    d_none, d_gala = ev.paired([portfolio({}), gala], [0, 1])
    assert (d_none.drop(columns="replication").fillna(0.0) == 0).all().all()  # NaN: no meeting in 4 cycles
    arm = pd.DataFrame(ev.rows([(gala, 0), (gala, 1)]))
    base = pd.DataFrame(ev.rows([(None, 0), (None, 1)]))
    expected = (arm["intervention_cost"] - base["intervention_cost"]) + (arm["operations_cost"] - base["operations_cost"])
    assert d_gala["spend"].tolist() == pytest.approx(expected.tolist())
    assert d_gala["profit"].tolist() == pytest.approx((arm["profit"] - base["profit"]).tolist())


def test_cache_runs_each_portfolio_and_replication_once(config):
    ev = Evaluator(config, 2)
    p = portfolio({"staff_training": None})
    ev.paired([p, p], [0, 1])
    assert ev.runs == 4  # baseline x 2 + staff_training x 2
    ev.paired([portfolio({"staff_training": None})], [0, 1])
    assert ev.runs == 4


def test_workers_give_the_same_rows(config):
    p = portfolio({"callback_service": None})
    one = Evaluator(config, 2, n_jobs=1).paired([p], [0, 1])[0]
    two = Evaluator(config, 2, n_jobs=2).paired([p], [0, 1])[0]
    pd.testing.assert_frame_equal(one, two)


def test_prepared_switches_off_per_customer_outputs(config):
    cfg = prepared({**config, "optimise": {"x": 1}}, 7)
    assert cfg["sim"]["replications"] == 7 and cfg["outputs"]["customers"] == "never"
    assert "optimise" not in cfg and "compare" not in cfg
