"""``operations.scale``: the same business k times larger is one override, and a whole number of
shops stays a whole number."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from cxsim import load_run_spec, run
from cxsim.cli import main as cli
from cxsim.specs.operations import UnboundedQueueWarning

DEALERS = ["scenario=b2b_dealer", "sim.n_cycles=12", "sim.replications=1", "outputs.figures=false",
           "outputs.customers=never"]


@pytest.mark.parametrize("scenario", ["b2b_dealer", "ecommerce_delivery", "retail_street"])
def test_scale_multiplies_every_capacity_and_its_cost(scenario) -> None:
    one = load_run_spec([f"scenario={scenario}"]).scenario.operations
    k = load_run_spec([f"scenario={scenario}", "operations.scale=3"]).scenario.operations
    if one.stores is not None:  # the shops are the sites (and keep their rent); counters scale
        assert (k.stores.count, k.stores.counters) == (one.stores.count, 3 * one.stores.counters)
        assert k.stores.capacity_cost() - one.stores.capacity_cost() == pytest.approx(
            2 * one.stores.count * one.stores.counters * one.stores.cost_per_counter_per_cycle)
    if one.pipeline is not None:
        assert k.pipeline.lines == 3 * one.pipeline.lines
        assert k.pipeline.trucks == (None if one.pipeline.trucks is None else 3 * one.pipeline.trucks)
        assert k.pipeline.capacity_cost() == pytest.approx(3 * one.pipeline.capacity_cost())
    if one.callcentre is not None:
        assert (k.callcentre.agents, k.callcentre.specialists) == (3 * one.callcentre.agents,
                                                                  3 * one.callcentre.specialists)
        assert k.callcentre.capacity_cost() == pytest.approx(3 * one.callcentre.capacity_cost())
    for name, ev in one.events.items():  # seats, and the fixed budget with them: the same per head
        assert (k.events[name].capacity, k.events[name].budget) == (3 * ev.capacity, 3 * ev.budget)
        assert k.events[name].quality(3 * ev.capacity) == pytest.approx(ev.quality(ev.capacity))


def test_scale_rounds_to_whole_capacities_of_at_least_one() -> None:
    ops = load_run_spec(["scenario=ecommerce_delivery", "operations.scale=0.01"]).scenario.operations
    assert (ops.callcentre.agents, ops.pipeline.lines) == (1, 1)
    ops = load_run_spec(["scenario=b2b_dealer", "operations.scale=1.5"]).scenario.operations
    assert (ops.pipeline.lines, ops.pipeline.trucks, ops.events["dealer_meeting"].capacity) == (1350, 1650, 9000)
    assert isinstance(ops.pipeline.lines, int)


def test_k_times_the_dealers_at_scale_k_run_like_the_shipped_business() -> None:
    """10,000 dealers with the shipped capacities and 30,000 with operations.scale=3: the same
    utilisation, delivery days, on-time share, meeting attendance and rating (within sampling
    noise), three times the operations cost; 30,000 with the shipped capacities overload them."""
    base = run(load_run_spec([*DEALERS, "sim.n_customers=10000"])).summary.iloc[0]
    scaled = run(load_run_spec([*DEALERS, "sim.n_customers=30000", "operations.scale=3"])).summary.iloc[0]
    # Tolerances: one replication each; between seeds these figures move by about 0.005
    # (utilisation), 0.02 days, 0.01 (shares) and 0.01 rating points at 10,000 dealers.
    assert scaled["pipeline_utilisation"] == pytest.approx(base["pipeline_utilisation"], abs=0.02)
    assert scaled["pipeline_wait_mean"] == pytest.approx(base["pipeline_wait_mean"], abs=0.05)
    assert scaled["pipeline_delivery_days_mean"] == pytest.approx(base["pipeline_delivery_days_mean"], abs=0.1)
    assert scaled["pipeline_on_time_share"] == pytest.approx(base["pipeline_on_time_share"], abs=0.02)
    assert scaled["events_dealer_meeting_attendance"] == pytest.approx(base["events_dealer_meeting_attendance"],
                                                                       abs=0.02)
    assert scaled["events_dealer_meeting_rating_mean"] == pytest.approx(base["events_dealer_meeting_rating_mean"],
                                                                        abs=0.05)
    assert scaled["retention_rate"] == pytest.approx(base["retention_rate"], abs=0.02)
    assert scaled["operations_cost"] / base["operations_cost"] == pytest.approx(3, rel=0.02)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnboundedQueueWarning)
        crowded = run(load_run_spec([*DEALERS, "sim.n_customers=30000"])).summary.iloc[0]
    assert crowded["pipeline_utilisation"] > 0.95
    assert crowded["pipeline_delivery_days_mean"] > base["pipeline_delivery_days_mean"] + 5


def test_a_small_call_centre_scaled_up_waits_no_longer() -> None:
    """One agent for 10,000 customers, or three for 30,000: the same offered load per agent, and
    the bigger pool waits less and loses fewer callers (Erlang's economy of scale), never more."""
    common = ["scenario=ecommerce_delivery", "sim.n_cycles=2", "sim.replications=1", "outputs.figures=false",
              "outputs.customers=never"]
    one = run(load_run_spec([*common, "sim.n_customers=10000"])).summary.iloc[0]
    three = run(load_run_spec([*common, "sim.n_customers=30000", "operations.scale=3"])).summary.iloc[0]
    assert three["callcentre_wait_mean"] < one["callcentre_wait_mean"]
    assert three["callcentre_abandonment_rate"] < one["callcentre_abandonment_rate"]
    assert three["pipeline_delivery_days_mean"] == pytest.approx(one["pipeline_delivery_days_mean"], abs=0.05)


def test_scale_one_is_the_shipped_run() -> None:
    small = ["sim.n_customers=300", "sim.n_cycles=2", "sim.replications=1", "outputs.figures=false"]
    a, b = run(load_run_spec(small)), run(load_run_spec([*small, "operations.scale=1.0"]))
    pd.testing.assert_frame_equal(a.summary, b.summary)
    pd.testing.assert_frame_equal(a.operations, b.operations)


BAD = {
    "zero": (["operations.scale=0"], "operations.scale"),
    "negative": (["operations.scale=-2"], "operations.scale"),
    "infinite": (["operations.scale=inf"], "operations.scale"),
    "not a number": (["operations.scale=nan"], "operations.scale"),
    "text": (["operations.scale=big"], "operations.scale"),
    "unknown key": (["+operations.size=2"], "operations.size"),
    "a fraction of a shop": (["scenario=retail_street", "scenario.operations.stores.count=2.5"],
                             "scenario.operations.stores.count"),
    "a fraction of a counter": (["scenario=retail_street", "scenario.operations.stores.counters=1.5"],
                                "scenario.operations.stores.counters"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_scale_is_one_line_and_exit_2(case, rejects) -> None:
    overrides, field = BAD[case]
    rejects(cli.main, "cxsim", overrides, field)


def test_rejected_scale_names_the_value_and_what_is_allowed() -> None:
    from cxsim.errors import SpecError

    with pytest.raises(SpecError) as err:
        load_run_spec(["operations.scale=0"])
    assert str(err.value) == ("operations.scale: 0 is not allowed; a finite number > 0 is required (the factor "
                              "on every operations capacity: counters, agents, lines, trucks, seats)")


def test_a_whole_number_of_shops_given_as_a_float_runs() -> None:
    """``count=5.0`` (e.g. from an intervention's ``{scale: 1.25}``) is five shops, not a crash in
    ``open_sites``; a fraction of a shop is refused above."""
    small = ["scenario=retail_street", "sim.n_customers=300", "sim.n_cycles=1", "sim.replications=1",
             "outputs.figures=false"]
    spec = load_run_spec([*small, "scenario.operations.stores.count=5.0"])
    assert spec.scenario.operations.stores.count == 5 and isinstance(spec.scenario.operations.stores.count, int)
    assert len(spec.scenario.operations.stores.open_sites) == 5
    ops = run(spec).operations
    assert set(ops["site"]) <= {s.name for s in spec.scenario.operations.stores.open_sites}
