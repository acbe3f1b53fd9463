"""The market's passes over the population, compiled (numba): one pass, no temporaries.

:func:`cxsim.engine.market.market_step` needs, per segment, this cycle's customers, the sum of
their satisfaction, those who left, promoters and detractors — and the first free rows for the
new customers. In numpy that is a dozen passes over the population, each with a temporary mask
(as long again as a journey step at a million customers); here it is one pass, and the search for
free rows stops at the last one needed.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray


@numba.njit(cache=True, nogil=True)
def segment_tally(segment, went, churned, recommend, satisfaction, active, cohort, n_seg):  # type: ignore[no-untyped-def]
    """Per segment: customers this cycle, their summed satisfaction, leavers, promoters (9-10),
    detractors (0-6); and ``cohort &= active`` in the same pass (the starting customers still ours).

    Returns a ``(5, n_seg)`` float array in that order.
    """
    count = np.zeros(n_seg, dtype=np.int64)
    total = np.zeros(n_seg)
    left = np.zeros(n_seg, dtype=np.int64)
    promoters = np.zeros(n_seg, dtype=np.int64)
    detractors = np.zeros(n_seg, dtype=np.int64)
    for i in range(segment.size):  # branch-free (selects, not jumps): the outcomes are random
        cohort[i] = cohort[i] & active[i]
        w = went[i]
        s = segment[i] if w else 0
        r = recommend[i]
        count[s] += w
        total[s] += satisfaction[i] if w else 0.0  # adding +0.0 leaves every sum as it was
        left[s] += w & churned[i]
        promoters[s] += w & (r >= 9)
        detractors[s] += w & (r <= 6)
    out = np.empty((5, n_seg))
    out[0] = count
    out[1] = total
    out[2] = left
    out[3] = promoters
    out[4] = detractors
    return out


@numba.njit(cache=True, nogil=True)
def _column_sums(segment, columns, out):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """``out[s, j] += columns[j, i]`` for every row ``i`` of segment ``s``, added in row order."""
    for j in range(columns.shape[0]):
        for i in range(segment.size):
            out[segment[i], j] += columns[j, i]


def segment_means(segment: NDArray[np.integer], columns: NDArray[np.floating], n_seg: int) -> NDArray[np.float64]:
    """``(S, T)``: per segment, the mean of each of the ``(T, n)`` ``columns`` over the rows of that
    segment (0 where a segment has none) — numpy's ``columns.T[rows].mean(axis=0)`` bit for bit.

    numpy reduces such a gathered ``(m, T)`` array along its rows one row at a time (the reduced
    axis is the outer loop), in the columns' type, from ``-0.0``, then divides by the count as an
    ``intp``; :func:`_column_sums` adds in the same order without gathering the rows, which at a
    million customers is most of the market's set-up.
    """
    sums = np.full((n_seg, columns.shape[0]), -0.0, dtype=columns.dtype)
    _column_sums(segment, columns, sums)
    counts = np.bincount(segment, minlength=n_seg)
    means = np.zeros((n_seg, columns.shape[0]))
    for s in range(n_seg):
        if counts[s]:
            row = sums[s]
            means[s] = np.true_divide(row, np.intp(counts[s]), out=row, casting="unsafe")
    return means


@numba.njit(cache=True, nogil=True)
def first_free(active, k):  # type: ignore[no-untyped-def]
    """The first ``k`` rows (ascending) that are not active, fewer if there are not ``k``."""
    out = np.empty(k, dtype=np.intp)
    m = 0
    for i in range(active.size):
        if m == k:
            break
        if not active[i]:
            out[m] = i
            m += 1
    return out[:m]
