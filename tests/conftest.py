"""Shared fixtures: small runs composed from the shipped configs."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import pytest

from cxsim.config import SEARCH_PATH_ENV, load_run_spec
from cxsim.resources import FORCE_ENV
from cxsim.specs.scenario import RunSpec

SMALL = ["sim.n_customers=300", "sim.n_cycles=4", "sim.replications=2", "outputs.figures=false"]


@pytest.fixture
def small() -> list[str]:
    """Overrides for a small, fast run."""
    return list(SMALL)


@pytest.fixture
def rejects(monkeypatch, capsys, tmp_path) -> Callable[..., None]:
    """``rejects(main, prog, overrides, field)``: the command ``prog`` (entry point ``main``) exits
    with status 2 and one line ``prog: error: field…`` (no traceback) and leaves no run directory."""

    def check(main: Callable[[], None], prog: str, overrides: list[str], field: str) -> None:
        out = tmp_path / "run"
        monkeypatch.setattr(sys, "argv", [prog, *overrides, f"hydra.run.dir={out}"])
        with pytest.raises(SystemExit) as exit_info:
            main()
        assert exit_info.value.code == 2
        err = capsys.readouterr().err.strip()
        assert "\n" not in err and "Traceback" not in err, err
        assert err.startswith(f"{prog}: error: {field}"), err
        assert not out.exists(), "a failed run must not leave a run directory"

    return check


@pytest.fixture
def small_spec() -> RunSpec:
    """The default scenario at a size that runs in a fraction of a second."""
    return load_run_spec(SMALL)


@pytest.fixture(autouse=True)
def _command_environment_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command run in-process may set CXSIM_CONFIG_PATH (``--config-dir``) or CXSIM_FORCE (``--force``)
    for its workers; each test gets them back as they were, so no test sees another's folders or force."""
    for name in (SEARCH_PATH_ENV, FORCE_ENV):
        if name in os.environ:
            monkeypatch.setenv(name, os.environ[name])
        else:
            monkeypatch.setenv(name, "")
            monkeypatch.delenv(name)
