"""Faults found by trying every command as a user would, from a shell: each a one-line error, a warning or a
correct run (issue: every fault a clear answer)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cli_checks import error_line

from cxsim import locks, resources
from cxsim.cli import hydra_app
from cxsim.cli import main as cli
from cxsim.cli import sweep as cli_sweep

SMALL = ["sim.n_customers=150", "sim.n_cycles=2", "outputs.figures=false"]


def _exit2(argv: list[str], capsys) -> str:
    return error_line(cli.main, argv, capsys)


@pytest.mark.parametrize("command", [[], ["compare"], ["sweep"], ["optimise"]])
@pytest.mark.parametrize("content, reason", [
    (b"\x7fELF\x02\x01\x01\x00\x00\x00\xf0\x9f", "a YAML text file is required; this one holds binary data (NUL bytes)"),
    (b"name: caf\xe9\n", "a YAML file in UTF-8 text is required; byte 0xe9 at offset 9 is not UTF-8"),
])
def test_a_binary_or_non_utf8_scenario_file_is_one_line(command, content, reason, tmp_path, capsys):
    mine = tmp_path / "mine.yaml"
    mine.write_bytes(content)
    out = tmp_path / "run"
    err = _exit2([*command, f"scenario={mine}", *SMALL, f"hydra.run.dir={out}"], capsys)
    prog = f"cxsim {command[0]}" if command else "cxsim"
    assert err == f"{prog}: error: scenario: '{mine}' is not allowed; {reason}", err
    assert not out.exists()


def test_a_binary_scenario_in_a_config_folder_is_one_line(tmp_path, capsys):
    (tmp_path / "mine" / "scenario").mkdir(parents=True)
    (tmp_path / "mine" / "scenario" / "shop.yaml").write_bytes(b"\x00\x01binary")
    err = _exit2(["--config-dir", str(tmp_path / "mine"), "scenario=shop", *SMALL,
                  f"hydra.run.dir={tmp_path / 'run'}"], capsys)
    assert err.startswith("cxsim: error: scenario:") and "binary data" in err, err


@pytest.mark.parametrize("command, instead", [
    ("compare", "cxsim compare runs compare.replications (2) per arm"),
    ("sweep", "cxsim sweep runs sweep.replications (1) per point"),
])
def test_sim_replications_that_a_command_replaces_is_a_warning(command, instead, tmp_path, monkeypatch, capsys):
    seen = []

    def stop(*args, **kwargs):  # the check ran completely; the run itself is not needed here
        seen.append(True)
        raise SystemExit(0)

    monkeypatch.setattr(hydra_app.hydra, "main", lambda **kwargs: lambda task: stop)
    with pytest.raises(SystemExit):
        cli.main([command, *SMALL, "sim.replications=100000000", "compare.replications=2",
                  f"hydra.run.dir={tmp_path / 'r'}"])
    err = capsys.readouterr().err
    assert f"cxsim {command}: warning: sim.replications=100000000 is not used: {instead}" in err, err
    assert seen


def test_a_sweep_too_large_for_its_runs_names_the_setting_that_made_it_large(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(resources.FORCE_ENV, raising=False)
    monkeypatch.setattr(resources, "available_memory", lambda: 16e9)
    err = _exit2(["sweep", "sim.n_customers=1000000000000", f"hydra.run.dir={tmp_path / 'sw'}"], capsys)
    assert err.startswith("cxsim sweep: error: sim.n_customers: 1000000000000 is not allowed; this sweep (1 points"), err


def test_a_worker_whose_parent_ended_before_its_first_task_ends_at_once():
    code = ("from cxsim.execution.local import watch_parent\n"
            "watch_parent(parent=2 ** 22 + 7)\n"  # not this process's parent: that parent is gone
            "print('still here')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "still here" not in done.stdout
    done = subprocess.run([sys.executable, "-c", code.replace("2 ** 22 + 7", "__import__('os').getppid()")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "still here" in done.stdout


def test_a_sobol_sweeps_estimate_counts_the_points_it_runs(tmp_path, monkeypatch, capsys):

    monkeypatch.delenv(resources.FORCE_ENV, raising=False)
    monkeypatch.setattr(resources, "available_memory", lambda: 16e9)
    monkeypatch.setattr(resources, "SECONDS", {**resources.SECONDS, "run": 100.0})  # every sweep is announced
    cli_sweep.check(["sweep=b2b_sobol", "sweep.n_samples=3", "sweep.replications=3", "sim.n_customers=100"])
    err = capsys.readouterr().err
    points = 4 * (len(cli_sweep.sweep.settings_from_dict(
        cli_sweep.compose_config(["sweep=b2b_sobol"])["sweep"]).params) + 2)  # n_samples 3 runs as 4
    assert f"cxsim sweep: {points * 3} runs, roughly" in err, err


def test_a_second_sweep_on_a_folder_being_written_is_refused(tmp_path, monkeypatch, capsys):
    out = tmp_path / "sw"
    out.mkdir()
    with locks.FolderLock(out, "cxsim sweep"):
        monkeypatch.setattr(sys, "argv", ["cxsim"])
        err = _exit2(["sweep", "sweep=b2b_grid", *SMALL, f"hydra.run.dir={out}"], capsys)
    assert "another cxsim process is writing there" in err and f"pid {os.getpid()}" in err, err
    assert not (out / "points.csv").exists()
