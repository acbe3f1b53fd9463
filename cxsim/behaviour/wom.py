"""Word of mouth: who tells whom, and what the listeners hear.

Promoters tell positive stories, detractors negative ones (Reichheld 2003's NPS classes); each
contact hears a story with probability ``positive_reach`` or ``negative_reach``. Negative stories
travel further than positive ones (East, Hammond & Wright 2007 find negative word of mouth
weighs more; the usual default here reaches twice as many contacts). A story carries what the
teller experienced this cycle: the performance at each touchpoint and the remembered value.
Listeners' expectations move toward the performance they heard of, and their satisfaction toward
what the tellers remembered (:mod:`cxsim.behaviour.satisfaction`).

Stories are exchanged once per cycle, after every customer has acted, so the order in which
customers act cannot change what anybody hears.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxsim.behaviour.network import Network

Array = NDArray[np.float64]


def telling_probability(
    recommend: ArrayLike, active: ArrayLike, positive_reach: float, negative_reach: float
) -> Array:
    """Chance that a customer tells each contact: by NPS class, zero for passives and absentees."""
    r = np.asarray(recommend)
    p = np.where(r >= 9, positive_reach, np.where(r <= 6, negative_reach, 0.0))
    return np.where(np.asarray(active, dtype=bool), p, 0.0)


@dataclass(frozen=True)
class Heard:
    """What each customer heard this cycle (arrays indexed by customer)."""

    positive: NDArray[np.int64]
    negative: NDArray[np.int64]
    remembered_mean: Array  # mean of tellers' remembered values; NaN if nothing heard
    performance_mean: Array  # (n, T) mean performance heard per touchpoint; NaN if none
    performance_heard: NDArray[np.bool_]  # (n, T) whether any story covered the touchpoint

    @property
    def stories(self) -> NDArray[np.int64]:
        return self.positive + self.negative


def exchange(
    network: Network,
    tell_prob: ArrayLike,
    uniforms: ArrayLike,
    positive: ArrayLike,
    remembered: ArrayLike,
    performance: ArrayLike,
    present: ArrayLike,
) -> Heard:
    """Exchange one cycle's stories over ``network``.

    Args:
        network: the ties.
        tell_prob: per customer, the chance of telling each contact (:func:`telling_probability`).
        uniforms: one U(0, 1) draw per directed tie, from the word-of-mouth stream.
        positive: per customer, whether their story is positive.
        remembered: per customer, this cycle's remembered value.
        performance: ``(n, T)`` performance per touchpoint this cycle.
        present: ``(n, T)`` whether the touchpoint happened for that customer.
    """
    n = network.n
    src, dst = network.src, network.dst
    told = np.asarray(uniforms) < np.asarray(tell_prob)[src]
    t_src = src[told]
    t_dst = dst[told]
    pos = np.asarray(positive, dtype=bool)[t_src]
    n_pos = np.bincount(t_dst[pos], minlength=n)
    n_all = np.bincount(t_dst, minlength=n)
    rem = np.bincount(t_dst, weights=np.asarray(remembered, dtype=np.float64)[t_src], minlength=n)
    perf = np.asarray(performance, dtype=np.float64)
    pres = np.asarray(present, dtype=bool)
    n_tp = perf.shape[1]
    perf_sum = np.zeros((n_tp, n)).T  # filled column by column
    perf_cnt = np.zeros((n_tp, n)).T
    for j in range(n_tp):  # loop over touchpoints (about ten), not customers
        w_present = pres[t_src, j]
        perf_cnt[:, j] = np.bincount(t_dst, weights=w_present.astype(np.float64), minlength=n)
        perf_sum[:, j] = np.bincount(t_dst, weights=np.where(w_present, perf[t_src, j], 0.0), minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        rem_mean = np.where(n_all > 0, rem / n_all, np.nan)
        perf_mean = np.where(perf_cnt > 0, perf_sum / perf_cnt, np.nan)
    return Heard(n_pos, n_all - n_pos, rem_mean, perf_mean, perf_cnt > 0)
