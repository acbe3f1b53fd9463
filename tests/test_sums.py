"""``concatenated_sum`` is numpy's sum of the parts laid end to end, bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cxsim.sums import CHUNK, concatenated_sum, masked_sums


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


@settings(max_examples=120, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.one_of(st.integers(0, 300), st.integers(0, 40_000)),
       share=st.sampled_from([0.0, 0.05, 0.5, 0.97, 1.0]), dtype=st.sampled_from([np.float64, np.float32]),
       special=st.sampled_from(["none", "negative zeros", "nan", "inf"]))
def test_masked_sums_are_numpys_sums_of_the_rows_that_went(seed, n, share, dtype, special):
    """Each column's sum over the rows that went: numpy's ``add.reduce`` of the gathered rows in
    64 bits, bit for bit — pairwise for 64-bit columns, 8,192 values at a time for 32-bit ones —
    across the block (128), chunk (8,192) and halving boundaries, with negative zeros, NaN and
    infinities."""
    rng = np.random.default_rng(seed)
    went = rng.random(n) < share
    columns = tuple((rng.normal(size=n) * 10.0 ** rng.integers(-6, 6, n)).astype(dtype) for _ in range(3))
    if special == "negative zeros":
        columns[0][:] = -0.0
    elif special == "nan":
        columns[1][rng.random(n) < 0.001] = np.nan
    elif special == "inf":
        columns[2][rng.random(n) < 0.001] = np.inf
    got = masked_sums(went, columns, CHUNK if dtype == np.float32 else 0)
    for c, column in enumerate(columns):
        want = np.add.reduce(column[went], dtype=np.float64)
        assert np.float64(got[c]).tobytes() == np.float64(want).tobytes() or (np.isnan(got[c]) and np.isnan(want))


def test_masked_sums_of_a_million_rows_follow_numpys_order():
    rng = np.random.default_rng(11)
    n = 1_250_000
    went = rng.random(n) < 0.8
    for dtype, chunk in ((np.float64, 0), (np.float32, CHUNK)):
        x = rng.lognormal(0.0, 2.0, size=n).astype(dtype)
        got = masked_sums(went, (x,), chunk)[0]
        want = np.add.reduce(x[went], dtype=np.float64)
        assert got == want
        assert got != float(np.sum(np.sort(x[went]).astype(np.float64)))  # the order of adding shows
