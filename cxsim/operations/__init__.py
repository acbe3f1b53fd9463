"""Operations that produce performance: stores, an order-to-delivery pipeline, a call centre and
scheduled events — each a readable SimPy reference model and a fast numba kernel that gives the
same per-customer results on the same draws. Their specs are in :mod:`cxsim.specs.operations`;
:class:`OperationsRunner` runs them inside a simulation, cycle by cycle.
"""

from __future__ import annotations

from cxsim.exports import lazy_exports

# Public name -> its module, imported on first use; type checkers read __init__.pyi beside this file.
_EXPORTS = {
    "OperationsRunner": "cxsim.operations.runner",
    "stores": "cxsim.operations.stores",
    "pipeline": "cxsim.operations.pipeline",
    "callcentre": "cxsim.operations.callcentre",
    "events": "cxsim.operations.events",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
