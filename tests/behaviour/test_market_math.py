"""The open market's pure math (cxsim.behaviour.market): shares, Huff, referral, adstock, Hill, CLV."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxsim.behaviour import market as mm

finite = st.floats(-20, 20, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=1, max_size=6), finite)
def test_shares_sum_to_one_and_ignore_a_common_shift(u, shift):
    s = mm.attraction_shares(u)
    assert np.all((s >= 0) & (s <= 1))
    assert s.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(mm.attraction_shares(np.asarray(u) + shift), s, rtol=1e-9, atol=1e-12)


def test_shares_along_brand_axis_for_each_segment():
    u = np.array([[0.0, 1.0, -2.0], [np.log(3.0), 1.0, 5.0]])  # brands x segments
    s = mm.attraction_shares(u, axis=0)
    np.testing.assert_allclose(s.sum(axis=0), 1.0)
    assert s[:, 0].tolist() == pytest.approx([0.25, 0.75])  # exp(0) : exp(ln 3)
    assert s[:, 1].tolist() == pytest.approx([0.5, 0.5])


def test_logit_with_unit_convenience_coefficient_is_huff():
    """Equal reputation and price, gamma = 1: the brands' logit shares are Huff's site shares summed by brand."""
    travel = np.array([2.0, 3.0, 5.0, 4.0])  # sites 0, 1 ours; 2, 3 the rival's
    decay = 1.7
    pull = np.array([mm.huff_accessibility(travel[:2], decay), mm.huff_accessibility(travel[2:], decay)])
    u = mm.brand_utility(0.0, 1.0, pull, 0.0, beta_reputation=1.0, beta_price=2.0, beta_convenience=1.0)
    p = mm.huff_probabilities(travel, decay)
    np.testing.assert_allclose(mm.attraction_shares(u), [p[:2].sum(), p[2:].sum()])


def test_huff_more_and_nearer_sites_pull_more():
    one = mm.huff_accessibility([4.0], 2.0)
    two = mm.huff_accessibility([4.0, 6.0], 2.0)
    assert one == pytest.approx(1 / 16)
    assert two > one
    assert mm.huff_accessibility([3.0], 2.0) > one
    assert mm.huff_accessibility(np.empty(0), 2.0) == 0.0
    assert mm.huff_accessibility([0.0], 1.0) == mm.huff_accessibility([0.5], 1.0)  # the floor
    p = mm.huff_probabilities([1.0, 2.0, 4.0], 1.0)
    assert p.sum() == pytest.approx(1.0) and p[0] > p[1] > p[2]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 500), st.integers(1, 5000), st.floats(0, 2))
def test_referral_and_deterrence_bounded_and_monotone(tellers, market, q):
    s = mm.stories_heard(tellers, market, 10, 0.1)
    more = mm.stories_heard(tellers + 1, market, 10, 0.1)
    for f in (mm.referral_hazard, mm.deterrence):
        h = float(f(s, q))
        assert 0.0 <= h <= 1.0
        assert float(f(more, q)) >= h


def test_referral_formula():
    s = mm.stories_heard(50, 1000, 10, 0.1)  # 50 promoters x 10 contacts x 0.1 reach over 1000 people
    assert float(s) == pytest.approx(0.05)
    assert float(mm.referral_hazard(s, 2.0)) == pytest.approx(1 - np.exp(-0.1))
    assert float(mm.deterrence(mm.stories_heard(10, 1000, 10, 0.2), 1.0)) == pytest.approx(1 - np.exp(-0.02))
    assert float(mm.stories_heard(50, 1000, 0, 0.1)) == 0.0  # no network, no stories


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1000), min_size=1, max_size=20), st.floats(0, 0.99), st.floats(0, 100))
def test_adstock_is_a_geometric_sum(x, lam, start):
    a = mm.adstock(x, lam, start)
    t = np.arange(len(x))
    direct = [sum(lam ** (i - k) * x[k] for k in range(i + 1)) + lam ** (i + 1) * start for i in t]
    np.testing.assert_allclose(a, direct, rtol=1e-9, atol=1e-9)


def test_hill_half_at_k_monotone_and_bounded():
    assert float(mm.hill(50.0, 50.0, 2.0, top=0.2)) == pytest.approx(0.1)
    x = np.linspace(0, 1000, 101)
    y = mm.hill(x, 50.0, 1.5, top=0.2)
    assert y[0] == 0.0 and np.all(np.diff(y) >= 0) and np.all(y < 0.2)


@pytest.mark.parametrize("m, r, d", [(100.0, 0.9, 0.01), (40.0, 0.5, 0.1), (10.0, 0.0, 0.05)])
def test_clv_is_the_discounted_retention_sum(m, r, d):
    """Gupta & Lehmann's m r / (1 + d - r) equals sum_t m r^t / (1 + d)^t for t >= 1."""
    t = np.arange(1, 5000)
    assert float(mm.clv_constant(m, r, d)) == pytest.approx(float(np.sum(m * r ** t / (1 + d) ** t)))


def test_discounted_values():
    assert mm.discounted([100.0, 110.0, 121.0], 0.1) == pytest.approx(300.0)
    assert mm.discounted([5.0, 5.0], 0.0) == 10.0
    np.testing.assert_allclose(mm.discount_factors(3, 0.25), [1.0, 0.8, 0.64])
