"""One execution layer for everything that runs many simulations (sweeps, comparisons,
calibrations, sensitivity): backends ``local`` (in-process or a process pool), ``ray`` and
``dask``, chosen by the ``execution`` config group, and a streamed Parquet result store.

Seeds belong to (point, replication), never to a worker or to the order tasks finish in, so the
same command gives bit-identical outputs on every backend and with any number of workers.
"""

from __future__ import annotations

from cxsim.exports import lazy_exports

# Public name -> its module, imported on first use; type checkers read __init__.pyi beside this file.
_EXPORTS = {
    "BACKENDS": "cxsim.execution.settings",
    "Execution": "cxsim.execution.settings",
    "execution_from_dict": "cxsim.execution.settings",
    "Backend": "cxsim.execution.backend",
    "open_backend": "cxsim.execution.backend",
    "batch_size": "cxsim.execution.backend",
    "batches": "cxsim.execution.backend",
    "cached_spec": "cxsim.execution.cache",
    "RowStore": "cxsim.execution.store",
    "read_rows": "cxsim.execution.store",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
