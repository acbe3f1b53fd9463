"""The ``local`` backend: in this process, or a pool of worker processes on this machine.

The pool is joblib's reusable loky executor: its worker processes outlive one sweep, so a worker
keeps its imported modules, compiled numba kernels and cached run specs
(:mod:`cxsim.execution.cache`) from one task to the next.

A worker ends with its parent: the first task a worker runs starts a small thread that watches
the parent's pid and ends the worker when the parent is gone (killed, crashed), so a killed
``cxsim sweep sweep.n_jobs=2`` leaves no orphan processes computing for nobody. (A parent-watch
thread rather than Linux's ``PR_SET_PDEATHSIG``: that signal follows the *thread* that started the
worker, and loky may start workers from a helper thread that ends while the parent lives.)
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from cxsim.execution.settings import Execution

#: Seconds between two looks of a worker at its parent.
WATCH_INTERVAL = 0.5
_WATCHED: list[int] = []


def _watch(parent: int, interval: float) -> None:
    while True:
        time.sleep(interval)
        if os.getppid() != parent:  # re-parented: the parent has ended
            os._exit(1)


def watch_parent(interval: float = WATCH_INTERVAL, parent: int | None = None) -> None:
    """End this (worker) process when its parent ends; started once per process, in a daemon thread.

    Call it only in a worker process: in the main process it would tie the run to the shell.
    ``parent``: the pid of the process that submitted the task (default: the current parent); a
    worker whose parent ended before its first task began ends at once.
    """
    if parent is not None and os.getppid() != parent:
        os._exit(1)
    if _WATCHED:
        return
    parent = os.getppid()
    _WATCHED.append(parent)
    threading.Thread(target=_watch, args=(parent, interval), name="cxsim-parent-watch", daemon=True).start()


def _indexed(fn: Callable[[Any], Any], index: int, task: Any, parent: int | None = None) -> tuple[int, Any]:
    watch_parent(parent=parent)  # runs in a pool worker
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
            delayed(_indexed)(fn, i, task, os.getpid()) for i, task in enumerate(tasks))
        yield from jobs

    def close(self) -> None:
        """Nothing to release: the loky pool is reused by the next call."""
