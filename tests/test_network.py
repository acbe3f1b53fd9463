"""The compiled networks: the ties of the array construction, grouped by listener in the same order."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxsim.behaviour import network
from cxsim.workers import Workers


def _by_listener(n: int, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The reference: ties a→b then b→a as arrays, stably sorted by listener; (src, offsets)."""
    src, dst = np.concatenate([a, b]), np.concatenate([b, a])
    order = np.argsort(dst, kind="stable")
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(dst, minlength=n), out=offsets[1:])
    return src[order], offsets


def _small_world_reference(n: int, degree: int, rewire: float, rng: np.random.Generator):
    half = min(degree // 2, (n - 1) // 2)
    a = np.repeat(np.arange(n, dtype=np.int64), half)
    b = (a + np.tile(np.arange(1, half + 1, dtype=np.int64), n)) % n
    moved = rng.random(a.size) < rewire
    new = rng.integers(0, n - 1, size=int(moved.sum()), dtype=np.int64)
    new += new >= a[moved]
    b[moved] = new
    return _by_listener(n, a, b)


def _random_reference(n: int, degree: int, rng: np.random.Generator):
    m = (n * degree) // 2
    a = rng.integers(0, n, size=m, dtype=np.int64)
    b = rng.integers(0, n - 1, size=m, dtype=np.int64)
    b += b >= a
    return _by_listener(n, a, b)


@pytest.mark.parametrize("n, degree, rewire", [(3, 2, 0.0), (7, 6, 0.5), (500, 10, 1.0), (20_000, 6, 0.1)])
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("threads", [1, 2, 3, network.MOST_BLOCKS + 3])
def test_small_world_is_the_array_construction(n, degree, rewire, seed, threads):
    with Workers(threads) as workers:
        net = network.small_world(n, degree, rewire, np.random.default_rng(seed), workers)
    src, offsets = _small_world_reference(n, degree, rewire, np.random.default_rng(seed))
    assert net.src.dtype == np.int32
    np.testing.assert_array_equal(net.src, src)
    np.testing.assert_array_equal(net.offsets, offsets)
    np.testing.assert_array_equal(net.dst, np.repeat(np.arange(n), np.diff(offsets)))


@pytest.mark.parametrize("n, degree", [(2, 1), (9, 4), (20_000, 6)])
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_random_network_is_the_array_construction(n, degree, seed, threads):
    with Workers(threads) as workers:
        net = network.random_network(n, degree, np.random.default_rng(seed), workers)
    src, offsets = _random_reference(n, degree, np.random.default_rng(seed))
    np.testing.assert_array_equal(net.src, src)
    np.testing.assert_array_equal(net.offsets, offsets)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 300), degree=st.integers(0, 12), rewire=st.sampled_from([0.0, 0.05, 0.5, 1.0]),
       seed=st.integers(0, 2**32 - 1), threads=st.integers(1, 5), kind=st.sampled_from(["small_world", "random"]))
def test_any_network_on_any_number_of_threads_is_the_array_construction(n, degree, rewire, seed, threads, kind):
    """Blocks, some of them empty (more threads than customers), some without a moved tie: the
    same ties in the same order as the sorted arrays, and the stream left where they leave it."""
    a, b = np.random.default_rng(seed), np.random.default_rng(seed)
    with Workers(threads) as workers:
        if kind == "small_world":
            net = network.small_world(n, degree, rewire, a, workers)
            half = min(degree // 2, (n - 1) // 2)
            src, offsets = (_small_world_reference(n, degree, rewire, b) if n >= 2 and half >= 1
                            else (np.zeros(0), np.zeros(n + 1)))
        else:
            net = network.random_network(n, degree, a, workers)
            src, offsets = (_random_reference(n, degree, b) if n >= 2 and (n * degree) // 2 >= 1
                            else (np.zeros(0), np.zeros(n + 1)))
    np.testing.assert_array_equal(net.src, src)
    np.testing.assert_array_equal(net.offsets, offsets)
    assert a.random() == b.random()


@pytest.mark.parametrize("threads", [1, 2, 4, network.MOST_BLOCKS + 3])
def test_the_stream_continues_where_the_array_construction_leaves_it(threads):
    a, b = np.random.default_rng(5), np.random.default_rng(5)
    with Workers(threads) as workers:
        network.small_world(1000, 6, 0.2, a, workers)
    _small_world_reference(1000, 6, 0.2, b)
    assert a.random() == b.random()


def test_a_generator_on_another_bit_generator_builds_the_same_small_world():
    """Only PCG64 streams jump ahead; any other is drawn in one piece, with the same ties."""
    with Workers(3) as workers:
        net = network.small_world(2000, 6, 0.3, np.random.Generator(np.random.Philox(9)), workers)
    src, offsets = _small_world_reference(2000, 6, 0.3, np.random.Generator(np.random.Philox(9)))
    np.testing.assert_array_equal(net.src, src)
    np.testing.assert_array_equal(net.offsets, offsets)


def test_tiny_and_empty_networks():
    for net in (network.small_world(1, 6, 0.1, np.random.default_rng(0)), network.no_network(5),
                network.random_network(1, 6, np.random.default_rng(0))):
        assert net.n_ties == 0 and net.offsets.size == net.n + 1 and not net.offsets.any()
        assert net.degree().sum() == 0


def test_customer_numbers_are_32_bit_up_to_two_billion_customers():
    assert network.index_dtype(network.INT32_CUSTOMERS) is np.int32
    assert network.index_dtype(network.INT32_CUSTOMERS + 1) is np.int64
