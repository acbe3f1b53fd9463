"""Compiled passes that build a :class:`~cxsim.behaviour.network.Network` in compressed form.

The ties are placed straight into the listener-sorted array of tellers (compressed sparse rows:
``offsets`` and ``src``) with a counting sort, so no array of all the ties' two ends is ever held.
The ties are split into consecutive blocks, one per thread (at most
:data:`cxsim.behaviour.network.MOST_BLOCKS`), and every pass works on one block
(or, for :func:`listener_starts`, one range of listeners) alone:

1. each block counts its ties into each listener, in its own row of a ``blocks × customers``
   table of 32-bit counts (:func:`ring_counts`, :func:`pair_counts`);
2. per listener, the rows become where each block's ties begin among the listener's ties, and
   the listeners' totals become ``offsets`` (:func:`listener_starts`);
3. each block writes its ties into their slots (:func:`ring_place`, :func:`pair_place`).

A listener's ties end up in the order of the blocks, and within a block in tie order, whatever
the number of blocks: the order of ties ``a→b`` first, in tie order, then ``b→a`` (see
:func:`cxsim.behaviour.network.small_world`), the same network on any number of threads. A small
world of ``n`` customers with ``degree`` contacts costs ``4·degree + 8`` bytes a customer (32-bit
tellers, 64-bit offsets) plus, while it is built, one byte per undirected tie and four bytes per
customer and block.
"""

from __future__ import annotations

import numba

from cxsim.prefetch import prefetch, prefetch_write

_U = numba.uint64  # indices are never negative: unsigned indexing skips numba's wraparound check

#: How many moved ties ahead the ring's passes prefetch the far end's count or slot (and, half as
#: far ahead, the slot's place in ``src``).
AHEAD = 16


@numba.njit(nogil=True, cache=True)
def _ring_end(i, h, n):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """The far end of the ring tie from ``i`` to its ``h``-th neighbour on the right."""
    b = i + h
    return b - n if b >= n else b


@numba.njit(nogil=True, cache=True)
def shift_past(new, moved, half, k0, k1, p):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """``new[q] += new[q] >= i`` for the moved ties among ties ``k0..k1-1`` (the first of them is
    ``new[p]``), ``i = k // half`` the tie's near end: no self-ties."""
    for k in range(k0, k1):
        if moved[_U(k)]:
            if new[_U(p)] >= k // half:
                new[_U(p)] += 1
            p += 1


@numba.njit(nogil=True, cache=True)
def ring_counts(i0, i1, n, half, moved, new, p, counts):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """``counts[b] += 1`` for each ring tie ``i→b`` of customers ``i0..i1-1`` (``counts``: the
    block's row). Tie ``k = i·half + h - 1`` joins ``i`` and its ``h``-th right neighbour or, when
    ``moved[k]``, the next of ``new`` (the block's first is ``new[p]``). The ties ``b→i`` are
    ``half`` per customer and need no count. The count of a moved tie's far end, anywhere among
    the customers, is prefetched :data:`AHEAD` moved ties before it is incremented."""
    for q in range(p, min(p + AHEAD, new.size)):
        prefetch_write(counts, new[_U(q)])
    for i in range(i0, i1):
        for h in range(1, half + 1):
            if moved[_U(i * half + h - 1)]:
                b = new[_U(p)]
                if p + AHEAD < new.size:
                    prefetch_write(counts, new[_U(p + AHEAD)])
                p += 1
            else:
                b = _ring_end(i, h, n)
            counts[_U(b)] += 1


@numba.njit(nogil=True, cache=True)
def listener_starts(d0, d1, extra, counts, offsets):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """For listeners ``d0..d1-1``: ``counts[t, d]`` (block ``t``'s ties into ``d``) becomes the
    number of ties into ``d`` of the blocks before ``t``, where block ``t``'s ties begin among
    ``d``'s; ``offsets[d + 1]`` the ties into ``d0..d``, each listener with ``extra`` more after
    the blocks' (the ring's ``b→i`` ties). Returns the range's total; adding the totals of the
    ranges before it to ``offsets[d0 + 1:d1 + 1]`` finishes ``offsets``."""
    total = 0
    for d in range(d0, d1):
        run = 0
        for t in range(counts.shape[0]):
            c = counts[t, _U(d)]
            counts[t, _U(d)] = run
            run += c
        total += run + extra
        offsets[_U(d + 1)] = total
    return total


@numba.njit(nogil=True, cache=True)
def ring_place(i0, i1, n, half, moved, new, p, offsets, starts, src):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """The ring ties of customers ``i0..i1-1`` into their slots: ``i→b`` at listener ``b``'s
    ``offsets[b] + starts[b]`` (``starts``: the block's row from :func:`listener_starts`, moved on
    as slots fill), ``b→i`` in customer ``i``'s last ``half`` slots, in ``h`` order. A moved
    tie's listener is anywhere among the customers: its start and offset are prefetched
    :data:`AHEAD` moved ties before its slot is filled, and the slot itself half as far ahead
    (a slot taken meanwhile by another tie only makes the prefetch miss its mark)."""
    near = AHEAD // 2
    for q in range(p, min(p + AHEAD, new.size)):
        prefetch_write(starts, new[_U(q)])
        prefetch(offsets, new[_U(q)])
    for i in range(i0, i1):
        last = offsets[_U(i + 1)] - half
        for h in range(1, half + 1):
            if moved[_U(i * half + h - 1)]:
                b = new[_U(p)]
                if p + AHEAD < new.size:
                    f = new[_U(p + AHEAD)]
                    prefetch_write(starts, f)
                    prefetch(offsets, f)
                if p + near < new.size:
                    f = new[_U(p + near)]
                    prefetch_write(src, offsets[_U(f)] + starts[_U(f)])
                p += 1
            else:
                b = _ring_end(i, h, n)
            src[_U(offsets[_U(b)] + starts[_U(b)])] = i
            starts[_U(b)] += 1
            src[_U(last + h - 1)] = b


@numba.njit(nogil=True, cache=True)
def pair_counts(k0, k1, a, b, forward, backward):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Ties ``k0..k1-1`` counted by listener: ``a[k]→b[k]`` into ``forward``, ``b[k]→a[k]`` into
    ``backward`` (the block's two rows)."""
    for k in range(k0, k1):
        forward[_U(b[_U(k)])] += 1
        backward[_U(a[_U(k)])] += 1


@numba.njit(nogil=True, cache=True)
def pair_place(k0, k1, a, b, offsets, forward, backward, src):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Ties ``k0..k1-1`` into their slots: ``a[k]→b[k]`` at ``offsets[b[k]] + forward[b[k]]``,
    ``b[k]→a[k]`` at ``offsets[a[k]] + backward[a[k]]`` (the block's rows from
    :func:`listener_starts`, moved on as slots fill)."""
    for k in range(k0, k1):
        x, y = a[_U(k)], b[_U(k)]
        src[_U(offsets[_U(y)] + forward[_U(y)])] = x
        forward[_U(y)] += 1
        src[_U(offsets[_U(x)] + backward[_U(x)])] = y
        backward[_U(x)] += 1
