"""Resource checks of ``cxsim calibrate`` and ``cxsim fit``: a job that cannot fit in memory is refused in one
line before any simulation runs or any file is read, and ``--force`` / ``CXSIM_FORCE=1`` runs it anyway."""

from __future__ import annotations

import io
import sys

import pytest
from cli_checks import error_line

from cxsim import resources
from cxsim.cli import calibrate as cli_calibrate
from cxsim.cli import fit as cli_fit
from cxsim.cli import main as cli
from cxsim.cli import run as cli_run
from cxsim.config import load_run_spec
from cxsim.errors import SpecError


def _exit2(argv: list[str], capsys) -> str:
    return error_line(cli.main, argv, capsys)


@pytest.fixture
def no_force(monkeypatch):
    monkeypatch.delenv(resources.FORCE_ENV, raising=False)
    monkeypatch.setattr(resources, "available_memory", lambda: 16e9)


def _must_not_run(*args, **kwargs):
    pytest.fail("the work must not start")


# ---------------------------------------------------------------------------- calibrate

@pytest.mark.parametrize("calibration, extra, runs", [
    ("switching", [], "120 simulations"),  # a point fit: max_evaluations
    ("switching", ["calibrate.method=abc-smc", "calibrate.simulations=300"], "340 simulations"),  # + predictive runs
])
def test_a_calibration_that_cannot_fit_is_refused_before_any_simulation(calibration, extra, runs, no_force, tmp_path,
                                                                        monkeypatch, capsys):
    monkeypatch.setattr(cli_calibrate.calibrate, "calibrate", _must_not_run)
    monkeypatch.setattr(cli_calibrate.bayes, "calibrate_bayes", _must_not_run)
    out = tmp_path / "calib"
    err = _exit2(["calibrate", f"calibrate={calibration}", f"calibrate.out={out}", *extra,
                  "sim.n_customers=1000000000"], capsys)
    assert err.startswith("cxsim calibrate: error: sim.n_customers: 1000000000 is not allowed;"), err
    assert f"this calibration ({runs})" in err and "16.0 GB available" in err and "--force" in err, err
    assert not out.exists()


def test_overrides_may_follow_the_calibrations_own_settings(no_force, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli_calibrate.calibrate, "calibrate", _must_not_run)
    err = _exit2(["calibrate", "calibrate=switching", "sim.n_customers=1000000000", f"calibrate.out={tmp_path / 'c'}",
                  "sim.n_cycles=3"], capsys)
    assert "this calibration (120 simulations)" in err, err


@pytest.mark.parametrize("force", [["--force"], []])
def test_a_forced_calibration_starts(force, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(resources, "available_memory", lambda: 1e6)  # nothing fits
    if force:
        monkeypatch.setenv(resources.FORCE_ENV, "0")  # the flag sets it to 1; restored after the test
    else:
        monkeypatch.setenv(resources.FORCE_ENV, "1")
    started = []

    def stop(spec, overrides, **kwargs):
        started.append(list(overrides))
        raise SpecError("started", 1, "the search began")

    monkeypatch.setattr(cli_calibrate.calibrate, "calibrate", stop)
    err = _exit2(["calibrate", "calibrate=switching", f"calibrate.out={tmp_path / 'c'}", *force,
                  "sim.n_customers=500"], capsys)
    assert err == "cxsim calibrate: error: started: 1 is not allowed; the search began", err
    assert started == [["sim.n_customers=500"]]


def test_a_long_calibration_says_how_long_before_it_starts(no_force, tmp_path, monkeypatch, capsys):
    def stop(*args, **kwargs):
        raise SpecError("started", 1, "the search began")

    monkeypatch.setattr(cli_calibrate.calibrate, "calibrate", stop)
    with pytest.raises(SystemExit):
        cli.main(["calibrate", "calibrate=switching", f"calibrate.out={tmp_path / 'c'}", "sim.n_customers=200000"])
    err = capsys.readouterr().err
    assert "cxsim calibrate: 120 simulations, roughly" in err and "of memory (a rough estimate)" in err, err


def test_the_calibration_estimate_counts_runs_and_workers_side_by_side():
    spec = load_run_spec(["sim.n_customers=100000"])
    one = resources.estimate_run(spec)
    serial = resources.calibration_estimate(spec, 100, 1)
    assert serial.runs == 100 and serial.seconds == pytest.approx(100 * one.seconds)
    records = 100 * resources.BYTES["simulation"]
    assert serial.bytes == pytest.approx(one.bytes + records)  # one run in flight at a time
    four = resources.calibration_estimate(spec, 100, 4)
    assert four.seconds == pytest.approx(serial.seconds / 4)
    assert four.bytes - resources.BYTES["process"] - records == pytest.approx(
        4 * (one.bytes - resources.BYTES["process"]))


def test_a_posterior_with_an_absurd_simulation_budget_is_refused(no_force, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli_calibrate.bayes, "calibrate_bayes", _must_not_run)
    err = _exit2(["calibrate", "calibrate=switching", "calibrate.method=abc-smc", "calibrate.simulations=100000000",
                  f"calibrate.out={tmp_path / 'p'}", "sim.n_customers=500"], capsys)
    assert err.startswith("cxsim calibrate: error: calibrate.simulations: 100000000 is not allowed; "
                          "this calibration (100000040 simulations) needs about"), err
    assert not (tmp_path / "p").exists()


# ---------------------------------------------------------------------------- fit

WIDE = "a,b,overall\n1,2,3\n4,5,5\n2,3,4\n5,1,2\n3,3,3\n4,4,4\n"


def _drivers(tmp_path, *extra: str) -> list[str]:
    (tmp_path / "wide.csv").write_text(WIDE)
    return ["fit", "drivers", str(tmp_path / "wide.csv"), "--outcome", "overall", "--touchpoints", "a,b",
            "--out", str(tmp_path / "out"), "--quiet", *extra]


def test_a_data_file_too_large_for_memory_is_refused_before_it_is_read(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(resources.FORCE_ENV, raising=False)
    room = resources.BYTES["process"] + 10 * resources.BYTES["table_byte"]  # fits a 10-byte file, not this one
    monkeypatch.setattr(resources, "available_memory", lambda: room)
    monkeypatch.setattr(cli_fit, "load_wide", _must_not_run)
    args = _drivers(tmp_path)
    err = _exit2(args, capsys)
    assert err.startswith(f"cxsim fit: error: data: {args[2]!r} is not allowed; reading this {len(WIDE)} B file needs"), err
    assert "--force" in err
    assert not (tmp_path / "out").exists()


def test_a_forced_fit_reads_the_large_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(resources.FORCE_ENV, "0")  # the flag sets it to 1; restored after the test
    monkeypatch.setattr(resources, "available_memory", lambda: 1e6)
    cli.main(_drivers(tmp_path, "--force"))
    assert (tmp_path / "out" / "drivers.csv").is_file()


def test_a_saved_model_file_is_checked_too(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(resources.FORCE_ENV, raising=False)
    monkeypatch.setattr(resources, "available_memory", lambda: resources.BYTES["process"])
    (tmp_path / "model.json").write_text("{}")
    (tmp_path / "new.csv").write_text(WIDE)
    err = _exit2(["fit", "predict", str(tmp_path / "model.json"), str(tmp_path / "new.csv"),
                  "--out", str(tmp_path / "p.csv")], capsys)
    assert err.startswith("cxsim fit: error: data:") or err.startswith("cxsim fit: error: model:"), err
    assert "needs about" in err and not (tmp_path / "p.csv").exists()


# ---------------------------------------------------------------------------- progress of one run

def _run_in_process(tmp_path, monkeypatch, capsys, *extra: str) -> str:
    monkeypatch.setattr(sys, "argv", ["cxsim"])
    cli.main(["sim.n_customers=150", "sim.n_cycles=2", "sim.replications=2", "outputs.figures=false",
              f"hydra.run.dir={tmp_path / 'run'}", *extra])
    return capsys.readouterr().err


def test_a_long_run_shows_a_progress_line_per_cycle(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli_run, "estimate_run", lambda spec: resources.Estimate(bytes=1e6, seconds=60.0))
    monkeypatch.setattr(cli_run, "PROGRESS_EVERY", 0.0)  # every cycle (a line at most once a second otherwise)
    err = _run_in_process(tmp_path, monkeypatch, capsys)
    lines = [line for line in err.splitlines() if line.startswith("cxsim: replication")]
    steps = [line.split(", ")[:2] for line in lines]
    assert steps == [["cxsim: replication 1/2", "cycle 1/2 (25 %)"], ["cxsim: replication 1/2", "cycle 2/2 (50 %)"],
                     ["cxsim: replication 2/2", "cycle 1/2 (75 %)"], ["cxsim: replication 2/2", "cycle 2/2 (100 %)"]]
    assert all(line.endswith(" left") for line in lines), lines
    assert (tmp_path / "run" / "summary.csv").is_file()


def test_progress_lines_off_a_terminal_come_at_most_once_a_second_and_always_the_last():
    spec = load_run_spec(["sim.n_customers=150", "sim.n_cycles=50", "sim.replications=2"])
    out = io.StringIO()
    show = cli_run.cycle_progress(spec, "cxsim", out)  # a 100-cycle job at most: estimated too short
    assert show is None
    spec = load_run_spec(["sim.n_customers=10000000", "sim.n_cycles=50", "sim.replications=2"])
    show = cli_run.cycle_progress(spec, "cxsim", out)
    assert show is not None
    for r in range(2):
        for c in range(1, 51):
            show(r, c)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("cxsim: replication 1/2, cycle 1/50 (1 %)")
    assert lines[-1].startswith("cxsim: replication 2/2, cycle 50/50 (100 %)")
    assert len(lines) == 2  # the hundred calls took far less than a second


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_every_run_shows_one_line_rewritten_and_cleared_at_the_end():
    spec = load_run_spec(["sim.n_customers=150", "sim.n_cycles=2", "sim.replications=1"])
    out = _Terminal()
    show = cli_run.cycle_progress(spec, "cxsim", out)
    assert show is not None
    show(0, 1)
    show(0, 2)
    text = out.getvalue()
    assert "\n" not in text
    assert text.startswith("\r\033[Kcxsim: replication 1/1, cycle 1/2 (50 %)")
    assert text.endswith("\r\033[K")  # the last call clears the line


def test_a_short_run_off_a_terminal_shows_no_progress(tmp_path, monkeypatch, capsys):
    err = _run_in_process(tmp_path, monkeypatch, capsys)
    assert "cxsim: replication" not in err, err
