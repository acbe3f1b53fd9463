"""Crash tests: runs and sweeps killed (SIGKILL) at random moments leave complete files or none, and
running the same command again finishes the job: the same results as a run never interrupted."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

RUN = ["sim.n_customers=20000", "sim.n_cycles=6", "sim.replications=2", "outputs.figures=false"]
SWEEP = ["sweep", "sweep=b2b_grid", "sim.n_customers=400", "sim.n_cycles=3", "sweep.replications=1",
         "sweep.progress=false"]


def _cxsim(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "CXSIM_FORCE"}
    return subprocess.Popen([sys.executable, "-m", "cxsim.cli.main", *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish(args: list[str], cwd: Path) -> None:
    proc = _cxsim(args, cwd)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err


def _kill_after(args: list[str], cwd: Path, started: Path, seconds: float) -> None:
    """Start the command, wait until ``started`` exists (it is at work), then SIGKILL it ``seconds`` later."""
    proc = _cxsim(args, cwd)
    deadline = time.monotonic() + 300
    while not started.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


def _assert_complete(folder: Path) -> None:
    """Every result file reads whole (a killed writer leaves at most a hidden temporary file)."""
    if not folder.exists():
        return
    for path in folder.rglob("*"):
        if path.name.startswith("."):
            continue
        if path.suffix == ".csv":
            pd.read_csv(path)
        elif path.suffix == ".parquet" and path.is_file():
            pd.read_parquet(path)


def test_a_killed_run_leaves_complete_files_and_a_rerun_gives_the_same_results(tmp_path):
    whole = tmp_path / "whole"
    _finish([*RUN, f"hydra.run.dir={whole}"], tmp_path)
    rng = random.Random(7)
    for k, moment in enumerate(sorted(rng.uniform(0.0, 6.0) for _ in range(2))):
        out = tmp_path / f"killed{k}"
        _kill_after([*RUN, f"hydra.run.dir={out}"], tmp_path, out, moment)
        _assert_complete(out)
        _finish([*RUN, f"hydra.run.dir={out}"], tmp_path)  # the dead writer's lock is taken over
        assert not list(out.rglob("*.cxsim-tmp.*")), "a killed writer's temporary files are removed"
        for name in ("summary.csv", "cycles.csv"):
            pd.testing.assert_frame_equal(pd.read_csv(out / name), pd.read_csv(whole / name))


def test_a_killed_sweep_resumed_gives_the_uninterrupted_table(tmp_path):
    whole = tmp_path / "whole"
    _finish([*SWEEP, f"hydra.run.dir={whole}"], tmp_path)
    out = tmp_path / "killed"
    _kill_after([*SWEEP, f"hydra.run.dir={out}"], tmp_path, out / "rows", random.Random(3).uniform(0.0, 3.0))
    _assert_complete(out)
    _finish([*SWEEP, f"hydra.run.dir={out}"], tmp_path)
    keys = ["point", "replication"]
    a = pd.read_parquet(whole / "sweep.parquet").sort_values(keys).reset_index(drop=True)
    b = pd.read_parquet(out / "sweep.parquet").sort_values(keys).reset_index(drop=True)
    volatile = [c for c in a.columns if c in ("seconds", "finished_at", "host", "pid", "git_commit", "started_at")]
    pd.testing.assert_frame_equal(a.drop(columns=volatile), b.drop(columns=volatile))

