"""Specs of surveys: the rating scale of survey data and how simulated customers answer a questionnaire.

:class:`Scale` is the declared scale of ratings (``1-5``, ``0-10`` …) of real or simulated survey
data; :class:`SurveySpec` is the ``outputs.survey`` config of a run (the questionnaire that
:mod:`cxsim.engine.survey` has the simulated customers answer).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from cxsim.errors import SpecError
from cxsim.specs import checks
from cxsim.specs.mapping import from_mapping

__all__ = ["Scale", "SurveySpec", "survey_spec_from_dict"]


@dataclass(frozen=True)
class Scale:
    """A rating scale ``low``–``high``; with ``na_zero`` a 0 means "not applicable" (a blank)."""

    low: float = 1.0
    high: float = 5.0
    na_zero: bool = False

    def __post_init__(self) -> None:
        if not float(self.low) < float(self.high):
            raise SpecError("scale", f"{self.low}-{self.high}", "the low end must be below the high end, e.g. 1-5")

    @classmethod
    def parse(cls, text: str, na_zero: bool = False, field_: str = "scale") -> Scale:
        """``"1-5"``, ``"0-10"`` or ``"0-100"`` (any two numbers joined by a dash)."""
        match = re.fullmatch(r"\s*(-?\d+(?:\.\d*)?)\s*-\s*(-?\d+(?:\.\d*)?)\s*", str(text))
        if match is None:
            raise SpecError(field_, text, "a scale like 1-5, 0-10 or 0-100 is required")
        return cls(float(match.group(1)), float(match.group(2)), na_zero)

    @property
    def midpoint(self) -> float:
        """The neutral point of the scale (3 on 1–5)."""
        return (self.low + self.high) / 2.0

    def describe(self) -> str:
        """The scale in words, for messages."""
        return f"ratings on the {self.low:g}-{self.high:g} scale" + (" (0 = not applicable)" if self.na_zero else "")



@dataclass(frozen=True)
class SurveySpec:
    """How simulated customers answer the questionnaire (the ``outputs.survey`` config).

    Attributes:
        enabled: write ``survey.csv`` with a run.
        scale_low, scale_high: the answer scale (e.g. 1–5 or 0–10); answers are whole numbers.
        anchor: the answer for "exactly as expected" (affect 0); default the scale's midpoint.
        points_per_affect: scale points per unit of affect.
        noise: response noise (sd, in scale points) of each answer.
        scale_use: sd of each respondent's personal shift of all their answers.
        nonresponse: share of customers who do not answer at all.
        item_nonresponse: share of single answers left blank.
        respondents: at most this many respondents are invited (customers of the last cycle;
            0 = all of them).
        window: the touchpoint ratings summarise the respondent's moments of the last ``window``
            cycles (1 = the latest purchase cycle; 12 = a year of monthly cycles).
    """

    enabled: bool = False
    scale_low: float = 1.0
    scale_high: float = 5.0
    anchor: float | None = None
    points_per_affect: float = 1.0
    noise: float = 0.5
    scale_use: float = 0.3
    nonresponse: float = 0.0
    item_nonresponse: float = 0.0
    respondents: int = 0
    window: int = 1

    def __post_init__(self) -> None:
        checks.flag("enabled", self.enabled)
        lo, hi = checks.number("scale_low", self.scale_low), checks.number("scale_high", self.scale_high)
        if not lo < hi:
            raise SpecError("scale_high", self.scale_high, f"must be above scale_low ({lo:g})")
        if self.anchor is not None and not lo <= checks.number("anchor", self.anchor) <= hi:
            raise SpecError("anchor", self.anchor, f"must lie on the scale {lo:g}-{hi:g}")
        checks.non_negative("points_per_affect", self.points_per_affect)
        checks.non_negative("noise", self.noise)
        checks.non_negative("scale_use", self.scale_use)
        checks.unit_interval("nonresponse", self.nonresponse)
        checks.unit_interval("item_nonresponse", self.item_nonresponse)
        checks.integer("respondents", self.respondents, 0)
        checks.integer("window", self.window, 1)

    @property
    def scale(self) -> Scale:
        """The answer scale."""
        return Scale(self.scale_low, self.scale_high)

    @property
    def neutral(self) -> float:
        """The anchor: answer for affect 0."""
        return self.scale.midpoint if self.anchor is None else float(self.anchor)


def survey_spec_from_dict(data: Mapping[str, object] | SurveySpec | None) -> SurveySpec:
    """A :class:`SurveySpec` from the ``outputs.survey`` mapping (unknown keys are errors)."""
    if isinstance(data, SurveySpec):
        return data
    return from_mapping(SurveySpec, data, "survey")
