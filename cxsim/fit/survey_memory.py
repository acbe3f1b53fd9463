"""Which memory model turns a wide survey's touchpoint ratings into the overall outcome?

Each respondent is read as one episode whose moments are the touchpoints in journey order (the
last one is the end) and whose retrospective rating is the outcome (0/1 for a binary outcome, so
the least-squares ranking is by Brier score). Every candidate of
:func:`cxsim.fit.memory_fit.compare_memory_models` is cross-validated, and the best-ranked one
that is a valid scenario memory model is kept (:func:`choose_memory`).

When key moments win, the weights are refitted with the outcome's own link (logistic or ordinal
logistic of the outcome on every touchpoint, an absent touchpoint standing at the mean of the
respondent's others, as the key-moments model treats it): coefficients ``c_k`` become weights
``|c_k| / Σ|c|`` summing to 1 and signs ``sign(c_k)``. A negative sign is a touchpoint whose
higher rating goes with a lower outcome; the scenario states it as ``direction: lower``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cxsim.behaviour.memory import End, KeyMoments, Mean, MemoryModel, Peak, PeakEnd, Recency
from cxsim.errors import SpecError
from cxsim.fit.memory_fit import FittedMemory, compare_memory_models
from cxsim.fit.survey import LongSurvey, Scale
from cxsim.fit.survey_model import Remembered, logistic_coefficients, ordinal_coefficients

Array = NDArray[np.float64]

#: Decimals of the key-moments weights written to the scenario (rounded down, so they sum to ≤ 1).
WEIGHT_DECIMALS = 6


@dataclass(frozen=True, eq=False)
class MemoryChoice:
    """The memory model chosen for a survey.

    Attributes:
        name: the candidate's name in :attr:`table` (``key_moments``, ``mean``, ``peak_end`` …).
        remembered: the model with its touchpoint signs.
        table: the cross-validated ranking of every candidate (``compare_memory_models``).
        folds: k of the k-fold cross-validation.
        skipped: candidates ranked above the choice that are not valid scenario memory models,
            with the reason.
    """

    name: str
    remembered: Remembered
    table: pd.DataFrame
    skipped: tuple[str, ...]
    folds: int


def choose_memory(ratings: Array, codes: NDArray[np.intp], values: Sequence[object], names: Sequence[str],
                  midpoint: float, source: str, outcome: str, folds: int, seed: int) -> MemoryChoice:
    """Cross-validate the memory models on the rows with an outcome and a rating; keep the best valid one."""
    present = ~np.isnan(ratings)
    rows = (codes >= 0) & present.any(axis=1)
    y = _numeric_outcome(codes[rows], values)
    r = ratings[rows]
    long = LongSurvey(
        ratings=r, present=present[rows], durations=None, retrospective=y, groups=None,
        episodes=pd.DataFrame({"row": np.flatnonzero(rows)}), scale=Scale(midpoint - 1.0, midpoint + 1.0),
        source=source, n_read=int(rows.sum()), touchpoint_names=tuple(names), by_touchpoint=r,
    )
    comparison = compare_memory_models(long, folds=folds, bootstrap=0, seed=seed, grouped=False)
    skipped = []
    for cand in comparison.table["model"]:
        fitted = comparison.fitted[str(cand)]
        try:
            if cand == "key_moments":
                remembered = key_moments_refit(r, present[rows], codes[rows], len(values), names, midpoint,
                                               f"{source}: column {outcome!r}")
            else:
                remembered = Remembered(memory_model(fitted), tuple(names), np.ones(len(names)), midpoint)
        except SpecError as err:
            skipped.append(f"{cand}: {err.allowed}")
            continue
        return MemoryChoice(str(cand), remembered, comparison.table, tuple(skipped), folds)
    raise SpecError(f"{source}: column {outcome!r}", "no memory model", "no candidate memory model could be "
                    "fitted: " + "; ".join(skipped))


def _numeric_outcome(codes: NDArray[np.intp], values: Sequence[object]) -> Array:
    if len(values) == 2 and not all(isinstance(v, (int, float)) for v in values):
        return codes.astype(np.float64)
    try:
        return np.asarray(values, dtype=np.float64)[codes]
    except (TypeError, ValueError):
        return codes.astype(np.float64)


def memory_model(fitted: FittedMemory) -> MemoryModel:
    """The scenario memory model of a fitted candidate (an invalid weight raises SpecError)."""
    p = fitted.params
    name = fitted.name
    if name == "mean":
        return Mean()
    if name == "peak":
        return Peak()
    if name == "end":
        return End()
    if name == "peak_end_avg":
        return PeakEnd(w_peak=0.5, w_end=0.5)
    if name == "peak_end":
        return PeakEnd(w_peak=_round(p["w_peak"]), w_end=_round(p["w_end"]))
    if name in ("mean_peak_trough_end", "best", "trough"):
        # peak: best_worst cannot be written in a segment's own memory block (the key `peak` is read
        # there as the name of the peak model), and the scenario gives every segment its own memory
        raise SpecError("memory", name, "a best/worst peak-end memory cannot be written as a segment's own memory")
    if name == "recency":
        return Recency(half_life=float(p["half_life"]))
    raise SpecError("memory", name, "has no scenario memory model")


def _round(x: float) -> float:
    return float(np.round(x, WEIGHT_DECIMALS))


def key_moments_features(ratings: Array, present: NDArray[np.bool_], signs: Array, midpoint: float) -> Array:
    """Each touchpoint's signed affect, or (absent) the mean of the respondent's present ones."""
    a = np.where(present, (np.nan_to_num(ratings, nan=midpoint) - midpoint) * signs, 0.0)
    count = present.sum(axis=1, keepdims=True)
    avg = a.sum(axis=1, keepdims=True) / np.maximum(count, 1)
    return np.where(present, a, avg)


def key_moments_refit(ratings: Array, present: NDArray[np.bool_], codes: NDArray[np.intp], k: int,
                      names: Sequence[str], midpoint: float, field_: str) -> Remembered:
    """Key-moments weights and signs from the outcome's own link (see the module docstring)."""
    signs = np.ones(len(names))
    for _ in range(2):  # the absent touchpoints' stand-in depends on the signs: once more with them
        x = key_moments_features(ratings, present, signs, midpoint)
        if k == 2:
            coef = logistic_coefficients(x, codes.astype(np.float64), field_)[1:]
        else:
            coef = ordinal_coefficients(x, codes, k, field_)[0]
        c = coef * signs
        signs = np.where(c < 0, -1.0, 1.0)
    total = float(np.abs(c).sum())
    if not total > 0:
        raise SpecError(field_, "no key moment", "every key-moments coefficient is zero")
    scale = 10.0 ** WEIGHT_DECIMALS
    w = np.floor(np.abs(c) / total * scale) / scale
    model = KeyMoments(weights=tuple((n, float(v)) for n, v in zip(names, w)))
    return Remembered(model, tuple(names), signs, midpoint)
