"""Ratio intervals: coverage on cases with a known ratio, undefined denominators, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from cxsim.errors import SpecError
from cxsim.ratio import bootstrap, fieller, ratio_interval, ratio_table


def _bivariate(rng: np.random.Generator, n: int, mean_a: float, mean_b: float, sd_a: float, sd_b: float,
               rho: float) -> tuple[np.ndarray, np.ndarray]:
    z1, z2 = rng.standard_normal(n), rng.standard_normal(n)
    return mean_a + sd_a * z1, mean_b + sd_b * (rho * z1 + np.sqrt(1 - rho ** 2) * z2)


def _coverage(method, n: int, experiments: int, seed: int) -> tuple[int, int]:
    """How many intervals cover the true ratio 2.5 (spend 50, gain 20, correlated), and how many are defined."""
    rng = np.random.default_rng(seed)
    hits = defined = 0
    for _ in range(experiments):
        a, b = _bivariate(rng, n, 50.0, 20.0, 8.0, 4.0, 0.6)
        r = method(a, b)
        if r.defined:
            defined += 1
            hits += int(r.low <= 2.5 <= r.high)
    return hits, defined


def test_fieller_coverage_is_nominal_on_a_known_ratio():
    """Fieller is exact for bivariate normal replications: coverage 95 % within binomial tolerance."""
    n_exp = 1000
    hits, defined = _coverage(fieller, 10, n_exp, seed=1)
    assert defined == n_exp  # the gain is far from zero: always defined
    lo, hi = stats.binom.ppf([0.0005, 0.9995], n_exp, 0.95)
    assert lo <= hits <= hi, hits


def test_bootstrap_coverage_is_close_to_nominal_with_enough_replications():
    """The percentile bootstrap is approximate: at n = 40 its coverage is near 95 % (tolerance for its known
    small-sample undercoverage: >= 90 %, well above what a wrong method gives)."""
    n_exp = 300
    hits, defined = _coverage(lambda a, b: bootstrap(a, b, resamples=1000, seed=7), 40, n_exp, seed=2)
    assert defined == n_exp
    assert stats.binom.ppf(0.0005, n_exp, 0.90) <= hits <= n_exp


def test_naive_interval_that_ignores_the_denominator_fails_coverage():
    """The test can fail: treating the denominator as exact (only the numerator's t-interval) undercovers."""
    rng = np.random.default_rng(3)
    hits = 0
    for _ in range(500):
        a, b = _bivariate(rng, 10, 50.0, 20.0, 8.0, 4.0, -0.6)
        m, s = a.mean() / b.mean(), a.std(ddof=1) / np.sqrt(a.size) / b.mean()
        t = stats.t.ppf(0.975, a.size - 1)
        hits += int(m - t * s <= 2.5 <= m + t * s)
    assert hits < stats.binom.ppf(0.0005, 500, 0.95)


@pytest.mark.parametrize("method", ["fieller", "bootstrap"])
def test_undefined_when_the_denominator_interval_contains_zero(method):
    rng = np.random.default_rng(4)
    a, b = _bivariate(rng, 10, 50.0, 0.2, 8.0, 4.0, 0.3)
    r = ratio_interval(a, b, method=method)
    assert not r.defined and r.status == "undefined" and r.text() == "undefined"
    assert np.isnan(r.low) and np.isnan(r.high)


def test_fieller_is_defined_exactly_when_the_denominator_t_interval_excludes_zero():
    rng = np.random.default_rng(5)
    for _ in range(200):
        a, b = _bivariate(rng, 6, 10.0, rng.uniform(-2, 2), 3.0, 2.0, rng.uniform(-0.9, 0.9))
        t = stats.t.ppf(0.975, b.size - 1) * b.std(ddof=1) / np.sqrt(b.size)
        assert fieller(a, b).defined == (abs(b.mean()) > t)
        r = fieller(a, b)
        if r.defined:
            assert r.low <= r.estimate <= r.high


def test_constant_spend_gives_the_interval_of_the_gain_inverted():
    """With a fixed spend c, the Fieller interval of c / mean(b) is c over the gain's t-interval."""
    b = np.array([4.0, 5.0, 6.0, 5.5, 4.5])
    a = np.full_like(b, 100.0)
    half = stats.t.ppf(0.975, 4) * b.std(ddof=1) / np.sqrt(5)
    r = fieller(a, b)
    assert r.low == pytest.approx(100 / (b.mean() + half)) and r.high == pytest.approx(100 / (b.mean() - half))


def test_bootstrap_is_reproducible():
    a, b = np.arange(1.0, 11.0), np.arange(2.0, 12.0)
    assert bootstrap(a, b, seed=3) == bootstrap(a, b, seed=3)


@pytest.mark.parametrize("kwargs, field", [
    ({"method": "delta"}, "method"), ({"confidence": 1.2}, "confidence")])
def test_bad_settings(kwargs, field):
    with pytest.raises(SpecError) as err:
        ratio_interval([1.0, 2.0], [1.0, 2.0], **kwargs)
    assert err.value.field == field


@pytest.mark.parametrize("a, b", [([1.0], [1.0]), ([1.0, 2.0], [1.0]), ([1.0, np.nan], [1.0, 2.0])])
def test_bad_replications(a, b):
    with pytest.raises(SpecError) as err:
        fieller(a, b)
    assert err.value.field == "ratio"


def test_ratio_table_rows():
    rows = ratio_table([("x", fieller([1.0, 2.0, 3.0], [1.0, 1.1, 0.9]))])
    assert rows[0]["interval"] == "defined" and rows[0]["method"] == "fieller"
