"""Specs built from Python without Hydra, and the validation messages of the builder."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from cxsim.config import compose_config
from cxsim.errors import SpecError
from cxsim.specs.build import run_spec_from_dict


@pytest.fixture
def cfg() -> dict:
    return compose_config(["sim.n_customers=100"])


def _mutate(cfg: dict, path: list, value) -> dict:
    node = cfg
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return cfg


CASES = [
    (["scenario", "journey", "touchpoints", 0, "every"], 0, "scenario.journey.touchpoints[0].every"),
    (["scenario", "journey", "touchpoints", 6, "offset"], 12, "scenario.journey.touchpoints[6].offset"),
    (["scenario", "journey", "touchpoints", 0, "stage"], "lunch", "scenario.journey.touchpoints[0].stage"),
    (["scenario", "journey", "touchpoints", 0, "colour"], "red", "scenario.journey.touchpoints[0].colour"),
    (["scenario", "journey", "touchpoints", 0, "probability"], 1.5, "scenario.journey.touchpoints[0].probability"),
    (["scenario", "population", "segments"], [], "scenario.population.segments"),
    (["scenario", "population", "segments", 0, "loss_aversion"], 0, "scenario.population.segments[0].loss_aversion"),
    (["scenario", "population", "segments", 0, "expectations"], {"nope": {"dist": "constant", "value": 1}},
     "scenario.population.segments[0].expectations.nope"),
    (["scenario", "population", "segments", 0, "memory"], {"peak_end": {"w_peek": 0.2}},
     "scenario.population.segments[0].memory.peak_end.w_peek"),
    (["scenario", "loyalty", "base_repurchase"], 1.0, "scenario.loyalty.base_repurchase"),
    (["scenario", "word_of_mouth", "network"], "mesh", "scenario.word_of_mouth.network"),
    (["scenario", "economics", "revenue_per_purchase"], -1, "scenario.economics.revenue_per_purchase"),
    (["scenario", "affect", "form"], "quotient", "scenario.affect.form"),
    (["scenario", "key_moments"], {"nope": 0.1}, "scenario.key_moments.nope"),
    (["sim", "replications"], 0, "sim.replications"),
    (["outputs", "customers"], "some", "outputs.customers"),
    (["memory", "peak"], "highest", "memory.peak"),
    (["memory", "retention"], 1.5, "memory.retention"),
]


@pytest.mark.parametrize(("path", "value", "field"), CASES, ids=[c[2] for c in CASES])
def test_builder_names_the_field(cfg, path, value, field):
    with pytest.raises(SpecError) as err:
        run_spec_from_dict(_mutate(cfg, path, value))
    assert err.value.field == field
    assert field in str(err.value) and "\n" not in str(err.value)


def test_moments_only_for_small_runs(cfg):
    cfg["outputs"]["moments"] = True
    cfg["sim"]["n_customers"] = 20_000
    with pytest.raises(SpecError, match="outputs.moments"):
        run_spec_from_dict(cfg)


def test_segment_memory_override_applies_only_to_its_model(cfg):
    cfg["scenario"]["population"]["segments"][0]["memory"] = {"retention": 0.9, "peak_end": {"w_peak": 0.6}}
    spec = run_spec_from_dict(cfg)
    seg0 = spec.scenario.population.segments[0]
    assert spec.scenario.memory_of(seg0).model.w_peak == 0.6
    assert spec.scenario.memory_of(seg0).retention == 0.9
    mean_cfg = compose_config(["memory=mean"])
    mean_cfg["scenario"]["population"]["segments"][0]["memory"] = {"peak_end": {"w_peak": 0.6}}
    assert run_spec_from_dict(mean_cfg).scenario.memory.model.kind == "mean"


def test_specs_are_frozen(cfg):
    spec = run_spec_from_dict(cfg)
    with pytest.raises(AttributeError):
        spec.sim.n_customers = 5  # type: ignore[misc]


def test_library_runs_without_hydra():
    """Build a scenario from dataclasses and run it with hydra and omegaconf unimportable."""
    code = textwrap.dedent("""
        import sys
        sys.modules["hydra"] = None; sys.modules["omegaconf"] = None
        import cxsim
        from cxsim.specs.distribution import Normal, Constant
        from cxsim.specs.touchpoint import Journey, Measure, Touchpoint
        from cxsim.specs.population import Population, Segment
        from cxsim.specs.scenario import RunSpec, Scenario, Sim
        from cxsim.engine.run import run
        tp = lambda name, mean: Touchpoint(name, "visit", Measure(name), Normal(mean, 1.0), Constant(5.0))
        scenario = Scenario("tiny", Journey(("visit",), (tp("door", 5.0), tp("desk", 4.0))),
                            Population((Segment("all", 1.0),)))
        res = run(RunSpec(scenario, Sim(n_customers=50, n_cycles=3)))
        assert len(res.summary) == 1 and len(res.cycles) == 3
        print("ok")
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
