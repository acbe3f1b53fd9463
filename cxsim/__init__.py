"""cxsim — simulate customer experience: journeys, remembered experience, loyalty and cost.

Customers with expectations go through a journey of touchpoints; each moment is felt against
expectation (the Delta law), remembered by a memory model (peak-end and its rivals), and drives
satisfaction, loyalty, word of mouth, revenue and cost. Compare interventions before spending::

    from cxsim import load_run_spec, run
    results = run(load_run_spec(["scenario=retail_street"]))
    results.summary

The names below are imported on first use, so that ``import cxsim`` stays fast (numba, Mesa,
pandas and Hydra load only when used); type checkers and IDEs see them through
``__init__.pyi`` beside this file (lazy loading as in Scientific Python's SPEC 1). The packages:
:mod:`cxsim.specs` (validated specs), :mod:`cxsim.behaviour` (the model's math), :mod:`cxsim.engine`
(the simulation), :mod:`cxsim.operations`,
:mod:`cxsim.fit`, :mod:`cxsim.teach`, :mod:`cxsim.execution` (local, Ray and Dask backends for
many runs), and the modules :mod:`cxsim.compare`, :mod:`cxsim.sweep`,
:mod:`cxsim.sensitivity`.
"""

from __future__ import annotations

from cxsim.exports import lazy_exports

__version__ = "0.1.0"

# Public name -> its module, imported on first use; type checkers read __init__.pyi beside this file.
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
    "Runtime": "cxsim.specs.runtime",
    "run_spec_from_dict": "cxsim.specs.build",
    "write_atomic": "cxsim.files",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
