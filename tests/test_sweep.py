"""Sweeps: samplers, the in-process runner, the tidy table, resuming after a kill, launchers, bad input."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from cxsim import sweep
from cxsim.cli import main as cxsim_cli
from cxsim.cli import sweep as cli
from cxsim.cli.sweep import base_config
from cxsim.config import compose_config
from cxsim.errors import SpecError
from cxsim.execution import read_rows

DELIVERY = "scenario.journey.touchpoints.delivery_speed.performance.mean"
MEETING = "scenario.journey.touchpoints.dealer_meeting.performance.mean"
# the survey version of the dealer scenario: its touchpoint performances are distributions (means)
TINY = ["scenario=b2b_dealer_survey", "sim.n_customers=200", "sim.n_cycles=3"]


def _settings(**kw):
    kw.setdefault("progress", False)
    return sweep.settings_from_dict(kw)


# ---------------------------------------------------------------------------- samplers

def test_grid_is_every_combination():
    s = _settings(params=[{"path": DELIVERY, "low": 3, "high": 7, "num": 5},
                          {"path": "intervention", "values": ["none", "dealer_gala"]}])
    pts = sweep.sample(s)
    assert len(pts) == 10
    assert sorted(set(pts[DELIVERY])) == [3.0, 4.0, 5.0, 6.0, 7.0]
    assert set(pts["intervention"]) == {"none", "dealer_gala"}


@given(st.integers(2, 40), st.integers(0, 2**31), st.floats(-5, 5), st.floats(0.1, 10))
@hyp_settings(max_examples=30, deadline=None)
def test_latin_hypercube_has_one_point_per_stratum(n, seed, low, width):
    s = _settings(sampler="lhs", n_samples=n, seed=seed,
                  params=[{"path": "a", "low": low, "high": low + width}, {"path": "b", "low": 0, "high": 1}])
    pts = sweep.sample(s)
    for col, lo, w in (("a", low, width), ("b", 0.0, 1.0)):
        u = (pts[col].to_numpy() - lo) / w
        assert ((u >= 0) & (u <= 1)).all()
        strata = np.minimum((u * n).astype(int), n - 1)
        assert sorted(strata) == list(range(n))  # exactly one point in each of the n strata


def test_random_and_lhs_are_reproducible_and_in_bounds():
    for sampler in ("random", "lhs"):
        s = _settings(sampler=sampler, n_samples=50, seed=7,
                      params=[{"path": "a", "low": 2, "high": 3},
                              {"path": "k", "low": 1, "high": 9, "integer": True},
                              {"path": "c", "values": ["x", "y", "z"]}])
        a, b = sweep.sample(s), sweep.sample(s)
        pd.testing.assert_frame_equal(a, b)
        assert a["a"].between(2, 3).all() and set(a["c"]) <= {"x", "y", "z"}
        assert (a["k"] == a["k"].round()).all() and a["k"].between(1, 9).all()
        other = sweep.sample(_settings(sampler=sampler, n_samples=50, seed=8, params=s.params and [
            {"path": "a", "low": 2, "high": 3}]))
        assert not np.allclose(other["a"], a["a"])


# ---------------------------------------------------------------------------- runner and table

@pytest.fixture(scope="module")
def grid_sweep(tmp_path_factory):
    d = tmp_path_factory.mktemp("grid")
    s = _settings(params=[{"path": DELIVERY, "values": [3.0, 6.0]},
                          {"path": "intervention", "values": ["none", "faster_delivery"]}], replications=2)
    base = base_config(compose_config(TINY))
    return d, s, sweep.run_sweep(base, s, d, commit="abc123")


def test_table_is_tidy_with_identity_columns(grid_sweep):
    d, _s, res = grid_sweep
    t = res.table
    assert res.complete and len(t) == 4 * 2
    for col in (DELIVERY, "intervention", "seed", "replication", "config_hash", "git_commit", "point", "nps", "profit"):
        assert col in t.columns, col
    assert (t["git_commit"] == "abc123").all()
    assert t.groupby("point")["config_hash"].nunique().eq(1).all() and t["config_hash"].nunique() == 4
    assert not t.duplicated(["point", "replication"]).any()
    pd.testing.assert_frame_equal(pd.read_parquet(d / "sweep.parquet"), t)
    # faster delivery sets the mean to 3.5 whatever the swept value: the same run, the same result
    fd = t[t["intervention"] == "faster_delivery"].sort_values(["replication", DELIVERY])
    assert np.allclose(fd.groupby("replication")["nps"].agg(np.ptp), 0.0)


def test_common_random_numbers_across_points(grid_sweep):
    _, _, res = grid_sweep
    t = res.table
    assert t["seed"].nunique() == 1  # every point uses sim.seed: replication r shares its streams
    none = t[t["intervention"] == "none"].pivot(index="replication", columns=DELIVERY, values="nps")
    assert (none[3.0] > none[6.0]).all()  # faster delivery pleases in every paired replication


def test_rerun_skips_everything_and_changes_nothing(grid_sweep):
    d, s, res = grid_sweep
    p = sweep.plan(base_config(compose_config(TINY)), s)
    before = {f.name: f.stat().st_mtime_ns for f in (d / "rows").iterdir()}
    assert sweep.execute(p, d) == 0
    assert {f.name: f.stat().st_mtime_ns for f in (d / "rows").iterdir()} == before
    pd.testing.assert_frame_equal(sweep.collect(p, d).table, res.table)


def test_aggregator_lists_missing_runs(tmp_path, grid_sweep):
    d, s, res = grid_sweep
    p = sweep.plan(base_config(compose_config(TINY)), s)
    copy = tmp_path / "copy"
    (copy / "rows").mkdir(parents=True)
    files = sorted((d / "rows").iterdir())
    assert len(files) == len(res.table)  # a small in-process sweep: one fragment per run
    for f in files[:-3]:
        (copy / "rows" / f.name).write_bytes(f.read_bytes())
    (copy / "rows" / ".part-x.parquet.tmp").write_bytes(b"garbage")  # a task killed mid-write
    got = sweep.collect(p, copy)
    assert len(got.table) == len(res.table) - 3 and len(got.missing) == 3
    assert set(got.missing.columns) >= {"point", "replication", "run_id", DELIVERY}
    sweep.save(got, copy)
    assert (copy / "missing.csv").is_file()


@pytest.mark.slow
def test_parallel_workers_give_the_same_table(tmp_path, grid_sweep):
    _, s, res = grid_sweep
    p = sweep.plan(base_config(compose_config(TINY)), s)
    sweep.execute(p, tmp_path, n_jobs=2, commit="abc123", batch=1)
    pd.testing.assert_frame_equal(sweep.collect(p, tmp_path).table, res.table)


@pytest.mark.slow
def test_killed_sweep_resumes_to_the_uninterrupted_table(tmp_path):
    """Kill cxsim-sweep part-way, run it again: exactly the uninterrupted table, none lost or doubled."""
    args = ["cxsim-sweep", "scenario=b2b_dealer_survey", "sim.n_customers=300", "sim.n_cycles=6", "sweep.sampler=lhs",
            "sweep.n_samples=30", "sweep.replications=2", "sweep.progress=false",
            f"+sweep.params=[{{path: {DELIVERY}, low: 2.5, high: 8.0}}]"]
    full, cut = tmp_path / "full", tmp_path / "cut"
    proc = subprocess.run([*args, f"hydra.run.dir={full}"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    killed = subprocess.Popen([*args, f"hydra.run.dir={cut}"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        if len(read_rows(cut / "rows")) >= 15:
            break
        time.sleep(0.02)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    partial = len(read_rows(cut / "rows"))
    assert 15 <= partial < 60, "the sweep must have been killed part-way"
    assert not (cut / "sweep.parquet").exists()
    again = subprocess.run([*args, f"hydra.run.dir={cut}"], capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    assert f"{partial} already done" in again.stdout
    a, b = pd.read_parquet(full / "sweep.parquet"), pd.read_parquet(cut / "sweep.parquet")
    assert len(b) == 60 and not b.duplicated(["point", "replication"]).any()
    # (git_commit may move on between the commands when someone commits in between)
    pd.testing.assert_frame_equal(a.drop(columns="git_commit"), b.drop(columns="git_commit"))


def test_command_shows_progress_and_writes_points(tmp_path):
    out = tmp_path / "s"
    proc = subprocess.run(["cxsim-sweep", *TINY, "sweep=b2b_grid", "sweep.replications=1",
                           f"hydra.run.dir={out}"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "sweep:" in proc.stderr and "run/s" in proc.stderr and "15/15" in proc.stderr
    assert len(pd.read_csv(out / "points.csv")) == 15
    assert len(pd.read_parquet(out / "sweep.parquet")) == 15


# ---------------------------------------------------------------------------- cxsim -m and launchers

def _multirun(tmp_path, *extra):
    out = tmp_path / "mr"
    proc = subprocess.run(["cxsim", "-m", "sim.n_customers=200", "sim.n_cycles=3", "sim.replications=2", "outputs.figures=false",
                           "outputs.customers=never", "sim.seed=0,1", *extra, f"hydra.sweep.dir={out}"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return out, proc


@pytest.mark.slow
def test_hydra_multirun_gathers_one_table_and_resumes(tmp_path):
    out, _ = _multirun(tmp_path, "intervention=none,dealer_gala")
    t = pd.read_parquet(out / "sweep.parquet")
    assert len(t) == 4 * 2
    assert {"sim.seed", "intervention", "config_hash", "git_commit", "job", "replication"} <= set(t.columns)
    (out / "2" / "result.parquet").unlink()  # as if job 2 had been killed
    _, proc = _multirun(tmp_path, "intervention=none,dealer_gala")
    assert proc.stdout.count("skipped") == 3
    # (git_commit may change between the two commands when someone commits in between)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "sweep.parquet").drop(columns="git_commit"),
                                  t.drop(columns="git_commit"))


@pytest.mark.slow
def test_joblib_launcher_runs_the_jobs_in_parallel(tmp_path):
    out, proc = _multirun(tmp_path, "hydra/launcher=cxsim_joblib")
    assert "Joblib" in proc.stdout + proc.stderr
    t = pd.read_parquet(out / "sweep.parquet")
    assert sorted(t["sim.seed"].astype(int).unique()) == [0, 1] and len(t) == 4


def test_ray_launcher_config_composes():
    """The shipped Ray launcher config composes; running it needs hydra-ray-launcher and ray."""
    from hydra import compose, initialize_config_module
    from hydra.core.global_hydra import GlobalHydra

    GlobalHydra.instance().clear()
    with initialize_config_module("cxsim.configs", version_base="1.3"):
        cfg = compose("config", overrides=["hydra/launcher=cxsim_ray"], return_hydra_config=True)
    assert cfg.hydra.launcher._target_ == "hydra_plugins.hydra_ray_launcher.ray_launcher.RayLauncher"
    assert cfg.hydra.launcher.ray.init.address is None
    GlobalHydra.instance().clear()


@pytest.mark.slow
def test_ray_launcher_runs_on_local_ray(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_ray_launcher",
                        reason="needs the ray-launcher extra: pip install 'cxsim[ray-launcher]' (hydra-ray-launcher and ray)")
    out, _ = _multirun(tmp_path, "hydra/launcher=cxsim_ray")
    assert len(pd.read_parquet(out / "sweep.parquet")) == 4


# ---------------------------------------------------------------------------- bad input

BAD = {
    "low above high": ([f"+sweep.params=[{{path: {DELIVERY}, low: 8, high: 3}}]"], "sweep.params[0].low"),
    "unknown path": (["+sweep.params=[{path: scenario.journey.touchpoints.gala.performance.mean, low: 1, high: 2}]"],
                     "sweep.params[0].path"),
    "unknown sampler": (["sweep.sampler=halton"], "sweep.sampler"),
    "both values and bounds": ([f"+sweep.params=[{{path: {DELIVERY}, low: 1, high: 2, values: [1]}}]"],
                               "sweep.params[0].values"),
    "unknown intervention value": (["+sweep.params=[{path: intervention, values: [none, nope]}]"],
                                   "sweep.params[0].values"),
    "sobol with discrete values": (["sweep.sampler=sobol", "+sweep.params=[{path: intervention, values: [none]}]"],
                                   "sweep.params[0].values"),
    "negative workers": (["sweep.n_jobs=-1"], "sweep.n_jobs"),
    "values not a list": ([f"+sweep.params=[{{path: {DELIVERY}, values: 5}}]"], "sweep.params[0].values"),
    "outputs not a list": (["sweep.outputs=nps"], "sweep.outputs"),
    "parameter without a path": (["+sweep.params=[{low: 1, high: 2}]"], "sweep.params[0].path"),
    "unknown parameter key": ([f"+sweep.params=[{{path: {DELIVERY}, lo: 1}}]"], "sweep.params[0].lo"),
    "bad value at a point": ([f"+sweep.params=[{{path: {DELIVERY}, values: [5, -1]}}]"],
                             "scenario.journey.touchpoints[4].performance.mean"),
    "unknown launcher": (["hydra/launcher=slurmish"], "hydra/launcher"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line_and_exit_2(case, rejects):
    overrides, field = BAD[case]
    rejects(cli.main, "cxsim-sweep", ["scenario=b2b_dealer_survey", *overrides], field)


def test_unknown_launcher_in_multirun_is_one_line_and_exit_2(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(sys, "argv", ["cxsim", "-m", "hydra/launcher=nope", "sim.seed=0,1",
                                      f"hydra.sweep.dir={tmp_path / 'mr'}"])
    with pytest.raises(SystemExit) as exit_info:
        cxsim_cli.main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("cxsim: error: hydra/launcher: 'nope'") and "cxsim_joblib" in err
    assert not (tmp_path / "mr").exists()


def test_param_validation():
    with pytest.raises(SpecError):
        sweep.Param("a", low=2, high=1)
    with pytest.raises(SpecError):
        sweep.Param("a")
    with pytest.raises(SpecError):
        _settings(params=[{"path": "a", "low": 1, "high": 2}, {"path": "a", "low": 1, "high": 2}])
