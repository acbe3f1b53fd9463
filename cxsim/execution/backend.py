"""The backend protocol: run a function over many tasks, yield each result as its task finishes.

A *task* is a batch of runs (seconds of work, not milliseconds); the function is a module-level
function (importable by worker processes) taking one argument. :func:`open_backend` picks the
backend of an :class:`~cxsim.execution.settings.Execution`; every backend yields
``(task index, result)`` in completion order, so a caller keys results by the task, never by the
order they arrive in.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from cxsim.execution.settings import Execution

#: Automatic batches: about this many tasks per worker (a live progress bar, balanced load) ...
TASKS_PER_WORKER = 8
#: ... and at most this many runs per task.
MAX_BATCH = 64
#: In-process runs: about this many fragments in the result store (one run each for small runs).
IN_PROCESS_FRAGMENTS = 64


class Backend(Protocol):
    """What the runners need of a backend."""

    @property
    def workers(self) -> int:
        """Worker processes (1 in-process)."""
        ...

    def map_unordered(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Run ``fn(task)`` for every task; yield ``(index, result)`` as each finishes."""
        ...

    def close(self) -> None:
        """Release what the backend started (a local Ray instance, a Dask cluster)."""
        ...


def batch_size(execution: Execution, runs: int, workers: int) -> int:
    """Runs per task: ``execution.batch``, or about :data:`TASKS_PER_WORKER` tasks per worker
    (in-process: about :data:`IN_PROCESS_FRAGMENTS` tasks), at most :data:`MAX_BATCH` runs."""
    if execution.batch:
        return execution.batch
    if workers <= 1:  # in-process: no task overhead; batches only bound the number of fragments
        return max(1, min(MAX_BATCH, runs // IN_PROCESS_FRAGMENTS))
    return max(1, min(MAX_BATCH, math.ceil(runs / (workers * TASKS_PER_WORKER))))


def batches(items: Sequence[Any], size: int) -> list[list[Any]]:
    """``items`` cut into consecutive lists of ``size`` (the last may be shorter)."""
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


@contextmanager
def open_backend(execution: Execution) -> Iterator[Backend]:
    """The backend of ``execution``, open for the ``with`` block and closed after it.

    Raises:
        SpecError: ``ray`` or ``dask`` chosen but not installed (naming the ``pip install``).
    """
    # each backend module imports its engine; loaded only when that backend is chosen
    if execution.backend == "ray":
        from cxsim.execution.ray import RayBackend as Chosen
    elif execution.backend == "dask":
        from cxsim.execution.dask import DaskBackend as Chosen  # type: ignore[assignment]
    else:
        from cxsim.execution.local import LocalBackend as Chosen  # type: ignore[assignment]
    backend = Chosen(execution)
    try:
        yield backend
    finally:
        backend.close()
