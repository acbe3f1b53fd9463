"""Doses and portfolios: dosed changes and costs, combination rules, conflicts, and bad input."""

from __future__ import annotations

import math

import pytest

from cxsim.config import compose_config
from cxsim.errors import SpecError
from cxsim.intervention import Change, get_path
from cxsim.portfolio import (
    Dose,
    canonical_path,
    combined_changes,
    combined_cost,
    dose_from_dict,
    dosed_value,
    portfolio,
    portfolio_config,
    portfolio_from_dict,
    portfolio_intervention,
    shipped_intervention,
)
from cxsim.specs.build import run_spec_from_dict

SMALL = ["sim.n_customers=200", "sim.n_cycles=3", "sim.replications=1", "outputs.figures=false"]
DELIVERY_DOSE = {"name": "days_saved", "unit": "days", "low": 0.5, "high": 3.0, "reference": 2.0,
                 "cost_exponent": 1.5}


@pytest.fixture(scope="module")
def base() -> dict:
    return compose_config(SMALL)


def dosed_delivery() -> dict:
    data = shipped_intervention("faster_delivery")
    data["dose"] = dict(DELIVERY_DOSE)
    return data


def test_dosed_values_interpolate_set_add_and_scale():
    assert dosed_value(Change("x", "set", 1.0), 3.0, 0.5, "x") == pytest.approx(2.0)
    assert dosed_value(Change("x", "add", 2.0), 1.0, 1.5, "x") == pytest.approx(4.0)
    assert dosed_value(Change("x", "scale", 0.5), 4.0, 0.5, "x") == pytest.approx(3.0)
    assert dosed_value(Change("x", "add", 1), 4, 1.5, "x") == 6  # integer fields stay integers
    assert isinstance(dosed_value(Change("x", "add", 1), 4, 1.5, "x"), int)


def test_reference_dose_is_the_intervention_as_written(base):
    """At the reference dose a portfolio of one intervention builds the same scenario and cost."""
    written = dict(base, intervention=shipped_intervention("faster_delivery"))
    cfg = portfolio_config(base, portfolio({"faster_delivery": 2.0}, configs={"faster_delivery": dosed_delivery()}))
    a, b = run_spec_from_dict(written), run_spec_from_dict(cfg)
    assert a.scenario == b.scenario
    assert a.intervention.cost == b.intervention.cost


def test_dose_scales_changes_and_cost(base):
    p = portfolio({"faster_delivery": 3.0}, configs={"faster_delivery": dosed_delivery()})
    changes = combined_changes(base, p)
    old = get_path(base, "scenario.operations.pipeline.production_days.mean")
    # the written change sets 1.5; at 3/2 of the reference dose the field moves 1.5 times as far
    assert changes["scenario.operations.pipeline.production_days.mean"] == pytest.approx(old + 1.5 * (1.5 - old))
    cost = combined_cost(base, p)
    assert cost["fixed"] == pytest.approx(2_000_000 * 1.5 ** 1.5)
    run_spec_from_dict(portfolio_config(base, p))  # a valid config


def test_combined_cost_is_the_sum_of_the_members(base):
    p = portfolio({"dealer_gala": None, "staff_training": None, "callback_service": None})
    cost = combined_cost(base, p)
    assert cost["fixed"] == 300_000 + 800_000 + 150_000
    assert cost["per_cycle"] == 50_000 + 100_000
    spec = run_spec_from_dict(portfolio_config(base, p))
    assert spec.intervention.cost.fixed == cost["fixed"]


def test_conflicting_changes_are_an_error_naming_the_field_and_both_members(base):
    """Two spellings of one field (by name and by index) are the same field."""
    names = [tp["name"] for tp in base["scenario"]["journey"]["touchpoints"]]
    k = names.index("technology")
    a = {"name": "a", "changes": {"scenario.journey.touchpoints.technology.performance.mean": {"add": 0.2}}}
    b = {"name": "b", "changes": {f"scenario.journey.touchpoints.{k}.performance.mean": {"add": 0.3}}}
    with pytest.raises(SpecError) as err:
        combined_changes(base, portfolio({"a": None, "b": None}, configs={"a": a, "b": b}))
    assert err.value.field == "portfolio.combine" and "a and b" in str(err.value)
    assert err.value.value == f"scenario.journey.touchpoints.{k}.performance.mean"


@pytest.mark.parametrize("rule, expected", [("sequential", 0.5), ("sum", 0.5), ("max", 0.3), ("min", 0.2)])
def test_combination_rules(base, rule, expected):
    path = "scenario.journey.touchpoints.technology.performance.mean"
    old = get_path(base, path)
    a = {"name": "a", "changes": {path: {"add": 0.2}}}
    b = {"name": "b", "changes": {path: {"add": 0.3}}}
    p = portfolio({"a": None, "b": None}, configs={"a": a, "b": b}, default_rule=rule)
    value = combined_changes(base, p)[canonical_path(base, path)]
    assert value == pytest.approx(old + expected)


def test_sequential_scales_multiply(base):
    path = "scenario.journey.touchpoints.technology.performance.sd"
    old = get_path(base, path)
    a = {"name": "a", "changes": {path: {"scale": 0.5}}}
    b = {"name": "b", "changes": {path: {"scale": 0.5}}}
    p = portfolio({"a": None, "b": None}, configs={"a": a, "b": b}, combine={path: "sequential"})
    assert combined_changes(base, p)[canonical_path(base, path)] == pytest.approx(old * 0.25)


def test_empty_portfolio_is_the_baseline(base):
    iv = portfolio_intervention(base, portfolio({}))
    assert iv["changes"] == {} and iv["cost"]["fixed"] == 0.0 and iv["name"] == "none"


def test_ordered_levels(base):
    data = dosed_delivery()
    data["dose"] = {"name": "days_saved", "levels": [1, 2, 3]}
    dose = dose_from_dict("dose", data["dose"])
    assert dose.reference == 3 and dose.bounds == (1.0, 3.0)
    combined_changes(base, portfolio({"faster_delivery": 2}, configs={"faster_delivery": data}))
    with pytest.raises(SpecError) as err:
        combined_changes(base, portfolio({"faster_delivery": 2.5}, configs={"faster_delivery": data}))
    assert err.value.field == "portfolio.faster_delivery.dose" and "levels" in err.value.allowed


@pytest.mark.parametrize("dose, field", [
    ({"name": "d", "low": 2, "high": 1}, "dose.low"),
    ({"name": "d", "low": 0, "high": 1, "reference": 0}, "dose.reference"),
    ({"name": "d", "levels": [2, 1]}, "dose.levels"),
    ({"name": "d", "high": 1, "cost_exponent": -1}, "dose.cost_exponent"),
    ({"name": "d", "high": 1, "colour": 3}, "dose.colour"),
    ({"name": "d", "low": 0, "high": 1, "value": 5}, "dose.value"),
])
def test_bad_doses_name_the_field(dose, field):
    with pytest.raises(SpecError) as err:
        dose_from_dict("dose", dose)
    assert err.value.field == field


def test_dose_out_of_range_and_dose_on_an_undosed_intervention(base):
    with pytest.raises(SpecError) as err:
        combined_changes(base, portfolio({"faster_delivery": 9.0}, configs={"faster_delivery": dosed_delivery()}))
    assert err.value.field == "portfolio.faster_delivery.dose" and "[0.5, 3]" in err.value.allowed
    with pytest.raises(SpecError) as err:
        combined_changes(base, portfolio({"callback_service": 2.0}))
    assert "declares no dose" in err.value.allowed


def test_non_numeric_set_only_at_reference(base):
    with pytest.raises(SpecError) as err:
        dosed_value(Change("scenario.name", "set", "x"), "y", 0.5, "here")
    assert err.value.field == "here"
    assert dosed_value(Change("scenario.name", "set", "x"), "y", 1.0, "here") == "x"


def test_not_applicable_and_unknown_members(base):
    with pytest.raises(SpecError) as err:
        combined_changes(base, portfolio({"open_second_store": None}))
    assert "does not apply" in err.value.allowed
    with pytest.raises(SpecError) as err:
        portfolio({"no_such_thing": None})
    assert err.value.field == "intervention"


def test_portfolio_from_dict_and_its_errors():
    p = portfolio_from_dict({"members": {"dealer_gala": None}, "name": "gala only"})
    assert p.label == "gala only"
    with pytest.raises(SpecError) as err:
        portfolio_from_dict({"members": {"dealer_gala": None}, "combine": {"x": "average"}})
    assert err.value.field == "portfolio.combine.x"
    with pytest.raises(SpecError) as err:
        portfolio_from_dict({"dealer_gala": None})
    assert err.value.field == "portfolio.dealer_gala"
    with pytest.raises(SpecError) as err:
        portfolio_from_dict({})
    assert err.value.field == "portfolio.members"
    assert not math.isnan(Dose().fraction(1.0))


# ---------------------------------------------------------------------------- a single run at a dose

@pytest.mark.parametrize("name, scenario", [("faster_delivery", "b2b_dealer"), ("faster_delivery", "b2b_dealer_survey"),
                                            ("staff_training", "retail_street"), ("dealer_gala", "b2b_dealer"),
                                            ("open_second_store", "retail_street")])
def test_shipped_doses_leave_the_written_intervention_unchanged(name, scenario):
    """Declaring a dose changes nothing until a dose is chosen: the same run spec as without it."""
    from cxsim.portfolio import without_dose

    cfg = compose_config([f"scenario={scenario}", f"intervention={name}", *SMALL])
    assert cfg["intervention"]["dose"]["value"] is None
    plain = dict(cfg, intervention=without_dose(cfg["intervention"]))
    plain["intervention"].pop("dose", None)
    assert run_spec_from_dict(cfg) == run_spec_from_dict(plain)


def test_a_single_run_at_a_dose_is_the_portfolio_of_that_dose():
    from cxsim.config import load_run_spec

    spec = load_run_spec(["intervention=faster_delivery", "intervention.dose.value=3", *SMALL])
    base = compose_config(SMALL)
    p = portfolio({"faster_delivery": 3.0})
    assert spec.intervention.name == "faster_delivery"
    assert spec.intervention.cost.fixed == pytest.approx(combined_cost(base, p)["fixed"])
    assert spec.scenario == run_spec_from_dict(portfolio_config(base, p)).scenario


def test_a_bad_dose_value_is_one_line(rejects):
    from cxsim.cli import main as cli

    rejects(cli.main, "cxsim", ["intervention=faster_delivery", "intervention.dose.value=9"], "intervention.dose.value")
    rejects(cli.main, "cxsim", ["intervention=callback_service", "+intervention.dose.value=2"], "intervention.dose.value")
