"""The specs: validated, frozen descriptions of everything a run needs, built once from config data.

Where a config key belongs — one rule for every key (``configs/config.yaml`` says the same):

* ``scenario.*`` — the business and its customers: journey and touchpoints, population and
  segments, operations (with ``scenario.operations.scale``), loyalty, word of mouth, economics;
* ``sim.*`` — the experiment: customers, cycles, replications, seed, engine (:class:`Sim`);
* ``runtime.*`` — how the machine computes it without changing a number: threads, backends,
  memory (:class:`Runtime`);
* ``outputs.*`` — what is written (:class:`Outputs`).

The memory model (``memory=``), the intervention (``intervention=``) and the sweep (``sweep=``)
are chosen from their config groups. :func:`run_spec_from_dict` builds a :class:`RunSpec` from
plain data; every error is a :class:`~cxsim.errors.SpecError` naming the dotted path of the field.

The specs are the lowest layer of cxsim: they depend only on :mod:`cxsim.errors` and utility
modules, never on the engine or the analyses built on them — with one exception, the memory
models' specs, which :mod:`cxsim.behaviour.memory` defines beside their math.
"""

from __future__ import annotations

from cxsim.exports import lazy_exports

# Public name -> its module, imported on first use; type checkers read __init__.pyi beside this file.
_EXPORTS = {
    "RunSpec": "cxsim.specs.scenario",
    "Scenario": "cxsim.specs.scenario",
    "Sim": "cxsim.specs.scenario",
    "Outputs": "cxsim.specs.scenario",
    "Loyalty": "cxsim.specs.scenario",
    "WordOfMouth": "cxsim.specs.scenario",
    "Economics": "cxsim.specs.scenario",
    "Runtime": "cxsim.specs.runtime",
    "Market": "cxsim.specs.market",
    "Competitor": "cxsim.specs.market",
    "CompetitorEvent": "cxsim.specs.market",
    "Marketing": "cxsim.specs.market",
    "Journey": "cxsim.specs.touchpoint",
    "Touchpoint": "cxsim.specs.touchpoint",
    "Measure": "cxsim.specs.touchpoint",
    "Population": "cxsim.specs.population",
    "Segment": "cxsim.specs.population",
    "MemorySpec": "cxsim.specs.population",
    "Distribution": "cxsim.specs.distribution",
    "Normal": "cxsim.specs.distribution",
    "LogNormal": "cxsim.specs.distribution",
    "Beta": "cxsim.specs.distribution",
    "Empirical": "cxsim.specs.distribution",
    "Constant": "cxsim.specs.distribution",
    "GaussianCopula": "cxsim.specs.copula",
    "OperationsSpec": "cxsim.specs.operations",
    "StoresSpec": "cxsim.specs.operations",
    "Site": "cxsim.specs.operations",
    "OpeningHours": "cxsim.specs.operations",
    "PipelineSpec": "cxsim.specs.operations",
    "CallCentreSpec": "cxsim.specs.operations",
    "EventSpec": "cxsim.specs.operations",
    "OperationsSource": "cxsim.specs.operations",
    "Intervention": "cxsim.specs.intervention",
    "InterventionCost": "cxsim.specs.intervention",
    "Change": "cxsim.specs.intervention",
    "SurveySpec": "cxsim.specs.survey",
    "Scale": "cxsim.specs.survey",
    "run_spec_from_dict": "cxsim.specs.build",
    "scenario_from_dict": "cxsim.specs.build",
    "runtime_from_config": "cxsim.specs.build",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
