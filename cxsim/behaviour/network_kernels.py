"""Compiled passes that build a :class:`~cxsim.behaviour.network.Network` in compressed form.

The ties are placed straight into the listener-sorted array of tellers (compressed sparse rows:
``offsets`` and ``src``) with a counting sort, two passes over the ties in their order, so no array
of all the ties' two ends is ever held: a small world of ``n`` customers with ``degree`` contacts
costs ``4·degree + 8`` bytes a customer (32-bit tellers, 64-bit offsets) plus one byte per
undirected tie while it is built. The order within each listener's ties is that of the ties
``a→b`` first, in tie order, then ``b→a`` (see :func:`cxsim.behaviour.network.small_world`).
"""

from __future__ import annotations

import numba
import numpy as np

from cxsim.prefetch import prefetch_write

_U = numba.uint64  # indices are never negative: unsigned indexing skips numba's wraparound check


@numba.njit(nogil=True, cache=True)
def _ring_end(i, h, n):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """The far end of the ring tie from ``i`` to its ``h``-th neighbour on the right."""
    b = i + h
    return b - n if b >= n else b


#: How many moved ties ahead the ring's passes prefetch the far end's count or slot (and, half as
#: far ahead, the slot's place in ``src``).
AHEAD = 16


@numba.njit(nogil=True, cache=True)
def ring_counts(n, half, moved, new, counts):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Ties per customer of the rewired ring: tie ``k = i·half + h - 1`` joins ``i`` and its
    ``h``-th right neighbour, or, when ``moved[k]``, the next of ``new`` (already past ``i``).
    The count of a moved tie's far end, anywhere among the customers, is prefetched :data:`AHEAD`
    moved ties before it is incremented."""
    for p in range(min(AHEAD, new.size)):
        prefetch_write(counts, new[_U(p)])
    p = 0
    for i in range(n):
        for h in range(1, half + 1):
            if moved[_U(i * half + h - 1)]:
                b = new[_U(p)]
                if p + AHEAD < new.size:
                    prefetch_write(counts, new[_U(p + AHEAD)])
                p += 1
            else:
                b = _ring_end(i, h, n)
            counts[_U(i)] += 1
            counts[_U(b)] += 1


@numba.njit(nogil=True, cache=True)
def ring_place(n, half, moved, new, next_slot, src):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """The rewired ring's tellers by listener: ties ``i→b`` (listener ``b``), then ``b→i``.

    A moved tie's listener is anywhere among the customers: its next slot is prefetched
    :data:`AHEAD` moved ties before it is filled, and that slot's place in ``src`` half as far
    ahead (read from ``next_slot``, by then in cache; a slot taken meanwhile by another tie only
    makes the prefetch miss its mark)."""
    near = AHEAD // 2
    for direction in range(2):
        if direction == 0:
            for q in range(min(AHEAD, new.size)):
                prefetch_write(next_slot, new[_U(q)])
            for q in range(min(near, new.size)):
                prefetch_write(src, next_slot[_U(new[_U(q)])])
        p = 0
        for i in range(n):
            for h in range(1, half + 1):
                if moved[_U(i * half + h - 1)]:
                    b = new[_U(p)]
                    if direction == 0:
                        if p + AHEAD < new.size:
                            prefetch_write(next_slot, new[_U(p + AHEAD)])
                        if p + near < new.size:
                            prefetch_write(src, next_slot[_U(new[_U(p + near)])])
                    p += 1
                else:
                    b = _ring_end(i, h, n)
                d, s = (b, i) if direction == 0 else (i, b)
                src[_U(next_slot[_U(d)])] = s
                next_slot[_U(d)] += 1


@numba.njit(nogil=True, cache=True)
def pair_counts(a, b, counts):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Ties per customer of the ties ``a[k]–b[k]``."""
    for k in range(a.size):
        counts[_U(a[_U(k)])] += 1
        counts[_U(b[_U(k)])] += 1


@numba.njit(nogil=True, cache=True)
def pair_place(a, b, next_slot, src):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Tellers by listener of the ties ``a[k]→b[k]`` (listener ``b``), then ``b[k]→a[k]``."""
    for direction in range(2):
        for k in range(a.size):
            d, s = (b[_U(k)], a[_U(k)]) if direction == 0 else (a[_U(k)], b[_U(k)])
            src[_U(next_slot[_U(d)])] = s
            next_slot[_U(d)] += 1


@numba.njit(nogil=True, cache=True)
def shift_past(new, moved, half):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """``new[p] += new[p] >= i``, ``i`` the near end of the ``p``-th moved tie: no self-ties."""
    p = 0
    for k in range(moved.size):
        if moved[k]:
            if new[p] >= k // half:
                new[p] += 1
            p += 1


def offsets_of(counts: np.ndarray) -> np.ndarray:
    """``offsets`` with ``offsets[d + 1] - offsets[d] = counts[d]`` (int64, from 0)."""
    offsets = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets
