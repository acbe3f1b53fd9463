"""Types of :mod:`cxsim`'s lazy exports (the names of its ``__init__.py``, for IDEs and type checkers)."""

from cxsim.config import compose_config as compose_config
from cxsim.config import load_run_spec as load_run_spec
from cxsim.engine.model import Customer as Customer
from cxsim.engine.model import CustomerModel as CustomerModel
from cxsim.engine.run import Results as Results
from cxsim.engine.run import run as run
from cxsim.errors import SpecError as SpecError
from cxsim.files import write_atomic as write_atomic
from cxsim.specs.build import run_spec_from_dict as run_spec_from_dict
from cxsim.specs.runtime import Runtime as Runtime
from cxsim.specs.scenario import Outputs as Outputs
from cxsim.specs.scenario import RunSpec as RunSpec
from cxsim.specs.scenario import Scenario as Scenario
from cxsim.specs.scenario import Sim as Sim

__version__: str

__all__ = [
    "Customer",
    "CustomerModel",
    "Outputs",
    "Results",
    "RunSpec",
    "Runtime",
    "Scenario",
    "Sim",
    "SpecError",
    "compose_config",
    "load_run_spec",
    "run",
    "run_spec_from_dict",
    "write_atomic",
]
