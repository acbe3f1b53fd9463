"""Figures change no global state: matplotlib's settings and pyplot's figure registry are as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import pytest

from cxsim.config import load_run_spec
from cxsim.engine.run import run
from cxsim.figures import figure_style, subplots
from cxsim.fit.gap import figure as gap_figure
from cxsim.fit.gap import meisu_table, seven_step
from cxsim.teach import cold_water


def _settings() -> dict[str, Any]:
    return {k: repr(v) for k, v in matplotlib.rcParams.items()}


@pytest.fixture
def unchanged():  # type: ignore[no-untyped-def]
    """Assert that the test body leaves rcParams, the backend and pyplot's open figures alone."""
    before, backend, figures = _settings(), matplotlib.get_backend(), plt.get_fignums()
    yield
    after = _settings()
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert not changed, f"rcParams changed: {changed}"
    assert matplotlib.get_backend() == backend
    assert plt.get_fignums() == figures


def test_figure_style_is_undone_on_exit(unchanged) -> None:  # type: ignore[no-untyped-def]
    with figure_style({"style": "darkgrid", "context": "poster"}, {"figure.dpi": 33}):
        assert matplotlib.rcParams["figure.dpi"] == 33  # in force inside
        fig, axes = subplots(1, 2, figsize=(4, 2))
    assert len(axes) == 2 and tuple(fig.get_size_inches()) == (4.0, 2.0)


def test_run_figures_change_no_global_state(tmp_path: Path, unchanged) -> None:  # type: ignore[no-untyped-def]
    results = run(load_run_spec(["sim.n_customers=300", "sim.n_cycles=2", "sim.replications=1"]))
    paths = results.figures(tmp_path)
    assert len(paths) == 3 and all(p.stat().st_size > 0 for p in paths)


def test_analysis_and_teaching_figures_change_no_global_state(tmp_path: Path, unchanged) -> None:  # type: ignore[no-untyped-def]
    out = gap_figure(seven_step(meisu_table()), tmp_path / "gap.png")
    assert Path(out).stat().st_size > 0
    paths = cold_water.figure(cold_water.simulate(n=200, seed=1), str(tmp_path))
    assert {p.suffix for p in paths} == {".png", ".svg"}
