"""The ``execution`` config group: where the runs of a sweep, comparison or calibration go.

One setting for every command that runs many simulations::

    execution.backend=local|ray|dask   # local: in-process or a process pool (the default)
    execution.workers=N                # worker processes (0 = one per core; null = the command's n_jobs)
    execution.address=ADDRESS          # an existing Ray cluster (auto, ray://HOST:10001) or Dask scheduler
    execution.batch=K                  # runs per task (0 = automatic: a few tasks per worker)

No number depends on these: seeds belong to (point, replication), never to a worker or to the
order in which tasks finish.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from cxsim.errors import SpecError
from cxsim.specs import checks

BACKENDS = ("local", "ray", "dask")
#: The pip command that adds each optional backend.
EXTRAS = {"ray": "pip install 'cxsim[ray]'", "dask": "pip install 'cxsim[dask]'"}
#: The module each optional backend needs.
MODULES = {"ray": "ray", "dask": "distributed"}


@dataclass(frozen=True)
class Execution:
    """How many runs are executed (validated once).

    Attributes:
        backend: ``local`` (this process or a joblib/loky process pool), ``ray`` or ``dask``.
        workers: worker processes; ``0`` = one per core; ``None`` = the command's own ``n_jobs``
            (local) or every CPU of the cluster (ray, dask).
        address: an existing cluster: Ray's ``auto`` / ``ray://HOST:10001`` / ``HOST:6379``, or a
            Dask scheduler ``tcp://HOST:8786``; ``None`` starts a local one.
        batch: runs per task; ``0`` = automatic (about eight tasks per worker, at most 64 runs).
        retries: times a task lost with its worker is run again (ray, dask).
    """

    backend: str = "local"
    workers: int | None = None
    address: str | None = None
    batch: int = 0
    retries: int = 3

    def __post_init__(self) -> None:
        checks.choice("backend", self.backend, BACKENDS)
        if self.backend in MODULES and not installed(MODULES[self.backend]):
            raise SpecError("backend", self.backend, f"{self.backend} is not installed: {EXTRAS[self.backend]}")
        if self.workers is not None:
            checks.integer("workers", self.workers, 0)
        if self.address is not None:
            if self.backend == "local":
                raise SpecError("address", self.address, "an address needs backend ray or dask")
            checks.name("address", self.address)
        checks.integer("batch", self.batch, 0)
        checks.integer("retries", self.retries, 0)

    def with_default_workers(self, n_jobs: int) -> Execution:
        """These settings with ``workers`` taken from a command's ``n_jobs`` when not set."""
        if self.workers is not None or self.backend != "local":
            return self
        return replace(self, workers=n_jobs)

    @property
    def cores(self) -> int | None:
        """Worker processes to start (``None``: the cluster decides)."""
        if self.workers is None:
            return 1 if self.backend == "local" else None
        return (os.cpu_count() or 1) if self.workers == 0 else self.workers

    @property
    def in_process(self) -> bool:
        """Runs stay in this process (local backend, one worker)."""
        return self.backend == "local" and (self.cores or 1) <= 1


def execution_from_dict(data: Mapping[str, Any] | None) -> Execution:
    """:class:`Execution` from the config's ``execution`` mapping (errors name ``execution.*``)."""
    data = dict(checks.mapping("execution", data or {}))
    checks.no_unknown_keys("execution", data, Execution.__dataclass_fields__)
    try:
        return Execution(**data)
    except SpecError as err:
        raise err.at("execution") from None


def installed(module: str) -> bool:
    """Whether ``module`` can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def missing_extra(backend: str) -> SpecError:
    """The one-line error for an optional backend that is not installed."""
    return SpecError("execution.backend", backend, f"{backend} is not installed: {EXTRAS[backend]}")
