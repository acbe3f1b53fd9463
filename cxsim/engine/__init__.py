"""The engine: random streams, population state, one cycle's step, the Mesa model, records, the run.

:func:`cxsim.run` (the function of :mod:`cxsim.engine.run`) runs a :class:`~cxsim.specs.RunSpec`
and returns :class:`Results`; the numba kernels compile on first use.
"""

from __future__ import annotations

from cxsim.exports import lazy_exports

# Public name -> its module, imported on first use; type checkers read __init__.pyi beside this file.
_EXPORTS = {
    "run_replication": "cxsim.engine.run",
    "Results": "cxsim.engine.run",
    "CustomerModel": "cxsim.engine.model",
    "Customer": "cxsim.engine.model",
    "Streams": "cxsim.engine.streams",
    "MarketState": "cxsim.engine.market",
    "market_step": "cxsim.engine.market",
    "replication_seeds": "cxsim.engine.streams",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
