"""Exact quantiles of many large arrays without concatenating or sorting them.

A run of a million customers over twelve cycles summarises ten million waits and delivery times
by their 90th percentile. ``np.quantile(np.concatenate(parts), q)`` copies them twice and
partitions the copy; :func:`quantile` finds the two order statistics numpy's linear method
interpolates between with a histogram over the value range (65,536 bins, one pass per part),
keeps only the values of the bins that hold them (one more compiled pass), sorts those few, and interpolates exactly as
numpy does (Hyndman & Fan 1996, definition 7). ``tests/test_quantile.py`` checks equality with
``np.quantile`` bit for bit, NaN, ties and constant data included.
"""

from __future__ import annotations

from collections.abc import Sequence

import numba
import numpy as np
from numpy.typing import NDArray

BINS = 65536


@numba.njit(nogil=True, cache=True)
def _histogram(x, lo, scale, counts):  # pragma: no cover - compiled
    top = counts.size - 1
    for v in x:
        counts[min(int((v - lo) * scale), top)] += 1


@numba.njit(nogil=True, cache=True)
def _select(x, lo, scale, top, first, last, out, m):  # pragma: no cover - compiled
    """Append to ``out`` from ``m`` on the values of ``x`` whose bin is in ``first..last``; the new ``m``."""
    for v in x:
        b = min(int((v - lo) * scale), top)
        if first <= b <= last:
            out[m] = v
            m += 1
    return m


def _bin_of_rank(cum: NDArray[np.int64], rank: int) -> int:
    return int(np.searchsorted(cum, rank, side="right"))


def quantile(parts: Sequence[NDArray[np.float64]], q: float) -> float:
    """``np.quantile(np.concatenate(parts), q)`` (linear method), the same number.

    Args:
        parts: 1-d float arrays (the values of each cycle, say); empty ones are allowed.
        q: the probability, in [0, 1].

    Returns:
        The quantile; NaN when any value is NaN or there are no values (as numpy, which warns
        on the empty case; this does not).
    """
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"q: {q!r} is not allowed; allowed: a probability in [0, 1]")
    parts = [np.asarray(p, dtype=np.float64).ravel() for p in parts]
    parts = [p for p in parts if p.size]
    n = sum(p.size for p in parts)
    if n == 0:
        return float("nan")
    lo = min(float(p.min()) for p in parts)  # NaN propagates through min and max
    hi = max(float(p.max()) for p in parts)
    if np.isnan(lo) or np.isnan(hi):
        return float("nan")
    if not (np.isfinite(lo) and np.isfinite(hi)):  # infinite values: numpy's own way
        return float(np.quantile(np.concatenate(parts), q))
    virtual = (n - 1) * np.float64(q)  # numpy's virtual index for the linear method
    below = int(np.floor(virtual))
    ranks = (below, min(below + 1, n - 1))
    if hi > lo and np.isfinite(BINS / (hi - lo)):
        scale = BINS / (hi - lo)
        counts = np.zeros(BINS, dtype=np.int64)
        for p in parts:
            _histogram(p, lo, scale, counts)
        cum = np.cumsum(counts)
        first, last = (_bin_of_rank(cum, r) for r in ranks)
        skipped = int(cum[first - 1]) if first > 0 else 0
        pool = np.empty(int(cum[last]) - skipped)
        m = 0
        for p in parts:  # the values of bins first..last (binning is monotone in the value)
            m = _select(p, lo, scale, BINS - 1, first, last, pool, m)
        pool.sort()
        a, b = pool[ranks[0] - skipped], pool[ranks[1] - skipped]
    else:  # every value the same
        a = b = np.float64(lo)
    gamma = virtual - below
    diff = b - a
    return float(b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma)
