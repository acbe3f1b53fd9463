"""A cycle's counts for its record, in one compiled pass (numba) per block of customers.

A row of the ``cycles`` table (:class:`cxsim.engine.records.Recorder`) is mostly counts over the
cycle's customers: how many went through the journey, stayed, left, are promoters or detractors,
their terrible moments, their encounters with each touchpoint and how many of them are in each
segment (the revenue). In numpy each count is a pass of its own over a gathered copy of a column;
here every count is taken in one pass over the population, a block of customers per thread. The
counts are integers, so the blocks add up to the same numbers on any number of threads, and they
are the numbers numpy's counts give. The means are summed by :func:`cxsim.sums.masked_sums`, in
numpy's order of adding (a float sum's last bits depend on it); :func:`compress` gathers a column's
rows when they are kept (the figures' last cycle, a revenue numpy must sum).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

from cxsim.workers import Workers

_U = numba.uint64  # indices are never negative: unsigned indexing skips numba's wraparound check

#: Net Promoter classes (Reichheld 2003; :func:`cxsim.behaviour.loyalty.nps`).
PROMOTER_MIN = 9
DETRACTOR_MAX = 6

#: Positions in the array :func:`block_counts` returns; the segments' counts follow, then the
#: touchpoints' encounters.
WENT, STILL, CHURNED, PROMOTERS, DETRACTORS, TERRIBLE, FIRST = range(7)
HEAD = 7


@numba.njit(cache=True, nogil=True)
def block_counts(lo, hi, went, active, segment, churned, recommend, terrible, present, n_seg):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Counts over customers ``lo..hi-1``: see :data:`WENT` … :data:`FIRST` (the first row that
    went, ``hi`` when none did), then customers per segment, then encounters per touchpoint.

    ``present`` is the ``(T, n)`` touchpoint-major buffer; ``terrible`` holds whole numbers (in
    whatever float or integer type). Each count is a branch-free loop over one or a few columns
    (the compiler makes it a vector loop): the outcomes are random, so branches would be mispredicted.
    """
    n_t = present.shape[0]
    out = np.zeros(HEAD + n_seg + n_t, dtype=np.int64)
    still = 0
    n_went = 0
    left = 0
    promoters = 0
    detractors = 0
    bad = 0
    for i0 in range(lo, hi):
        i = _U(i0)
        w = went[i]
        r = recommend[i]
        still += active[i]
        n_went += w
        left += w & churned[i]
        promoters += w & (r >= PROMOTER_MIN)
        detractors += w & (r <= DETRACTOR_MAX)
        bad += np.int64(terrible[i]) * w
    for s in range(n_seg):
        k = 0
        for i0 in range(lo, hi):
            k += went[_U(i0)] & (segment[_U(i0)] == s)
        out[HEAD + s] = k
    for j in range(n_t):
        k = 0
        for i0 in range(lo, hi):
            k += went[_U(i0)] & present[j, _U(i0)]
        out[HEAD + n_seg + j] = k
    first = hi
    for i0 in range(lo, hi):
        if went[_U(i0)]:
            first = i0
            break
    out[WENT] = n_went
    out[STILL] = still
    out[CHURNED] = left
    out[PROMOTERS] = promoters
    out[DETRACTORS] = detractors
    out[TERRIBLE] = bad
    out[FIRST] = first
    return out


@numba.njit(cache=True, nogil=True)
def _count(lo, hi, went):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    k = 0
    for i0 in range(lo, hi):
        k += went[_U(i0)]
    return k


@numba.njit(cache=True, nogil=True)
def _compress(lo, hi, went, x, out, at, end):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """``out[at:end] = x[lo:hi][went[lo:hi]]``: every row is written to the next free place, which
    advances only past the rows that went (no jump on ``went``, which is random); the place is
    past ``end`` only after the block's last such row, where the next block's rows begin."""
    for i0 in range(lo, hi):
        i = _U(i0)
        if at < end:  # true up to the block's last row that went: predicted
            out[_U(at)] = x[i]
        at += went[i]


def compress(x: NDArray[Any], went: NDArray[np.bool_], workers: Workers | None = None) -> NDArray[Any]:
    """``x[went]`` (the same values, in order), blocks of rows side by side on ``workers``."""
    pool = workers if workers is not None else Workers(1)
    blocks = pool.blocks(went.size)
    starts = np.cumsum([0, *pool.map(lambda b: _count(b[0], b[1], went), blocks)]).tolist()
    out = np.empty(starts[-1], dtype=x.dtype)
    pool.map(lambda k: _compress(*blocks[k], went, x, out, starts[k], starts[k + 1]), range(len(blocks)))
    return out


@dataclass(frozen=True)
class CycleCounts:
    """A cycle's counts over its customers (those who went through the journey)."""

    went: int  #: customers this cycle
    still: int  #: customers active after it (whether or not they went)
    churned: int
    promoters: int  #: recommend 9-10
    detractors: int  #: recommend 0-6
    terrible: int  #: terrible moments
    first: int  #: the first row that went; -1 when nobody did
    per_segment: NDArray[np.int64]  #: customers by segment
    encounters: NDArray[np.int64]  #: moments by touchpoint


def cycle_counts(went: NDArray[np.bool_], active: NDArray[np.bool_], segment: NDArray[np.integer],
                 churned: NDArray[np.bool_], recommend: NDArray[np.int8], terrible: NDArray[Any],
                 present: NDArray[np.bool_], n_seg: int, workers: Workers | None = None) -> CycleCounts:
    """:func:`block_counts` over the whole population, blocks side by side on ``workers``.
    ``present``: the ``(T, n)`` touchpoint-major buffer."""
    pool = workers if workers is not None else Workers(1)
    blocks = pool.blocks(went.size)

    def count(block: tuple[int, int]) -> NDArray[np.int64]:
        return block_counts(*block, went, active, segment, churned, recommend, terrible, present, n_seg)

    parts = pool.map(count, blocks)
    total: NDArray[np.int64] = np.sum(parts, axis=0, dtype=np.int64)
    first = min((int(p[FIRST]) for p, (_, hi) in zip(parts, blocks) if p[FIRST] < hi), default=-1)
    head = total[:HEAD].tolist()
    return CycleCounts(went=head[WENT], still=head[STILL], churned=head[CHURNED], promoters=head[PROMOTERS],
                       detractors=head[DETRACTORS], terrible=head[TERRIBLE], first=first,
                       per_segment=total[HEAD:HEAD + n_seg], encounters=total[HEAD + n_seg:])
