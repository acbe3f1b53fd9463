"""Interventions: paths, changes, applicability, costs, and their bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxsim.cli import main as cli
from cxsim.compare import shipped_interventions
from cxsim.config import available, compose_config, load_run_spec
from cxsim.engine.run import run
from cxsim.errors import SpecError
from cxsim.specs.intervention import (
    NONE,
    Intervention,
    InterventionCost,
    NotApplicable,
    apply_changes,
    cycle_costs,
    get_path,
    resolve,
    set_path,
)

SMALL = ["sim.n_customers=400", "sim.n_cycles=12", "sim.replications=2", "outputs.figures=false"]
SCENARIOS = available("scenario")
SURVEY = ["scenario=b2b_dealer_survey"]  # touchpoint performances are distributions there (paths ....mean)


def test_paths_by_index_and_by_name():
    cfg = compose_config(SURVEY)
    by_name = get_path(cfg, "scenario.journey.touchpoints.delivery_speed.performance.mean")
    by_index = get_path(cfg, "scenario.journey.touchpoints.4.performance.mean")
    assert by_name == by_index == 6.0
    set_path(cfg, "scenario.journey.touchpoints.delivery_speed.performance.mean", 2.0)
    assert cfg["scenario"]["journey"]["touchpoints"][4]["performance"]["mean"] == 2.0


@pytest.mark.parametrize("path", ["scenario.journey.touchpoints.nope.performance.mean",
                                  "scenario.journey.touchpoints.4.performance.median",
                                  "scenario.operations.stores", "scenario.journey.touchpoints.99"])
def test_unknown_path_is_an_error(path):
    with pytest.raises(SpecError) as err:
        get_path(compose_config(SURVEY), path)
    assert err.value.field == path


def test_set_scale_add_and_config_untouched():
    cfg = compose_config(SURVEY)
    iv = resolve({"name": "x", "changes": {
        "scenario.journey.touchpoints.delivery_speed.performance.mean": {"scale": 0.5},
        "scenario.journey.touchpoints.dealer_meeting.performance.mean": {"add": 0.2},
        "scenario.journey.touchpoints.price.performance.sd": 0.1}}, "b2b_dealer_survey")
    out = apply_changes(cfg, iv)
    tps = {t["name"]: t for t in out["scenario"]["journey"]["touchpoints"]}
    assert tps["delivery_speed"]["performance"]["mean"] == pytest.approx(3.0)
    assert tps["dealer_meeting"]["performance"]["mean"] == pytest.approx(4.66)
    assert tps["price"]["performance"]["sd"] == 0.1
    assert cfg["scenario"]["journey"]["touchpoints"][4]["performance"]["mean"] == 6.0


@given(st.floats(0.0, 1e7), st.floats(0.0, 1e4), st.floats(0.0, 100.0), st.floats(0.0, 500.0),
       st.lists(st.integers(0, 1000), min_size=1, max_size=12))
def test_cycle_costs_add_up(fixed, per_cycle, per_customer, per_encounter, customers):
    cost = InterventionCost(fixed, per_cycle, per_customer, {"b": per_encounter})
    n = len(customers)
    enc = np.column_stack([np.array(customers), np.array(customers) // 2])
    out = cycle_costs(cost, ["a", "b"], np.array(customers), enc)
    expect = fixed + n * per_cycle + per_customer * sum(customers) + per_encounter * (enc[:, 1].sum())
    assert out.sum() == pytest.approx(expect, rel=1e-9, abs=1e-6)
    assert (out >= 0).all()


@pytest.mark.parametrize("name", [n for n in shipped_interventions()])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_shipped_intervention_builds_or_is_not_applicable(name, scenario):
    overrides = [f"scenario={scenario}", f"intervention={name}", *SMALL]
    try:
        spec = load_run_spec(overrides)
    except NotApplicable as err:
        assert "does not apply" in str(err)
        return
    assert spec.intervention.name == name
    cfg = compose_config(overrides)
    if not spec.intervention.cost.is_zero:
        assert "illustrative" in open_yaml_text(name).lower(), "costs must say they are illustrative"
    for change in spec.intervention.changes:  # every change really lands in the spec
        assert get_path(apply_changes(cfg, spec.intervention), change.path) != get_path(cfg, change.path)


def open_yaml_text(name: str) -> str:
    from importlib import resources

    return resources.files("cxsim.configs").joinpath("intervention", f"{name}.yaml").read_text()


def test_each_intervention_applies_somewhere():
    for name in shipped_interventions():
        ok = []
        for scenario in SCENARIOS:
            try:
                load_run_spec([f"scenario={scenario}", f"intervention={name}", *SMALL])
                ok.append(scenario)
            except NotApplicable:
                pass
        assert ok, name


def test_intervention_costs_flow_into_cost_and_profit():
    base = run(load_run_spec([*SURVEY, *SMALL]))  # the gala's per-dealer cost is the intervention's there
    gala = run(load_run_spec([*SURVEY, *SMALL, "intervention=dealer_gala"]))
    s = gala.summary
    assert (s["intervention"] == "dealer_gala").all() and (base.summary["intervention"] == "none").all()
    meeting = gala.cycles[gala.cycles["cycle"] == 12]
    # fixed 300,000 in cycle 1, 2,000 per dealer at the meeting in cycle 12, nothing else
    first = gala.cycles[gala.cycles["cycle"] == 1]["intervention_cost"]
    assert (first == 300_000).all()
    assert np.allclose(meeting["intervention_cost"], 2000 * meeting["customers_start"])
    assert np.allclose(s["cost"] - s["intervention_cost"], gala.cycles.groupby("replication")["cost"].sum()
                       - gala.cycles.groupby("replication")["intervention_cost"].sum())
    assert np.allclose(s["profit"], s["revenue"] - s["cost"])
    # before the meeting, nothing differs between the arms but the fixed cost (common random numbers)
    before = gala.cycles["cycle"] < 12
    assert np.array_equal(gala.cycles.loc[before, "nps"], base.cycles.loc[before, "nps"])


def test_none_is_identical_to_no_intervention(small_spec):
    cfg = compose_config(SMALL)
    cfg.pop("intervention")
    from cxsim.specs.build import run_spec_from_dict

    spec = run_spec_from_dict(cfg)
    assert spec.intervention == NONE
    a, b = run(spec).summary, run(load_run_spec(SMALL)).summary
    assert a.equals(b)


BAD = {
    "change to a field that does not exist": (
        ["intervention=dealer_gala", "++intervention.scenarios.b2b_dealer.changes={scenario.journey.touchpoints.gala.performance.mean: 5}"],
        "intervention.scenarios.b2b_dealer.changes.scenario.journey.touchpoints.gala.performance.mean"),
    "negative fixed cost": (["intervention=dealer_gala", "intervention.scenarios.b2b_dealer.cost.fixed=-5"],
                            "intervention.scenarios.b2b_dealer.cost.fixed"),
    "negative per-encounter cost": (["scenario=b2b_dealer_survey", "intervention=dealer_gala",
                                     "intervention.scenarios.b2b_dealer_survey.cost.per_encounter.dealer_meeting=-1"],
                                    "intervention.scenarios.b2b_dealer_survey.cost.per_encounter.dealer_meeting"),
    "per-encounter cost at an unknown touchpoint": (["intervention=dealer_gala",
                                                     "+intervention.scenarios.b2b_dealer.cost.per_encounter.gala=1"],
                                                    "intervention.scenarios.b2b_dealer.cost.per_encounter.gala"),
    "bad operation": (["scenario=b2b_dealer_survey", "intervention=dealer_gala",
                       "++intervention.scenarios.b2b_dealer_survey.changes={scenario.journey.touchpoints.dealer_meeting.performance.mean: {times: 2}}"],
                      "intervention.scenarios.b2b_dealer_survey.changes.scenario.journey.touchpoints.dealer_meeting.performance.mean"),
    "bad operation on an operations capacity": (["intervention=dealer_gala",
                       "++intervention.scenarios.b2b_dealer.changes={scenario.operations.events.dealer_meeting.capacity: {times: 2}}"],
                      "intervention.scenarios.b2b_dealer.changes.scenario.operations.events.dealer_meeting.capacity"),
    "not applicable to the scenario": (["intervention=open_second_store"], "intervention"),
    "unknown intervention": (["intervention=nope"], "intervention"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_intervention_is_one_line_and_exit_2(case, rejects):
    overrides, field = BAD[case]
    rejects(cli.main, "cxsim", overrides, field)


def test_intervention_is_frozen_and_named():
    with pytest.raises(SpecError):
        Intervention(name="")
    with pytest.raises(SpecError):
        InterventionCost(per_cycle=-1)


@given(st.sampled_from(["scenario.journey.touchpoints.delivery_speed.performance.mean",
                        "scenario.loyalty.base_repurchase", "scenario.journey.touchpoints.0.importance",
                        "scenario.population.segments.key_dealers.share"]),
       st.floats(-10, 10, allow_nan=False))
def test_neutral_changes_change_nothing_and_set_then_get(path, value):
    cfg = _COMPOSED
    for op, neutral in (("scale", 1.0), ("add", 0.0)):
        out = apply_changes(cfg, resolve({"name": "x", "changes": {path: {op: neutral}}}, "b2b_dealer_survey"))
        assert out == cfg
    before = get_path(cfg, path)
    out = apply_changes(cfg, resolve({"name": "x", "changes": {path: value}}, "b2b_dealer_survey"))
    assert get_path(out, path) == value
    assert get_path(cfg, path) == before  # the input config is never modified


_COMPOSED = compose_config(SURVEY)
