"""Social networks for word of mouth, in compressed sparse rows (no Python object per edge).

A network holds the directed ties along which a story can travel (every undirected tie appears in
both directions), grouped by listener: the tellers of customer ``d`` are
``src[offsets[d]:offsets[d + 1]]``. ``src`` holds 32-bit customer numbers (64-bit only past two
billion customers) and ``offsets`` 64-bit positions, so a small world of 1,000,000 customers with 6
contacts each is 6,000,000 directed ties in 24 MB plus 8 MB of offsets. Word of mouth reads a
listener's tellers in one contiguous run, blocks of listeners on separate threads.

The networks are built by compiled passes (:mod:`cxsim.behaviour.network_kernels`) from the
``network`` stream, with the same ties, in the same order, as building every tie's two ends as
arrays and sorting them by listener would give.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Index = NDArray[np.int32] | NDArray[np.int64]

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


def small_world(n: int, degree: int, rewire: float, rng: np.random.Generator) -> Network:
    """Watts & Strogatz (1998) small world, built in compiled passes.

    Each customer ``i`` is tied to its ``degree // 2`` nearest neighbours on each side of a ring
    (tie ``k = i·half + h - 1`` to neighbour ``i + h``); each tie's far end is then moved to a
    uniformly random other customer with probability ``rewire`` (one uniform per tie in tie order,
    then one integer per moved tie). Rewiring can, rarely, duplicate a tie (about
    ``rewire·degree/n`` of ties); duplicates are kept rather than paying a sort of all ties, so
    such a pair hears each other's stories twice.
    """
    # numba: imported on first use only
    from cxsim.behaviour.network_kernels import offsets_of, ring_counts, ring_place, shift_past
    from cxsim.draws import below_into

    half = min(degree // 2, (n - 1) // 2)
    if n < 2 or half < 1:
        return _empty(n)
    moved = np.empty(n * half, dtype=bool)
    below_into(rng, moved, rewire)
    new = rng.integers(0, n - 1, size=int(np.count_nonzero(moved)), dtype=np.int64)
    shift_past(new, moved, half)  # skip the customer itself: no self-ties
    counts = np.zeros(n, dtype=np.int64)
    ring_counts(n, half, moved, new, counts)
    offsets = offsets_of(counts)
    del counts
    src = np.empty(2 * n * half, dtype=index_dtype(n))
    ring_place(n, half, moved, new, offsets[:-1].copy(), src)  # O(ties), unlike a sort
    return Network(n, src, offsets)


def random_network(n: int, degree: int, rng: np.random.Generator) -> Network:
    """Random ties (Erdős–Rényi style) with mean ``degree`` contacts per customer."""
    from cxsim.behaviour.network_kernels import offsets_of, pair_counts, pair_place  # numba: on first use only

    m = (n * degree) // 2
    if n < 2 or m < 1:
        return _empty(n)
    a = rng.integers(0, n, size=m, dtype=np.int64)
    b = rng.integers(0, n - 1, size=m, dtype=np.int64)
    b += b >= a
    counts = np.zeros(n, dtype=np.int64)
    pair_counts(a, b, counts)
    offsets = offsets_of(counts)
    del counts
    src = np.empty(2 * m, dtype=index_dtype(n))
    pair_place(a, b, offsets[:-1].copy(), src)
    return Network(n, src, offsets)


def no_network(n: int) -> Network:
    """Nobody talks to anybody."""
    return _empty(n)
