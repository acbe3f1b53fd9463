"""Exact quantiles of parts: numpy's ``np.quantile`` of the concatenation, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxsim.quantile import quantile


def _parts(rng: np.random.Generator, sizes: list[int], shape: str) -> list[np.ndarray]:
    out = []
    for k in sizes:
        if shape == "lognormal":
            x = rng.lognormal(1.0, 0.8, k)
        elif shape == "mostly_zero":  # waits: most customers never wait
            x = np.where(rng.random(k) < 0.93, 0.0, rng.exponential(2.0, k))
        elif shape == "ties":
            x = np.floor(rng.random(k) * 5)
        elif shape == "outlier":
            x = rng.random(k)
            if k:
                x[0] = 1e12
        else:
            x = rng.standard_normal(k)
        out.append(x)
    return out


@settings(max_examples=200, deadline=None)
@given(sizes=st.lists(st.integers(0, 3000), min_size=1, max_size=6), q=st.floats(0.0, 1.0),
       shape=st.sampled_from(["normal", "lognormal", "mostly_zero", "ties", "outlier"]), seed=st.integers(0, 2**31 - 1))
def test_quantile_of_parts_is_numpys(sizes: list[int], q: float, shape: str, seed: int) -> None:
    parts = _parts(np.random.default_rng(seed), sizes, shape)
    if sum(sizes) == 0:
        assert np.isnan(quantile(parts, q))
        return
    assert quantile(parts, q) == np.quantile(np.concatenate(parts), q)


@pytest.mark.parametrize("q", [0.0, 0.1, 0.5, 0.9, 0.99, 1.0])
def test_large_parts_as_a_run_summarises_them(q: float) -> None:
    rng = np.random.default_rng(7)
    parts = [rng.lognormal(1.5, 0.3, 200_000) for _ in range(12)]
    assert quantile(parts, q) == np.quantile(np.concatenate(parts), q)


def test_nan_constant_infinite_and_bad_q() -> None:
    assert np.isnan(quantile([np.array([1.0, np.nan, 2.0])], 0.9))
    assert quantile([np.full(10, 3.5), np.full(4, 3.5)], 0.9) == 3.5
    x = np.array([1.0, np.inf, 2.0, 3.0])
    assert quantile([x], 0.5) == np.quantile(x, 0.5)
    with pytest.raises(ValueError, match="q: 1.5 is not allowed"):
        quantile([x], 1.5)
