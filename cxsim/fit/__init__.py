"""Fitting cxsim to survey data: load surveys, driver analysis, memory-model comparison, the seven-step
gap analysis, calibration of the simulation to observed aggregates (a point fit, or a posterior),
synthetic surveys, a scenario from a survey with its held-out posterior predictive check.
"""

from __future__ import annotations

from cxsim.exports import lazy_exports

# Public name -> its module, imported on first use; type checkers read __init__.pyi beside this file.
_EXPORTS = {
    "load_wide": "cxsim.fit.survey",
    "load_long": "cxsim.fit.survey",
    "WideSurvey": "cxsim.fit.survey",
    "LongSurvey": "cxsim.fit.survey",
    "Scale": "cxsim.specs.survey",
    "fit_drivers": "cxsim.fit.drivers",
    "DriverFit": "cxsim.fit.drivers",
    "compare_memory_models": "cxsim.fit.memory_fit",
    "MemoryComparison": "cxsim.fit.memory_fit",
    "seven_step": "cxsim.fit.gap",
    "GapAnalysis": "cxsim.fit.gap",
    "feedback": "cxsim.fit.gap",
    "calibrate": "cxsim.fit.calibrate",
    "CalibrationSpec": "cxsim.fit.calibrate",
    "CalibrationResult": "cxsim.fit.calibrate",
    "calibrate_bayes": "cxsim.fit.bayes",
    "BayesSpec": "cxsim.fit.bayes",
    "BayesResult": "cxsim.fit.bayes",
    "Posterior": "cxsim.fit.posterior",
    "zhijiang_survey": "cxsim.fit.synthetic",
    "long_episodes": "cxsim.fit.synthetic",
    "scenario_from_survey": "cxsim.fit.scenario_from_survey",
    "FittedSurvey": "cxsim.fit.scenario_from_survey",
    "holdout_check": "cxsim.fit.ppc",
    "compare_surveys": "cxsim.fit.ppc",
    "CheckResult": "cxsim.fit.ppc",
    "compare_driver_models": "cxsim.fit.driver_models",
    "DriverModels": "cxsim.fit.driver_models",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
