"""The market's compiled passes give what the plain per-row loops give, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxsim.engine.market_kernel import first_free, segment_means, segment_tally


def _reference_tally(segment, went, churned, recommend, satisfaction, active, cohort, n_seg):  # type: ignore[no-untyped-def]
    """One row at a time, in row order: the satisfaction sums are running Python float sums."""
    out = np.zeros((5, n_seg))
    for i in range(segment.size):
        cohort[i] = cohort[i] and active[i]
        if went[i]:
            s, r = int(segment[i]), int(recommend[i])
            out[0, s] += 1
            out[1, s] = out[1, s] + float(satisfaction[i])
            out[2, s] += bool(churned[i])
            out[3, s] += r >= 9
            out[4, s] += r <= 6
    return out


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 1500), n_seg=st.integers(1, 5),
       dtype=st.sampled_from([np.float64, np.float32]), special=st.sampled_from(["none", "nan", "negative zero", "inf"]))
def test_segment_tally_is_the_row_by_row_tally(seed, n, n_seg, dtype, special):
    """Counts, row-order satisfaction sums (32-bit satisfaction summed in 64 bits; NaN, infinities
    and negative zeros as a running sum takes them) and the cohort update."""
    rng = np.random.default_rng(seed)
    segment = rng.integers(0, n_seg, n).astype(np.int8)
    went, churned, active = rng.random(n) < 0.8, rng.random(n) < 0.2, rng.random(n) < 0.9
    recommend = rng.integers(0, 11, n).astype(np.int8)
    satisfaction = (rng.normal(size=n) * 10.0 ** rng.integers(-4, 4, n)).astype(dtype)
    if special == "nan":
        satisfaction[rng.random(n) < 0.02] = np.nan
    elif special == "negative zero":
        satisfaction[:] = -0.0
    elif special == "inf":
        satisfaction[rng.random(n) < 0.02] = np.inf
    cohort = rng.random(n) < 0.7
    want_cohort = cohort.copy()
    want = _reference_tally(segment, went, churned, recommend, satisfaction, active, want_cohort, n_seg)
    got = segment_tally(segment, went, churned, recommend, satisfaction, active, cohort, n_seg)
    assert got.tobytes() == want.tobytes()
    np.testing.assert_array_equal(cohort, want_cohort)


def test_first_free_finds_the_first_inactive_rows_in_order():
    active = np.array([True, False, True, False, False, True, False])
    assert first_free(active, 2).tolist() == [1, 3]
    assert first_free(active, 10).tolist() == [1, 3, 4, 6]
    assert first_free(active, 0).tolist() == []


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", [0, 5, 1000, 100_003])
def test_segment_means_are_numpys_means_of_the_gathered_rows(dtype, n):
    """The starting customers' mean expectations without gathering them: bit for bit
    ``expectation[rows].mean(axis=0)`` of the engine's (n, T) view, per segment (one segment empty)."""
    rng = np.random.default_rng(n)
    buffer = (rng.normal(3.0, 1.0, size=(6, n)) * 10.0 ** rng.integers(-3, 3, size=(6, n))).astype(dtype)
    expectation = buffer.T  # (n, T) view of the (T, n) buffer, as the engine holds it
    segment = rng.choice(np.array([0, 1, 3], dtype=np.int8), size=n)
    got = segment_means(segment, buffer, 4)
    for s in range(4):
        rows = np.flatnonzero(segment == s)
        want = expectation[rows].mean(axis=0) if rows.size else np.zeros(6)
        assert np.asarray(want, dtype=np.float64).tobytes() == got[s].tobytes()
    if n > 1000 and dtype == np.float32:  # the test tells this order of adding from the pairwise one
        pairwise = np.sum(buffer[:, segment == 0], axis=1) / np.intp(np.count_nonzero(segment == 0))
        assert not np.array_equal(got[0], pairwise.astype(np.float64))
