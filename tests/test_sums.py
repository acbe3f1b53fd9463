"""``concatenated_sum`` is numpy's sum of the parts laid end to end, bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cxsim.sums import concatenated_sum


def _parts(seed: int, sizes: list[int], zeros: list[bool], strided: bool, nan: float) -> list:
    rng = np.random.default_rng(seed)
    parts: list = []
    for size, zero in zip(sizes, zeros):
        if zero:
            parts.append(size)  # a run of +0.0
            continue
        x = rng.normal(size=2 * size if strided else size) * 10.0 ** rng.integers(-8, 8, size=2 * size if strided else size)
        x[rng.random(x.size) < nan] = np.nan
        parts.append(x[::2] if strided else x)
    return parts


def _whole(parts: list) -> np.ndarray:
    return np.concatenate([np.zeros(p) if isinstance(p, int) else p for p in parts]) if parts else np.zeros(0)


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1),
       sizes=st.lists(st.one_of(st.integers(0, 20), st.integers(0, 3000)), min_size=0, max_size=8),
       data=st.data(), strided=st.booleans())
def test_the_sum_of_the_concatenation_bit_for_bit(seed, sizes, data, strided):
    zeros = data.draw(st.lists(st.booleans(), min_size=len(sizes), max_size=len(sizes)))
    parts = _parts(seed, sizes, zeros, strided, nan=0.0)
    whole = _whole(parts)
    got = concatenated_sum(parts)
    assert np.float64(got).tobytes() == np.sum(whole).tobytes()  # the sign of a zero too


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), sizes=st.lists(st.integers(0, 2000), min_size=1, max_size=6),
       nan=st.sampled_from([0.0, 0.01, 0.5, 1.0]))
def test_nan_as_zero_is_nansum(seed, sizes, nan):
    parts = _parts(seed, sizes, [False] * len(sizes), False, nan)
    whole = _whole(parts)
    assert np.float64(concatenated_sum(parts, nan_as_zero=True)).tobytes() == np.nansum(whole).tobytes()
    assert np.isnan(concatenated_sum(parts)) == np.isnan(whole).any()


def test_twelve_cycles_of_a_million_values():
    """The operations tally's case: where halves of ten million values fall across parts."""
    rng = np.random.default_rng(5)
    parts = [rng.lognormal(1.0, 1.0, size=1_000_000 + k * 37) for k in range(12)]
    whole = np.concatenate(parts)
    assert concatenated_sum(parts) == np.sum(whole)
    assert concatenated_sum(parts) != sum(float(np.sum(p)) for p in parts)  # the test can tell the orders apart
