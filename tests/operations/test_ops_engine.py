"""Operations inside a run: performance from records, backends, engines, costs, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxsim import load_run_spec, run
from cxsim.cli import main as cli

RETAIL = ["scenario=retail_street", "sim.n_customers=3000", "sim.n_cycles=3", "sim.replications=1",
          "outputs.figures=false"]


@pytest.fixture(scope="module")
def retail():
    return run(load_run_spec([*RETAIL, "outputs.moments=true"]))


def test_performance_comes_from_the_operations_record(retail) -> None:
    ops, mom = retail.operations, retail.moments
    assert ops is not None and set(ops["process"]) == {"stores"}
    visit = mom[mom["touchpoint"] == "shop_visit"].merge(ops, on=["customer_id", "cycle"])
    assert len(visit) == len(mom[mom["touchpoint"] == "shop_visit"]) > 0
    np.testing.assert_array_equal(visit["performance"], visit["visit_minutes"])
    # every customer who was a customer in a cycle visited a shop exactly once
    per_cycle = ops.groupby("cycle").size().to_numpy()
    np.testing.assert_array_equal(per_cycle, retail.cycles["customers_start"].to_numpy())


def test_summary_and_cycles_carry_operations_figures(retail) -> None:
    s = retail.summary.iloc[0]
    for col in ("stores_utilisation", "stores_wait_mean", "stores_wait_p90", "stores_abandonment_rate",
                "operations_cost"):
        assert np.isfinite(s[col]), col
    ops = retail.operations
    assert s["stores_wait_mean"] == pytest.approx(ops["wait_minutes"].mean())
    assert s["stores_wait_p90"] == pytest.approx(ops["wait_minutes"].quantile(0.9))
    assert s["stores_abandonment_rate"] == pytest.approx(ops["unserved"].astype(float).mean())
    # capacity cost: 4 shops x (100,000 rent + 1 counter x 25,000) per month, in cost and profit
    cyc = retail.cycles
    np.testing.assert_allclose(cyc["operations_cost"], 4 * 125_000)
    np.testing.assert_allclose(cyc["profit"], cyc["revenue"] - cyc["cost"])


def test_writes_operations_parquet(retail, tmp_path) -> None:
    names = [p.name for p in retail.save(tmp_path)]
    assert "operations.parquet" in names
    back = pd.read_parquet(tmp_path / "operations.parquet")
    assert len(back) == len(retail.operations) and "wait_minutes" in back


@pytest.mark.parametrize("overrides", [["outputs.operations=never"], ["outputs.operations_limit=100"]])
def test_summary_without_the_records_table_is_the_same(retail, overrides, tmp_path) -> None:
    """Big runs skip the per-encounter table (gigabytes at a million customers), not its figures."""
    lean = run(load_run_spec([*RETAIL, "outputs.moments=true", *overrides]))
    assert lean.operations is None
    assert "operations.parquet" not in [p.name for p in lean.save(tmp_path)]
    pd.testing.assert_frame_equal(lean.summary, retail.summary)
    pd.testing.assert_frame_equal(lean.cycles, retail.cycles)


def test_pipeline_summary_without_the_records_table_is_the_same() -> None:
    """The default dealer run computes only the records its figures need when it keeps no table."""
    base = ["sim.n_customers=1500", "sim.n_cycles=12", "sim.replications=1", "outputs.figures=false"]
    full, lean = (run(load_run_spec([*base, f"outputs.operations={o}"])) for o in ("always", "never"))
    assert lean.operations is None and {"delivery_days", "late_days"} <= set(full.operations.columns)
    pd.testing.assert_frame_equal(lean.summary, full.summary)
    pd.testing.assert_frame_equal(lean.cycles, full.cycles)


def test_operations_table_can_be_forced_above_the_limit(retail) -> None:
    forced = run(load_run_spec([*RETAIL, "outputs.moments=true", "outputs.operations_limit=100",
                                "outputs.operations=always"]))
    pd.testing.assert_frame_equal(forced.operations, retail.operations)


def test_simpy_backend_gives_the_same_run(retail) -> None:
    simpy_run = run(load_run_spec([*RETAIL, "outputs.moments=true", "scenario.operations.backend=simpy"]))
    pd.testing.assert_frame_equal(simpy_run.operations, retail.operations)
    pd.testing.assert_frame_equal(simpy_run.summary, retail.summary)


def test_agent_engine_gives_the_same_run() -> None:
    small = [*RETAIL[:-3], "sim.n_customers=400", "sim.n_cycles=2", "outputs.figures=false"]
    a = run(load_run_spec([*small, "sim.engine=agent"]))
    p = run(load_run_spec(small))
    pd.testing.assert_frame_equal(a.operations, p.operations)
    cols = [c for c in p.summary.columns if c != "engine"]
    pd.testing.assert_frame_equal(a.summary[cols], p.summary[cols])


def test_another_store_shortens_waits_and_costs_rent(retail) -> None:
    five = run(load_run_spec([*RETAIL, "outputs.moments=true", "scenario.operations.stores.count=5"]))
    s4, s5 = retail.summary.iloc[0], five.summary.iloc[0]
    assert s5["stores_wait_mean"] < s4["stores_wait_mean"]
    assert s5["stores_utilisation"] < s4["stores_utilisation"]
    assert s5["operations_cost"] - s4["operations_cost"] == pytest.approx(3 * 125_000)
    # the operations' own stream leaves every other draw as it was (common random numbers)
    m4, m5 = retail.moments, five.moments
    first = (m4["cycle"] == 1) & (m4["touchpoint"] != "shop_visit")
    first5 = (m5["cycle"] == 1) & (m5["touchpoint"] != "shop_visit")
    np.testing.assert_array_equal(m4.loc[first, "performance"].to_numpy(), m5.loc[first5, "performance"].to_numpy())


BAD = {
    "zero counters": (["scenario.operations.stores.counters=0"], "scenario.operations.stores.counters"),
    "negative counters": (["scenario.operations.stores.counters=-1"], "scenario.operations.stores.counters"),
    "more stores than sites": (["scenario.operations.stores.count=9"], "scenario.operations.stores.count"),
    "closing before opening": (["scenario.operations.stores.hours.default=[20,9]"],
                               "scenario.operations.stores.hours.mon"),
    "unknown record": (["scenario.journey.touchpoints.6.performance.record=queue_minutes"],
                       "scenario.journey.touchpoints.shop_visit.performance.record"),
    "unknown process": (["scenario.journey.touchpoints.6.performance.operations=bakery"],
                        "scenario.journey.touchpoints.shop_visit.performance.operations"),
    "service times that can be negative": (["scenario.operations.stores.service_minutes.dist=normal"],
                                           "scenario.operations.stores.service_minutes.low"),
    "negative patience": (["scenario.operations.stores.patience_minutes.mean=-2"],
                          "scenario.operations.stores.patience_minutes.mean"),
    "negative travel time": (["scenario.operations.stores.sites.0.travel_minutes.locals=-4"],
                             "scenario.operations.stores.sites[0].travel_minutes.locals"),
    "unknown backend": (["scenario.operations.backend=fast"], "scenario.operations.backend"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_operations_input_is_one_line_and_exit_2(case, rejects) -> None:
    overrides, field = BAD[case]
    rejects(cli.main, "cxsim", ["scenario=retail_street", *overrides], field)


def test_dealer_meeting_is_an_event_with_seats_and_a_budget() -> None:
    spec = load_run_spec(["scenario=b2b_dealer", "sim.n_customers=300", "sim.n_cycles=12",
                          "sim.replications=1", "outputs.figures=false", "outputs.moments=true",
                          "scenario.operations.events.dealer_meeting.capacity=50"])
    res = run(spec)
    ops, mom, cyc = res.operations, res.moments, res.cycles
    meeting = ops[ops["process"] == "events.dealer_meeting"]
    assert set(meeting["cycle"]) == {12} and meeting["attended"].sum() == 50
    seen = mom[mom["touchpoint"] == "dealer_meeting"]
    assert len(seen) == 50  # invitees without a seat have no meeting moment
    rated = seen.merge(meeting, on=["customer_id", "cycle"])
    np.testing.assert_array_equal(rated["performance"], rated["rating"])
    ev = spec.scenario.operations.events["dealer_meeting"]
    fixed = spec.scenario.operations.capacity_cost()
    np.testing.assert_allclose(cyc["operations_cost"].iloc[:11], fixed)
    assert cyc["operations_cost"].iloc[11] == pytest.approx(fixed + ev.budget + 50 * ev.budget_per_attendee)
    orders = ops[ops["process"] == "pipeline"]
    deliveries = mom[mom["touchpoint"] == "delivery_speed"].merge(orders, on=["customer_id", "cycle"])
    assert len(deliveries) == len(orders) > 0
    np.testing.assert_array_equal(deliveries["performance"], deliveries["delivery_days"])
    s = res.summary.iloc[0]
    assert 0 < s["pipeline_on_time_share"] < 1 and s["events_dealer_meeting_attendance"] < 1


def test_call_centre_and_pipeline_feed_the_online_shop() -> None:
    base = ["scenario=ecommerce_delivery", "sim.n_customers=2000", "sim.n_cycles=2", "sim.replications=1",
            "outputs.figures=false", "outputs.moments=true"]
    res = run(load_run_spec(base))
    ops, mom = res.operations, res.moments
    calls = ops[ops["process"] == "callcentre"]
    support = mom[mom["touchpoint"] == "support"]
    assert len(calls) == len(support) and 0.1 < len(calls) / len(mom[mom["touchpoint"] == "unboxing"]) < 0.2
    joined = support.merge(calls, on=["customer_id", "cycle"])
    np.testing.assert_array_equal(joined["performance"], joined["total_minutes"])
    assert set(ops[ops["process"] == "pipeline"]["customer_id"]) <= set(
        mom[mom["touchpoint"] == "home_delivery"]["customer_id"])
    s = res.summary.iloc[0]
    for col in ("callcentre_utilisation", "callcentre_wait_mean", "callcentre_wait_p90",
                "callcentre_abandonment_rate", "pipeline_on_time_share", "pipeline_delivery_days_mean"):
        assert np.isfinite(s[col]), col
    # callbacks instead of waiting on hold: nobody hangs up, so nobody is left unserved by patience
    patient = run(load_run_spec([*base, "scenario.operations.callcentre.patience_minutes.mean=100000"]))
    assert patient.summary.iloc[0]["callcentre_abandonment_rate"] < s["callcentre_abandonment_rate"]
    simpy_run = run(load_run_spec([*base, "scenario.operations.backend=simpy"]))
    pd.testing.assert_frame_equal(simpy_run.operations, ops)


def test_run_records_obey_littles_law(retail) -> None:
    """Per shop and day: the queue each customer saw on arrival is the number of earlier
    customers still waiting (from the records' arrival and wait), and the time-average queue
    over the open hours equals arrival rate × mean wait (L = λW; the shop empties at closing)."""
    ops = retail.operations
    checked = 0
    for (_, _site), g in ops.groupby(["cycle", "site"]):
        a = g["arrival"].to_numpy()
        leave = a + g["wait_minutes"].to_numpy()
        o = np.argsort(a, kind="stable")
        a, leave, seen = a[o], leave[o], g["queue_length"].to_numpy()[o]
        waiting = np.array([np.sum(leave[:i] > a[i]) for i in range(a.size)])
        np.testing.assert_array_equal(seen, waiting)
        day = a // 1440
        for d in np.unique(day)[:3]:
            m = day == d
            t = np.concatenate([a[m], leave[m]])
            step = np.concatenate([np.ones(m.sum()), -np.ones(m.sum())])
            k = np.argsort(t, kind="stable")
            area = np.sum(np.cumsum(step[k])[:-1] * np.diff(t[k]))
            horizon = t.max() - t.min()
            lam, w = m.sum() / horizon, (leave[m] - a[m]).mean()
            assert area / horizon == pytest.approx(lam * w, rel=1e-9)
            checked += 1
    assert checked > 0


def test_overloaded_pipeline_warns_in_a_run() -> None:
    from cxsim.specs.operations import UnboundedQueueWarning

    spec = load_run_spec(["scenario=b2b_dealer", "sim.n_customers=300", "sim.n_cycles=1",
                          "sim.replications=1", "outputs.figures=false", "scenario.operations.pipeline.lines=1"])
    with pytest.warns(UnboundedQueueWarning, match=r"scenario\.operations\.pipeline: offered load \d+\.\d\d >= 1"):
        res = run(spec)
    assert res.summary.iloc[0]["pipeline_utilisation"] > 0.9
