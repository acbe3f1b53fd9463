"""The cxsim optimise command: a small end-to-end run, resuming, and one-line errors for bad input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cxsim.cli import optimise as cli

SMALL = ["sim.n_customers=300", "sim.n_cycles=3", "optimise.trials=6", "optimise.replications=2",
         "optimise.selection.n0=2", "optimise.selection.max_replications=4", "optimise.robustness.worlds=4",
         "optimise.robustness.replications=1", "optimise.robustness.portfolios=2"]


def test_end_to_end_writes_every_output(tmp_path, capsys):
    out = tmp_path / "run"
    cli.main([*SMALL, f"hydra.run.dir={out}"])
    for name in ("trials.csv", "pareto.csv", "pareto.png", "selection.csv", "robustness.csv", "prim_boxes.csv",
                 "report.html", "study.journal"):
        assert (out / name).is_file(), name
    text = capsys.readouterr().out
    assert "cxsim optimise · scenario b2b_dealer" in text and "wrote trials.csv" in text
    sel = pd.read_csv(out / "selection.csv")
    assert sel["replications_used"].iloc[0] >= 2 * len(sel)
    assert "hydra.run.dir=NEW_FOLDER" in (out / "report.html").read_text(encoding="utf-8")
    # the same folder again: the search resumes (nothing left to do for 6 trials) and gives the same trials
    before = pd.read_csv(out / "trials.csv")
    cli.main([*SMALL, f"hydra.run.dir={out}"])
    pd.testing.assert_frame_equal(pd.read_csv(out / "trials.csv"), before)


@pytest.mark.parametrize("args, field", [
    (["optimise=nope"], "optimise"),
    (["optimise.trials=0"], "optimise.trials"),
    (["optimise.budget=-5"], "optimise.budget"),
    (["optimise.objectives=[happiness]"], "optimise.objectives[0].metric"),
    (["+optimise.candidates.no_such_thing=null"], "optimise.candidates.no_such_thing"),
    (["optimise.robustness.params=[{path: scenario.nope, low: 0, high: 1}]"], "optimise.robustness.params[0].path"),
    (["scenario=retail_street"], "optimise.candidates.faster_delivery"),
    (["sim.n_customers=-1"], "sim.n_customers"),
    (["justaword"], "arguments"),
])
def test_bad_input_is_one_line_and_writes_nothing(args, field, tmp_path, capsys):
    out = tmp_path / "run"
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*args, f"hydra.run.dir={out}"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    assert err.startswith(f"cxsim optimise: error: {field}"), err
    assert not out.exists()


def test_help(capsys):
    cli.main(["--help"])
    assert "cxsim optimise" in capsys.readouterr().out


def test_shipped_examples_are_listed():
    assert "b2b_budget" in cli.available()
    assert Path(cli.__file__).name == "optimise.py"


def test_registered_as_a_cxsim_subcommand(capsys, tmp_path):
    from cxsim.cli import main as top

    top.main(["--help"])
    assert "optimise" in capsys.readouterr().out
    top.main(["optimise", "--help"])
    assert "cxsim optimise" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        top.main(["optimise", "optimise.trials=0", f"hydra.run.dir={tmp_path / 'x'}"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.startswith("cxsim optimise: error: optimise.trials")
