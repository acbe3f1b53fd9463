"""The open market in the engine: regression, both engines, scripted acquisition and win-back, outputs."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxsim.config import load_run_spec
from cxsim.engine.market import CHANNELS
from cxsim.engine.model import CustomerModel
from cxsim.engine.run import run
from cxsim.engine.streams import replication_seeds

logging.getLogger("MESA").setLevel(logging.WARNING)
DATA = Path(__file__).parent / "data"
SHIPPED = ["retail_street", "b2b_dealer", "ecommerce_delivery"]


@pytest.mark.parametrize("scenario", SHIPPED)
def test_without_a_market_the_results_are_the_closed_cohorts(scenario, tmp_path):
    """``market.enabled=false``: exactly the cycle table of the closed-cohort engine (the reference
    files were written by the engine before the market existed, with these settings)."""
    res = run(load_run_spec([f"scenario={scenario}", "scenario.market.enabled=false", "sim.n_customers=400",
                             "sim.n_cycles=6", "sim.replications=2", "outputs.figures=false", "memory.noise=0.3"]))
    assert res.spec.scenario.market is None
    res.cycles.to_csv(tmp_path / "cycles.csv", index=False)  # the same CSV round trip as the reference
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "cycles.csv"),
                                  pd.read_csv(DATA / f"closed_cohort_{scenario}.csv"), check_exact=True)


OPEN = ["sim.n_customers=400", "sim.n_cycles=6", "sim.replications=2", "outputs.figures=false"]


def _open_market_tables(scenario: str, *extra: str) -> dict[str, pd.DataFrame]:
    res = run(load_run_spec([f"scenario={scenario}", *OPEN, *extra]))
    return {"cycles": res.cycles, "market": res.market}  # type: ignore[dict-item]


@pytest.mark.parametrize("scenario", SHIPPED)
def test_open_market_results_are_pinned_at_float64(scenario, tmp_path):
    """Seeded regression of the shipped scenarios as shipped (open market, operations, word of
    mouth) at the default 64-bit precision: the cycle and market tables, number for number, are
    those in ``tests/data/open_market_<scenario>_*.csv``. A change here is a change of results;
    regenerate the files (``_open_market_tables(scenario)[name].to_csv(path, index=False)``) only
    when it is meant."""
    for name, table in _open_market_tables(scenario).items():
        table.to_csv(tmp_path / f"{name}.csv", index=False)  # the same CSV round trip as the reference
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / f"{name}.csv"),
                                      pd.read_csv(DATA / f"open_market_{scenario}_{name}.csv"), check_exact=True)


@pytest.mark.parametrize("scenario", SHIPPED)
def test_agent_engine_equals_population_engine_with_a_market(scenario):
    base = [f"scenario={scenario}", "sim.n_customers=250", "sim.n_cycles=8", "sim.replications=2",
            "outputs.figures=false", "memory.noise=0.3", "scenario.market.referral=3.0",
            "scenario.market.marketing.spend_per_thousand=100"]
    pop = run(load_run_spec(base))
    agent = run(load_run_spec([*base, "sim.engine=agent"]))
    pd.testing.assert_frame_equal(pop.cycles, agent.cycles, check_exact=True)
    pd.testing.assert_frame_equal(pop.customers, agent.customers, check_exact=True)
    pd.testing.assert_frame_equal(pop.summary.drop(columns="engine"), agent.summary.drop(columns="engine"),
                                  check_exact=True)
    c = pop.cycles
    assert c["new_customers"].sum() > 0 and c["churned"].sum() > 0, "the check should cover both flows"
    new_rows = pop.customers[pop.customers["customer_id"] >= 250]
    assert len(new_rows) > 0, "new customers take rows past the starting customers and go through journeys"


def test_same_seed_same_market_and_threads_do_not_matter():
    base = ["scenario=retail_street", "sim.n_customers=500", "sim.n_cycles=5", "sim.replications=1",
            "outputs.figures=false"]
    a = run(load_run_spec([*base, "runtime.threads=1"]))
    b = run(load_run_spec([*base, "runtime.threads=2"]))
    pd.testing.assert_frame_equal(a.cycles, b.cycles, check_exact=True)
    c = run(load_run_spec([*base, "sim.seed=1"]))
    assert not a.cycles["new_customers"].equals(c.cycles["new_customers"])


def test_output_columns_and_shares_sum_to_one():
    res = run(load_run_spec(["scenario=retail_street", "sim.n_customers=400", "sim.n_cycles=4",
                             "sim.replications=2", "outputs.figures=false"]))
    c, s = res.cycles, res.summary
    for col in ("market_share", "market_share_other_shops", "new_customers", "lost_to_other_shops", "won_back",
                "prospects", "active_customers", "acquisition_cost", "clv", "purchases",
                *(f"new_customers_{ch}" for ch in CHANNELS)):
        assert col in c.columns, col
    for col in ("market_share", "new_customers", "clv", "discounted_profit", "purchases", "lost_to_other_shops"):
        assert col in s.columns, col
    np.testing.assert_allclose(c["market_share"] + c["market_share_other_shops"], 1.0)
    assert (c[[f"new_customers_{ch}" for ch in CHANNELS]].sum(axis=1) == c["new_customers"]).all()
    assert (c["purchases"] == c["customers_start"]).all()
    # the next cycle's customers are this cycle's who stayed plus the new ones
    for _, g in c.groupby("replication"):
        assert (g["customers_end"] + g["new_customers"]).iloc[:-1].tolist() == g["customers_start"].iloc[1:].tolist()
        assert (g["active_customers"].iloc[:-1].to_numpy() == g["customers_start"].iloc[1:].to_numpy()).all()


def test_market_table_per_segment_adds_up_to_the_cycle_totals(tmp_path):
    res = run(load_run_spec(["scenario=retail_street", "sim.n_customers=400", "sim.n_cycles=4",
                             "sim.replications=2", "outputs.figures=false"]))
    m, c = res.market, res.cycles
    assert sorted(m["segment"].unique()) == ["locals", "tourists"] and len(m) == 2 * 4 * 2
    totals = m.groupby(["replication", "cycle"])[["prospects", "customers", "customers_other_shops",
                                                  "new_customers", "lost"]].sum().reset_index()
    merged = c.merge(totals, on=["replication", "cycle"], suffixes=("", "_seg"))
    assert (merged["prospects"] == merged["prospects_seg"]).all()
    assert (merged["active_customers"] == merged["customers"]).all()
    assert (merged["customers_other_shops"] == merged["customers_other_shops_seg"]).all()
    assert (merged["new_customers"] == merged["new_customers_seg"]).all()
    assert (merged["churned"] == merged["lost"]).all()
    assert "market.csv" in [p.name for p in res.save(tmp_path)]
    closed = run(load_run_spec(["scenario=retail_street", "scenario.market.enabled=false", "sim.n_customers=100",
                                "sim.n_cycles=2", "outputs.figures=false"]))
    assert closed.market is None and "market.csv" not in [p.name for p in closed.save(tmp_path / "closed")]


def _model(overrides: list[str]) -> CustomerModel:
    spec = load_run_spec(["scenario=retail_street", "outputs.figures=false", "sim.replications=1", *overrides])
    return CustomerModel(spec.scenario, spec.sim, replication_seeds(spec.sim.seed, 1)[0])


SCRIPT = [
    "sim.n_customers=100", "scenario.market.capacity=3", "scenario.market.prospects=1.0",
    "scenario.market.referral=0", "scenario.market.detractor_weight=0",
    "scenario.market.competitors.0.customers=0.5", "scenario.market.competitors.0.appeal=-60",
]


def test_scripted_acquisition_every_prospect_enters_and_chooses_us():
    """Category entry 1 and a rival nobody chooses: in cycle 1 every prospect becomes ours, exactly,
    on the first free rows, with a segment and expectations of its own; then the rows are full."""
    m = _model([*SCRIPT, "scenario.market.category_entry=1.0", "scenario.market.competitors.0.churn=0"])
    ms = m.market
    prospects0 = ms.prospects.copy()
    assert prospects0.sum() == 100 and ms.rival.sum() == 50
    m.step()
    row = m.recorder.cycle_rows[-1]
    assert row["new_customers_choice"] == row["new_customers"] == 100
    assert row["new_customers_referral"] == row["new_customers_marketing"] == row["new_customers_switching"] == 0
    assert row["prospects"] == 0 and ms.prospects.sum() == 0
    assert row["lost_to_other_shops"] == row["churned"]
    churned_rows = np.flatnonzero(m.outcome.churned)
    # the freed rows of the leavers first, then never-used rows, in ascending order
    expected = np.sort(np.concatenate([churned_rows, np.arange(100, 300)]))[:100]
    np.testing.assert_array_equal(np.flatnonzero(m.state.active[expected]), np.arange(100))
    assert np.bincount(m.state.segment[m.state.active], minlength=2).tolist() == \
        (np.bincount(m.state.segment[:100], minlength=2) - np.bincount(m.state.segment[churned_rows], minlength=2)
         + prospects0).tolist()
    assert not np.isnan(m.state.expectation[expected]).any()
    assert ms.cohort.sum() == 100 - churned_rows.size
    assert row["retention_rate"] == pytest.approx((100 - churned_rows.size) / 100)


def test_scripted_win_back_and_the_joy_pain_law():
    """Everybody leaves us in cycle 1 (to the only rival); its customers all reconsider and choose us:
    cycle 1 brings its 50 starting customers (switching), cycle 2 our 100 leavers back (won back),
    whose convenience expectation is exactly what the rival gave (joy_pain 1)."""
    m = _model([*SCRIPT, "scenario.market.category_entry=0", "scenario.loyalty.base_repurchase=1e-12",
                "scenario.market.competitors.0.churn=1.0", "scenario.market.competitors.0.appeal=-60",
                "scenario.market.joy_pain=1.0", "scenario.market.competitors.0.performance.convenience=3.0"])
    m.step()
    row = m.recorder.cycle_rows[-1]
    assert row["churned"] == 100 and row["lost_to_other_shops"] == 100
    assert row["new_customers_switching"] == 50 and row["won_back"] == 0
    assert m.market.rival.sum() == 100 and m.market.former.sum() == 100
    m.step()
    row = m.recorder.cycle_rows[-1]
    assert row["churned"] == 50 and row["lost_to_other_shops"] == 50
    assert row["won_back"] == row["new_customers_won_back"] == 100 and row["new_customers_switching"] == 0
    back = m.state.active & ~m.market.cohort
    conv = m.compiled.names.index("convenience")
    np.testing.assert_array_equal(m.state.expectation[back, conv], 3.0)
    assert m.market.former.sum() == 50 and m.market.rival.sum() == 50


def test_capacity_limits_new_customers():
    """No room beyond the starting customers: new customers only take the rows of those who left."""
    m = _model([*SCRIPT, "scenario.market.capacity=1", "scenario.market.category_entry=1.0",
                "scenario.market.competitors.0.churn=0"])
    m.step()
    row = m.recorder.cycle_rows[-1]
    assert row["new_customers"] == row["churned"]
    assert row["capacity_shortfall"] == 100 - row["churned"]
    assert row["prospects"] == 100 - row["churned"]
    assert m.state.active.all()


def test_marketing_cost_and_reach():
    """Advertising costs spend x market size / 1000 a cycle and wins prospects; acquisition cost
    is that spend per new customer."""
    over = ["sim.n_customers=400", "sim.n_cycles=3", "scenario.market.marketing.spend_per_thousand=500",
            "scenario.market.marketing.max_reach=0.5", "scenario.market.marketing.half_saturation=100"]
    res = run(load_run_spec(["scenario=retail_street", "outputs.figures=false", "sim.replications=1", *over]))
    c = res.cycles
    m = _model(over)
    total = int(m.market.size.sum())
    np.testing.assert_allclose(c["marketing_cost"], 500 * total / 1000)
    assert (c["new_customers_marketing"] > 0).all()
    np.testing.assert_allclose(c["acquisition_cost"], c["marketing_cost"] / c["new_customers"])
    base = run(load_run_spec(["scenario=retail_street", "outputs.figures=false", "sim.replications=1",
                              *over[:2]]))
    assert (base.cycles["marketing_cost"] == 0).all()
    np.testing.assert_allclose(c["cost"].iloc[0] - base.cycles["cost"].iloc[0], c["marketing_cost"].iloc[0])


def test_competitor_event_changes_its_experience():
    """``the rival halves its delivery time in month 6``: its share of newcomers rises from then on."""
    from cxsim.engine.market import competitor_experience

    spec = load_run_spec(["scenario=ecommerce_delivery", "outputs.figures=false"])
    rival = spec.scenario.market.competitors[0]
    m = CustomerModel(spec.scenario, spec.sim, replication_seeds(0, 1)[0])
    before = competitor_experience(rival.at(5), m.compiled, m.market.expectation_mean)
    after = competitor_experience(rival.at(6), m.compiled, m.market.expectation_mean)
    assert rival.at(6).performance["home_delivery"] == 1.5 and rival.at(5).performance["home_delivery"] == 3.0
    assert (after > before).all()


def test_compare_has_the_market_metrics_and_opening_a_shop_wins_customers():
    """``cxsim-compare`` on retail_street: comparison rows for new customers, purchases, market share,
    CLV and the discounted ROI, with paired intervals; the second shop wins customers, purchases
    and revenue (intervals above zero)."""
    from cxsim.compare import CompareSettings, compare, composer_from_overrides

    compose = composer_from_overrides(["scenario=retail_street", "sim.n_customers=1500", "sim.n_cycles=8"])
    result = compare(compose, CompareSettings(interventions=("open_second_store", "marketing_campaign"),
                                              replications=4, progress=False))
    t = result.table[result.table["intervention"] == "open_second_store"].set_index("metric")
    for metric in ("new_customers", "purchases", "market_share", "clv", "discounted_profit", "discounted_roi"):
        assert metric in t.index, metric
        assert np.isfinite(t.loc[metric, ["delta", "ci_low", "ci_high"]].to_numpy(dtype=float)).all(), metric
    for metric in ("new_customers", "purchases", "revenue", "market_share"):
        assert t.loc[metric, "ci_low"] > 0, (metric, t.loc[metric].to_dict())
    d = result.differences
    np.testing.assert_allclose(d["discounted_roi"], d["discounted_profit"] / d["spend"])
    # a campaign's spend is the advertising it buys (no fixed cost): the change in marketing cost
    runs = result.runs.set_index(["arm", "replication"])["marketing_cost"]
    campaign = d[d["intervention"] == "marketing_campaign"].set_index("replication")
    np.testing.assert_allclose(campaign["spend"], runs["marketing_campaign"] - runs["none"])
    assert (campaign["spend"] > 0).all() and (campaign["new_customers"] > 0).all()
    from cxsim.report.comparison import report

    text = report(result)
    assert "open market: paired Δ" in text and "Δ new customers" in text
    line = next(x for x in text.splitlines() if x.startswith("open_second_store") and "[" in x)
    assert f"{t.loc['new_customers', 'delta']:+,.0f} [{t.loc['new_customers', 'ci_low']:+,.0f}," in line


def test_compare_without_a_market_has_only_the_closed_cohort_metrics():
    from cxsim.compare import METRICS, CompareSettings, compare, composer_from_overrides

    compose = composer_from_overrides(["scenario=retail_street", "scenario.market.enabled=false",
                                       "sim.n_customers=300", "sim.n_cycles=3"])
    result = compare(compose, CompareSettings(interventions=("open_second_store",), replications=2, progress=False))
    assert set(result.table["metric"]) == {*METRICS, "spend", "cost_per_nps_point", "cost_per_retained_customer", "roi"}
    from cxsim.report.comparison import report

    assert "open market" not in report(result)


def test_new_customers_get_new_ids_rows_are_reused():
    """A leaver's row goes to a new customer, who gets an id of their own: no id reappears after
    it churned, and new ids start after the starting customers'."""
    res = run(load_run_spec(["scenario=retail_street", "sim.n_customers=300", "sim.n_cycles=6",
                             "sim.replications=1", "outputs.figures=false", "scenario.market.capacity=1"]))
    cust = res.customers
    last_seen = cust.groupby("customer_id")["cycle"].max()
    churned_at = cust[cust["churned"]].set_index("customer_id")["cycle"]
    assert (last_seen[churned_at.index] == churned_at).all()  # nobody comes back under the same id
    new = cust[cust["customer_id"] >= 300]
    assert len(new) > 0 and cust["customer_id"].max() < 300 + res.cycles["new_customers"].sum()
    assert (cust.groupby("cycle").size().to_numpy() == res.cycles["customers_start"].to_numpy()).all()


def test_sample_episode_names_the_customer_with_a_market():
    """The figure's sample episode is the first row's customer, named by their (new) customer id."""
    res = run(load_run_spec(["scenario=retail_street", "sim.n_customers=60", "sim.n_cycles=6", "sim.replications=1",
                             "outputs.moments=true", "scenario.market.capacity=1"]))
    s = res.first.sample
    m = res.moments[(res.moments["customer_id"] == s["customer_id"]) & (res.moments["cycle"] == 6)]
    j = m["touchpoint"].map(res.first.compiled.names.index).to_numpy()
    np.testing.assert_array_equal(np.flatnonzero(np.asarray(s["present"])), np.sort(j))
    np.testing.assert_array_equal(np.asarray(s["affect"])[j], m["affect"].to_numpy())

