"""Faults a careful user meets: floats for integers, sizes that cannot fit, output folders that cannot
be written, a full disk, a second writer, a reused folder with another config, orphaned workers.

Each ends in one line ``prog: error: ...`` with exit status 2 (nothing half-written), or a correct run.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from cli_checks import error_line

from cxsim import files, locks, resources
from cxsim.cli import main as cli
from cxsim.config import load_run_spec

SMALL = ["sim.n_customers=150", "sim.n_cycles=2", "sim.replications=1", "outputs.figures=false"]


def _exit2(main, argv, capsys) -> str:
    return error_line(main, argv, capsys)


# ---------------------------------------------------------------------------- the int rule

@pytest.mark.parametrize("override, key, expected", [
    ("sim.n_customers=1e3", "n_customers", 1000),
    ("sim.n_cycles=2.0", "n_cycles", 2),
    ("sim.replications=3.0", "replications", 3),
    ("sim.seed=0.0", "seed", 0),
])
def test_a_whole_float_is_that_int_and_the_int_is_used(override, key, expected):
    spec = load_run_spec([override])
    value = getattr(spec.sim, key)
    assert value == expected and type(value) is int


def test_whole_floats_deeper_in_the_config_are_ints_too():
    spec = load_run_spec(["scenario.word_of_mouth.degree=4.0", "outputs.customers_limit=1e4"])
    assert type(spec.scenario.word_of_mouth.degree) is int and spec.scenario.word_of_mouth.degree == 4
    assert type(spec.outputs.customers_limit) is int and spec.outputs.customers_limit == 10_000


@pytest.mark.parametrize("override, field", [
    ("sim.n_cycles=2.5", "sim.n_cycles: 2.5 is not allowed; an integer >= 1 is required"),
    ("sim.n_customers=1e3.5", "sim.n_customers"),
    ("sim.replications=1.5", "sim.replications"),
    ("scenario.word_of_mouth.degree=2.5", "scenario.word_of_mouth.degree"),
])
def test_a_fractional_integer_is_one_line_and_nothing_written(override, field, rejects):
    rejects(cli.main, "cxsim", [override], field)


def test_a_run_given_floats_runs_with_those_ints(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    monkeypatch.setattr(sys, "argv", ["cxsim"])
    cli.main(["sim.n_customers=1.5e2", "sim.n_cycles=2.0", "sim.replications=1", "outputs.figures=false",
              f"hydra.run.dir={out}"])
    summary = pd.read_csv(out / "summary.csv")
    assert summary["n_customers"].tolist() == [150] and pd.read_csv(out / "cycles.csv")["cycle"].max() == 2


def test_sweep_settings_take_whole_floats():
    from cxsim.sweep import settings_from_dict

    s = settings_from_dict({"sampler": "lhs", "n_samples": 4.0, "replications": 2.0,
                            "params": [{"path": "sim.seed", "low": 0, "high": 9, "num": 3.0}]})
    assert (s.n_samples, s.replications, s.params[0].num) == (4, 2, 3)
    assert all(type(v) is int for v in (s.n_samples, s.replications, s.params[0].num))


# ---------------------------------------------------------------------------- resources

@pytest.mark.parametrize("override, field", [
    ("sim.n_customers=1000000000000", "sim.n_customers: 1000000000000 is not allowed; this run needs about"),
    ("sim.n_customers=1000000000", "sim.n_customers"),
    ("sim.replications=100000000", "sim.replications"),
    ("sim.n_cycles=1000000000", "sim.n_cycles"),
])
def test_a_run_that_cannot_fit_is_refused_before_anything_is_written(override, field, rejects, monkeypatch):
    monkeypatch.setenv(resources.FORCE_ENV, "")  # restored after the test even if a call sets it
    monkeypatch.setattr(resources, "available_memory", lambda: 16e9)
    rejects(cli.main, "cxsim", [override], field)


def test_the_refusal_states_the_estimate_the_memory_and_the_force_flag(monkeypatch):
    monkeypatch.setenv(resources.FORCE_ENV, "")  # restored after the test even if a call sets it
    monkeypatch.setattr(resources, "available_memory", lambda: 8e9)
    spec = load_run_spec(["sim.n_customers=1000000000"])
    with pytest.raises(resources.SpecError) as info:
        resources.check_run(spec)
    text = str(info.value)
    assert "needs about" in text and "GB" in text and "8.0 GB available" in text and "--force" in text
    monkeypatch.setenv(resources.FORCE_ENV, "1")
    resources.check_run(spec)  # forced: no error


def test_the_estimate_grows_with_customers_cycles_replications_and_outputs():
    base = resources.estimate_run(load_run_spec(["sim.n_customers=200000", "outputs.customers=never"]))
    for more in (["sim.n_customers=400000"], ["sim.replications=30", "outputs.customers=always"],
                 ["outputs.customers=always"], ["sim.n_cycles=100000"]):
        bigger = resources.estimate_run(load_run_spec(["sim.n_customers=200000", "outputs.customers=never", *more]))
        assert bigger.bytes > base.bytes or bigger.seconds > base.seconds, more
    assert base.bytes > resources.BYTES["process"]


PEAK = r"""
import sys
from cxsim.config import load_run_spec
from cxsim.engine.run import run
run(load_run_spec(sys.argv[1:]))
print(next(int(line.split()[1]) * 1024 for line in open("/proc/self/status") if line.startswith("VmHWM:")))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory read from /proc (Linux)")
@pytest.mark.parametrize("scenario", ["b2b_dealer", "retail_street"])
def test_the_memory_estimates_per_row_figures_bound_a_runs_growth(scenario, tmp_path):
    """The per-row figures are upper bounds: from 100,000 to 400,000 customers a run's measured peak
    grows by less than its estimate, at either precision; at float32 the estimate is the smaller
    (so a very large float32 run is not refused for nothing). Each run is its own process, after one
    that loads the compiled kernels (compiling them takes memory of its own)."""

    def peak(*args: str) -> int:  # run in tmp_path: in the checkout `cxsim` is the source, without its configs
        out = subprocess.run([sys.executable, "-c", PEAK, *args], capture_output=True, text=True, check=True,
                             cwd=tmp_path)
        return int(out.stdout.split()[-1])

    estimates = []
    for precision in ("float64", "float32"):
        args = [f"scenario={scenario}", "sim.replications=1", "outputs.customers=never", "outputs.operations=never",
                "outputs.figures=false", f"runtime.precision={precision}"]
        peak(*args, "sim.n_customers=2000")
        sizes = {n: [*args, f"sim.n_customers={n}", f"operations.scale={n / 10_000}"] for n in (100_000, 400_000)}
        grown = peak(*sizes[400_000]) - peak(*sizes[100_000])
        estimate = [resources.estimate_run(load_run_spec(a)).bytes for a in sizes.values()]
        assert 0 < grown < estimate[1] - estimate[0], precision
        estimates.append(estimate[1])
    assert estimates[1] < estimates[0]


def test_a_streamed_customer_table_counts_one_cycle_in_the_estimate():
    spec = load_run_spec(["sim.n_customers=200000", "outputs.customers=always", "sim.replications=3"])
    kept, streamed = resources.estimate_run(spec), resources.estimate_run(spec, customers_streamed=True)
    never = resources.estimate_run(load_run_spec(["sim.n_customers=200000", "outputs.customers=never",
                                                  "sim.replications=3"]))
    assert never.bytes < streamed.bytes < kept.bytes


def test_available_memory_is_read_from_this_machine():
    free = resources.available_memory()
    assert free is None or 0 < free < 1e15


def test_the_force_flag_is_taken_from_the_arguments(monkeypatch):
    from cxsim.cli.hydra_app import take_force

    monkeypatch.setenv(resources.FORCE_ENV, "")  # restored after the test even if a call sets it
    assert take_force(["sim.seed=1"]) == ["sim.seed=1"] and not resources.forced()
    assert take_force(["--force", "sim.seed=1"]) == ["sim.seed=1"] and resources.forced()


def test_an_absurd_sweep_grid_is_refused_before_its_points_are_built(tmp_path, monkeypatch, capsys):
    from cxsim.cli import sweep as cli_sweep

    monkeypatch.setenv(resources.FORCE_ENV, "")  # restored after the test even if a call sets it
    monkeypatch.setattr(cli_sweep.sweep, "plan", lambda *a, **k: pytest.fail("the plan must not be built"))
    out = tmp_path / "sw"
    err = _exit2(cli_sweep.main, ["sweep=b2b_grid", "sweep.params=[{path: sim.seed, low: 0, high: 10, num: 100000000}]",
                                   f"hydra.run.dir={out}"], capsys)
    assert err.startswith("cxsim-sweep: error: sweep:") and "100000000 points" in err and "available" in err
    assert not out.exists()


def test_sweep_points_are_counted_without_building_them():
    assert resources.sweep_points("grid", 8, [3, 4, 5]) == 60
    assert resources.sweep_points("sobol", 8, [1, 1]) == 32
    assert resources.sweep_points("morris", 5, [1, 1, 1]) == 20
    assert resources.sweep_points("lhs", 7, [1, 1]) == 7


# ---------------------------------------------------------------------------- output folders

def test_the_output_folder_is_an_existing_file(tmp_path, rejects_at):
    (tmp_path / "f").write_text("x")
    rejects_at(tmp_path / "f", "hydra.run.dir", "is an existing file")


def test_the_output_folder_lies_under_a_file(tmp_path, rejects_at):
    (tmp_path / "f").write_text("x")
    rejects_at(tmp_path / "f" / "sub", "hydra.run.dir", "lies under the file")


def test_an_unwritable_folder_is_refused(tmp_path, rejects_at):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        if os.access(ro, os.W_OK):
            pytest.skip("running as root: a 0555 folder is still writable (see the read-only case below)")
        rejects_at(ro / "run", "hydra.run.dir", "cannot write in")
    finally:
        ro.chmod(0o755)


def test_a_read_only_file_system_is_refused(tmp_path, rejects_at, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(files.tempfile, "mkdtemp", read_only)
    monkeypatch.setattr(files.tempfile, "mkstemp", read_only)
    rejects_at(tmp_path / "run", "hydra.run.dir", "Read-only file system")


@pytest.fixture
def rejects_at(capsys, monkeypatch):
    """``rejects_at(folder, field, text)``: ``cxsim run`` into ``folder`` is one line, exit 2, nothing made."""

    def check(folder: Path, field: str, text: str) -> None:
        existed = folder.exists()
        monkeypatch.setattr(sys, "argv", ["cxsim"])
        err = _exit2(cli.main, [*SMALL, f"hydra.run.dir={folder}"], capsys)
        assert err.startswith(f"cxsim: error: {field}") and text in err, err
        assert folder.exists() == existed
        if folder.is_dir():
            assert not any(folder.iterdir())

    return check


def test_check_output_dir_leaves_nothing_behind(tmp_path):
    files.check_output_dir(tmp_path / "a" / "b")
    files.check_output_dir(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_is_one_line_exit_2_and_no_half_written_file(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"

    def full(self, path, *args, **kwargs):
        Path(path).write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    monkeypatch.setattr(sys, "argv", ["cxsim"])
    err = _exit2(cli.main, [*SMALL, f"hydra.run.dir={out}"], capsys)
    assert err.startswith("cxsim: error: output: No space left on device") and "free some space" in err
    names = [p.name for p in out.iterdir()]
    assert "summary.csv" not in names and not [n for n in names if n.startswith(".summary")], names


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_respect_the_umask(tmp_path, mask, mode):
    old = os.umask(mask)
    try:
        path = files.write_atomic(tmp_path / "a.csv", lambda p: Path(p).write_text("x"))
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == mode


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o002, 0o664)])  # 002: group-writable
def test_run_outputs_respect_the_umask(tmp_path, monkeypatch, mask, mode):
    out = tmp_path / "run"
    old = os.umask(mask)
    try:
        monkeypatch.setattr(sys, "argv", ["cxsim"])
        cli.main([*SMALL, f"hydra.run.dir={out}"])
    finally:
        os.umask(old)
    for name in ("summary.csv", "cycles.csv", "customers.parquet"):
        assert stat.S_IMODE((out / name).stat().st_mode) == mode, name


# ---------------------------------------------------------------------------- locks and reuse

def test_a_second_writer_is_refused_naming_the_first(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    out.mkdir()
    with locks.FolderLock(out, "the first"):
        monkeypatch.setattr(sys, "argv", ["cxsim"])
        err = _exit2(cli.main, [*SMALL, f"hydra.run.dir={out}"], capsys)
        assert f"pid {os.getpid()} on {socket.gethostname()}" in err and "started" in err, err
    assert not (out / "summary.csv").exists() and not (out / locks.LOCK_FILE).exists()


def test_a_lock_of_a_dead_process_is_taken_over(tmp_path, monkeypatch):
    out = tmp_path / "run"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (out / locks.LOCK_FILE).write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname(),
                                                   "started": "earlier", "command": "cxsim"}))
    monkeypatch.setattr(sys, "argv", ["cxsim"])
    cli.main([*SMALL, f"hydra.run.dir={out}"])
    assert (out / "summary.csv").is_file() and not (out / locks.LOCK_FILE).exists()


def test_the_lock_holds_against_a_second_lock_in_the_same_process(tmp_path):
    with locks.FolderLock(tmp_path):
        with pytest.raises(locks.LockHeld, match="another cxsim process is writing there"):
            locks.FolderLock(tmp_path).acquire()
    locks.FolderLock(tmp_path).acquire()  # released: free again


def test_a_reused_folder_with_another_config_is_refused_naming_the_keys(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    monkeypatch.setattr(sys, "argv", ["cxsim"])
    cli.main([*SMALL, f"hydra.run.dir={out}"])
    before = (out / "summary.csv").read_bytes()
    capsys.readouterr()
    err = _exit2(cli.main, [*SMALL, "sim.n_customers=200", f"hydra.run.dir={out}"], capsys)
    assert "sim.n_customers (150 -> 200)" in err and "another config" in err, err
    assert (out / "summary.csv").read_bytes() == before  # never mixed
    cli.main([*SMALL, "runtime.threads=1", f"hydra.run.dir={out}"])  # a setting that changes no result
    assert (out / "summary.csv").read_bytes() == before


def test_changed_keys_lists_added_removed_and_changed():
    old, new = locks.flatten({"a": {"b": 1, "c": 2}}), locks.flatten({"a": {"b": 1, "c": 3, "d": 4}})
    assert locks.changed_keys(old, new) == ["a.c", "a.d"]


def test_pool_workers_end_with_their_parent(tmp_path):
    """A pool worker whose parent is killed (SIGKILL) ends within a few seconds instead of living on."""
    script = tmp_path / "pool.py"
    script.write_text(textwrap.dedent("""
        import os, sys, time
        from pathlib import Path
        from cxsim.execution.local import LocalBackend
        from cxsim.execution.settings import Execution

        def slow(folder):
            Path(folder, str(os.getpid())).write_text("")
            time.sleep(120)

        if __name__ == "__main__":
            list(LocalBackend(Execution(workers=2)).map_unordered(slow, [sys.argv[1]] * 4))
    """))
    pids = tmp_path / "pids"
    pids.mkdir()
    parent = subprocess.Popen([sys.executable, str(script), str(pids)], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(list(pids.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        workers = [int(p.name) for p in pids.iterdir()]
        assert workers, "the pool never started"
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 20
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [w for w in workers if _alive(w)]
    for w in alive:  # clean up before failing
        os.kill(w, 9)
    assert not alive, f"orphaned workers: {alive}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (not yet reaped by init) has ended
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return True


# ---------------------------------------------------------------------------- fit and calibrate

@pytest.mark.parametrize("args, field", [
    (["fit", "drivers", "wide.csv", "--outcome", "overall", "--touchpoints", "a,b", "--out", "a_file"], "--out"),
    (["fit", "drivers", "wide.csv", "--outcome", "overall", "--touchpoints", "a,b", "--out=a_file/sub"], "--out"),
    (["calibrate", "calibrate=switching", "calibrate.out=a_file"], "calibrate.out"),
])
def test_fit_and_calibrate_check_their_output_folder_first(args, field, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a_file").write_text("x")
    (tmp_path / "wide.csv").write_text("a,b,overall\n1,2,3\n4,5,5\n2,3,4\n5,1,2\n3,3,3\n4,4,4\n")
    err = _exit2(cli.main, args, capsys)
    name = args[0]
    assert err.startswith(f"cxsim {name}: error: {field}:") and "file" in err, err
    assert capsys.readouterr().out == ""  # refused before any work


def test_an_io_error_of_any_subcommand_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wide.csv").write_text("a,b,overall\n1,2,3\n4,5,5\n2,3,4\n5,1,2\n3,3,3\n4,4,4\n")

    def full(self, path, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    with pytest.raises(SystemExit) as info:
        cli.main(["fit", "drivers", "wide.csv", "--outcome", "overall", "--touchpoints", "a,b", "--out", "fit"])
    assert info.value.code == 2
    stderr = capsys.readouterr().err
    errors = [line for line in stderr.splitlines() if "error:" in line]  # fit reports its steps on stderr too
    assert len(errors) == 1 and "Traceback" not in stderr, stderr
    err = errors[0]
    assert err.startswith("cxsim fit: error: No space left on device") and "free some space" in err, err
    folder = tmp_path / "fit"  # the command's own new folder is removed with its files
    assert not folder.exists() or not [p for p in folder.iterdir() if p.suffix == ".csv"]


@pytest.mark.parametrize("args, field", [
    (["compare", "compare.replications=2"], "hydra.run.dir"),
    (["sweep", "sweep=b2b_grid"], "hydra.run.dir"),
    (["optimise"], "hydra.run.dir"),
    (["-m", "sim.seed=1,2"], "hydra.sweep.dir"),
])
def test_every_command_checks_its_folder_before_hydra_or_work(args, field, tmp_path, monkeypatch, capsys):
    (tmp_path / "a_file").write_text("x")
    monkeypatch.setattr(sys, "argv", ["cxsim"])
    err = _exit2(cli.main, [*args, *SMALL, f"{field}={tmp_path / 'a_file' / 'run'}"], capsys)
    assert f"error: {field}:" in err and "lies under the file" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]


def test_running_out_of_memory_is_one_line(tmp_path, monkeypatch, capsys):
    from cxsim.cli import run as cli_run

    def no_memory(spec, **kwargs):  # the run is called with a progress reporter too
        raise MemoryError

    monkeypatch.setattr(cli_run, "run", no_memory)
    monkeypatch.setattr(sys, "argv", ["cxsim"])
    err = _exit2(cli.main, [*SMALL, f"hydra.run.dir={tmp_path / 'run'}"], capsys)
    assert err.startswith("cxsim: error: out of memory") and "smaller" in err, err


def test_compare_execution_and_optimise_settings_take_whole_floats_as_ints():
    from cxsim.cli.optimise import prepare
    from cxsim.compare import CompareSettings
    from cxsim.execution.settings import Execution
    from cxsim.specs.mapping import whole_ints

    assert whole_ints(CompareSettings, {"replications": 3.0, "confidence": 1.0}) == {"replications": 3, "confidence": 1.0}
    assert type(whole_ints(Execution, {"workers": 2.0})["workers"]) is int
    p = prepare(["optimise.trials=6.0", "optimise.replications=2.0", "optimise.selection.n0=2.0",
                 "optimise.selection.max_replications=4.0", "optimise.robustness.worlds=4.0", "sim.n_customers=300"])
    values = (p.settings.trials, p.settings.selection.max_replications, p.settings.selection.n0, p.robustness.worlds)
    assert values == (6, 4, 2, 4) and all(type(v) is int for v in values)


def test_the_default_run_folder_is_checked_too(tmp_path, monkeypatch, capsys):
    """Without hydra.run.dir the folder is Hydra's default (outputs/<scenario>/<time>), checked the same way."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "outputs").write_text("a file where the outputs folder would go")
    monkeypatch.setattr(sys, "argv", ["cxsim"])
    err = _exit2(cli.main, SMALL, capsys)
    assert err.startswith("cxsim: error: hydra.run.dir: 'outputs/b2b_dealer/") and "lies under the file" in err, err
