"""The market block: validation (one-line errors naming the field) and the competitor's events."""

from __future__ import annotations

import pytest

from cxsim.config import load_run_spec
from cxsim.errors import SpecError
from cxsim.specs.market import Competitor, CompetitorEvent, Market, market_from_dict, segment_value

BAD = [
    (["scenario.market.capacity=0.5"], "scenario.market.capacity"),
    (["scenario.market.category_entry=1.5"], "scenario.market.category_entry"),
    (["scenario.market.discount_rate=1.0"], "scenario.market.discount_rate"),
    (["scenario.market.referral=-1"], "scenario.market.referral"),
    (["+scenario.market.prospects.visitors=2"], "scenario.market.prospects.visitors"),
    (["scenario.market.prospects.locals=-1"], "scenario.market.prospects.locals"),
    (["+scenario.market.share=0.3"], "scenario.market.share"),
    (["scenario.market.choice.price=-2"], "scenario.market.choice.price"),
    (["scenario.market.marketing.carryover=1.0"], "scenario.market.marketing.carryover"),
    (["scenario.market.competitors.0.churn=2"], "scenario.market.competitors[0].churn"),
    (["scenario.market.competitors.0.price=0"], "scenario.market.competitors[0].price"),
    (["+scenario.market.competitors.0.performance.delivery=3"], "scenario.market.competitors[0].performance.delivery"),
    (["scenario.market.competitors=[{customers: 1}]"], "scenario.market.competitors[0].name"),
    (["scenario.market.competitors=[{name: a}, {name: a}]"], "scenario.market.competitors"),
    (["scenario.market.competitors=[{name: ours}]"], "scenario.market.competitors"),
    (["scenario.market.competitors=[{name: a, events: [{cycle: 6, speed: 2}]}]"],
     "scenario.market.competitors[0].events[0].speed"),
    (["scenario.market.competitors=[{name: a, events: [{price: 2}]}]"], "scenario.market.competitors[0].events[0].cycle"),
    (["scenario.market.competitors=[{name: a, events: [{cycle: 6, price: 2}, {cycle: 2, price: 1}]}]"],
     "scenario.market.competitors[0].events"),
    (["scenario.market.competitors=[{name: a, sites: [{travel_minutes: {locals: -1}}]}]"],
     "scenario.market.competitors[0].sites[0].locals"),
    (["scenario.market.enabled=maybe"], "scenario.market.enabled"),
    (["scenario.market.competitors=[{name: a, performance: 3}]"], "scenario.market.competitors[0].performance"),
    (["scenario.market.competitors=[{name: a, sites: 3}]"], "scenario.market.competitors[0].sites"),
]


@pytest.mark.parametrize("overrides, field", BAD)
def test_bad_market_input_names_the_field(overrides, field):
    with pytest.raises(SpecError) as info:
        load_run_spec(["scenario=retail_street", *overrides])
    assert info.value.field == field, str(info.value)
    assert "\n" not in str(info.value)


def test_the_command_rejects_a_bad_market_with_exit_status_2(rejects):
    from cxsim.cli.main import main

    rejects(main, "cxsim", ["scenario=retail_street", "scenario.market.capacity=0.2"], "scenario.market.capacity")


def test_disabled_or_absent_market_is_none():
    assert market_from_dict(None) is None
    assert market_from_dict({"enabled": False, "capacity": 0.1}) is None  # a disabled block is not read further
    assert load_run_spec(["scenario=retail_street", "scenario.market.enabled=false"]).scenario.market is None


def test_competitor_events_apply_from_their_cycle():
    b = Competitor("rival", performance={"delivery": 3.0, "support": 10.0}, price=1.0,
                   events=(CompetitorEvent(6, {"performance": {"delivery": 1.5}}), CompetitorEvent(9, {"price": 0.8})))
    assert b.at(5).performance == {"delivery": 3.0, "support": 10.0}
    assert b.at(6).performance == {"delivery": 1.5, "support": 10.0} and b.at(6).price == 1.0
    assert b.at(12).price == 0.8 and b.at(12).performance["delivery"] == 1.5


def test_rows_and_segment_values():
    assert Market(capacity=1.5).rows(1000) == 1500
    assert Market(capacity=1.0).rows(7) == 7
    assert Market(capacity=1.25).rows(3) == 4  # rounded up
    assert segment_value({"locals": 2.0}, "tourists") == 0.0 and segment_value(3.0, "x") == 3.0
    assert Market(competitors=(Competitor("a"), Competitor("b"))).brands == ("ours", "a", "b")
