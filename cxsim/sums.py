"""NumPy's sum of many arrays taken as one, without concatenating them.

``np.sum`` of a float64 array adds pairwise (NumPy's ``pairwise_sum``; Higham 1993, "The accuracy
of floating point summation"): a range of at most 128 values is added by eight running sums, a
longer one is split in two — the first half's length rounded down to a multiple of 8 — and the
halves' sums are added. The last bits of a sum therefore depend on where the halves fall in the
whole array, and summing each part apart and adding the results gives another number.
:func:`concatenated_sum` follows the same halving over the parts as laid end to end: a range that
lies within one part is summed by ``np.add.reduce`` on that part's slice (the same halving, so
the same number), and only the few short ranges that straddle two parts are copied. A run's
operations tally summarises twelve cycles of a million delivery times this way, bit for bit
``np.mean(np.concatenate(parts))``, without the 96 MB copy (``tests/test_sums.py``).

:func:`masked_sums` is the same halving in one compiled pass over the rows of a mask (a cycle's
customers), for the means of a cycle's record: bit for bit ``np.add.reduce(column[mask],
dtype=np.float64)`` without gathering the column.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

import numba
import numpy as np
from numpy.typing import NDArray

#: NumPy's ``PW_BLOCKSIZE``: ranges up to this length are added without halving.
BLOCK = 128

#: A part: a 1-d float64 array, or an ``int`` standing for that many values of ``+0.0``.
Part = NDArray[np.float64] | int


def concatenated_sum(parts: Sequence[Part], nan_as_zero: bool = False) -> float:
    """``np.sum(np.concatenate(parts))`` (parts given as ints: runs of ``+0.0``), the same number.

    ``nan_as_zero``: NaN values count as ``+0.0``, as ``np.nansum`` and ``np.nanmean`` count them.
    Float64 parts only (the halving of other types' sums differs); 0.0 when there are no values.
    """
    sizes = [p if isinstance(p, int) else int(p.size) for p in parts]
    starts = [0, *accumulate(sizes)]

    def values(k: int, lo: int, hi: int) -> NDArray[np.float64]:
        part = parts[k]
        if isinstance(part, int):
            return np.zeros(hi - lo)
        piece = part[lo:hi]
        if nan_as_zero:
            nan = np.isnan(piece)
            if nan.any():
                piece = np.where(nan, 0.0, piece)
        return piece

    def node(start: int, n: int) -> float:
        k = bisect_right(starts, start) - 1  # the last part that begins by ``start``: never an empty one
        if start + n <= starts[k + 1]:  # within one part: numpy's own halving of the slice
            if isinstance(parts[k], int):
                return 0.0
            return float(np.add.reduce(values(k, start - starts[k], start - starts[k] + n)))
        if n <= BLOCK:  # a short range across parts: copied, then numpy's sum of it
            pieces, at, end = [], start, start + n
            while at < end:
                while starts[k + 1] <= at:
                    k += 1
                hi = min(end, starts[k + 1])
                pieces.append(values(k, at - starts[k], hi - starts[k]))
                at = hi
            return float(np.add.reduce(np.concatenate(pieces)))
        half = n // 2
        half -= half % 8
        return node(start, half) + node(start + half, n - half)

    return node(0, starts[-1]) if starts[-1] else 0.0


# ------------------------------------------------------------------------------ compiled, over a mask
#: numpy's buffer size (``np.getbufsize()``): a sum of 32-bit values in 64 bits is taken in chunks
#: of this many values, each chunk pairwise, the chunks' sums added one after another.
CHUNK = 8192


@numba.njit(cache=True, nogil=True)
def _plan(m, size, closes):  # pragma: no cover - compiled
    """The ranges numpy's halving of ``m`` values ends in (at most :data:`BLOCK` values each), in
    order: ``size[k]`` values, after which ``closes[k]`` halvings are complete (the range is the
    right half of that many nested ranges). Returns how many ranges."""
    sizes = np.empty(128, dtype=np.int64)  # the ranges still to visit, and their right-half depth
    depth = np.empty(128, dtype=np.int64)
    top = 0
    sizes[0] = m
    depth[0] = 0
    k = 0
    while top >= 0:
        s = sizes[top]
        r = depth[top]
        top -= 1
        if s <= BLOCK:
            size[k] = s
            closes[k] = r
            k += 1
        else:
            half = s // 2
            half -= half % 8
            top += 1
            sizes[top] = s - half
            depth[top] = r + 1
            top += 1
            sizes[top] = half
            depth[top] = 0
    return k


@numba.njit(cache=True, nogil=True, inline="always")
def _block_sum(buf, n):  # pragma: no cover - compiled
    """The sum numpy takes of ``n <= BLOCK`` values: one running sum from ``-0.0`` below 8 values, else
    eight running sums combined as a balanced tree, then the remainder one by one."""
    if n < 8:
        res = -0.0
        for i in range(n):
            res += buf[i]
        return res
    r0, r1, r2, r3 = buf[0], buf[1], buf[2], buf[3]
    r4, r5, r6, r7 = buf[4], buf[5], buf[6], buf[7]
    i = 8
    end = n - n % 8
    while i < end:
        r0 += buf[i]
        r1 += buf[i + 1]
        r2 += buf[i + 2]
        r3 += buf[i + 3]
        r4 += buf[i + 4]
        r5 += buf[i + 5]
        r6 += buf[i + 6]
        r7 += buf[i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += buf[i]
        i += 1
    return res


@numba.njit(cache=True, nogil=True)
def masked_sums(went, columns, chunk):  # pragma: no cover - compiled
    """``np.add.reduce(column[went], dtype=np.float64)`` for each of ``columns`` (a tuple of 1-d
    arrays of one type), in one pass over the rows and without gathering them: the values that
    went are collected :data:`BLOCK` at a time and summed as numpy sums each range its halving ends
    in, and the ranges' sums are combined as the halving nests them (:func:`_plan`). ``chunk``:
    :data:`CHUNK` for 32-bit columns (numpy's buffered sum in 64 bits), 0 for 64-bit ones (one
    pairwise sum of all the values)."""
    n_cols = len(columns)
    m = 0
    for i in range(went.size):
        m += went[i]
    out = np.zeros(n_cols)  # numpy's reductions start from +0.0 (a sum of negative zeros is +0.0)
    if m == 0:
        return out
    whole = m if chunk == 0 else min(chunk, m)
    size = np.empty(whole // 56 + 2, dtype=np.int64)
    closes = np.empty(whole // 56 + 2, dtype=np.int64)
    leaves = _plan(whole, size, closes)
    buf = np.empty((n_cols, BLOCK))
    stack = np.empty((n_cols, 64))
    top = 0
    leaf = 0
    pos = 0
    left = m  # values still to come
    for i in range(went.size):
        for c in range(n_cols):
            buf[c, pos] = columns[c][i]
        pos += went[i]
        if pos < size[leaf]:
            continue
        for c in range(n_cols):  # a range is complete: its sum, then the halvings it completes
            stack[c, top] = _block_sum(buf[c], pos)
        top += 1
        for _ in range(closes[leaf]):
            top -= 1
            for c in range(n_cols):
                stack[c, top - 1] = stack[c, top - 1] + stack[c, top]
        left -= pos
        pos = 0
        leaf += 1
        if leaf == leaves:  # a chunk is complete: added to the sum of the chunks before it
            for c in range(n_cols):
                out[c] = out[c] + stack[c, 0]
            top = 0
            leaf = 0
            if 0 < left < whole:  # the last, shorter chunk
                whole = left
                leaves = _plan(whole, size, closes)
    return out
