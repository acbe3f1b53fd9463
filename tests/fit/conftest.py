"""Fixtures for the researchers' side: small synthetic surveys, and the real files when present."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxsim.fit.survey import Scale
from cxsim.fit.synthetic import long_episodes

#: The real survey files: ../shared/data beside the repository, or the folder $CXSIM_SHARED_DATA names.
SHARED_DATA = Path(os.environ.get("CXSIM_SHARED_DATA") or Path(__file__).resolve().parents[2].parent / "shared" / "data")


def shared_file(name: str) -> Path:
    """A file of ../shared/data, or skip the test with the reason."""
    path = SHARED_DATA / name
    if not path.is_file():
        pytest.skip(f"real survey data not available: {path} is absent (../shared/data beside the repository, or set CXSIM_SHARED_DATA)")
    return path


@pytest.fixture
def shared():
    """``shared(name)``: the path of a file of ../shared/data, or skip with the reason."""
    return shared_file


@pytest.fixture
def long_frame() -> pd.DataFrame:
    """400 episodes of 120 respondents whose retrospective rating follows peak-end (0.5 / 0.3)."""
    rng = np.random.default_rng(11)
    return long_episodes(rng, 120, 4, truth="peak_end", truth_params={"w_peak": 0.5, "w_end": 0.3},
                         scale=Scale(0, 10), noise=0.4)


@pytest.fixture
def wide_frame() -> pd.DataFrame:
    """A small wide survey: four touchpoints on 1-5, overall driven by b and d only."""
    rng = np.random.default_rng(5)
    n = 300
    x = np.clip(np.rint(rng.normal(3.5, 1.0, (n, 4))), 1, 5)
    overall = 1.0 + 0.5 * x[:, 1] + 0.3 * x[:, 3] + rng.normal(0, 0.4, n)
    df = pd.DataFrame(x, columns=["a", "b b", "c", "d"])
    df["overall"] = np.round(overall, 2)
    df["label"] = np.where(overall > np.median(overall), "happy", "unhappy")
    df["segment"] = np.where(rng.random(n) < 0.5, "x", "y")
    df["recommend"] = np.clip(np.rint(2 * x[:, 0] + rng.normal(0, 1, n)), 0, 10)  # driven by a
    return df
