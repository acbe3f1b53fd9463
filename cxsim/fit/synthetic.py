"""The synthetic survey layer: simulated customers answer a questionnaire where the truth is known.

Two kinds of synthetic survey:

* :func:`answer_questionnaire` — the wide questionnaire of a simulated population: a rating per
  touchpoint and an overall rating on a chosen scale, from each customer's moment affects (the
  Delta law) and remembered experience (the scenario's memory model), with response noise,
  scale-use differences between respondents (acquiescence / extreme responding; Baumgartner &
  Steenkamp 2001) and non-response (whole questionnaires and single items). ``cxsim`` writes it as
  ``survey.csv`` with the ``outputs.survey`` option (:func:`survey_from_moments`).
* :func:`long_episodes` — an experience-sampling data set (momentary ratings and a retrospective
  rating per episode) generated with a known memory model, for parameter-recovery tests.

A rating is ``anchor + points_per_affect · affect + scale use + noise``, rounded to the scale's
step and clipped to it: ``anchor`` is the answer of a customer whose expectations were exactly met.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cxsim.errors import SpecError
from cxsim.fit.survey import Scale
from cxsim.specs import checks

Array = NDArray[np.float64]


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
    extra: Mapping[str, NDArray] | None = None,
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


def survey_spec_from_dict(data: Mapping[str, object] | SurveySpec | None) -> SurveySpec:
    """A :class:`SurveySpec` from the ``outputs.survey`` mapping (unknown keys are errors)."""
    if isinstance(data, SurveySpec):
        return data
    data = dict(checks.mapping("survey", {} if data is None else data))
    checks.no_unknown_keys("survey", data, SurveySpec.__dataclass_fields__)
    try:
        return SurveySpec(**data)  # type: ignore[arg-type]
    except SpecError as err:
        raise err.at("survey") from None


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
    import zlib

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


#: The Zhijiang-like synthetic survey: the dealer journey (``b2b_dealer_survey``, the seed case's
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
    overall, as in the seed case (4.64 against 4.17).
    """
    from cxsim.config import load_run_spec
    from cxsim.engine.run import run

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
