"""The one ``cxsim`` command: subcommands, help, "did you mean", aliases and the extras' errors."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from cxsim.cli import calibrate as calibrate_cli
from cxsim.cli import main as cli
from cxsim.cli import multirun
from cxsim.cli.commands import COMMANDS
from cxsim.errors import SpecError
from cxsim.teach import serve

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _script(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else name


def _one_line_error(capsys, call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as info:
        call()
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    return err


# ---------------------------------------------------------------------------- help


def test_top_help_says_what_cxsim_does_with_two_examples_and_lists_every_command(capsys):
    cli.main(["--help"])
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("usage: cxsim")
    assert "simulates customer experience" in out
    examples = out.index("examples:")
    assert out[examples:].splitlines()[1].strip().startswith("cxsim ")
    assert out[examples:].splitlines()[2].strip().startswith("cxsim ")
    for name, command in COMMANDS.items():
        assert f"  {name} " in out, name
        if command.alias:
            assert command.alias in out
    assert len(lines) < 40


@pytest.mark.parametrize("name", ["run", "compare", "sweep"])
def test_config_command_help_comes_before_the_config_groups(name, capsys):
    cli.main([name, "--help"])
    out = capsys.readouterr().out
    assert out.index("examples:") < out.index("config groups")
    assert "scenario=path/to/" in out and "retail_street" in out and "peak_end" in out
    assert "powered by Hydra" not in out
    assert len(out.splitlines()) < 40


@pytest.mark.parametrize("name", ["fit", "calibrate", "teach"])
def test_flag_command_help_has_two_examples(name, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main([name, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    after = out[out.index("examples:") :].splitlines()
    assert after[1].strip().startswith(f"cxsim {name}") and after[2].strip().startswith(
        f"cxsim {name}"
    )
    assert "alias" not in out.split("examples:")[0]


@pytest.mark.parametrize(
    "alias", ["cxsim-compare", "cxsim-sweep", "cxsim-fit", "cxsim-calibrate", "cxsim-teach"]
)
def test_old_command_names_are_documented_aliases(alias):
    proc = subprocess.run([_script(alias), "--help"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    command = alias.removeprefix("cxsim-")
    assert f"{alias} is an alias of `cxsim {command}`, kept for one release" in " ".join(
        proc.stdout.split()
    )


# ---------------------------------------------------------------------------- did you mean


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["memroy=mean"], "cxsim: error: memroy: unknown; did you mean memory?"),
        (
            ["sim.n_custmers=5"],
            "cxsim: error: sim.n_custmers: unknown; did you mean sim.n_customers?",
        ),
        (["compair"], "cxsim: error: compair: unknown command; did you mean compare?"),
        (
            ["run", "scenaro=retail_street"],
            "cxsim run: error: scenaro: unknown; did you mean scenario?",
        ),
        (
            ["compare", "compare.replicatons=3"],
            "cxsim compare: error: compare.replicatons: unknown; "
            "did you mean compare.replications?",
        ),
        (
            ["calibrate", "calibrate=switching", "calibrate.otu=x"],
            "cxsim calibrate: error: calibrate.otu: unknown; did you mean calibrate.out?",
        ),
    ],
)
def test_mistyped_key_group_or_command_is_one_line_with_a_suggestion(
    argv, expected, capsys, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    assert _one_line_error(capsys, lambda: cli.main(argv)) == expected
    assert list(tmp_path.iterdir()) == []


def test_mistyped_group_option_suggests_the_closest_and_lists_the_rest(
    capsys, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    err = _one_line_error(capsys, lambda: cli.main(["scenario=retail_stret"]))
    assert err.startswith(
        "cxsim: error: scenario: 'retail_stret' is not allowed; "
        "did you mean retail_street? allowed: "
    )
    assert "b2b_dealer" in err


def test_unknown_key_without_a_close_match_lists_known_keys(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    err = _one_line_error(capsys, lambda: cli.main(["zzzzqqq=1"]))
    assert err.startswith("cxsim: error: zzzzqqq: unknown; known: ")


# ---------------------------------------------------------------------------- aliases and dispatch


def test_no_subcommand_and_run_are_the_same_job(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    small = [
        "scenario=b2b_dealer",
        "sim.n_customers=200",
        "sim.n_cycles=2",
        "sim.replications=1",
        "outputs.figures=false",
        "outputs.customers=never",
    ]
    cli.main([*small, f"hydra.run.dir={tmp_path / 'a'}"])
    cli.main(["run", *small, f"hydra.run.dir={tmp_path / 'b'}"])
    a = (tmp_path / "a" / "summary.csv").read_text()
    assert a == (tmp_path / "b" / "summary.csv").read_text()
    assert "b2b_dealer" in a


def test_alias_entry_points_name_themselves_in_errors(capsys, tmp_path, monkeypatch):
    from cxsim.cli import compare, sweep

    monkeypatch.chdir(tmp_path)
    assert _one_line_error(capsys, lambda: compare.main(["sim.n_customers=0"])).startswith(
        "cxsim-compare: error: sim.n_customers"
    )
    assert _one_line_error(capsys, lambda: cli.main(["compare", "sim.n_customers=0"])).startswith(
        "cxsim compare: error: sim.n_customers"
    )
    assert _one_line_error(capsys, lambda: sweep.main(["memroy=mean"])).startswith(
        "cxsim-sweep: error: memroy"
    )


def test_calibrate_settings_as_key_value_become_the_same_flags():
    flags = calibrate_cli.as_flags(
        [
            "sim.n_customers=900",
            "calibrate.out=o",
            "calibrate=switching",
            "calibrate.method=differential-evolution",
            "calibrate.max_evaluations=7",
            "calibrate.seed=4",
            "calibrate.quiet=true",
        ]
    )
    assert flags == [
        "switching",
        "sim.n_customers=900",
        "--out",
        "o",
        "--method",
        "differential-evolution",
        "--max-evaluations",
        "7",
        "--seed",
        "4",
        "--quiet",
    ]
    args = calibrate_cli.parser().parse_args(flags)
    assert (args.calibration, args.out, args.max_evaluations, args.seed, args.quiet) == (
        "switching",
        "o",
        7,
        4,
        True,
    )
    assert calibrate_cli.as_flags(["calibrate.quiet=false"]) == []


# ---------------------------------------------------------------------------- extras


def test_teach_without_the_extra_names_the_pip_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "solara", None)  # as if the [teach] extra were not installed
    assert not serve.has_teach_extra()
    expected = "the teaching page needs the [teach] extra: pip install 'cxsim[teach]'"
    assert _one_line_error(capsys, lambda: cli.main(["teach"])) == f"cxsim teach: error: {expected}"
    assert _one_line_error(capsys, lambda: serve.main([])) == f"cxsim-teach: error: {expected}"


def test_teach_extra_is_found_when_installed():
    pytest.importorskip("solara", reason="the [teach] extra is not installed")
    assert serve.has_teach_extra()


def test_ray_launcher_without_the_extra_names_the_pip_install(monkeypatch):
    monkeypatch.setattr(multirun, "_installed", lambda module: False)
    with pytest.raises(
        SpecError,
        match=r"hydra/launcher: 'cxsim_ray' is not allowed; this launcher needs the "
        r"\[ray-launcher\] extra: pip install 'cxsim\[ray-launcher\]'",
    ):
        multirun.check_launcher(["hydra/launcher=cxsim_ray"])
    multirun.check_launcher(["hydra/launcher=cxsim_joblib"])  # in the base install


def test_base_install_leaves_out_the_teaching_page_ray_and_tools():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    base = " ".join(project["dependencies"]).lower()
    for heavy in ("solara", "ipyvue", "ray", "sphinx", "pytest", "jupyterlab", "ruff", "mypy"):
        assert heavy not in base, heavy
    extras = project["optional-dependencies"]
    assert any(d.startswith("solara>=1.58") for d in extras["teach"])
    # `pip install ".[test]" && pytest -q` tests the page, lint, types and the docs build too
    test_extra = " ".join(extras["test"])
    assert "cxsim[" in test_extra and all(x in test_extra for x in ("teach", "docs", "ruff", "mypy"))
    assert any(d.startswith("ray") for d in extras["ray"])
    assert any(d.startswith("cxsim[test") for d in extras["dev"]) and any("pre-commit" in d for d in extras["dev"])
    scripts = project["scripts"]
    assert scripts["cxsim"] == "cxsim.cli.main:main"
    for word, name in COMMANDS.items():
        if name.alias:  # fit and calibrate go through the output-folder check of `cxsim` itself
            assert scripts[name.alias] in (f"{name.module}:main", f"cxsim.cli.main:{word}_alias"), name.alias
