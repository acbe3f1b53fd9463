"""Sweeps, comparisons and calibrations on a local multi-process Ray cluster (started here, shut
down after): the same outputs as local runs, and a sweep that loses a worker mid-run still has
every row exactly once."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest

from cxsim import sweep
from cxsim.cli import compare as compare_cli
from cxsim.cli import sweep as sweep_cli
from cxsim.cli.sweep import base_config
from cxsim.compare import CompareSettings, compare, composer_from_overrides
from cxsim.config import compose_config
from cxsim.execution import Execution, read_rows
from cxsim.fit import calibrate as cal

ray = pytest.importorskip("ray", reason="needs the ray extra: pip install 'cxsim[ray]'")
psutil = pytest.importorskip("psutil", reason="psutil (installed with ray) finds the Ray worker processes")

DELIVERY = "scenario.journey.touchpoints.delivery_speed.performance.mean"
TINY = ["scenario=b2b_dealer_survey", "sim.n_customers=200", "sim.n_cycles=3"]
RAY = Execution(backend="ray")


@pytest.fixture(scope="module", autouse=True)
def ray_cluster():
    """A local Ray instance with two worker CPUs for this module (the backend joins it)."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def _grid(n: int = 4, replications: int = 2) -> sweep.SweepSettings:
    return sweep.settings_from_dict({"params": [{"path": DELIVERY, "low": 3, "high": 7, "num": n}],
                                     "replications": replications, "progress": False})


def test_sweep_on_ray_is_identical_to_local(tmp_path):
    s = _grid()
    p = sweep.plan(base_config(compose_config(TINY)), s)
    tables = {}
    for name, exe in {"in_process": Execution(), "two_local": Execution(workers=2),
                      "ray": RAY, "ray_batch_1": Execution(backend="ray", batch=1)}.items():
        assert sweep.execute(p, tmp_path / name, commit="c", execution=exe) == len(p)
        tables[name] = sweep.collect(p, tmp_path / name).table
    assert len(tables["ray"]) == len(p)
    for name, table in tables.items():
        pd.testing.assert_frame_equal(table, tables["in_process"], obj=name)


def test_compare_on_ray_is_identical_to_local():
    compose = composer_from_overrides(["sim.n_customers=300", "sim.n_cycles=3"])
    settings = CompareSettings(interventions=("dealer_gala", "staff_training"), replications=3, progress=False)
    local = compare(compose, settings)
    on_ray = compare(compose, settings, RAY)
    pd.testing.assert_frame_equal(local.runs, on_ray.runs)
    pd.testing.assert_frame_equal(local.table, on_ray.table)


def test_calibration_on_ray_is_identical_to_local_workers():
    spec = cal.spec_from_dict({
        "name": "t", "experiment": "bad_experience", "max_evaluations": 12,
        "method": "differential-evolution",
        "overrides": ["scenario=retail_street", "sim.n_customers=800", "sim.n_cycles=3", "sim.replications=1",
                      "outputs.figures=false", "outputs.customers=never"],
        "parameters": {"scenario.loyalty.terrible_hazard": {"low": 0.0, "high": 0.9}},
        "targets": [{"name": f"after_{k}", "metric": "switched", "cycle": k, "value": 0.5} for k in (1, 2, 3)]})
    local = cal.calibrate(spec, seed=1, execution=Execution(workers=2))
    on_ray = cal.calibrate(spec, seed=1, execution=RAY)
    pd.testing.assert_frame_equal(local.history, on_ray.history)
    pd.testing.assert_frame_equal(local.parameters, on_ray.parameters)
    assert local.evaluations >= 5


@pytest.mark.parametrize("main, args, table", [
    (sweep_cli.main, ["+sweep.params=[{path: sim.seed, values: [1, 2]}]", "sweep.replications=2",
                      "sweep.progress=false"], "sweep.parquet"),
    (compare_cli.main, ["compare.interventions=[dealer_gala]", "compare.replications=2", "compare.progress=false"],
     "runs.csv"),
])
def test_commands_accept_the_backend_with_the_same_outputs(main, args, table, tmp_path, monkeypatch, capsys):
    out = {}
    for backend in ("local", "ray"):
        d = tmp_path / backend
        monkeypatch.setattr("sys.argv", ["cxsim", *TINY, *args, f"execution.backend={backend}",
                                         f"hydra.run.dir={d}"])
        main()
        out[backend] = pd.read_parquet(d / table) if table.endswith("parquet") else pd.read_csv(d / table)
    pd.testing.assert_frame_equal(out["local"].drop(columns=["git_commit"], errors="ignore"),
                                  out["ray"].drop(columns=["git_commit"], errors="ignore"))


def _running_task_workers() -> list[psutil.Process]:
    """Ray worker processes that are running a cxsim task now (Ray titles them ``ray::cxsim_task``)."""
    found = []
    for proc in psutil.process_iter(["cmdline", "name"]):
        text = " ".join(proc.info["cmdline"] or []) + " " + (proc.info["name"] or "")
        if "ray::cxsim_task" in text:
            found.append(proc)
    return found


def test_a_killed_worker_costs_only_its_task_and_every_row_is_there_once(tmp_path):
    """Kill one Ray worker process while a sweep runs: its task is retried, no row lost or doubled."""
    overrides = ["scenario=b2b_dealer_survey", "sim.n_customers=3000", "sim.n_cycles=6"]
    s = _grid(n=30, replications=2)
    p = sweep.plan(base_config(compose_config(overrides)), s)
    errors: list[Exception] = []

    def run() -> None:
        try:
            sweep.execute(p, tmp_path / "ray", commit="c", execution=Execution(backend="ray", batch=3))
        except Exception as err:  # any failure in the thread is reported by the test below
            errors.append(err)

    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    killed = None
    deadline = time.monotonic() + 180
    while killed is None and runner.is_alive() and time.monotonic() < deadline:
        if len(read_rows(tmp_path / "ray" / sweep.ROWS_DIR)) >= 6:  # mid-run: some tasks written
            workers = _running_task_workers()
            if workers:
                killed = workers[0].pid
                os.kill(killed, signal.SIGKILL)
        time.sleep(0.05)
    runner.join(timeout=300)
    assert not runner.is_alive(), "the sweep did not finish in time after the kill"
    assert not errors, errors
    assert killed is not None, "no running Ray worker was found to kill"
    got = sweep.collect(p, tmp_path / "ray")
    assert got.complete and len(got.table) == len(p) == 60
    stored = read_rows(tmp_path / "ray" / sweep.ROWS_DIR)
    assert len(stored) == 60 and not stored.duplicated(["config_hash", "replication"]).any()  # exactly once
    sweep.execute(p, tmp_path / "local", commit="c")
    pd.testing.assert_frame_equal(got.table, sweep.collect(p, tmp_path / "local").table)
    assert np.isfinite(got.table["nps"]).all()
