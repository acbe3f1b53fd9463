"""Types of :mod:`cxsim.fit`'s lazy exports (the names of its ``__init__.py``, for IDEs and type checkers)."""

from cxsim.fit import calibrate as calibrate
from cxsim.fit.bayes import BayesResult as BayesResult
from cxsim.fit.bayes import BayesSpec as BayesSpec
from cxsim.fit.bayes import calibrate_bayes as calibrate_bayes
from cxsim.fit.calibrate import CalibrationResult as CalibrationResult
from cxsim.fit.calibrate import CalibrationSpec as CalibrationSpec
from cxsim.fit.driver_models import DriverModels as DriverModels
from cxsim.fit.driver_models import compare_driver_models as compare_driver_models
from cxsim.fit.drivers import DriverFit as DriverFit
from cxsim.fit.drivers import fit_drivers as fit_drivers
from cxsim.fit.gap import GapAnalysis as GapAnalysis
from cxsim.fit.gap import feedback as feedback
from cxsim.fit.gap import seven_step as seven_step
from cxsim.fit.memory_fit import MemoryComparison as MemoryComparison
from cxsim.fit.memory_fit import compare_memory_models as compare_memory_models
from cxsim.fit.posterior import Posterior as Posterior
from cxsim.fit.ppc import CheckResult as CheckResult
from cxsim.fit.ppc import compare_surveys as compare_surveys
from cxsim.fit.ppc import holdout_check as holdout_check
from cxsim.fit.scenario_from_survey import FittedSurvey as FittedSurvey
from cxsim.fit.scenario_from_survey import scenario_from_survey as scenario_from_survey
from cxsim.fit.survey import LongSurvey as LongSurvey
from cxsim.fit.survey import WideSurvey as WideSurvey
from cxsim.fit.survey import load_long as load_long
from cxsim.fit.survey import load_wide as load_wide
from cxsim.fit.synthetic import long_episodes as long_episodes
from cxsim.fit.synthetic import zhijiang_survey as zhijiang_survey
from cxsim.specs.survey import Scale as Scale

__all__ = [
    "BayesResult",
    "BayesSpec",
    "CalibrationResult",
    "CalibrationSpec",
    "CheckResult",
    "DriverFit",
    "DriverModels",
    "FittedSurvey",
    "GapAnalysis",
    "LongSurvey",
    "MemoryComparison",
    "Posterior",
    "Scale",
    "WideSurvey",
    "calibrate",
    "calibrate_bayes",
    "compare_driver_models",
    "compare_memory_models",
    "compare_surveys",
    "feedback",
    "fit_drivers",
    "holdout_check",
    "load_long",
    "load_wide",
    "long_episodes",
    "scenario_from_survey",
    "seven_step",
    "zhijiang_survey",
]
