"""Simulated customers answer a questionnaire: the survey a run writes as ``survey.csv``.

A rating is ``anchor + points_per_affect · affect + scale use + noise``, rounded to the scale's
step and clipped to it: ``anchor`` is the answer of a customer whose expectations were exactly met.
Scale use differs between respondents (acquiescence / extreme responding; Baumgartner &
Steenkamp 2001); whole questionnaires and single items go unanswered (non-response). The settings
are :class:`~cxsim.specs.survey.SurveySpec` (``outputs.survey``); :mod:`cxsim.fit.synthetic`
builds synthetic surveys for the analyses on top of this module.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cxsim.specs.survey import SurveySpec

__all__ = ["answer_questionnaire", "survey_from_moments", "to_scale"]

Array = NDArray[np.float64]


def to_scale(latent: Array, spec: SurveySpec, shift: Array, rng: np.random.Generator) -> Array:
    """Answers on the scale from latent affect: anchor + slope·affect + shift + noise, rounded, clipped.

    Args:
        latent: ``(n, ...)`` affect values (NaN where there is nothing to rate: stays NaN).
        spec: the questionnaire settings.
        shift: ``(n,)`` each respondent's scale-use shift.
        rng: the response-noise stream.
    """
    shape = latent.shape
    noise = rng.normal(0.0, 1.0, shape) * spec.noise if spec.noise > 0 else 0.0
    s = shift.reshape((-1,) + (1,) * (latent.ndim - 1))
    raw = spec.neutral + spec.points_per_affect * latent + s + noise
    return np.clip(np.rint(raw), spec.scale_low, spec.scale_high)


def answer_questionnaire(
    touch_affect: Array,
    overall_affect: Array,
    touchpoints: Sequence[str],
    spec: SurveySpec,
    rng: np.random.Generator,
    extra: Mapping[str, NDArray[Any]] | None = None,
) -> pd.DataFrame:
    """A wide survey: one row per responding customer.

    Args:
        touch_affect: ``(n, k)`` each customer's affect per touchpoint (NaN: never encountered —
            the answer is blank, "not applicable").
        overall_affect: ``(n,)`` the remembered experience the overall rating reflects.
        touchpoints: the ``k`` touchpoint names (the rating columns).
        spec: the questionnaire settings.
        rng: a Generator used only for the survey (noise, scale use, non-response, in that order).
        extra: further columns per customer (e.g. ``customer_id``, ``segment``), kept for respondents.

    Returns:
        ``respondent, [extra…], <touchpoints…>, overall`` with blanks for non-response.
    """
    ta = np.asarray(touch_affect, dtype=np.float64)
    oa = np.asarray(overall_affect, dtype=np.float64)
    n = oa.size
    if ta.shape != (n, len(touchpoints)):
        raise ValueError(f"touch_affect has shape {ta.shape}; expected {(n, len(touchpoints))}")
    noise_rng, use_rng, miss_rng = rng.spawn(3)
    shift = use_rng.normal(0.0, spec.scale_use, n) if spec.scale_use > 0 else np.zeros(n)
    answers = to_scale(np.column_stack([ta, oa]), spec, shift, noise_rng)
    answers[np.isnan(np.column_stack([ta, oa]))] = np.nan
    if spec.item_nonresponse > 0:
        answers[miss_rng.random(answers.shape) < spec.item_nonresponse] = np.nan
    responds = miss_rng.random(n) >= spec.nonresponse
    frame = pd.DataFrame(answers[responds], columns=[*touchpoints, "overall"])
    for name, values in reversed(list((extra or {}).items())):
        frame.insert(0, name, np.asarray(values)[responds])
    frame.insert(0, "respondent", np.arange(1, int(responds.sum()) + 1))
    return frame


def survey_from_moments(moments: pd.DataFrame, run_spec: object, replication: int = 0) -> pd.DataFrame:
    """The questionnaire answered by replication ``replication``'s customers at the end of a run.

    Respondents are the customers who went through the last cycle (at most
    ``survey.respondents`` of them, chosen at random). Each touchpoint is rated from the mean
    affect of the customer's moments at it over the last ``survey.window`` cycles (blank if they
    never met it); the overall rating reflects the scenario's memory model applied to those touchpoint
    affects in journey order — the known truth that driver analysis should recover (with
    ``memory=key_moments`` the key-moment weights). Scale use, noise and non-response follow
    ``outputs.survey`` (:class:`SurveySpec`); the draws come from their own stream of the run's seed.

    Args:
        moments: the run's ``moments`` table (``outputs.moments: true``).
        run_spec: the :class:`~cxsim.specs.scenario.RunSpec` of the run.
        replication: which replication answers.
    """
    spec: SurveySpec = run_spec.outputs.survey  # type: ignore[attr-defined]
    scenario = run_spec.scenario  # type: ignore[attr-defined]
    names = list(scenario.journey.names)
    m = moments[moments["replication"] == replication]
    last = int(m["cycle"].max())
    m = m[m["cycle"] > last - spec.window]
    ids = np.sort(m.loc[m["cycle"] == last, "customer_id"].unique())
    rng = np.random.default_rng(np.random.SeedSequence([int(run_spec.sim.seed), replication,  # type: ignore[attr-defined]
                                                        zlib.crc32(b"survey")]))
    pick_rng, answer_rng = rng.spawn(2)
    if spec.respondents and ids.size > spec.respondents:
        ids = np.sort(pick_rng.choice(ids, spec.respondents, replace=False))
    m = m[m["customer_id"].isin(ids)]
    table = (m.assign(touchpoint=m["touchpoint"].astype(str))
             .pivot_table(index="customer_id", columns="touchpoint", values="affect", aggfunc="mean", observed=True)
             .reindex(index=ids, columns=names))
    affect = table.to_numpy(dtype=np.float64)
    present = ~np.isnan(affect)
    durations = np.array([tp.duration for tp in scenario.journey.touchpoints], dtype=np.float64)
    overall = scenario.memory.model.remember(np.nan_to_num(affect), durations, present, names)
    return answer_questionnaire(affect, overall, names, spec, answer_rng,
                                extra={"customer_id": ids, "replication": np.full(ids.size, replication)})
