"""The synthetic survey layer: simulated customers answer a questionnaire where the truth is known.

Two kinds of synthetic survey:

* :func:`zhijiang_survey` (built on :func:`cxsim.engine.survey.answer_questionnaire`) — the
  wide questionnaire of a simulated population: a rating per touchpoint and an overall rating on
  a chosen scale, from each customer's moment affects (the Delta law) and remembered experience
  (the scenario's memory model), with response noise, scale-use differences between respondents
  (acquiescence / extreme responding; Baumgartner & Steenkamp 2001) and non-response (whole
  questionnaires and single items). ``cxsim`` writes it as
  ``survey.csv`` with the ``outputs.survey`` option (:func:`survey_from_moments`).
* :func:`long_episodes` — an experience-sampling data set (momentary ratings and a retrospective
  rating per episode) generated with a known memory model, for parameter-recovery tests.

The questionnaire's settings (:class:`~cxsim.specs.survey.SurveySpec`) and the answering
(:mod:`cxsim.engine.survey`) live in the layers below; their names are importable from here too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cxsim.config import load_run_spec
from cxsim.engine.survey import answer_questionnaire, survey_from_moments, to_scale
from cxsim.specs.survey import Scale, SurveySpec, survey_spec_from_dict

__all__ = ["ZHIJIANG_OVERRIDES", "Scale", "SurveySpec", "answer_questionnaire", "long_episodes",
           "survey_from_moments", "survey_spec_from_dict", "to_scale", "zhijiang_survey"]

Array = NDArray[np.float64]


#: The Zhijiang-like synthetic survey: the dealer journey (``b2b_dealer_survey``, the case study's
#: touchpoints with the survey's means) remembered by key moments — delivery speed and the dealer meeting, the two
#: touchpoints the real survey's regression found significant — answered on the five-point scale,
#: with "exactly as expected" answered 3.8 (the scenario's expectation of the rated touchpoints).
ZHIJIANG_OVERRIDES: tuple[str, ...] = (
    "scenario=b2b_dealer_survey", "memory=key_moments", "sim.replications=1", "outputs.moments=true",
    "outputs.survey.enabled=true", "outputs.survey.anchor=3.8", "outputs.figures=false",
    "outputs.customers=never",
)


def zhijiang_survey(n_customers: int = 1500, seed: int = 0, extra: Sequence[str] = ()) -> tuple[pd.DataFrame, object]:
    """Simulate the Zhijiang-like dealer survey; returns the wide survey and the run spec.

    The truth is known: overall satisfaction is the key-moments memory of the journey (weights
    0.35 on delivery speed and on the dealer meeting, the rest on the mean). Driver analysis of
    the survey should find those two; the peak-end average of the touchpoints over-predicts the
    overall, as in the case study (4.64 against 4.17).
    """
    from cxsim.engine.run import run  # the engine (numba, Mesa): loaded only when a simulation runs

    spec = load_run_spec([*ZHIJIANG_OVERRIDES, f"sim.n_customers={n_customers}", f"sim.seed={seed}", *extra])
    results = run(spec)
    assert results.moments is not None
    return survey_from_moments(results.moments, spec), spec


# --------------------------------------------------------------------------- long (episodes)
def long_episodes(
    rng: np.random.Generator,
    respondents: int,
    episodes_per_respondent: int = 1,
    moments: tuple[int, int] = (4, 8),
    truth: str = "peak_end",
    truth_params: Mapping[str, float] | None = None,
    scale: Scale = Scale(0, 10),
    moment_sd: float = 2.0,
    respondent_sd: float = 1.0,
    noise: float = 0.5,
    durations: bool = True,
) -> pd.DataFrame:
    """A long experience-sampling data set whose retrospective ratings follow a known memory model.

    Momentary ratings are ``midpoint + respondent level + N(0, moment_sd)`` rounded and clipped
    to the scale; the retrospective rating is the ``truth`` memory function of
    :func:`cxsim.fit.memory_fit.memory_value` on the (centred) momentary ratings, plus
    ``N(0, noise)`` — not rounded, so recovery tolerances reflect the noise alone.

    Returns:
        ``respondent, episode, order, rating, duration, retrospective`` — one row per moment.
    """
    # numba kernels: loaded only when episodes are made
    from cxsim.fit.memory_fit import memory_value

    n_ep = respondents * episodes_per_respondent
    m_lo, m_hi = moments
    m = rng.integers(m_lo, m_hi + 1, n_ep)
    width = int(m.max())
    present = np.arange(width)[None, :] < m[:, None]
    level = np.repeat(rng.normal(0.0, respondent_sd, respondents), episodes_per_respondent)
    raw = scale.midpoint + level[:, None] + rng.normal(0.0, moment_sd, (n_ep, width))
    ratings = np.clip(np.rint(raw), scale.low, scale.high)
    dur = rng.uniform(0.5, 3.0, (n_ep, width)) if durations else None
    value = memory_value(truth, ratings - scale.midpoint, present, dur, **dict(truth_params or {}))
    retro = scale.midpoint + value + rng.normal(0.0, noise, n_ep)
    e, j = np.nonzero(present)
    out = pd.DataFrame({
        "respondent": e // episodes_per_respondent + 1,
        "episode": e % episodes_per_respondent + 1,
        "order": j + 1,
        "rating": ratings[e, j],
        "retrospective": retro[e],
    })
    if dur is not None:
        out.insert(4, "duration", dur[e, j])
    return out
