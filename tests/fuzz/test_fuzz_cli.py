"""Fuzzing the commands: generated overrides and scenario files, valid and invalid, names in any script.

Every case either runs or exits with status 2 and one line on stderr: never a traceback, never a
hang, never a half-written output. The numbers of examples are bounded (with the crash tests the suite
takes two to three minutes); in-process calls of the commands' checks and ``main`` functions keep it fast, and a few
subprocess cases check the installed scripts themselves.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from fuzz_strategies import NAMES, compare_overrides, overrides, scenario, sweep_overrides
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cxsim.cli import compare as cli_compare
from cxsim.cli import main as cli
from cxsim.cli import run as cli_run
from cxsim.cli import sweep as cli_sweep
from cxsim.errors import SpecError

SMALL = ["sim.n_customers=60", "sim.n_cycles=2", "sim.replications=1", "outputs.figures=false"]
#: Small sizes forced after the fuzzed overrides, so that a full run stays fast.
CAPS = ["sim.n_customers=60", "sim.n_cycles=2", "sim.replications=1"]
#: Whole runs are slow to shrink: a failing example is reported as found.
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)
FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _validated(args: list[str]) -> object:
    """The command's own check: a spec, or a SpecError whose text is one line."""
    try:
        return cli_run.check(args)
    except SpecError as err:
        text = str(err)
        assert text and "Traceback" not in text
        return err


@FUZZ
@given(overrides())
def test_any_overrides_validate_or_give_a_spec_error(args):
    _validated([*args, *CAPS])


def assert_complete(folder: Path) -> None:
    """Every result file in ``folder`` reads whole; no temporary file is left."""
    if not folder.exists():
        return
    for path in folder.iterdir():
        assert not (path.name.startswith(".") and path.name.count(".") >= 2 and path.is_file()
                    and path.name not in (".cxsim-config.json", ".cxsim.lock")), f"temporary file left: {path}"
        if path.suffix == ".csv":
            pd.read_csv(path)
        elif path.suffix == ".parquet":
            pd.read_parquet(path)


def run_in_process(main, argv: list[str], capsys) -> tuple[int, str]:
    """Run ``main(argv)``; its exit status and stderr (status 0 when it returns)."""
    code = 0
    try:
        main(argv)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    err = capsys.readouterr().err
    return code, err


def assert_runs_or_one_line(code: int, err: str) -> None:
    assert code in (0, 2), (code, err)
    assert "Traceback" not in err, err
    if code == 2:
        lines = [line for line in err.strip().splitlines() if "error:" in line]
        assert len(lines) == 1, err


@settings(max_examples=8, deadline=None, derandomize=True, phases=NO_SHRINK,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(args=overrides())
def test_cxsim_run_runs_or_exits_2_with_one_line(args, tmp_path_factory, capsys, monkeypatch):
    out = tmp_path_factory.mktemp("run") / "out"
    monkeypatch.setattr(sys, "argv", ["cxsim"])
    code, err = run_in_process(cli.main, [*args, *SMALL, f"hydra.run.dir={out}"], capsys)
    assert_runs_or_one_line(code, err)
    if code == 2:
        assert not out.exists() or not any(p for p in out.iterdir() if p.suffix in (".csv", ".parquet"))
    else:
        assert (out / "summary.csv").is_file()
    assert_complete(out)


def _write_scenario(folder: Path, doc: dict) -> Path:
    path = folder / "mine.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@FUZZ
@given(doc=scenario())
def test_a_scenario_file_validates_or_gives_a_spec_error(doc, tmp_path_factory):
    path = _write_scenario(tmp_path_factory.mktemp("sc"), doc)
    _validated([f"scenario={path}", *CAPS])


@settings(max_examples=4, deadline=None, derandomize=True, phases=NO_SHRINK,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.sampled_from(["交付速度", "品牌形象", "café", "服务_人员", "naïve", "Ölwechsel"]),
                      min_size=2, max_size=3, unique=True),
       segment=st.sampled_from(["经销商", "Händler", "clientes_nuevos"]))
def test_unicode_and_chinese_names_run_and_name_the_columns(names, segment, tmp_path_factory, capsys, monkeypatch):
    folder = tmp_path_factory.mktemp("uni")
    doc = {
        "name": "统一", "journey": {"stages": ["购买"], "touchpoints": [
            {"name": n, "stage": "购买", "measure": {"name": "评分", "unit": "分", "direction": "higher"},
             "performance": {"dist": "normal", "mean": 4, "sd": 0.5, "low": 1, "high": 5},
             "expectation": {"dist": "normal", "mean": 3.5, "sd": 0.3, "low": 1, "high": 5}} for n in names]},
        "population": {"segments": [{"name": segment, "share": 1.0}]},
    }
    path = _write_scenario(folder, doc)
    out = folder / "out"
    monkeypatch.setattr(sys, "argv", ["cxsim"])
    code, err = run_in_process(cli.main, [f"scenario={path}", "memory=mean", *SMALL, "outputs.moments=true",
                                          f"hydra.run.dir={out}"], capsys)
    assert code == 0, err
    moments = pd.read_parquet(out / "moments.parquet")
    assert set(moments["touchpoint"]) == set(names) and set(moments["scenario"]) == {"统一"}
    assert set(pd.read_parquet(out / "customers.parquet")["segment"]) == {segment}
    assert_complete(out)


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(name=NAMES)
def test_a_bad_group_choice_or_name_is_a_spec_error(name):
    for args in ([f"memory={name}"], [f"scenario.journey.touchpoints.0.name={name}"],
                 [f"scenario.population.segments.0.name={name}"]):
        _validated([*args, *CAPS])


SUBPROCESS_CASES = [
    ["sim.n_customers=1e3.5"],
    ["sim.n_cycles=2.5"],
    ["scenario.journey.touchpoints.0.name=交付"],
    ["memory=记忆"],
    ["sim.n_customers=1000000000000"],
    ["compare", "compare.replications=1.5"],
    ["sweep", "sweep=b2b_grid", "sweep.replications=0"],
    ["optimise", "optimise.trials=2.5"],
]


@pytest.mark.parametrize("args", SUBPROCESS_CASES, ids=lambda a: " ".join(a))
def test_the_installed_script_gives_one_line_and_exit_2(args, tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("CXSIM_FORCE", None)
    proc = subprocess.run([sys.executable, "-m", "cxsim.cli.main", *args, f"hydra.run.dir={out}"],
                          capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "error:" in lines[0] and "Traceback" not in proc.stderr, proc.stderr
    assert not out.exists()


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(args=sweep_overrides())
def test_sweep_settings_validate_or_give_a_spec_error(args):
    try:
        cli_sweep.check([*args, *CAPS])
    except SpecError as err:
        assert str(err) and "Traceback" not in str(err)


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(args=compare_overrides())
def test_compare_settings_validate_or_give_a_spec_error(args):
    try:
        cli_compare.check([*args, *CAPS])
    except SpecError as err:
        assert str(err) and "Traceback" not in str(err)
