"""Model sanity warnings: a configuration an expert would call nonsense is named before (and
after) the run, one line each on stderr, in the run's log and in ``warnings.csv``."""

from __future__ import annotations

import io
import logging
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

import cxsim
from cxsim import sanity, sensitivity
from cxsim.config import load_run_spec
from cxsim.specs.scenario import RunSpec

SHIPPED = ["b2b_dealer", "b2b_dealer_survey", "retail_street", "ecommerce_delivery", "ecommerce_delivery_survey"]


def _spec(*overrides: str) -> RunSpec:
    return load_run_spec(list(overrides))


def _with_scenario(spec: RunSpec, **changes: object) -> RunSpec:
    return replace(spec, scenario=replace(spec.scenario, **changes))


def _codes(warnings: list[sanity.SanityWarning]) -> list[str]:
    return [w.code for w in warnings]


@pytest.mark.parametrize("scenario", SHIPPED)
def test_shipped_scenarios_as_configured_give_no_warning(scenario: str) -> None:
    assert sanity.check(_spec(f"scenario={scenario}")) == []


def test_a_tiny_operations_scale_overloads_the_pipeline() -> None:
    found = sanity.check(_spec("scenario=b2b_dealer", "operations.scale=0.0001"))
    assert _codes(found) == ["queue_overload"]
    w = found[0]
    assert w.field == "scenario.operations.pipeline"
    load = float(w.message.split("offered load ")[1].split(" ")[0])
    assert load > 100  # one line for 10,000 dealers' orders
    assert "no steady state" in w.message


def test_load_grows_with_customers_and_abandonment_is_named() -> None:
    assert sanity.check(_spec("scenario=retail_street", "sim.n_customers=10000")) == []
    found = sanity.check(_spec("scenario=retail_street", "sim.n_customers=200000"))
    assert _codes(found) == ["queue_overload"] and found[0].field == "scenario.operations.stores"
    assert "abandon" in found[0].message  # the stores' queue is bounded by balking and patience


def test_a_stage_without_touchpoints() -> None:
    spec = _spec("scenario=retail_street")
    journey = replace(spec.scenario.journey, stages=(*spec.scenario.journey.stages, "after_sales"))
    found = sanity.check(_with_scenario(spec, journey=journey))
    assert _codes(found) == ["empty_stage"]
    assert found[0].field == "scenario.journey.stages[3]" and "'after_sales'" in found[0].message


def test_a_touchpoint_that_never_occurs() -> None:
    found = sanity.check(_spec("scenario=b2b_dealer", "sim.n_cycles=6"))
    assert _codes(found) == ["touchpoint_never_occurs"]
    assert found[0].field == "scenario.journey.touchpoints.dealer_meeting.offset"
    spec = _spec("scenario=retail_street")
    tps = tuple(replace(tp, probability=0.0) if tp.name == "relationship" else tp
                for tp in spec.scenario.journey.touchpoints)
    found = sanity.check(_with_scenario(spec, journey=replace(spec.scenario.journey, touchpoints=tps)))
    assert [(w.code, w.field) for w in found] == [
        ("touchpoint_never_occurs", "scenario.journey.touchpoints.relationship.probability")]


def test_word_of_mouth_degree_at_or_above_the_population() -> None:
    def wom(spec: RunSpec) -> list[sanity.SanityWarning]:  # (so few customers also share out the fixed costs)
        return [w for w in sanity.check(spec) if w.code == "wom_degree"]

    assert wom(_spec("scenario=retail_street", "sim.n_customers=11")) == []
    found = wom(_spec("scenario=retail_street", "sim.n_customers=10"))
    assert len(found) == 1 and found[0].field == "scenario.word_of_mouth.degree"
    spec = _spec("scenario=retail_street", "sim.n_customers=10")
    quiet = replace(spec.scenario.word_of_mouth, network="none")
    assert wom(_with_scenario(spec, word_of_mouth=quiet)) == []


def test_cost_per_customer_far_above_revenue() -> None:
    spec = _spec("scenario=retail_street")
    cost = sanity.cost_per_customer(spec)
    assert cost > 0
    segments = tuple(replace(s, revenue_per_purchase=None) for s in spec.scenario.population.segments)
    population = replace(spec.scenario.population, segments=segments)

    def at(revenue: float) -> RunSpec:
        economics = replace(spec.scenario.economics, revenue_per_purchase=revenue)
        return _with_scenario(spec, population=population, economics=economics)

    assert sanity.check(at(cost / 9)) == []
    found = sanity.check(at(cost / 20))
    assert _codes(found) == ["cost_above_revenue"] and "20 times" in found[0].message
    assert sanity.check(at(0.0)) == []  # no revenue modelled: a cost study, not a typo


def test_loyalty_that_drops_everyone_at_the_first_bad_moment() -> None:
    spec = _spec("scenario=retail_street")
    certain = replace(spec.scenario.loyalty, terrible_hazard=1.0, terrible_hazard_by_count=None)
    assert _codes(sanity.check(_with_scenario(spec, loyalty=certain))) == ["hazard_certain"]
    table = replace(spec.scenario.loyalty, terrible_hazard_by_count=(1.0, 1.0))
    found = sanity.check(_with_scenario(spec, loyalty=table))
    assert [(w.code, w.field) for w in found] == [("hazard_certain", "scenario.loyalty.terrible_hazard_by_count[0]")]
    floor = replace(spec.scenario.loyalty, terrible_floor=0.0)
    assert _codes(sanity.check(_with_scenario(spec, loyalty=floor))) == ["terrible_floor"]


def test_results_measured_utilisation_and_an_emptied_population() -> None:
    summary = pd.DataFrame({"pipeline_utilisation": [0.9, 1.3], "stores_utilisation": [0.5, 0.6]})
    cycles = pd.DataFrame({"replication": [0, 0, 1, 1], "cycle": [1, 2, 1, 2],
                           "customers_start": [1000, 30, 1000, 40], "customers_end": [30, 29, 40, 39]})
    found = sanity.check_results(summary, cycles)
    assert [(w.code, w.field) for w in found] == [("utilisation", "summary.pipeline_utilisation"),
                                                  ("population_emptied", "cycles.retention_rate")]
    assert found[0].message.startswith("1.10 >= 1") and found[1].message.startswith("3.5%")
    calm = pd.DataFrame({"pipeline_utilisation": [0.9, 0.95]})
    assert sanity.check_results(calm, cycles.assign(customers_end=[900, 880, 910, 890])) == []


def test_combine_counts_arms_or_points() -> None:
    a = sanity.SanityWarning("utilisation", "summary.pipeline_utilisation", "1.20 >= 1")
    b = sanity.SanityWarning("empty_stage", "scenario.journey.stages[3]", "x")
    runs = pd.DataFrame({"arm": ["none", "none", "gala", "gala"], "pipeline_utilisation": [0.9, 0.9, 1.1, 1.3]})
    per_arm = sanity.check_runs(runs, "arm")
    assert [_codes(w) for w in per_arm] == [[], ["utilisation"]]
    merged = sanity.combine([[a, b], [b]], "arms")
    assert [(w.code, w.message) for w in merged] == [("utilisation", "1.20 >= 1 [1 of 2 arms]"), ("empty_stage", "x")]


def test_one_line_each_in_the_log_and_in_warnings_csv(tmp_path) -> None:
    w = sanity.SanityWarning("wom_degree", "scenario.word_of_mouth.degree", "10 contacts (why)")
    stream = io.StringIO()
    sanity.emit([w], "cxsim run", stream)
    assert stream.getvalue() == "cxsim run: warning: scenario.word_of_mouth.degree: 10 contacts (why)\n"
    handler = logging.FileHandler(tmp_path / "run.log")
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        sanity.log([w])
    finally:
        root.removeHandler(handler)
        handler.close()
    assert "scenario.word_of_mouth.degree: 10 contacts (why)" in (tmp_path / "run.log").read_text()
    assert sanity.save([], tmp_path) == [] and not (tmp_path / "warnings.csv").exists()
    (path,) = sanity.save([w], tmp_path)
    assert pd.read_csv(path).to_dict("records") == [{"code": "wom_degree", "field": w.field, "message": w.message}]


def _cxsim(tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cxsim.cli.main", "run", *args, "sim.replications=1",
                           "outputs.figures=false", f"hydra.run.dir={tmp_path}"],
                          capture_output=True, text=True, cwd=tmp_path.parent, check=False)


def test_run_command_warns_logs_and_writes_warnings_csv(tmp_path) -> None:
    out = tmp_path / "overloaded"
    proc = _cxsim(out, "scenario=b2b_dealer", "operations.scale=0.0001", "sim.n_customers=300", "sim.n_cycles=2")
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("cxsim run: warning:")]
    assert any(ln.startswith("cxsim run: warning: scenario.operations.pipeline: offered load") for ln in lines)
    assert any(ln.startswith("cxsim run: warning: summary.pipeline_utilisation:") for ln in lines)
    table = pd.read_csv(out / "warnings.csv")
    assert {"queue_overload", "touchpoint_never_occurs", "utilisation"} <= set(table["code"])
    assert len(table) == len(lines)
    assert "scenario.operations.pipeline: offered load" in (out / "run.log").read_text()


def test_a_sane_run_writes_no_warnings_file(tmp_path) -> None:
    out = tmp_path / "sane"
    proc = _cxsim(out, "scenario=retail_street", "sim.n_customers=300", "sim.n_cycles=2")
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stderr and not (out / "warnings.csv").exists()


def test_every_warning_code_is_documented() -> None:
    root = Path(cxsim.__file__).resolve().parent
    source = (root / "sanity.py").read_text() + Path(sensitivity.__file__).read_text()
    codes = set(re.findall(r'SanityWarning\(\s*"(\w+)"', source))
    assert len(codes) >= 11
    page = root.parent / "docs" / "reference" / "warnings.md"
    if not page.is_file():
        pytest.skip(f"the docs are not beside the installed package ({page})")
    documented = set(re.findall(r"^\| `(\w+)` \|", page.read_text(), flags=re.M))
    assert codes == documented


def test_compare_command_checks_every_arm(tmp_path) -> None:
    out = tmp_path / "compare"
    proc = subprocess.run([sys.executable, "-m", "cxsim.cli.main", "compare", "scenario=b2b_dealer",
                           "operations.scale=0.0001", "sim.n_customers=300", "sim.n_cycles=2",
                           "compare.interventions=[dealer_gala]", "compare.replications=2", "compare.progress=false",
                           f"hydra.run.dir={out}"], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("cxsim compare: warning:")]
    table = pd.read_csv(out / "warnings.csv")
    assert list(table["code"]) == ["queue_overload", "touchpoint_never_occurs", "utilisation"]
    assert len(lines) == 3 and not any("of 2 arms" in ln for ln in lines)  # both arms overloaded
