"""The ``ray`` backend: tasks on a local Ray instance or an existing Ray cluster.

Each task is a ``ray.remote`` task with ``max_retries`` (Ray re-runs a task whose worker process
died); Ray reuses its worker processes, so a worker keeps its compiled numba kernels and cached
run specs (:mod:`cxsim.execution.cache`) across tasks. At most a few tasks per worker are in
flight, so the driver holds few results at a time. Ray is an optional extra
(``pip install 'cxsim[ray]'``). A local instance started here listens on 127.0.0.1 only.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import Any

from cxsim.execution.settings import Execution, missing_extra

#: Ray's switch (read once, when ray is imported) between a cluster node's address and loopback.
LOOPBACK_SWITCH = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


def import_ray(local: bool) -> ModuleType:
    """Import Ray; for a ``local`` instance (no cluster address) in loopback mode, so that it listens
    on 127.0.0.1 only, as a page binds to localhost unless the user opens it to a network. A user's
    own setting of the switch is kept, and so is a Ray already imported."""
    if local and "ray" not in sys.modules:
        os.environ.setdefault(LOOPBACK_SWITCH, "0")
    try:
        return importlib.import_module("ray")
    except ImportError:
        raise missing_extra("ray") from None

#: Tasks in flight per worker.
IN_FLIGHT = 4


def cxsim_task(fn: Callable[[Any], Any], task: Any) -> Any:
    """The remote function: ``fn(task)`` in a Ray worker (its process title names it)."""
    return fn(task)


class RayBackend:
    """Ray tasks; joins a cluster at ``execution.address`` or starts a local instance."""

    def __init__(self, execution: Execution) -> None:
        self._ray = ray = import_ray(local=execution.address is None)
        self._owned = not ray.is_initialized()
        if self._owned:
            ray.init(address=execution.address, num_cpus=None if execution.address else execution.cores,
                     include_dashboard=False, log_to_driver=False, configure_logging=False)
        self._workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self._remote = ray.remote(num_cpus=1, max_retries=execution.retries)(cxsim_task)

    @property
    def workers(self) -> int:
        return self._workers

    def map_unordered(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Submit the tasks (a bounded window at a time) and yield each as it finishes."""
        ray = self._ray
        fn_ref = ray.put(fn)
        pending: dict[Any, int] = {}
        following = iter(enumerate(tasks))
        window = self._workers * IN_FLIGHT

        def top_up() -> None:
            while len(pending) < window:
                item = next(following, None)
                if item is None:
                    return
                pending[self._remote.remote(fn_ref, item[1])] = item[0]

        top_up()
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                index = pending.pop(ref)
                yield index, ray.get(ref)
            top_up()

    def close(self) -> None:
        """Shut down the Ray instance this backend started (not one it joined)."""
        if self._owned:
            self._ray.shutdown()
