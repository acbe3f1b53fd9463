"""Types of :mod:`cxsim.engine`'s lazy exports (the names of its ``__init__.py``, for IDEs and type checkers)."""

from cxsim.engine.market import MarketState as MarketState
from cxsim.engine.market import market_step as market_step
from cxsim.engine.model import Customer as Customer
from cxsim.engine.model import CustomerModel as CustomerModel
from cxsim.engine.run import Results as Results
from cxsim.engine.run import run_replication as run_replication
from cxsim.engine.streams import Streams as Streams
from cxsim.engine.streams import replication_seeds as replication_seeds

__all__ = [
    "Customer",
    "CustomerModel",
    "MarketState",
    "Results",
    "Streams",
    "market_step",
    "replication_seeds",
    "run_replication",
]
