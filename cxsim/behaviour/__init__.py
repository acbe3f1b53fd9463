"""The behavioural math of cxsim: pure functions over numpy arrays.

Every function here works for one customer (1-D arrays, or 2-D with one row) and for a whole
population (2-D arrays, one row per customer) with the same code, and has no side effects and no
random state: random draws are made by the engine and passed in. One module per concept:
:mod:`~cxsim.behaviour.affect` (the Delta law), :mod:`~cxsim.behaviour.memory` (memory models),
:mod:`~cxsim.behaviour.satisfaction`, :mod:`~cxsim.behaviour.loyalty`,
:mod:`~cxsim.behaviour.wom` (word of mouth), :mod:`~cxsim.behaviour.network` and
:mod:`~cxsim.behaviour.market` (the open market: brand choice, Huff, Bass, adstock, CLV).
"""

from __future__ import annotations

from cxsim.exports import lazy_exports

# Public name -> its module, imported on first use; type checkers read __init__.pyi beside this file.
_EXPORTS = {
    "affect": "cxsim.behaviour.affect",
    "memory": "cxsim.behaviour.memory",
    "satisfaction": "cxsim.behaviour.satisfaction",
    "loyalty": "cxsim.behaviour.loyalty",
    "wom": "cxsim.behaviour.wom",
    "network": "cxsim.behaviour.network",
    "market": "cxsim.behaviour.market",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
