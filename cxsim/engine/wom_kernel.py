"""Word of mouth in two compiled passes (numba): who tells, then what each listener hears.

:func:`tellers` writes, per customer, a one-byte code of what they pass on this cycle (nothing, a
promoter's story, a detractor's story) and, for those who tell, their story: the performance of
each touchpoint they went through. :func:`word_of_mouth` then walks the network's ties listener by
listener (compressed sparse rows, :class:`cxsim.behaviour.network.Network`), draws each tie's
uniform in place from the ``wom`` stream's PCG64 state and updates the listeners who heard
something. Neither pass allocates anything proportional to the ties; blocks of listeners run on
separate threads (the ties are grouped by listener, so no two blocks write the same customer).

The arithmetic and its order are those of :func:`cxsim.behaviour.wom.exchange` (``bincount``
adds a listener's ties in tie order, as the listener pass does), of
:func:`~cxsim.behaviour.satisfaction.adapt_expectations` and of :func:`~cxsim.behaviour.memory.fade`,
so the numpy path (``backend="numpy"``) gives the same numbers bit for bit.
"""

from __future__ import annotations

import numba
import numpy as np

from cxsim.draws import pcg64_double, pcg64_step
from cxsim.prefetch import prefetch

_UINDEX = numba.uint64  # indices are never negative: unsigned indexing skips the wraparound check

#: Net Promoter classes (Reichheld 2003; :func:`cxsim.behaviour.loyalty.nps`).
PROMOTER_MIN = 9
DETRACTOR_MAX = 6

#: The codes :func:`tellers` writes: tells nobody, tells a promoter's story, a detractor's story.
SILENT, PROMOTER, DETRACTOR = 0, 1, 2

#: How many ties ahead :func:`word_of_mouth` prefetches the teller's code, remembered value and
#: story (measured on a small world of ten million customers, a tenth of ties rewired: the
#: listener pass 0.64x of its time without prefetching, 32 to 128 ties ahead alike; 0.9x at a
#: million customers).
AHEAD = 32

#: ``np.nan_to_num``'s stand-ins for infinities.
_BIG = np.finfo(np.float64).max


@numba.njit(nogil=True, cache=True)
def tellers(lo, hi, recommend, went, perf, present, code, story):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """What customers ``lo..hi-1`` pass on this cycle, for :func:`word_of_mouth`.

    ``code[i]``: :data:`PROMOTER` or :data:`DETRACTOR` for a customer who went through the journey
    this cycle (``went``) and is one (``recommend``), :data:`SILENT` otherwise
    (:func:`cxsim.behaviour.wom.telling_probability` is the reach of the code, 0 when silent);
    ``story[i]``: for each teller, what they experienced per touchpoint, NaN where absent (rows of
    silent customers are left as they are, never read). A listener then reads a teller's whole
    story from one row of ``story`` instead of one element of each touchpoint's row of ``perf``
    (about 1.4 times faster at a million customers); with an empty ``story`` (0 rows) only the codes
    are written and :func:`word_of_mouth` reads the draws themselves, which saves the
    ``customers × touchpoints`` buffer.
    """
    n_t = perf.shape[0]
    stories = story.shape[0] > 0  # an empty ``story``: the listeners read ``perf`` and ``present``
    for i0 in range(lo, hi):
        i = _UINDEX(i0)
        r = recommend[i]
        c = SILENT
        if went[i]:
            c = PROMOTER if r >= PROMOTER_MIN else (DETRACTOR if r <= DETRACTOR_MAX else SILENT)
        code[i] = c
        if stories and c != SILENT:
            for j in range(n_t):
                story[i, j] = perf[j, i] if present[j, i] else np.nan


@numba.njit(nogil=True, cache=True)
def word_of_mouth(  # type: ignore[no-untyped-def]
    lo, hi, offsets, src, stream, code, positive_reach, negative_reach, remembered, story, perf, present,
    active, expect, sat, expectation_weight, satisfaction_retention, update,
):  # pragma: no cover - compiled
    """Stories into the listeners ``lo..hi-1``, and their updates, in one pass per listener.

    Each tie's uniform (does the teller tell this contact?) is drawn here, in tie order, from the
    ``wom`` stream's PCG64 state at tie ``offsets[lo]`` (``stream``: :func:`cxsim.draws.states_at`):
    the numbers ``gen.random(n_ties)`` would give the ties, without the array. What the teller
    :data:`AHEAD` ties on will need is prefetched (:func:`cxsim.prefetch.prefetch`): the
    ties a small world rewires lead anywhere in memory. A teller tells with
    probability ``positive_reach`` or ``negative_reach`` by their ``code`` (:func:`tellers`); a
    silent customer's tie draws its uniform all the same. ``remembered`` is the cycle's remembered
    value, read as ``np.nan_to_num`` would give it. A teller's story is their row of ``story``
    (:func:`tellers`) or, when ``story`` has no rows, their column of ``perf`` where ``present``
    (the same numbers). Returns the positive and negative stories heard.
    """
    n_t = perf.shape[0]
    stories = story.shape[0] > 0
    cnt = np.zeros(n_t)
    psum = np.zeros(n_t)
    reach = np.array([0.0, positive_reach, negative_reach])  # by code: a silent teller's uniform is never below 0
    n_positive = 0
    n_negative = 0
    w_hi, w_lo, inc_hi, inc_lo = stream[0], stream[1], stream[2], stream[3]
    end = offsets[hi]
    for d0 in range(lo, hi):
        d = _UINDEX(d0)
        n_all = 0
        n_pos = 0
        rem = 0.0
        for k in range(offsets[d], offsets[d + 1]):
            if k + AHEAD < end:
                f = src[_UINDEX(k + AHEAD)]
                prefetch(code, f)
                prefetch(remembered, f)
                if stories:
                    prefetch(story, f)
            w_hi, w_lo = pcg64_step(w_hi, w_lo, inc_hi, inc_lo)
            s = _UINDEX(src[_UINDEX(k)])
            c = code[s]
            # one branch, rarely taken (a branch on silence first would be mispredicted about half the time)
            if not pcg64_double(w_hi, w_lo) < reach[_UINDEX(c)]:
                continue
            n_all += 1
            n_pos += c == PROMOTER
            x = remembered[s]
            if np.isnan(x):
                x = 0.0
            elif np.isinf(x):
                x = _BIG if x > 0.0 else -_BIG
            rem += x
            for j in range(n_t):
                if stories:
                    y = story[s, j]
                else:
                    y = perf[j, s] if present[j, s] else np.nan
                if not np.isnan(y):
                    cnt[j] += 1.0
                    psum[j] += y
        n_positive += n_pos
        n_negative += n_all - n_pos
        if update and n_all > 0 and active[d]:
            for j in range(n_t):
                if cnt[j] > 0.0:
                    e_ = expect[j, d]
                    expect[j, d] = (psum[j] / cnt[j] - e_) * expectation_weight + e_
            sat[d] = satisfaction_retention * sat[d] + (1.0 - satisfaction_retention) * (rem / n_all)
        if n_all > 0:  # the sums back to zero for the next listener (most hear nothing: no work)
            for j in range(n_t):
                cnt[j] = 0.0
                psum[j] = 0.0
    return n_positive, n_negative
