"""Types of :mod:`cxsim.specs`'s lazy exports (the names of its ``__init__.py``, for IDEs and type checkers)."""

from cxsim.specs.build import run_spec_from_dict as run_spec_from_dict
from cxsim.specs.build import runtime_from_config as runtime_from_config
from cxsim.specs.build import scenario_from_dict as scenario_from_dict
from cxsim.specs.copula import GaussianCopula as GaussianCopula
from cxsim.specs.distribution import Beta as Beta
from cxsim.specs.distribution import Constant as Constant
from cxsim.specs.distribution import Distribution as Distribution
from cxsim.specs.distribution import Empirical as Empirical
from cxsim.specs.distribution import LogNormal as LogNormal
from cxsim.specs.distribution import Normal as Normal
from cxsim.specs.intervention import Change as Change
from cxsim.specs.intervention import Intervention as Intervention
from cxsim.specs.intervention import InterventionCost as InterventionCost
from cxsim.specs.market import Competitor as Competitor
from cxsim.specs.market import CompetitorEvent as CompetitorEvent
from cxsim.specs.market import Market as Market
from cxsim.specs.market import Marketing as Marketing
from cxsim.specs.operations import CallCentreSpec as CallCentreSpec
from cxsim.specs.operations import EventSpec as EventSpec
from cxsim.specs.operations import OpeningHours as OpeningHours
from cxsim.specs.operations import OperationsSource as OperationsSource
from cxsim.specs.operations import OperationsSpec as OperationsSpec
from cxsim.specs.operations import PipelineSpec as PipelineSpec
from cxsim.specs.operations import Site as Site
from cxsim.specs.operations import StoresSpec as StoresSpec
from cxsim.specs.population import MemorySpec as MemorySpec
from cxsim.specs.population import Population as Population
from cxsim.specs.population import Segment as Segment
from cxsim.specs.runtime import Runtime as Runtime
from cxsim.specs.scenario import Economics as Economics
from cxsim.specs.scenario import Loyalty as Loyalty
from cxsim.specs.scenario import Outputs as Outputs
from cxsim.specs.scenario import RunSpec as RunSpec
from cxsim.specs.scenario import Scenario as Scenario
from cxsim.specs.scenario import Sim as Sim
from cxsim.specs.scenario import WordOfMouth as WordOfMouth
from cxsim.specs.survey import Scale as Scale
from cxsim.specs.survey import SurveySpec as SurveySpec
from cxsim.specs.touchpoint import Journey as Journey
from cxsim.specs.touchpoint import Measure as Measure
from cxsim.specs.touchpoint import Touchpoint as Touchpoint

__all__ = [
    "Beta",
    "CallCentreSpec",
    "Change",
    "Competitor",
    "CompetitorEvent",
    "Constant",
    "Distribution",
    "Economics",
    "Empirical",
    "EventSpec",
    "GaussianCopula",
    "Intervention",
    "InterventionCost",
    "Journey",
    "LogNormal",
    "Loyalty",
    "Market",
    "Marketing",
    "Measure",
    "MemorySpec",
    "Normal",
    "OpeningHours",
    "OperationsSource",
    "OperationsSpec",
    "Outputs",
    "PipelineSpec",
    "Population",
    "RunSpec",
    "Runtime",
    "Scale",
    "Scenario",
    "Segment",
    "Sim",
    "Site",
    "StoresSpec",
    "SurveySpec",
    "Touchpoint",
    "WordOfMouth",
    "run_spec_from_dict",
    "runtime_from_config",
    "scenario_from_dict",
]
