"""The experiment scripts as a teacher runs them: one command, a table, PNG + SVG; bad arguments."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ["cold_water", "colonoscopy", "zhijiang_dealers", "meisu_seven_steps", "switching"]


def _run(name: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "experiments" / f"{name}.py"), *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.mark.parametrize("name, n", [("cold_water", "320"), ("zhijiang_dealers", "470"), ("colonoscopy", "1364"),
                                     ("meisu_seven_steps", "200"), ("switching", "500")])
def test_script_prints_table_and_saves_png_and_svg(name: str, n: str, tmp_path: Path) -> None:
    out = tmp_path / "figs"
    res = _run(name, "--n", n, "--seed", "3", "--out", str(out), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "published" in res.stdout and "simulated" in res.stdout
    files = sorted(p.name for p in out.iterdir())
    assert [f for f in files if f.endswith(".png")] and [f for f in files if f.endswith(".svg")]
    assert all((out / f).stat().st_size > 1000 for f in files)
    assert not any(f.startswith(".") for f in files)  # no temporary file left behind


def test_script_is_reproducible(tmp_path: Path) -> None:
    a = _run("cold_water", "--n", "300", "--seed", "5", "--no-figure", cwd=tmp_path)
    b = _run("cold_water", "--n", "300", "--seed", "5", "--no-figure", cwd=tmp_path)
    assert a.returncode == 0 and a.stdout == b.stdout
    assert list(tmp_path.iterdir()) == []  # --no-figure writes nothing


def test_figures_go_under_outputs_by_default(tmp_path: Path) -> None:
    res = _run("cold_water", "--n", "40", "--seed", "1", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["outputs"]
    assert [p.suffix for p in sorted((tmp_path / "outputs" / "figures").iterdir())] in (
        [".png", ".svg"], [".svg", ".png"])


@pytest.mark.parametrize("name", SCRIPTS)
def test_bad_n_one_line_exit_2(name: str, tmp_path: Path) -> None:
    res = _run(name, "--n", "many", cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr.strip() == f"{name}: error: argument --n: 'many' is not allowed; an integer >= {_n_min(name)} is required"
    assert res.stdout == "" and list(tmp_path.iterdir()) == []  # one line, nothing written


@pytest.mark.parametrize("args, line", [
    (["--seed", "-2"], "argument --seed: '-2' is not allowed; an integer >= 0 is required"),
    (["--n", "0"], "argument --n: '0' is not allowed; an integer >= 1 is required"),
    (["--n", "2.5"], "argument --n: '2.5' is not allowed; an integer >= 1 is required"),
    (["--colour", "red"], "unrecognized arguments: --colour red"),
])
def test_bad_arguments_one_line_exit_2(args: list[str], line: str, tmp_path: Path) -> None:
    res = _run("cold_water", *args, cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr.strip() == f"cold_water: error: {line}"
    assert "Traceback" not in res.stderr and res.stdout == ""
    assert list(tmp_path.iterdir()) == []  # nothing written


def _n_min(name: str) -> int:
    return {"cold_water": 1, "colonoscopy": 2, "zhijiang_dealers": 47, "meisu_seven_steps": 10, "switching": 10}[name]


def test_out_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x")
    res = _run("cold_water", "--n", "10", "--out", "taken", cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr.strip() == "cold_water: error: --out: 'taken' is not allowed; a folder is required (it exists as a file)"
