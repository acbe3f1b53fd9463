"""Loyalty: repurchase and switching, likelihood to recommend, and NPS.

* Repurchase probability rises with satisfaction on a logistic curve,
  ``logit(r) = logit(base) + slope·S`` (the satisfaction–retention link of Anderson & Sullivan
  1993, in logistic form).
* The joy-pain law (seed 004) says no experience may break through the floor of "terrible".
  Each moment below ``floor`` adds a hazard of switching: the AchieveGlobal (2013) China survey
  (seed 000, article 7) found about 40 % likely to switch after one bad experience, over 55 %
  after two and 90 % after at most three. The hazard per terrible moment is
  ``h·(1 + escalation·B)``, capped at 1, where ``B`` is the customer's (fading) count of
  terrible moments before this cycle, so earlier pain makes the next one count more.
* Likelihood to recommend is a 0–10 answer; NPS (Reichheld 2003) is the share of promoters
  (9–10) minus the share of detractors (0–6), in points from −100 to 100.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


def logit(p: ArrayLike) -> Array:
    """``log(p / (1 − p))``."""
    p = np.asarray(p, dtype=np.float64)
    return np.log(p) - np.log1p(-p)


def repurchase_probability(satisfaction: ArrayLike, base: ArrayLike, slope: ArrayLike) -> Array:
    """Probability of buying again next cycle from satisfaction alone (no terrible moments).

    ``base`` is the probability at satisfaction 0 (expectations just met), in (0, 1).
    """
    z = logit(base) + np.asarray(slope, dtype=np.float64) * np.asarray(satisfaction, dtype=np.float64)
    with np.errstate(over="ignore"):  # exp(-z) = inf for z < -709: the probability is then 0
        return 1.0 / (1.0 + np.exp(-z))


def count_terrible(affect: ArrayLike, floor: ArrayLike, present: ArrayLike | None = None) -> Array:
    """Number of moments whose affect lies below the floor of "terrible"."""
    below = np.asarray(affect) < np.asarray(floor)
    if present is not None:
        below &= np.asarray(present, dtype=bool)
    return below.sum(axis=-1).astype(np.float64)


def switch_probability(
    satisfaction: ArrayLike,
    terrible: ArrayLike,
    bad_memory: ArrayLike,
    base: ArrayLike,
    slope: ArrayLike,
    hazard: ArrayLike,
    escalation: ArrayLike = 0.0,
) -> Array:
    """Probability of leaving after this cycle.

    ``1 − r(S)·(1 − h_eff)^k`` with ``k`` terrible moments this cycle and
    ``h_eff = min(1, hazard·(1 + escalation·bad_memory))``.
    """
    r = repurchase_probability(satisfaction, base, slope)
    h = np.minimum(1.0, np.asarray(hazard) * (1.0 + np.asarray(escalation) * np.asarray(bad_memory)))
    stay = r * np.power(1.0 - h, np.asarray(terrible, dtype=np.float64))
    return 1.0 - stay


def update_bad_memory(bad_memory: ArrayLike, terrible: ArrayLike, retention: ArrayLike) -> Array:
    """The fading count of terrible moments: ``B ← retention·B + k``."""
    return np.asarray(retention) * np.asarray(bad_memory, dtype=np.float64) + np.asarray(terrible)


def recommend_score(
    satisfaction: ArrayLike, intercept: ArrayLike, slope: ArrayLike, noise: ArrayLike
) -> NDArray[np.int8]:
    """Likelihood to recommend, 0–10: ``round(intercept + slope·S + noise)``, clipped.

    ``noise`` is the already-scaled response noise (the engine draws it).
    """
    raw = np.asarray(intercept) + np.asarray(slope) * np.asarray(satisfaction) + np.asarray(noise)
    return np.clip(np.rint(raw), 0, 10).astype(np.int8)


def nps(scores: ArrayLike) -> float:
    """Net Promoter Score in points: % promoters (9–10) − % detractors (0–6); NaN if empty."""
    s = np.asarray(scores)
    if s.size == 0:
        return float("nan")
    return float(100.0 * (np.count_nonzero(s >= 9) - np.count_nonzero(s <= 6)) / s.size)
