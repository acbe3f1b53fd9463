"""A wide survey read for a scenario fit: ratings, not-applicable and blank answers, outcome, recommend, segment.

:func:`read_survey` validates the table the way :func:`cxsim.fit.survey.load_wide` does (errors
name the file, the column and the line) but keeps every row and tells a "not applicable" answer
(a declared value outside the scale, e.g. 0) apart from a blank one, because a simulated survey must
reproduce both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cxsim.errors import SpecError
from cxsim.fit.survey import (
    Scale,
    numeric,
    read_table,
    refuse_long_format,
    require_columns,
    split_columns,
    where,
)

Array = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class SurveyData:
    """A wide survey read for :func:`scenario_from_survey` (rows with a blank outcome included).

    Attributes:
        frame: the table as read.
        source: its name in messages.
        touchpoints: rating columns in journey order.
        ratings: ``(n, k)`` ratings, NaN where not applicable or blank.
        not_applicable, blank: ``(n, k)`` masks.
        outcome: the outcome column; ``outcome_codes`` index ``outcome_values`` (-1: blank).
        recommend: the recommend column or ``None``; codes and values likewise.
        segment: segment label of each row, or ``None``; ``segment_column`` its column.
    """

    frame: pd.DataFrame
    source: str
    touchpoints: tuple[str, ...]
    ratings: Array
    not_applicable: NDArray[np.bool_]
    blank: NDArray[np.bool_]
    outcome: str
    outcome_values: tuple[object, ...]
    outcome_codes: NDArray[np.intp]
    positive: str | None
    recommend: str | None
    recommend_values: tuple[object, ...]
    recommend_codes: NDArray[np.intp] | None
    segment: NDArray[np.object_] | None
    segment_column: str | None
    scale: tuple[float, float]
    not_applicable_value: float | None

    @property
    def n(self) -> int:
        """Rows read."""
        return int(self.ratings.shape[0])


def read_survey(
    table: str | Path | pd.DataFrame, touchpoints: str | Sequence[str], outcome: str, scale: tuple[float, float],
    positive: str | None = None, not_applicable: float | None = None, segment: str | None = None,
    recommend: str | None = None, source: str | None = None,
) -> SurveyData:
    """Read and validate a wide survey for a scenario fit (errors name file, column, line)."""
    frame, name = read_table(table, source)
    tps = split_columns(touchpoints)
    if not tps:
        raise SpecError("touchpoints", touchpoints, "at least one rating column is required")
    if len(set(tps)) != len(tps):
        raise SpecError("touchpoints", ",".join(tps), "each column may be named once")
    others = [c for c in (outcome, recommend, segment) if c]
    for c in others:
        if c in tps:
            raise SpecError(c, c, "a touchpoint column may not also be the outcome, recommend or segment column")
    require_columns(frame, name, [*tps, *others])
    refuse_long_format(frame, name, outcome)
    if frame.empty:
        raise SpecError(name, "empty", "at least one respondent is required")
    lo, hi = (float(scale[0]), float(scale[1]))
    sc = Scale(lo, hi)
    na_value = None if not_applicable is None else float(not_applicable)
    if na_value is not None and lo <= na_value <= hi:
        raise SpecError("not_applicable", not_applicable, f"a value outside the rating scale {lo:g}-{hi:g} (e.g. 0)")
    cols, nas, blanks = [], [], []
    for c in tps:
        v = numeric(frame, name, c)
        na = (v == na_value) if na_value is not None else np.zeros(v.size, bool)
        blank = np.isnan(v)
        v = np.where(na, np.nan, v)
        bad = ~np.isnan(v) & ((v < lo) | (v > hi))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            allowed = sc.describe() + (f" or {na_value:g} (not applicable)" if na_value is not None else "")
            raise SpecError(where(name, c, i), _plain(v[i]), allowed + " are allowed")
        if np.unique(v[~np.isnan(v)]).size < 2:
            raise SpecError(where(name, c), "fewer than two different ratings",
                            "a touchpoint's ratings must vary between respondents")
        cols.append(v)
        nas.append(na)
        blanks.append(blank)
    y_values, y_codes = _outcome(frame, name, outcome, positive)
    r_values: tuple[object, ...] = ()
    r_codes = None
    if recommend:
        rv = numeric(frame, name, recommend)
        r_values = tuple(_plain(v) for v in np.unique(rv[~np.isnan(rv)]))
        if len(r_values) < 2:
            raise SpecError(where(name, recommend), "constant", "the recommend answers must vary")
        r_codes = np.where(np.isnan(rv), -1, np.searchsorted(np.asarray(r_values, dtype=float), rv)).astype(np.intp)
    seg = None
    if segment:
        raw = frame[segment]
        seg = np.where(raw.isna(), "(blank)", raw.astype(str).str.strip()).astype(object)
    return SurveyData(frame, name, tuple(tps), np.column_stack(cols), np.column_stack(nas), np.column_stack(blanks),
                      outcome, y_values, y_codes, positive, recommend, r_values, r_codes, seg, segment, (lo, hi),
                      na_value)


def _plain(x: float) -> float | int:
    return int(x) if float(x).is_integer() else float(x)


def _outcome(frame: pd.DataFrame, source: str, column: str,
             positive: str | None) -> tuple[tuple[object, ...], NDArray[np.intp]]:
    """The outcome's answers in order and each row's index (-1 where blank)."""
    raw = frame[column]
    blank = (raw.isna() | (raw.astype(str).str.strip() == "")).to_numpy()
    if positive is None:
        v = numeric(frame, source, column)
        values = np.unique(v[~np.isnan(v)])
        if values.size < 2:
            raise SpecError(where(source, column), "constant", "the outcome must vary")
        codes = np.where(np.isnan(v), -1, np.searchsorted(values, v)).astype(np.intp)
        return tuple(_plain(x) for x in values), codes
    text = raw.astype(str).str.strip()
    hit = (text == str(positive).strip()).to_numpy() & ~blank
    if not hit.any():
        seen = ", ".join(repr(v) for v in text[~blank].unique()[:6])
        raise SpecError(where(source, column), positive, f"the positive value must occur in the column; values: {seen}")
    rest = ~hit & ~blank
    if not rest.any():
        raise SpecError(where(source, column), positive,
                        "both classes are needed: the positive value and at least one other")
    negative = raw[rest].value_counts().index[0]
    positive_value = raw[hit].iloc[0]
    codes = np.where(blank, -1, hit.astype(np.intp)).astype(np.intp)
    return (negative, positive_value), codes
