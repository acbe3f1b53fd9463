"""The ``dask`` backend: futures on a Dask ``distributed`` local cluster or an existing scheduler.

A ``LocalCluster`` of single-threaded worker processes (or the scheduler at
``execution.address``); tasks are ``Client.submit`` futures with ``retries``, gathered with
``as_completed``. Dask is an optional extra (``pip install 'cxsim[dask]'``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from cxsim.execution.settings import Execution, missing_extra

try:
    import distributed
except ImportError:  # pragma: no cover - exercised only without the extra
    distributed = None  # type: ignore[assignment]


class DaskBackend:
    """Dask futures; a local cluster of ``execution.workers`` processes or a scheduler's."""

    def __init__(self, execution: Execution) -> None:
        if distributed is None:
            raise missing_extra("dask")
        self._retries = execution.retries
        self._cluster = None
        if execution.address:
            self._client = distributed.Client(execution.address)
        else:
            self._cluster = distributed.LocalCluster(n_workers=execution.cores, threads_per_worker=1,
                                                     processes=True, dashboard_address=None,
                                                     host="127.0.0.1")  # listens on loopback only
            self._client = distributed.Client(self._cluster)
        self._workers = max(1, len(self._client.scheduler_info().get("workers", {})))

    @property
    def workers(self) -> int:
        return self._workers

    def map_unordered(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Submit every task as a future and yield each as it finishes."""
        index = {}
        futures = []
        for i, task in enumerate(tasks):
            fut = self._client.submit(fn, task, pure=False, retries=self._retries)
            index[fut.key] = i
            futures.append(fut)
        for fut in distributed.as_completed(futures):
            result = fut.result()
            fut.release()
            yield index[fut.key], result

    def close(self) -> None:
        """Close the client, and the local cluster when this backend started it."""
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
