"""A scenario of the user's own, by path or through the config search path, in every command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cxsim.cli import calibrate as calibrate_cli
from cxsim.cli import main as cli
from cxsim.cli import sweep as sweep_cli
from cxsim.config import SEARCH_PATH_ENV, available, compose_config, load_run_spec

SHIPPED = Path(__file__).resolve().parents[1] / "configs" / "scenario"
SMALL = [
    "sim.n_customers=200",
    "sim.n_cycles=2",
    "sim.replications=1",
    "outputs.figures=false",
    "outputs.customers=never",
]


def _own(
    folder: Path, shipped: str = "b2b_dealer", name: str = "my_dealer", file: str = "mine.yaml"
) -> Path:
    """A copy of a shipped scenario under another name: the user's own file."""
    text = (SHIPPED / f"{shipped}.yaml").read_text()
    assert f"\nname: {shipped}\n" in text
    path = folder / file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace(f"\nname: {shipped}\n", f"\nname: {name}\n"))
    return path


def _error(capsys, call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as info:
        call()
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    return err


def test_scenario_file_by_path_composes_as_the_shipped_one(tmp_path):
    own = _own(tmp_path / "sub")
    mine = compose_config([f"scenario={own}", *SMALL])
    shipped = compose_config(["scenario=b2b_dealer", *SMALL])
    assert mine["scenario"].pop("name") == "my_dealer"
    shipped["scenario"].pop("name")
    assert mine == shipped


def test_relative_path_and_yml_suffix(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _own(tmp_path, file="my.scenario.yml")
    assert load_run_spec(["scenario=my.scenario.yml", *SMALL]).scenario.name == "my_dealer"


def test_run_with_own_file_gives_the_shipped_numbers_under_its_own_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    own = _own(tmp_path / "scenarios")
    cli.main(["run", f"scenario={own}", *SMALL, "hydra.run.dir=a"])
    cli.main(["scenario=b2b_dealer", *SMALL, "hydra.run.dir=b"])
    a, b = pd.read_csv(tmp_path / "a" / "summary.csv"), pd.read_csv(tmp_path / "b" / "summary.csv")
    assert list(a["scenario"]) == ["my_dealer"] and list(b["scenario"]) == ["b2b_dealer"]
    pd.testing.assert_frame_equal(a.drop(columns="scenario"), b.drop(columns="scenario"))


def test_yaml_syntax_error_names_the_file_and_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: broken\njourney:\n  touchpoints: [a, b\n  cost: 1\n")
    for prog, call in (
        ("cxsim", lambda: cli.main([f"scenario={bad}", "hydra.run.dir=out"])),
        ("cxsim compare", lambda: cli.main(["compare", f"scenario={bad}", "hydra.run.dir=out"])),
        ("cxsim sweep", lambda: cli.main(["sweep", f"scenario={bad}", "hydra.run.dir=out"])),
        (
            "cxsim calibrate",
            lambda: cli.main(
                [
                    "calibrate",
                    "calibrate=switching",
                    f"scenario={bad}",
                    "calibrate.out=out",
                    "calibrate.quiet=true",
                ]
            ),
        ),
    ):
        err = _error(capsys, call)
        assert err.startswith(
            f"{prog}: error: scenario: '{bad}' is not allowed; YAML syntax error in broken.yaml, "
            "line 4:"
        ), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.yaml"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- just\n- a list\n", "the file must hold a YAML mapping"),
        (None, "a scenario file that exists"),
    ],
)
def test_not_a_scenario_file(tmp_path, capsys, monkeypatch, text, expected):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "odd.yaml"
    if text is not None:
        path.write_text(text)
    err = _error(capsys, lambda: cli.main([f"scenario={path}", "hydra.run.dir=out"]))
    assert err.startswith("cxsim: error: scenario: ") and expected in err, err
    assert not (tmp_path / "out").exists()


def test_bad_value_in_own_file_is_the_same_error_as_in_a_shipped_one(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    own = _own(tmp_path)
    own.write_text(
        own.read_text().replace("\nname: my_dealer\n", "\nname: my_dealer\nnope_key: 1\n")
    )
    mine = _error(capsys, lambda: cli.main([f"scenario={own}", "hydra.run.dir=out"]))
    assert mine.startswith("cxsim: error: scenario.nope_key"), mine
    bad_share = ["scenario.population.segments.0.share=0.5", "hydra.run.dir=out"]
    shipped = _error(capsys, lambda: cli.main(["scenario=b2b_dealer", *bad_share]))
    own2 = _own(tmp_path, file="mine2.yaml")
    assert _error(capsys, lambda: cli.main([f"scenario={own2}", *bad_share])) == shipped
    assert not (tmp_path / "out").exists()


def test_config_search_path_env_and_config_dir(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _own(tmp_path / "lib" / "scenario", name="from_env", file="env_one.yaml")
    _own(tmp_path / "more" / "scenario", name="from_flag", file="flag_one.yaml")
    monkeypatch.setenv(SEARCH_PATH_ENV, str(tmp_path / "lib"))
    assert "env_one" in available("scenario") and "b2b_dealer" in available("scenario")
    assert load_run_spec(["scenario=env_one", *SMALL]).scenario.name == "from_env"
    cli.main(
        [
            "run",
            "--config-dir",
            str(tmp_path / "more"),
            "scenario=flag_one",
            *SMALL,
            "hydra.run.dir=r",
        ]
    )
    assert list(pd.read_csv(tmp_path / "r" / "summary.csv")["scenario"]) == ["from_flag"]
    capsys.readouterr()  # the run's own output (its sanity warnings included) is not the error below
    monkeypatch.setenv(
        SEARCH_PATH_ENV, str(tmp_path / "lib")
    )  # --config-dir added to it for the run
    err = _error(capsys, lambda: cli.main(["scenario=flag_one", "hydra.run.dir=x"]))
    assert "did you mean" in err or "allowed:" in err
    assert "flag_one" not in err.split("allowed:")[1] and "env_one" in err


def test_missing_config_folder_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    err = _error(capsys, lambda: cli.main(["--config-dir", "nowhere", "hydra.run.dir=x"]))
    assert err == (
        "cxsim: error: --config-dir: 'nowhere' is not allowed; an existing folder of configs "
        "(e.g. DIR/scenario/mine.yaml) is required"
    )
    monkeypatch.setenv(SEARCH_PATH_ENV, "gone")
    assert _error(capsys, lambda: cli.main(["hydra.run.dir=x"])).startswith(
        f"cxsim: error: {SEARCH_PATH_ENV}: 'gone' is not allowed"
    )
    assert sorted(tmp_path.iterdir()) == []


def test_yaml_error_in_a_search_path_file_names_it(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "lib" / "scenario"
    folder.mkdir(parents=True)
    (folder / "oops.yaml").write_text("name: oops\njourney: {touchpoints: [\n")
    monkeypatch.setenv(SEARCH_PATH_ENV, str(tmp_path / "lib"))
    err = _error(capsys, lambda: cli.main(["scenario=oops", "hydra.run.dir=x"]))
    assert (
        err.startswith("cxsim: error: scenario: ")
        and "YAML syntax error in oops.yaml, line 3" in err
    ), err


def test_compare_with_own_file_and_own_intervention(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    own = _own(tmp_path / "s")
    folder = tmp_path / "mine" / "intervention"
    folder.mkdir(parents=True)
    (folder / "bigger_gala.yaml").write_text(  # applies to any scenario: top-level changes
        "name: bigger_gala\ndescription: a bigger dealer meeting\n"
        "changes:\n  scenario.operations.events.dealer_meeting.budget_per_attendee: {add: 2000}\n"
        "cost:\n  fixed: 300000\n"
    )
    args = [
        f"scenario={own}",
        *SMALL,
        "compare.interventions=[bigger_gala]",
        "compare.replications=2",
        "compare.progress=false",
    ]
    cli.main(["compare", "--config-dir", str(tmp_path / "mine"), *args, "hydra.run.dir=c"])
    runs = pd.read_csv(tmp_path / "c" / "runs.csv")
    assert set(runs["scenario"]) == {"my_dealer"}
    assert {"none", "bigger_gala"} <= set(runs.astype(str).stack())


def test_sweep_with_own_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    own = _own(tmp_path / "s", shipped="b2b_dealer_survey", name="my_survey")
    args = [
        f"scenario={own}",
        "sweep=b2b_grid",
        "sim.n_customers=150",
        "sim.n_cycles=2",
        "sweep.replications=1",
        "sweep.progress=false",
        "sweep.params=[{path: scenario.economics.revenue_per_purchase, values: [20000, 30000]}]",
    ]
    sweep_cli.check(args)
    assert (
        compose_config(args)["scenario"]["name"] == "my_survey"
    )  # over the sweep's own choice of scenario
    cli.main(["sweep", *args, "hydra.run.dir=w"])
    table = pd.read_parquet(tmp_path / "w" / "sweep.parquet")
    assert len(table) == 2 and set(table["scenario"]) == {"my_survey"}


def test_calibrate_with_own_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    own = _own(tmp_path / "s", shipped="retail_street", name="my_street")
    out = tmp_path / "calib"
    cli.main(
        [
            "calibrate",
            "calibrate=switching",
            f"scenario={own}",
            "sim.n_customers=300",
            "calibrate.max_evaluations=3",
            f"calibrate.out={out}",
            "calibrate.quiet=true",
        ]
    )
    assert (out / "calibrated_overrides.txt").is_file()
    assert "switching: nelder-mead, 3 simulation runs" in capsys.readouterr().out
    err = _error(
        capsys,
        lambda: calibrate_cli.main(
            [
                "switching",
                f"scenario={own}",
                "scenario.nope=1",
                "--out",
                str(tmp_path / "c2"),
                "--quiet",
            ]
        ),
    )
    assert err.startswith("cxsim-calibrate: error: scenario.nope: unknown"), err
    assert not (tmp_path / "c2").exists()


def test_calibration_of_my_own_in_a_config_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "mine" / "calibrate"
    folder.mkdir(parents=True)
    shipped = Path(__file__).resolve().parents[1] / "configs" / "calibrate" / "switching.yaml"
    (folder / "my_switching.yaml").write_text(
        shipped.read_text().replace("name: switching", "name: my_switching")
    )
    out = tmp_path / "calib"
    cli.main(
        [
            "calibrate",
            "--config-dir",
            str(tmp_path / "mine"),
            "calibrate=my_switching",
            "sim.n_customers=300",
            "calibrate.max_evaluations=3",
            f"calibrate.out={out}",
            "calibrate.quiet=true",
        ]
    )
    assert "my_switching: nelder-mead, 3 simulation runs" in capsys.readouterr().out
    assert (out / "parameters.csv").is_file()


def test_multirun_over_two_scenario_files(tmp_path):
    one = _own(tmp_path, name="first_dealer", file="one.yaml")
    two = _own(tmp_path, name="second_dealer", file="two.yaml")
    script = Path(sys.executable).parent / "cxsim"
    proc = subprocess.run(
        [
            str(script) if script.exists() else "cxsim",
            "-m",
            f"scenario={one},{two}",
            *SMALL,
            f"hydra.sweep.dir={tmp_path / 'mr'}",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    table = pd.read_parquet(tmp_path / "mr" / "sweep.parquet")
    assert sorted(table["scenario"]) == ["first_dealer", "second_dealer"]
