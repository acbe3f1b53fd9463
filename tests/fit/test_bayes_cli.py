"""``cxsim calibrate`` on the Bayesian path: files written, and bad input as one line, exit 2."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from cxsim.cli import calibrate as cli

pytest.importorskip("torch", reason="neural posterior estimation needs the optional packages torch and sbi")
pytest.importorskip("sbi", reason="neural posterior estimation needs the optional package sbi")

TINY = {
    "name": "tiny",
    "overrides": ["scenario=retail_street", "sim.n_customers=200", "sim.n_cycles=3", "sim.seed=0"],
    "method": "npe",
    "simulations": 40,
    "predictive_runs": 5,
    "posterior_samples": 200,
    "parameters": {"scenario.loyalty.satisfaction_slope": {"dist": "uniform", "low": 0.0, "high": 3.0}},
    "targets": [{"name": "retention", "metric": "summary.retention_rate", "value": 0.8, "sd": 0.05}],
}


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny_bayes.yaml"
    path.write_text(yaml.safe_dump(TINY))
    return path


def test_bayesian_file_writes_the_posterior_and_its_checks(tiny, tmp_path, capsys):
    out = tmp_path / "out"
    cli.main([f"calibrate={tiny}", f"calibrate.out={out}", "calibrate.quiet=true"])
    names = {p.name for p in out.iterdir()}
    assert {"posterior.parquet", "posterior_summary.csv", "predictive_check.csv", "predictive_check.png",
            "posterior_pairs.png", "simulations.parquet", "diagnostics.json", "calibrated_overrides.txt"} <= names
    assert len(pd.read_parquet(out / "posterior.parquet")) == 200
    assert json.loads((out / "diagnostics.json").read_text())["simulations"] == 40
    assert (out / "calibrated_overrides.txt").read_text().startswith("scenario.loyalty.satisfaction_slope=")
    assert "posterior predictive check" in capsys.readouterr().out


def test_point_fit_file_runs_bayesian_with_method_npe(tmp_path):
    point = {k: v for k, v in TINY.items() if k not in ("method", "simulations", "predictive_runs", "posterior_samples")}
    point["parameters"] = {"scenario.loyalty.satisfaction_slope": {"low": 0.0, "high": 3.0}}
    path = tmp_path / "point.yaml"
    path.write_text(yaml.safe_dump(point))
    out = tmp_path / "out"
    cli.main([f"calibrate={path}", "calibrate.method=npe", "calibrate.simulations=30", f"calibrate.out={out}",
              "calibrate.quiet=true"])
    assert (out / "posterior.parquet").is_file()


@pytest.mark.parametrize("args, field", [
    (["calibrate.method=nelder-mead"], "calibrate.method"),
    (["calibrate.simulations=5"], "calibrate.simulations"),
    (["calibrate.max_evaluations=50"], "calibrate.max_evaluations"),
])
def test_bad_bayesian_settings_are_one_line_exit_2(tiny, tmp_path, capsys, args, field):
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        cli.main([f"calibrate={tiny}", *args, f"calibrate.out={out}", "calibrate.quiet=true"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith(f"cxsim-calibrate: error: {field}"), err
    assert not out.exists()


def test_simulations_with_a_point_fit_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    with pytest.raises(SystemExit):
        cli.main(["calibrate=switching", "calibrate.simulations=100", f"calibrate.out={out}"])
    assert capsys.readouterr().err.startswith("cxsim-calibrate: error: calibrate.simulations")
    assert not out.exists()
