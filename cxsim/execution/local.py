"""The ``local`` backend: in this process, or a pool of worker processes on this machine.

The pool is joblib's reusable loky executor: its worker processes outlive one sweep, so a worker
keeps its imported modules, compiled numba kernels and cached run specs
(:mod:`cxsim.execution.cache`) from one task to the next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from cxsim.execution.settings import Execution


def _indexed(fn: Callable[[Any], Any], index: int, task: Any) -> tuple[int, Any]:
    return index, fn(task)


class LocalBackend:
    """In-process (one worker) or a joblib/loky process pool (several)."""

    def __init__(self, execution: Execution) -> None:
        self._workers = execution.cores or 1

    @property
    def workers(self) -> int:
        return self._workers

    def map_unordered(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Run the tasks in order in this process, or unordered in the pool."""
        if self._workers <= 1 or len(tasks) <= 1:
            for index, task in enumerate(tasks):
                yield index, fn(task)
            return
        from joblib import Parallel, delayed  # joblib: loaded only for a process pool

        jobs = Parallel(n_jobs=self._workers, return_as="generator_unordered")(
            delayed(_indexed)(fn, i, task) for i, task in enumerate(tasks))
        yield from jobs

    def close(self) -> None:
        """Nothing to release: the loky pool is reused by the next call."""
