"""The open market's math: brand choice, convenience, referral, advertising and lifetime value.

Pure numpy functions over arrays (one segment or a million customers alike); the engine
(:mod:`cxsim.engine.market`) composes them into one cycle's acquisition, switching and win-back.

* **Brand choice** — a multinomial logit (McFadden 1974), equivalently an attraction model of
  market share (Cooper & Nakanishi 1988): ``share_b = A_b / Σ_k A_k`` with
  ``A_b = exp(β_rep·R_b − β_price·ln p_b + γ·ln C_b + α_b)`` over reputation ``R``, price index
  ``p``, convenience ``C`` and a brand constant ``α`` (:func:`attraction_shares`).
* **Convenience** — Huff's gravity model (Huff 1963): a customer at ``i`` uses site ``j`` with
  probability ``(S_j / T_ij^λ) / Σ_k (S_k / T_ik^λ)``; the denominator's part over one brand's
  sites, ``C_b = Σ_{j∈b} S_j T_ij^{−λ}`` (:func:`huff_accessibility`), is that brand's pull.
  With ``γ = 1`` and equal reputations and prices, the logit shares *are* Huff's: opening a site
  raises the brand's share of the trips.
* **Word of mouth** — Bass diffusion (Bass 1969), hazard ``p + q·N/M``; here the imitation term
  counts the stories a prospect hears (:func:`stories_heard`): promoters attract
  (:func:`referral_hazard`), detractors deter (:func:`deterrence`).
* **Advertising** — adstock carry-over ``A_t = x_t + λ·A_{t−1}`` (Broadbent 1979) with a Hill
  saturation ``reach·A^α / (A^α + K^α)``, the response curve of Bayesian marketing-mix models
  (Jin et al. 2017) (:func:`adstock`, :func:`hill`).
* **Customer lifetime value** — discounted margin over the retention curve (Berger & Nasr 1998;
  Gupta & Lehmann 2003): with constant margin ``m`` and retention ``r`` per period and discount
  rate ``d``, ``CLV = m·r / (1 + d − r)`` (:func:`clv_constant`); over a finite horizon of
  observed margins, ``Σ_t m_t / (1 + d)^t`` (:func:`discounted`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


def attraction_shares(utility: ArrayLike, axis: int = 0) -> Array:
    """Logit / attraction shares ``exp(U_b) / Σ_k exp(U_k)`` along ``axis`` (the brands).

    Numerically stable (the maximum is subtracted first); every share lies in [0, 1] and the
    shares along ``axis`` sum to one.

    Example:
        >>> attraction_shares([0.0, 0.0]).tolist()
        [0.5, 0.5]
    """
    u = np.asarray(utility, dtype=np.float64)
    e = np.exp(u - np.max(u, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def brand_utility(reputation: ArrayLike, price: ArrayLike, convenience: ArrayLike, appeal: ArrayLike,
                  beta_reputation: float, beta_price: float, beta_convenience: float) -> Array:
    """The attraction model's utility ``β_rep·R − β_price·ln p + γ·ln C + α`` (Cooper & Nakanishi 1988).

    ``price`` is a price index (1 = the reference), ``convenience`` a positive accessibility
    (:func:`huff_accessibility`); all arguments broadcast (brands × segments).
    """
    return (beta_reputation * np.asarray(reputation, dtype=np.float64)
            - beta_price * np.log(np.asarray(price, dtype=np.float64))
            + beta_convenience * np.log(np.asarray(convenience, dtype=np.float64))
            + np.asarray(appeal, dtype=np.float64))


def huff_accessibility(travel: ArrayLike, decay: float, size: ArrayLike = 1.0, axis: int = -1,
                       floor: float = 0.5) -> Array:
    """Huff's (1963) pull of a set of sites: ``Σ_j S_j · T_j^{−λ}`` along ``axis``.

    ``travel`` holds travel times (minutes) to each site, ``size`` each site's attractiveness
    ``S_j``; times below ``floor`` count as ``floor`` (a site next door is not infinitely
    attractive). An empty set of sites has no pull (0).

    Example:
        >>> float(huff_accessibility([2.0, 2.0], decay=1.0))
        1.0
    """
    t = np.maximum(np.asarray(travel, dtype=np.float64), floor)
    return np.sum(np.asarray(size, dtype=np.float64) * t ** (-decay), axis=axis)


def huff_probabilities(travel: ArrayLike, decay: float, size: ArrayLike = 1.0, floor: float = 0.5) -> Array:
    """Huff's (1963) probability of using each site (last axis): ``(S_j T_j^{−λ}) / Σ_k S_k T_k^{−λ}``."""
    t = np.maximum(np.asarray(travel, dtype=np.float64), floor)
    pull = np.asarray(size, dtype=np.float64) * t ** (-decay)
    return pull / np.sum(pull, axis=-1, keepdims=True)


def stories_heard(tellers: ArrayLike, market: ArrayLike, contacts: float, reach: float) -> Array:
    """Stories a member of a market hears on average in one cycle, from ``tellers`` customers.

    Each teller tells each of ``contacts`` contacts with probability ``reach``; spread over a
    market of ``market`` people that is ``tellers·contacts·reach / market`` stories per person
    (the mean-field of Bass's imitation term ``q·N/M``; Bass 1969).

    Example:
        >>> float(stories_heard(50, 1000, 10, 0.1))
        0.05
    """
    m = np.maximum(np.asarray(market, dtype=np.float64), 1.0)
    return np.asarray(tellers, dtype=np.float64) * contacts * reach / m


def referral_hazard(stories: ArrayLike, referral: float) -> Array:
    """Chance per cycle that a prospect who hears ``stories`` promoter stories is won: ``1 − exp(−q·s)``.

    Bass's (1969) imitation term as a hazard: small ``q·s`` gives ``≈ q·s``, and no number of
    stories makes it exceed one. Promoters attract.

    Example:
        >>> float(referral_hazard(0.0, 0.5))
        0.0
    """
    return -np.expm1(-referral * np.maximum(np.asarray(stories, dtype=np.float64), 0.0))


def deterrence(stories: ArrayLike, weight: float) -> Array:
    """Chance that a prospect who hears ``stories`` detractor stories rules the brand out this cycle:
    ``1 − exp(−w·s)``. Detractors deter (and their stories travel further: ``negative_reach``)."""
    return -np.expm1(-weight * np.maximum(np.asarray(stories, dtype=np.float64), 0.0))


def adstock(spend: ArrayLike, carryover: float, start: float = 0.0) -> Array:
    """Geometric adstock (Broadbent 1979): ``A_t = x_t + λ·A_{t−1}``, with ``A_{−1} = start``.

    Example:
        >>> adstock([1.0, 0.0, 0.0], 0.5).tolist()
        [1.0, 0.5, 0.25]
    """
    x = np.asarray(spend, dtype=np.float64)
    out = np.empty_like(x)
    level = float(start)
    for t, v in enumerate(x):
        level = v + carryover * level
        out[t] = level
    return out


def hill(x: ArrayLike, half_saturation: float, shape: float, top: float = 1.0) -> Array:
    """Hill saturation ``top · x^α / (x^α + K^α)`` (Jin et al. 2017): ``top / 2`` at ``x = K``.

    Example:
        >>> float(hill(2.0, 2.0, 1.0, top=0.1))
        0.05
    """
    v = np.maximum(np.asarray(x, dtype=np.float64), 0.0)
    if half_saturation <= 0:
        return np.where(v > 0, top, 0.0) * np.ones_like(v)
    r = (v / half_saturation) ** shape
    return top * r / (1.0 + r)


def clv_constant(margin: ArrayLike, retention: ArrayLike, discount_rate: float) -> Array:
    """Lifetime value with constant margin and retention (Gupta & Lehmann 2003): ``m·r / (1 + d − r)``.

    The margin of the periods after the current one, each surviving with probability ``r`` and
    discounted at ``d`` per period (Berger & Nasr 1998, case 1). NaN where ``1 + d − r <= 0``.

    Example:
        >>> float(clv_constant(100.0, 0.9, 0.1))
        450.0
    """
    m = np.asarray(margin, dtype=np.float64)
    r = np.asarray(retention, dtype=np.float64)
    den = 1.0 + discount_rate - r
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, m * r / np.where(den > 0, den, 1.0), np.nan)


def discount_factors(periods: int, discount_rate: float) -> Array:
    """``1 / (1 + d)^t`` for ``t = 0 … periods − 1`` (the first period is not discounted)."""
    return (1.0 + discount_rate) ** -np.arange(periods, dtype=np.float64)


def discounted(values: ArrayLike, discount_rate: float) -> float:
    """Present value ``Σ_t v_t / (1 + d)^t`` of a series of per-period values (first undiscounted).

    Example:
        >>> discounted([100.0, 110.0], 0.1)
        200.0
    """
    v = np.asarray(values, dtype=np.float64)
    return float(v @ discount_factors(v.size, discount_rate))
