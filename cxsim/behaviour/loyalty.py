"""Loyalty: repurchase and switching, likelihood to recommend, and NPS.

* Repurchase probability rises with satisfaction on a logistic curve,
  ``logit(r) = logit(base) + slope·S`` (the satisfaction–retention link of Anderson & Sullivan
  1993, in logistic form).
* The joy-pain law (case study 004) says no experience may break through the floor of "terrible".
  Each moment below ``floor`` adds a hazard of switching: the AchieveGlobal (2013) China survey
  (case study 000, article 7) found about 40 % likely to switch after one bad experience, over 55 %
  after two and 90 % after at most three. The hazard per terrible moment is
  ``h·(1 + escalation·B)``, capped at 1, where ``B`` is the customer's (fading) count of
  terrible moments before this cycle, so earlier pain makes the next one count more.
  Optionally a *hazard table* ``[h1, h2, h3, …]`` gives the hazard of a customer's 1st, 2nd,
  3rd (and every later) terrible moment directly. The survey's conditional rates (40 % switch
  after one; of those left, 25 % after the second; of those left, 78 % after the third) fall
  and then jump, which no escalating hazard can produce; a table can.
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
    hazards: ArrayLike | None = None,
    earlier: ArrayLike | None = None,
) -> Array:
    """Probability of leaving after this cycle (AchieveGlobal 2013: see the module docstring).

    Escalation form (``hazards`` None or empty): ``1 − r(S)·(1 − h_eff)^k`` with ``k`` terrible
    moments this cycle and ``h_eff = min(1, hazard·(1 + escalation·bad_memory))``.

    Hazard table (``hazards = [h1, h2, …]``): ``1 − r(S)·Π_{m<k} (1 − h[min(c + m, L − 1)])``,
    where ``c`` (``earlier``) is the customer's lifetime *integer* count of terrible moments
    before this cycle and ``L`` the table's length: the customer's n-th terrible moment has
    hazard ``h[n − 1]``, every moment past the table the last entry. ``hazard`` and
    ``escalation`` are then not used. Why an integer count and not ``bad_memory``: the survey
    asks about the 1st, 2nd and 3rd bad experience, a count; indexing a table by a fading,
    fractional ``B`` would need interpolation and would make "the 2nd bad experience" depend
    on ``bad_memory_retention``. ``B`` keeps fading as before (it is the escalation form's).
    """
    r = repurchase_probability(satisfaction, base, slope)
    if hazards is None or np.size(hazards) == 0:
        h = np.minimum(1.0, np.asarray(hazard) * (1.0 + np.asarray(escalation) * np.asarray(bad_memory)))
        stay = r * np.power(1.0 - h, np.asarray(terrible, dtype=np.float64))
        return 1.0 - stay
    table = np.asarray(hazards, dtype=np.float64).ravel()
    k = np.asarray(terrible, dtype=np.float64)
    c = np.zeros(k.shape, dtype=np.int64) if earlier is None else np.asarray(earlier, dtype=np.int64)
    keep = np.ones(np.broadcast_shapes(k.shape, c.shape))
    for m in range(int(k.max()) if k.size else 0):  # the cycle's m-th terrible moment, in order
        h = table[np.minimum(c + m, table.size - 1)]
        keep = np.where(m < k, keep * (1.0 - h), keep)
    return 1.0 - r * keep


def update_bad_memory(bad_memory: ArrayLike, terrible: ArrayLike, retention: ArrayLike) -> Array:
    """The fading count of terrible moments: ``B ← retention·B + k``."""
    return np.asarray(retention) * np.asarray(bad_memory, dtype=np.float64) + np.asarray(terrible)


def update_terrible_count(count: ArrayLike, terrible: ArrayLike) -> NDArray[np.int64]:
    """The lifetime integer count of terrible moments: ``c ← c + k`` (the hazard table's index)."""
    return np.asarray(count, dtype=np.int64) + np.asarray(terrible).astype(np.int64)


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
    return nps_of_counts(int(np.count_nonzero(s >= 9)), int(np.count_nonzero(s <= 6)), int(s.size))


def nps_of_counts(promoters: int, detractors: int, respondents: int) -> float:
    """:func:`nps` from the counts of promoters, detractors and all respondents; NaN if none."""
    if respondents == 0:
        return float("nan")
    return float(100.0 * (promoters - detractors) / respondents)
