"""Types of :mod:`cxsim.operations`'s lazy exports (the names of its ``__init__.py``, for IDEs and type checkers)."""

from cxsim.operations import callcentre as callcentre
from cxsim.operations import events as events
from cxsim.operations import pipeline as pipeline
from cxsim.operations import stores as stores
from cxsim.operations.runner import OperationsRunner as OperationsRunner

__all__ = [
    "OperationsRunner",
    "callcentre",
    "events",
    "pipeline",
    "stores",
]
