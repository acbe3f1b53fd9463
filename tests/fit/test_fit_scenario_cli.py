"""`cxsim-fit scenario` and `cxsim-fit drivers --covariates/--nonlinear` from the command line."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cxsim.cli.fit import main
from cxsim.fit import scenario_document

FIXTURE = Path(__file__).with_name("survey_fixture.csv")
TPS = "booking,checkin,wifi,lounge,food,staff"


def test_scenario_command_writes_a_config_folder(tmp_path, capsys) -> None:
    out = tmp_path / "fit"
    main(["scenario", str(FIXTURE), "--outcome", "satisfaction", "--positive", "satisfied", "--touchpoints", TPS,
          "--not-applicable", "0", "--segment", "segment", "--recommend", "recommend", "--name", "hotel",
          "--simulated", "5000", "--quiet", "--out", str(out)])
    printed = capsys.readouterr().out
    assert "checked on 720 held-out rows (30%, seed 0)" in printed
    assert f"cxsim run --config-dir {out} scenario=hotel" in printed
    sc = scenario_document.to_scenario(yaml.safe_load((out / "scenario" / "hotel.yaml").read_text()))
    assert sc.name == "hotel" and sc.journey.copula is not None
    check = pd.read_csv(out / "check.csv")
    assert check["ok"].all()
    assert (out / "check.png").is_file() and (out / "memory_models.csv").is_file()


def test_scenario_command_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys) -> None:
    out = tmp_path / "fit"
    with pytest.raises(SystemExit) as exit_:
        main(["scenario", str(FIXTURE), "--outcome", "satisfaction", "--positive", "satisfied", "--touchpoints",
              TPS + ",nope", "--out", str(out)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "column 'nope'" in err and len(err.splitlines()) == 1
    assert not out.exists()


@pytest.mark.skipif(importlib.util.find_spec("sklearn") is None,
                    reason="scikit-learn is not installed (pip install 'cxsim[fit]')")
def test_drivers_nonlinear_writes_the_comparison(tmp_path, capsys) -> None:
    out = tmp_path / "drivers"
    main(["drivers", str(FIXTURE), "--outcome", "satisfaction", "--positive", "satisfied", "--touchpoints",
          "booking,checkin,food,staff", "--covariates", "segment", "--nonlinear", "--quiet", "--out", str(out)])
    models = pd.read_csv(out / "driver_models.csv")
    assert list(models["model"]) == ["linear", "linear + covariates", "boosting", "boosting + covariates"]
    assert (models["cv_auc"] > 0.6).all()
    assert set(pd.read_csv(out / "driver_importance.csv")["column"]) == {"booking", "checkin", "food", "staff", "segment"}
    assert "best gradient boosting" in capsys.readouterr().out


def test_the_written_folder_runs_unchanged_through_run_and_compare(tmp_path, capsys) -> None:
    """The "Done when": the scenario YAML from a survey (with segment draws) runs through `cxsim run`
    and `cxsim compare` as written, with a what-if of the folder."""
    import subprocess
    import sys

    out = tmp_path / "fit"
    main(["scenario", str(FIXTURE), "--outcome", "satisfaction", "--positive", "satisfied", "--touchpoints", TPS,
          "--not-applicable", "0", "--segment", "segment", "--name", "hotel", "--simulated", "2000", "--quiet",
          "--out", str(out)])
    capsys.readouterr()
    assert yaml.safe_load((out / "scenario" / "hotel.yaml").read_text())["journey"]["copula"]["segments"]
    whatif = sorted((out / "intervention").glob("*.yaml"))[0].stem
    small = ["sim.n_customers=300", "sim.n_cycles=3"]
    run = subprocess.run([sys.executable, "-m", "cxsim.cli.run", "--config-dir", str(out), "scenario=hotel", *small,
                          "outputs.figures=false", f"hydra.run.dir={tmp_path / 'run'}"],
                         capture_output=True, text=True, check=False, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert pd.read_csv(tmp_path / "run" / "summary.csv")["scenario"].iloc[0] == "hotel"
    cmp = subprocess.run([sys.executable, "-m", "cxsim.cli.compare", "--config-dir", str(out), "scenario=hotel", *small,
                          f"compare.interventions=[{whatif}]", "compare.replications=3", "compare.progress=false",
                          f"hydra.run.dir={tmp_path / 'cmp'}"], capture_output=True, text=True, check=False, cwd=tmp_path)
    assert cmp.returncode == 0, cmp.stderr
    table = pd.read_csv(tmp_path / "cmp" / "comparison.csv")
    assert whatif in set(table["intervention"])
