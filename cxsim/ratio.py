"""Confidence intervals for ratio metrics (cost per NPS point, cost per retained customer).

A ratio metric of a comparison is a ratio of two means over the same paired replications:
``θ = E[a] / E[b]`` with ``a_r`` the spend and ``b_r`` the gain (Δ NPS, Δ retained customers) of
replication ``r``. Two methods:

* **Fieller's method** (Fieller 1954; the default): the set of ``θ`` for which the mean of
  ``a_r − θ b_r`` is not significantly different from zero,
  ``(ā − θ b̄)² <= t² (s_aa − 2θ s_ab + θ² s_bb) / n``, with ``t`` the ``t_{n−1}`` quantile and
  ``s`` the sample (co)variances. It accounts for the correlation of ``a`` and ``b`` and is exact
  for bivariate normal replications. The set is a finite interval exactly when the denominator's
  own t-interval excludes zero (``b̄² > t² s_bb / n``); otherwise it is unbounded (the whole line,
  or the line minus an interval) and the ratio is reported as **undefined**: the replications
  cannot tell whether the intervention gains anything, so "cost per point gained" has no bound.
* **Paired bootstrap** (Efron & Tibshirani 1993, ch. 13): replications are resampled in pairs
  ``(a_r, b_r)``; percentile interval of ``mean(a*) / mean(b*)``; undefined when the bootstrap
  interval of the denominator's mean contains zero.

``tests/test_ratio.py`` checks the coverage of both on cases with a known ratio.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from cxsim.errors import SpecError

METHODS = ("fieller", "bootstrap")
UNDEFINED = "undefined"


@dataclass(frozen=True)
class RatioInterval:
    """A ratio of means with its confidence interval.

    Attributes:
        estimate: ``mean(a) / mean(b)`` (``nan`` when ``mean(b)`` is zero).
        low, high: the interval's bounds (``nan`` when undefined).
        defined: whether the interval is a finite interval (the denominator is known to be
            non-zero at this confidence).
        method: ``fieller`` or ``bootstrap``.
        confidence: the interval's level.
    """

    estimate: float
    low: float
    high: float
    defined: bool
    method: str
    confidence: float

    @property
    def status(self) -> str:
        """``defined``, or ``undefined`` when the denominator's interval contains zero."""
        return "defined" if self.defined else UNDEFINED

    def text(self, fmt: str = "{:,.4g}") -> str:
        """``estimate [low, high]``, or ``undefined`` (with the estimate when there is one)."""
        if self.defined:
            return f"{fmt.format(self.estimate)} [{fmt.format(self.low)}, {fmt.format(self.high)}]"
        return UNDEFINED


def _pairs(a: ArrayLike, b: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    if x.size != y.size:
        raise SpecError("ratio", (x.size, y.size), "numerator and denominator need one value per replication each")
    if x.size < 2:
        raise SpecError("ratio", x.size, "at least 2 paired replications are needed for an interval")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise SpecError("ratio", "nan", "every replication's numerator and denominator must be finite")
    return x, y


def _estimate(a_mean: float, b_mean: float) -> float:
    return a_mean / b_mean if b_mean != 0.0 else float("nan")


def fieller(a: ArrayLike, b: ArrayLike, confidence: float = 0.95) -> RatioInterval:
    """Fieller's interval for ``mean(a) / mean(b)`` from paired replications (see the module docstring).

    Example:
        >>> r = fieller([10.0, 12.0, 11.0, 9.0], [2.0, 2.2, 2.1, 1.9])
        >>> r.defined, round(r.estimate, 3)
        (True, 5.119)
    """
    x, y = _pairs(a, b)
    n = x.size
    am, bm = float(x.mean()), float(y.mean())
    cov = np.cov(x, y, ddof=1)
    saa, sab, sbb = float(cov[0, 0]), float(cov[0, 1]), float(cov[1, 1])
    t2 = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) ** 2
    qa = bm * bm - t2 * sbb / n
    qb = am * bm - t2 * sab / n
    qc = am * am - t2 * saa / n
    est = _estimate(am, bm)
    if qa <= 0.0:
        return RatioInterval(est, float("nan"), float("nan"), False, "fieller", confidence)
    disc = max(qb * qb - qa * qc, 0.0)  # >= 0 whenever qa > 0 (the estimate lies inside); guard rounding
    root = math.sqrt(disc)
    return RatioInterval(est, (qb - root) / qa, (qb + root) / qa, True, "fieller", confidence)


def bootstrap(a: ArrayLike, b: ArrayLike, confidence: float = 0.95, resamples: int = 4000,
              seed: int | np.random.SeedSequence = 0) -> RatioInterval:
    """Paired percentile-bootstrap interval for ``mean(a) / mean(b)``.

    Replications are resampled as pairs (the paired structure of common random numbers is kept).
    Reproducible: the resamples come from ``numpy.random.default_rng(seed)``.
    """
    x, y = _pairs(a, b)
    if isinstance(resamples, bool) or not isinstance(resamples, int) or resamples < 100:
        raise SpecError("resamples", resamples, "an integer >= 100")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(resamples, x.size))
    am, bm = x[idx].mean(axis=1), y[idx].mean(axis=1)
    tail = (1.0 - confidence) / 2
    b_lo, b_hi = np.quantile(bm, [tail, 1.0 - tail])
    est = _estimate(float(x.mean()), float(y.mean()))
    if b_lo <= 0.0 <= b_hi:
        return RatioInterval(est, float("nan"), float("nan"), False, "bootstrap", confidence)
    lo, hi = np.quantile(am / bm, [tail, 1.0 - tail])
    return RatioInterval(est, float(lo), float(hi), True, "bootstrap", confidence)


def ratio_interval(a: ArrayLike, b: ArrayLike, confidence: float = 0.95, method: str = "fieller",
                   seed: int | np.random.SeedSequence = 0) -> RatioInterval:
    """The interval of ``mean(a) / mean(b)`` by ``method`` (``fieller`` or ``bootstrap``)."""
    if method not in METHODS:
        raise SpecError("method", method, "allowed: " + ", ".join(METHODS))
    if not 0.5 <= confidence < 1.0:
        raise SpecError("confidence", confidence, "must lie in [0.5, 1)")
    if method == "fieller":
        return fieller(a, b, confidence)
    return bootstrap(a, b, confidence, seed=seed)


def ratio_table(rows: Sequence[tuple[str, RatioInterval]]) -> list[dict[str, object]]:
    """Tidy rows ``name, estimate, ci_low, ci_high, interval`` (``interval``: defined / undefined)."""
    return [{"name": name, "estimate": r.estimate, "ci_low": r.low, "ci_high": r.high, "interval": r.status,
             "method": r.method} for name, r in rows]
