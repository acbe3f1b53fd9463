"""A cycle's record: the compiled counts equal numpy's, on any number of threads, and the
``cycles`` row's numbers are those of numpy's sums."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxsim.behaviour.loyalty import nps, nps_of_counts
from cxsim.config import load_run_spec
from cxsim.engine.records import _revenue
from cxsim.engine.records_kernel import compress, cycle_counts
from cxsim.engine.run import run
from cxsim.workers import Workers


def _population(seed: int, n: int, n_seg: int, n_t: int, terrible_type: type) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    went = rng.random(n) < rng.random()
    return {
        "went": went, "active": rng.random(n) < 0.7, "segment": rng.integers(0, n_seg, n).astype(np.int8),
        "churned": rng.random(n) < 0.2, "recommend": rng.integers(0, 11, n).astype(np.int8),
        "terrible": rng.integers(0, 4, n).astype(terrible_type),
        "present": rng.random((n_t, n)) < 0.6,  # the (T, n) touchpoint-major buffer
    }


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 3000), n_seg=st.integers(1, 4), n_t=st.integers(1, 9),
       threads=st.integers(1, 3), terrible_type=st.sampled_from([np.float64, np.float32, np.int16]))
def test_counts_are_numpys_on_any_number_of_threads(seed, n, n_seg, n_t, threads, terrible_type):
    p = _population(seed, n, n_seg, n_t, terrible_type)
    w = p["went"]
    with Workers(threads) as workers:
        counts = cycle_counts(p["went"], p["active"], p["segment"], p["churned"], p["recommend"], p["terrible"],
                              p["present"], n_seg, workers)
    rec = p["recommend"][w]
    assert counts.went == np.count_nonzero(w)
    assert counts.still == np.count_nonzero(p["active"])
    assert counts.churned == np.count_nonzero(p["churned"][w])
    assert counts.promoters == np.count_nonzero(rec >= 9) and counts.detractors == np.count_nonzero(rec <= 6)
    assert counts.terrible == int(p["terrible"][w].sum(dtype=np.float64))
    assert counts.first == (int(np.argmax(w)) if w.any() else -1)
    assert counts.per_segment.tolist() == np.bincount(p["segment"][w], minlength=n_seg).tolist()
    assert counts.encounters.tolist() == [np.count_nonzero(row & w) for row in p["present"]]
    assert np.array_equal(nps_of_counts(counts.promoters, counts.detractors, counts.went), nps(rec), equal_nan=True)


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 2000), share=st.sampled_from([0.0, 0.01, 0.5, 0.99, 1.0]),
       threads=st.integers(1, 4), dtype=st.sampled_from([np.float64, np.float32, np.int8, np.bool_]))
def test_compress_is_boolean_indexing_on_any_number_of_threads(seed, n, share, threads, dtype):
    """The rows that went, in order, whatever the blocks (some with nobody, the last row's block
    ending in rows that did not go: a block never writes into the next one's places)."""
    rng = np.random.default_rng(seed)
    x = (rng.normal(size=n) * 10).astype(dtype)
    went = rng.random(n) < share
    with Workers(threads) as workers:
        got = compress(x, went, workers)
    assert got.dtype == x.dtype
    np.testing.assert_array_equal(got, x[went])


class _Segments(dict):
    """Rows as the recorder reads them: only ``segment`` is there, so a test sees which way was taken."""


@pytest.mark.parametrize("per_segment", [
    [25_000.0, 12_000.0],   # whole numbers: summed as integers
    [1 / 3, 2 / 3],         # fractions: numpy's pairwise sum (neither the counts' dot product nor a sorted sum)
    [2.0**52, 3.0],         # whole but past 2**53 in total: numpy's sum
    [-0.0, 5.0],            # a negative zero: numpy's sum (its sign would matter)
])
def test_revenue_is_numpys_sum_of_the_customers_revenues(per_segment):
    rng = np.random.default_rng(3)
    per_segment = np.array(per_segment)
    segment = rng.integers(0, 2, 100_003).astype(np.int8)
    customers = np.bincount(segment, minlength=2).astype(np.int64)
    got = _revenue(per_segment, customers, _Segments(segment=segment))
    assert got == float(per_segment[segment].sum())
    if not np.all(per_segment == np.floor(per_segment)):  # the test tells numpy's order from others
        assert float(customers @ per_segment) != got
    assert np.signbit(got) == np.signbit(per_segment[segment].sum())


def test_fractional_revenue_runs_give_numpys_cycle_revenue():
    """A run whose segment revenues are not whole numbers: each cycle's revenue is numpy's sum over
    the per-customer table's rows (the fallback path of ``_revenue``)."""
    spec = load_run_spec(["scenario=ecommerce_delivery", "sim.n_customers=3000", "sim.n_cycles=3", "sim.replications=1",
                          "scenario.economics.revenue_per_purchase=12.34", "outputs.customers=always"])
    res = run(spec)
    assert res.customers is not None
    per_segment = 12.34  # the one segment revenue
    for cycle, row in res.cycles.set_index("cycle").iterrows():
        n = int((res.customers["cycle"] == cycle).sum())
        assert row["revenue"] == float(np.full(n, per_segment).sum())
