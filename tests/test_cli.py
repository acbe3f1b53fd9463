"""The ``cxsim`` command: a real run, and every kind of bad input -> one line, exit 2, nothing written."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
import pytest

from cxsim.cli import main as cli

BAD = {
    "unknown scenario": (["scenario=nope"], "scenario"),
    "unknown memory model": (["memory=nope"], "memory"),
    "weight above 1": (["memory.w_peak=1.5"], "memory.w_peak"),
    "weight below -1": (["memory.w_end=-1.5"], "memory.w_end: -1.5 is not allowed; must lie in [-1, 1]"),
    "weights sum above 1": (["memory.w_peak=0.7", "memory.w_end=0.5"], "memory"),
    "empty journey": (["scenario.journey.touchpoints=[]"], "scenario.journey.touchpoints"),
    "duplicate touchpoint": (["scenario.journey.touchpoints.1.name=brand_image"], "scenario.journey.touchpoints[1].name"),
    "key moment not in journey": (["memory=key_moments", "memory.weights={nope: 0.2}"], "memory.weights.nope"),
    "shares not summing to 1": (["scenario.population.segments.0.share=0.5"], "scenario.population.segments.share"),
    "zero customers": (["sim.n_customers=0"], "sim.n_customers"),
    "negative customers": (["sim.n_customers=-5"], "sim.n_customers"),
    "zero cycles": (["sim.n_cycles=0"], "sim.n_cycles"),
    "negative spread": (["scenario.journey.touchpoints.0.performance.sd=-1"], "scenario.journey.touchpoints[0].performance.sd"),
    "negative cost": (["scenario.journey.touchpoints.4.cost_per_encounter=-5"], "scenario.journey.touchpoints[4].cost_per_encounter"),
    "unknown distribution": (["scenario.journey.touchpoints.0.performance.dist=gamma"], "scenario.journey.touchpoints[0].performance.dist"),
    "direction": (["scenario.journey.touchpoints.0.measure.direction=up"], "scenario.journey.touchpoints[0].measure.direction"),
    "ratio with non-positive expectation": (
        ["scenario=ecommerce_delivery", "scenario.journey.touchpoints.0.expectation.low=0"],
        "scenario.journey.touchpoints[0].expectation",
    ),
    "unknown engine": (["sim.engine=turbo"], "sim.engine"),
    "negative threads": (["sim.threads=-1"], "sim.threads"),
    "unknown backend": (["sim.backend=gpu"], "sim.backend"),
    "huge pages not a flag": (["sim.huge_pages=sometimes"], "sim.huge_pages"),
    "reuse memory not a flag": (["sim.reuse_memory=1"], "sim.reuse_memory"),
    "unknown segment memory kind": (["+scenario.population.segments.0.memory={kind: nope}"],
                                    "scenario.population.segments[0].memory.kind"),
    "segment memory kind with a nested model": (
        ["+scenario.population.segments.0.memory={kind: mean, peak_end: {w_peak: 0.5}}"],
        "scenario.population.segments[0].memory.peak_end",
    ),
    "parameter of another model beside a segment kind": (["+scenario.population.segments.0.memory={kind: mean, w_peak: 0.5}"],
                                                          "scenario.population.segments[0].memory.w_peak: 0.5 is not allowed; "
                                                          "unknown field; known fields: none"),
    "unknown operations output": (["outputs.operations=sometimes"], "outputs.operations"),
    "negative operations limit": (["outputs.operations_limit=-1"], "outputs.operations_limit"),
    "hazard table entry above 1": (["scenario.loyalty.terrible_hazards=[0.4,1.5]"],
                                   "scenario.loyalty.terrible_hazards[1]: 1.5 is not allowed; a hazard must lie in [0, 1]"),
    "hazard table not a list": (["scenario.loyalty.terrible_hazards=0.3"], "scenario.loyalty.terrible_hazards: 0.3"),
    "unknown config key": (["sim.nope=1"], "sim.nope"),
    "non-numeric value": (["sim.n_cycles=many"], "sim.n_cycles"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line_and_exit_2(case, rejects):
    overrides, field = BAD[case]
    rejects(cli.main, "cxsim", overrides, field)


def test_console_script_bad_input_subprocess(tmp_path):
    """The installed script itself: exit status 2, one line on stderr, nothing on disk."""
    out = tmp_path / "run"
    proc = subprocess.run(["cxsim", "memory=nope", f"hydra.run.dir={out}"], capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "memory" in lines[0] and "peak_end" in lines[0]
    assert not out.exists()


def test_console_script_runs_and_writes_outputs(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.run(
        ["cxsim", "scenario=retail_street", "memory=mean", "sim.n_customers=400", "sim.n_cycles=3",
         "sim.seed=3", "sim.engine=agent", f"hydra.run.dir={out}"],
        capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "scenario retail_street" in proc.stdout and "memory mean" in proc.stdout
    timing = [line for line in proc.stdout.splitlines() if line.startswith("run time ")]
    assert len(timing) == 1 and "journeys" in timing[0] and "word of mouth" in timing[0], proc.stdout
    for name in ["summary.csv", "cycles.csv", "customers.parquet", "moment_curve.png",
                 "satisfaction_distribution.png", "over_cycles.png"]:
        assert (out / name).is_file(), name
    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == 3  # default replications
    assert set(summary["seed"]) == {3}
    customers = pd.read_parquet(out / "customers.parquet")
    assert customers["cycle"].max() == 3
    assert not [p for p in Path(out).iterdir() if p.name.startswith(".summary")], "no temporary files left"


def test_phase_line_lists_the_longest_phase_first_and_adds_them_up():
    from cxsim.cli.report import phase_line

    line = phase_line({"setup": 0.25, "word_of_mouth": 1.5, "draws": 0.0})
    assert line == "1.8 s: word of mouth 1.50, setup 0.25, draws 0.00"
