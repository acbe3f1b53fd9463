"""Types of :mod:`cxsim.behaviour`'s lazy exports (the names of its ``__init__.py``, for IDEs and type checkers)."""

from cxsim.behaviour import affect as affect
from cxsim.behaviour import loyalty as loyalty
from cxsim.behaviour import market as market
from cxsim.behaviour import memory as memory
from cxsim.behaviour import network as network
from cxsim.behaviour import satisfaction as satisfaction
from cxsim.behaviour import wom as wom

__all__ = [
    "affect",
    "loyalty",
    "market",
    "memory",
    "network",
    "satisfaction",
    "wom",
]
