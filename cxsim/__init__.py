"""cxsim — simulate customer experience: journeys, remembered experience, loyalty and cost.

The public API is imported lazily so that ``import cxsim`` stays fast (Mesa, pandas and Hydra
load only when used)::

    from cxsim import load_run_spec, run
    results = run(load_run_spec(["scenario=retail_street"]))
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "SpecError": "cxsim.errors",
    "run": "cxsim.engine.run",
    "Results": "cxsim.engine.run",
    "CustomerModel": "cxsim.engine.model",
    "Customer": "cxsim.engine.model",
    "load_run_spec": "cxsim.config",
    "compose_config": "cxsim.config",
    "RunSpec": "cxsim.specs.scenario",
    "Scenario": "cxsim.specs.scenario",
    "Sim": "cxsim.specs.scenario",
    "Outputs": "cxsim.specs.scenario",
    "run_spec_from_dict": "cxsim.specs.build",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cxsim' has no attribute {name!r}")
    return getattr(import_module(module), name)
