"""Conservation in the open market (hypothesis): prospects + every brand's customers = market size,
every cycle and segment; no negative counts; market shares sum to one."""

from __future__ import annotations

import logging

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxsim.config import load_run_spec
from cxsim.engine.model import CustomerModel
from cxsim.engine.streams import replication_seeds

logging.getLogger("MESA").setLevel(logging.WARNING)

unit = st.floats(0.0, 1.0)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(20, 120), capacity=st.floats(1.0, 3.0), prospects=st.floats(0.0, 4.0),
    rival=st.floats(0.0, 3.0), churn=unit, entry=unit, referral=st.floats(0.0, 20.0),
    deter=st.floats(0.0, 5.0), repurchase=st.floats(0.05, 0.99), spend=st.floats(0.0, 1000.0),
    appeal=st.floats(-5.0, 5.0), seed=st.integers(0, 2**31), engine=st.sampled_from(["population", "agent"]),
    rivals=st.sampled_from([0, 1, 2]),
)
def test_conservation(n, capacity, prospects, rival, churn, entry, referral, deter, repurchase, spend, appeal,
                      seed, engine, rivals):
    brands = {0: "[]", 1: None,
              2: f"[{{name: a, customers: {rival}, churn: {churn}, appeal: {appeal}}}, "
                 f"{{name: b, customers: 0.5, churn: 0.5, experience: 1.0, sites: [{{travel_minutes: {{locals: 2}}}}]}}]"}
    extra = [] if brands[rivals] is None else [f"scenario.market.competitors={brands[rivals]}"]
    spec = load_run_spec([
        "scenario=retail_street", f"sim.n_customers={n}", "sim.n_cycles=5", f"sim.seed={seed}",
        f"sim.engine={engine}", "outputs.figures=false", f"scenario.market.capacity={capacity}",
        f"scenario.market.prospects={prospects}", f"scenario.market.competitors.0.customers={rival}",
        f"scenario.market.competitors.0.churn={churn}", f"scenario.market.category_entry={entry}",
        f"scenario.market.referral={referral}", f"scenario.market.detractor_weight={deter}",
        f"scenario.loyalty.base_repurchase={repurchase}", f"scenario.market.marketing.spend_per_thousand={spend}",
        f"scenario.market.competitors.0.appeal={appeal}", "scenario.market.marketing.max_reach=0.3",
    ] if rivals == 1 else [
        "scenario=retail_street", f"sim.n_customers={n}", "sim.n_cycles=5", f"sim.seed={seed}",
        f"sim.engine={engine}", "outputs.figures=false", f"scenario.market.capacity={capacity}",
        f"scenario.market.prospects={prospects}", f"scenario.market.category_entry={entry}",
        f"scenario.market.referral={referral}", f"scenario.market.detractor_weight={deter}",
        f"scenario.loyalty.base_repurchase={repurchase}", f"scenario.market.marketing.spend_per_thousand={spend}",
        "scenario.market.marketing.max_reach=0.3", *extra,
    ])
    names = [b.name for b in spec.scenario.market.competitors]
    model = CustomerModel(spec.scenario, spec.sim, replication_seeds(seed, 1)[0])
    ms = model.market
    size = ms.size.copy()
    for _ in range(spec.sim.n_cycles):
        model.step()
        ours = ms.ours(model.state)
        np.testing.assert_array_equal(ms.prospects + ours + ms.rival.sum(axis=0), size)
        assert (ms.prospects >= 0).all() and (ms.rival >= 0).all() and (ms.former >= 0).all()
        assert (ms.former <= ms.rival).all()
        row = model.recorder.cycle_rows[-1]
        each = [row["market_share"], *(row[f"market_share_{b}"] for b in names)]
        assert np.isnan(sum(each)) or (abs(sum(each) - 1.0) < 1e-12 and min(each) >= 0)
        assert row["active_customers"] == int(model.state.active.sum()) <= model.state.n
        assert row["prospects"] + row["active_customers"] + sum(row[f"customers_{b}"] for b in names) == int(size.sum())
        assert row["churned"] == row["lost_to_prospects"] + sum(row[f"lost_to_{b}"] for b in names)
        if engine == "agent":
            assert len(model.agents) == row["active_customers"]
