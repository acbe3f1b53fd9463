"""Types of :mod:`cxsim.execution`'s lazy exports (the names of its ``__init__.py``, for IDEs and type checkers)."""

from cxsim.execution.backend import Backend as Backend
from cxsim.execution.backend import batch_size as batch_size
from cxsim.execution.backend import batches as batches
from cxsim.execution.backend import open_backend as open_backend
from cxsim.execution.cache import cached_spec as cached_spec
from cxsim.execution.settings import BACKENDS as BACKENDS
from cxsim.execution.settings import Execution as Execution
from cxsim.execution.settings import execution_from_dict as execution_from_dict
from cxsim.execution.store import RowStore as RowStore
from cxsim.execution.store import read_rows as read_rows

__all__ = [
    "BACKENDS", "Backend", "Execution", "RowStore", "batch_size", "batches", "cached_spec",
    "execution_from_dict", "open_backend", "read_rows",
]
