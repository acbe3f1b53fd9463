"""Shared fixtures: small runs composed from the shipped configs."""

from __future__ import annotations

import pytest

from cxsim.config import load_run_spec
from cxsim.specs.scenario import RunSpec

SMALL = ["sim.n_customers=300", "sim.n_cycles=4", "sim.replications=2", "outputs.figures=false"]


@pytest.fixture
def small() -> list[str]:
    """Overrides for a small, fast run."""
    return list(SMALL)


@pytest.fixture
def small_spec() -> RunSpec:
    """The default scenario at a size that runs in a fraction of a second."""
    return load_run_spec(SMALL)
