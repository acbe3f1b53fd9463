"""The compiled PCG64 draws give numpy's numbers bit for bit, and leave the generator where numpy would."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxsim.draws import normal_into, random, random_into, standard_normal, standard_normal_into
from cxsim.specs.distribution import LogNormal, Normal, sample_into


def _pair(seed: int, skip: int) -> tuple[np.random.Generator, np.random.Generator]:
    a, b = (np.random.Generator(np.random.PCG64(seed)) for _ in range(2))
    a.random(skip)  # start anywhere in the stream, also after an odd number of 32-bit draws
    b.random(skip)
    if skip % 2:
        a.integers(0, 2**31, dtype=np.uint32)
        b.integers(0, 2**31, dtype=np.uint32)
    return a, b


def _same_state(a: np.random.Generator, b: np.random.Generator) -> None:
    np.testing.assert_equal(a.bit_generator.state, b.bit_generator.state)
    assert a.random() == b.random()  # and both streams continue from the same place


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**63), skip=st.integers(0, 5), n=st.integers(0, 3000))
def test_standard_normals_and_uniforms_are_numpys(seed: int, skip: int, n: int) -> None:
    a, b = _pair(seed, skip)
    ours, theirs = np.empty(n), np.empty(n)
    standard_normal_into(a, ours)
    b.standard_normal(out=theirs)
    np.testing.assert_array_equal(ours, theirs)
    random_into(a, ours)
    b.random(out=theirs)
    np.testing.assert_array_equal(ours, theirs)
    _same_state(a, b)


@pytest.mark.parametrize("size", [0, 7, 5000, (3, 4), (0, 2)])
def test_new_arrays_of_draws_are_numpys(size: int | tuple[int, int]) -> None:
    a, b = _pair(11, 1)
    np.testing.assert_array_equal(random(a, size), b.random(size))
    np.testing.assert_array_equal(standard_normal(a, size), b.standard_normal(size))
    _same_state(a, b)


def test_many_normals_cover_the_rejection_paths() -> None:
    """About one draw in a hundred leaves the ziggurat's fast path, one in thousands takes the
    tail beyond the base layer: two million draws take both many times."""
    a, b = _pair(2024, 0)
    ours = np.empty(2_000_000)
    standard_normal_into(a, ours)
    theirs = b.standard_normal(ours.size)
    np.testing.assert_array_equal(ours, theirs)
    assert (np.abs(theirs) > 3.6541528853610088).sum() > 100  # beyond the ziggurat's r: the tail
    _same_state(a, b)


@pytest.mark.parametrize("low, high", [(-np.inf, np.inf), (1.0, 5.0), (-np.inf, 7.5), (2.0, np.inf)])
def test_scaled_clipped_normals_are_numpys(low: float, high: float) -> None:
    a, b = _pair(11, 0)
    ours = np.empty(50_001)
    normal_into(a, ours, 4.2, 1.3, low, high)
    theirs = b.standard_normal(ours.size)
    theirs *= 1.3
    theirs += 4.2
    np.clip(theirs, low, high, out=theirs)
    np.testing.assert_array_equal(ours, theirs)
    _same_state(a, b)


@pytest.mark.parametrize("dist", [Normal(4.2, 1.3), Normal(4.2, 1.3, 1.0, 5.0), LogNormal(3.0, 1.5),
                                  LogNormal(3.0, 1.5, 0.5, 6.0)])
def test_distributions_draw_what_numpy_draws(dist: Normal | LogNormal) -> None:
    """``sample`` and ``sample_into`` give the numbers of numpy's own standard normals."""
    loc, scale = (dist.mean, dist.sd) if isinstance(dist, Normal) else (dist.mu, dist.sigma)
    z = np.random.default_rng(3).standard_normal((40, 250)) * scale + loc
    expected = np.exp(z) if isinstance(dist, LogNormal) else z
    np.clip(expected, dist.low, dist.high, out=expected)
    np.testing.assert_array_equal(dist.sample(np.random.default_rng(3), (40, 250)), expected)
    out = np.empty(10_000)
    sample_into(dist, np.random.default_rng(3), out)
    np.testing.assert_array_equal(out, expected.ravel())


def test_other_bit_generators_take_numpys_path() -> None:
    a, b = (np.random.Generator(np.random.SFC64(5)) for _ in range(2))
    ours = np.empty(1000)
    normal_into(a, ours, 1.0, 2.0, 0.0, 3.0)
    np.testing.assert_array_equal(ours, np.clip(b.standard_normal(1000) * 2.0 + 1.0, 0.0, 3.0))
    random_into(a, ours)
    np.testing.assert_array_equal(ours, b.random(1000))
    _same_state(a, b)


def test_out_must_be_contiguous_float64() -> None:
    g = np.random.default_rng(0)
    for bad in (np.empty(10, dtype=np.float32), np.empty((4, 4)), np.empty(20)[::2]):
        with pytest.raises(ValueError, match="out: needs a contiguous 1-d float64 array"):
            standard_normal_into(g, bad)


def test_states_at_start_blocks_of_one_stream() -> None:
    """A block drawn from ``states_at``'s row b gives the stream's numbers from position b on;
    the generator itself does not move."""
    from cxsim.draws import _uniforms, advance, states_at

    gen, ref = _pair(9, 3)
    whole = ref.random(10_000)
    positions = np.array([0, 1, 17, 4096, 9_999], dtype=np.int64)
    states = states_at(gen, positions)
    for b, pos in enumerate(positions):
        block = np.empty(min(300, whole.size - pos))
        _uniforms(states[b].copy(), block)
        np.testing.assert_array_equal(block, whole[pos:pos + block.size])
    advance(gen, 10_000)  # as drawing them would leave it, the buffered 32-bit half-word included
    _same_state(gen, ref)
    with pytest.raises(TypeError, match="gen: SFC64 bit generator is not allowed; allowed: PCG64"):
        states_at(np.random.Generator(np.random.SFC64(0)), positions)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**63), skip=st.integers(0, 5), n=st.integers(0, 3000), p=st.floats(0.0, 1.0))
def test_below_into_is_a_comparison_of_numpys_uniforms(seed, skip, n, p):
    from cxsim.draws import below_into

    a, b = _pair(seed, skip)
    out = np.empty(n, dtype=bool)
    below_into(a, out, p)
    np.testing.assert_array_equal(out, b.random(n) < p)
    _same_state(a, b)


def test_below_into_needs_a_bool_array():
    from cxsim.draws import below_into

    with pytest.raises(ValueError, match="out: needs a contiguous 1-d bool array"):
        below_into(np.random.default_rng(0), np.empty(3), 0.5)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**63), n=st.integers(0, 3000), cuts=st.lists(st.integers(0, 3000), max_size=4),
       p=st.floats(0.0, 1.0))
def test_below_at_draws_a_stream_block_by_block(seed, n, cuts, p):
    """Blocks drawn from their states (in any order) are the comparison of the whole stream."""
    from cxsim.draws import below_at, states_at

    edges = sorted({0, n, *(c for c in cuts if c < n)})
    gen = np.random.default_rng(seed)
    states = states_at(gen, np.array(edges[:-1], dtype=np.int64))
    out = np.empty(n, dtype=bool)
    for b in reversed(range(len(edges) - 1)):
        below_at(states[b], out[edges[b]:edges[b + 1]], p)
    np.testing.assert_array_equal(out, np.random.default_rng(seed).random(n) < p)
    with pytest.raises(ValueError, match="out: needs a contiguous 1-d bool array"):
        below_at(states_at(gen, np.zeros(1, dtype=np.int64))[0], np.ones(4, dtype=bool)[::2], p)
