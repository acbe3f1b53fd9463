"""Social networks for word of mouth, in compressed sparse rows (no Python object per edge).

A network holds the directed ties along which a story can travel (every undirected tie appears in
both directions), grouped by listener: the tellers of customer ``d`` are
``src[offsets[d]:offsets[d + 1]]``. ``src`` holds 32-bit customer numbers (64-bit only past two
billion customers) and ``offsets`` 64-bit positions, so a small world of 1,000,000 customers with 6
contacts each is 6,000,000 directed ties in 24 MB plus 8 MB of offsets. Word of mouth reads a
listener's tellers in one contiguous run, blocks of listeners on separate threads.

The networks are built by compiled passes (:mod:`cxsim.behaviour.network_kernels`) from the
``network`` stream, blocks of ties side by side on worker threads, with the same ties, in the same
order, as building every tie's two ends as arrays and sorting them by listener would give — on
any number of threads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cxsim.workers import Workers

Index = NDArray[np.int32] | NDArray[np.int64]

#: At most this many blocks of ties build a network, whatever the number of threads: each block
#: holds a 32-bit count per customer while the network is built (two blocks build a small world of
#: 4 M customers 1.6 times as fast as one: ``benchmarks/results/network.txt``).
MOST_BLOCKS = 8

#: Largest population whose customer numbers fit ``src``'s 32-bit integers.
INT32_CUSTOMERS = int(np.iinfo(np.int32).max)


def index_dtype(n: int) -> type[np.signedinteger]:
    """The smallest signed integer type that numbers ``n`` customers: int32, or int64 past 2³¹ - 1."""
    return np.int32 if n <= INT32_CUSTOMERS else np.int64


@dataclass(frozen=True)
class Network:
    """Directed ties of a population of ``n`` customers (both directions of each tie), by listener.

    Attributes:
        n: customers.
        src: the teller of each directed tie, grouped by listener.
        offsets: ``n + 1`` positions: listener ``d``'s ties are ``offsets[d]:offsets[d + 1]``.
    """

    n: int
    src: Index
    offsets: NDArray[np.int64]

    @property
    def n_ties(self) -> int:
        """Number of directed ties."""
        return int(self.src.size)

    @property
    def dst(self) -> NDArray[np.int64]:
        """The listener of each tie (built on request: the network itself does not hold it)."""
        return np.repeat(np.arange(self.n, dtype=np.int64), np.diff(self.offsets))

    def degree(self) -> NDArray[np.int64]:
        """Contacts per customer."""
        return np.bincount(self.src, minlength=self.n)

    def listener_offsets(self) -> NDArray[np.int64]:
        """``offsets``: the ties into customer ``d`` are at ``offsets[d]:offsets[d + 1]``."""
        return self.offsets


def _empty(n: int) -> Network:
    return Network(n, np.zeros(0, dtype=index_dtype(n)), np.zeros(n + 1, dtype=np.int64))


def small_world(n: int, degree: int, rewire: float, rng: np.random.Generator,
                workers: Workers | None = None) -> Network:
    """Watts & Strogatz (1998) small world, built in compiled passes.

    Each customer ``i`` is tied to its ``degree // 2`` nearest neighbours on each side of a ring
    (tie ``k = i·half + h - 1`` to neighbour ``i + h``); each tie's far end is then moved to a
    uniformly random other customer with probability ``rewire`` (one uniform per tie in tie order,
    then one integer per moved tie). Rewiring can, rarely, duplicate a tie (about
    ``rewire·degree/n`` of ties); duplicates are kept rather than paying a sort of all ties, so
    such a pair hears each other's stories twice. ``workers`` builds it in blocks side by side,
    the uniforms included (each block from the stream's state at its first tie): the same
    network, and the same stream afterwards, on any number of threads.
    """
    # numba: imported on first use only
    from cxsim.behaviour.network_kernels import ring_counts, ring_place, shift_past

    half = min(degree // 2, (n - 1) // 2)
    if n < 2 or half < 1:
        return _empty(n)
    pool = workers if workers is not None else Workers(1)
    customers = pool.blocks(n, MOST_BLOCKS)
    moved = np.empty(n * half, dtype=bool)
    _below_in_blocks(rng, moved, rewire, [(lo * half, hi * half) for lo, hi in customers], pool)
    first = np.cumsum([0, *(np.count_nonzero(moved[lo * half:hi * half]) for lo, hi in customers)]).tolist()
    new = rng.integers(0, n - 1, size=first[-1], dtype=np.int64)
    blocks = range(len(customers))
    pool.map(lambda t: shift_past(new, moved, half, customers[t][0] * half, customers[t][1] * half, first[t]), blocks)
    counts = np.zeros((len(customers), n), dtype=np.int32)  # ties i→b by block and listener
    pool.map(lambda t: ring_counts(*customers[t], n, half, moved, new, first[t], counts[t]), blocks)
    offsets = _offsets(counts, half, pool)
    src = np.empty(2 * n * half, dtype=index_dtype(n))
    pool.map(lambda t: ring_place(*customers[t], n, half, moved, new, first[t], offsets, counts[t], src), blocks)
    return Network(n, src, offsets)


def random_network(n: int, degree: int, rng: np.random.Generator, workers: Workers | None = None) -> Network:
    """Random ties (Erdős–Rényi style) with mean ``degree`` contacts per customer; ``workers``
    places them in blocks side by side (the same network on any number of threads)."""
    from cxsim.behaviour.network_kernels import pair_counts, pair_place  # numba: on first use only

    m = (n * degree) // 2
    if n < 2 or m < 1:
        return _empty(n)
    pool = workers if workers is not None else Workers(1)
    a = rng.integers(0, n, size=m, dtype=np.int64)
    b = rng.integers(0, n - 1, size=m, dtype=np.int64)
    b += b >= a
    ties = pool.blocks(m, MOST_BLOCKS)
    blocks = range(len(ties))
    # ties a→b of every block first, then b→a: each listener's ties in the order of the rows
    counts = np.zeros((2 * len(ties), n), dtype=np.int32)
    pool.map(lambda t: pair_counts(*ties[t], a, b, counts[t], counts[len(ties) + t]), blocks)
    offsets = _offsets(counts, 0, pool)
    src = np.empty(2 * m, dtype=index_dtype(n))
    pool.map(lambda t: pair_place(*ties[t], a, b, offsets, counts[t], counts[len(ties) + t], src), blocks)
    return Network(n, src, offsets)


def _below_in_blocks(rng: np.random.Generator, out: NDArray[np.bool_], p: float,
                     blocks: list[tuple[int, int]], pool: Workers) -> None:
    """``out`` ← ``rng.random(out.size) < p``, the ``blocks`` of ``out`` drawn side by side from
    the stream's states at their first draw; ``rng`` ends where drawing them all leaves it."""
    from cxsim.draws import advance, below_at, below_into, states_at  # numba: on first use only

    if type(rng.bit_generator) is not np.random.PCG64 or len(blocks) < 2:
        below_into(rng, out, p)
        return
    states = states_at(rng, np.array([lo for lo, _ in blocks], dtype=np.int64))
    pool.map(lambda t: below_at(states[t], out[blocks[t][0]:blocks[t][1]], p), range(len(blocks)))
    advance(rng, out.size)


def _offsets(counts: NDArray[np.int32], extra: int, pool: Workers) -> NDArray[np.int64]:
    """``offsets`` of the listeners whose ties the rows of ``counts`` count by block (each with
    ``extra`` more after them); the rows become where each block's ties begin (a listener at a
    time: :func:`cxsim.behaviour.network_kernels.listener_starts`, ranges of listeners side by side)."""
    from cxsim.behaviour.network_kernels import listener_starts  # numba: on first use only

    n = counts.shape[1]
    offsets = np.zeros(n + 1, dtype=np.int64)
    listeners = pool.blocks(n)
    totals = pool.map(lambda r: listener_starts(*r, extra, counts, offsets), listeners)
    bases = np.cumsum([0, *totals[:-1]]).tolist()

    def shift(t: int) -> None:  # a range's offsets on from the ties of the ranges before it
        lo, hi = listeners[t]
        offsets[lo + 1:hi + 1] += bases[t]

    pool.map(shift, range(len(listeners)))
    return offsets


def no_network(n: int) -> Network:
    """Nobody talks to anybody."""
    return _empty(n)
