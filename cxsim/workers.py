"""Worker threads for the population engine and the network's construction.

numpy and the compiled kernels release the GIL inside their loops, so independent pieces of work
— one touchpoint's draws, one block of customers' journeys, one block of a network's ties — run
side by side on the machine's cores. Every piece writes its own rows or columns and reads its own
random stream (or its own stretch of one, :func:`cxsim.draws.states_at`), so the result is the
same for any number of threads (``tests/test_model.py``, ``tests/test_network.py`` check it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

T = TypeVar("T")
R = TypeVar("R")


def thread_count(threads: int) -> int:
    """``threads`` itself, or one per core when it is 0."""
    return threads if threads > 0 else max(1, os.cpu_count() or 1)


class Workers:
    """A pool of ``threads`` threads (none when 1); ``map`` runs pieces of work on it.

    Use as a context manager, or call :meth:`close`; an unclosed pool's threads end with the
    interpreter.
    """

    def __init__(self, threads: int = 0) -> None:
        self.threads = thread_count(threads)
        self._pool: ThreadPoolExecutor | None = None

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``[fn(x) for x in items]``, spread over the threads; exceptions propagate."""
        items = list(items)
        if self.threads == 1 or len(items) < 2:
            return [fn(x) for x in items]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="cxsim")
        return list(self._pool.map(fn, items))

    def blocks(self, n: int, most: int | None = None) -> list[tuple[int, int]]:
        """``n`` items as consecutive ``(lo, hi)`` ranges, one per thread (at ``most`` ranges; some
        empty when ``n`` is smaller than their number)."""
        count = self.threads if most is None else max(1, min(self.threads, most))
        edges = np.linspace(0, n, count + 1).astype(np.int64).tolist()
        return list(zip(edges[:-1], edges[1:]))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
