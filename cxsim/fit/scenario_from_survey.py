"""A scenario from a survey: simulate customers like these respondents, then try interventions.

:func:`scenario_from_survey` reads a wide survey (touchpoint ratings, an overall outcome that is a
rating or a binary label, optionally a recommend column and a segment column) and fits:

1. each touchpoint's rating shares, not-applicable and blank rates (:class:`~cxsim.fit.survey_model.Margin`),
   for everybody and for each segment;
2. the dependence between touchpoints: a latent Gaussian copula with polychoric correlations
   (:mod:`cxsim.fit.copula`; Olsson 1979, Hoff 2007), so that simulated ratings are as correlated as
   the respondents' (independent draws lose it);
3. the memory model: every candidate of :func:`cxsim.fit.memory_fit.compare_memory_models` is
   cross-validated on the respondents (touchpoints in journey order as the moments, the outcome as
   the retrospective rating) and the best one that is a valid scenario memory is kept. When the key-
   moments model wins, its weights are refitted with the outcome's own link; a touchpoint whose
   weight comes out negative (a higher rating going with a lower outcome) keeps a positive weight
   and gets ``direction: lower``, which is the same model;
4. the links from remembered experience to the outcome and to recommending
   (:class:`~cxsim.fit.survey_model.Link`: logistic for two answers, ordinal logistic otherwise);
5. importance per touchpoint: its share of the explained variance (Shapley decomposition of
   :func:`cxsim.fit.drivers.fit_drivers`).

The result's :attr:`FittedSurvey.scenario` is an ordinary :class:`~cxsim.specs.scenario.Scenario`
whose touchpoints draw ratings from their observed shares (performance on the rating scale,
expectation at the midpoint, no tolerance, loss aversion 1: a moment's affect is the rating minus
the midpoint, as in the memory fit), whose segments remember by the fitted model, and whose
loyalty's recommend line follows the fitted recommend link. :meth:`FittedSurvey.to_yaml` writes it
with comments saying where each number came from. :meth:`FittedSurvey.simulate_survey` draws
respondents from the fitted survey model itself (segments with their own margins and copula),
with the same columns and conventions as the input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cxsim.files import write_atomic
from cxsim.fit import scenario_document
from cxsim.fit.drivers import fit_drivers
from cxsim.fit.survey import Scale, load_wide, where
from cxsim.fit.survey_data import SurveyData, read_survey
from cxsim.fit.survey_memory import MemoryChoice, choose_memory
from cxsim.fit.survey_model import (
    Group,
    Link,
    Remembered,
    Streams,
    draw_answers,
    fit_group,
    fit_link,
)
from cxsim.specs import checks
from cxsim.specs.scenario import Scenario

Array = NDArray[np.float64]
__all__ = ["FittedSurvey", "SurveyData", "read_survey", "scenario_from_survey"]

#: A segment needs at least this many respondents to get distributions of its own.
MIN_SEGMENT_ROWS = 30
#: The group of the segments too small for distributions of their own.
OTHER = "(other)"


@dataclass(frozen=True, eq=False)
class FittedSurvey:
    """A survey turned into a scenario and a generative survey model.

    Attributes:
        scenario: the scenario spec (what ``cxsim`` runs).
        document: the scenario as a config mapping (what :meth:`to_yaml` writes).
        comments: provenance lines written above the mapping and beside its parts.
        data: the survey as read.
        groups: margins and copula of everybody (``all``) or of each segment.
        remembered: ratings to remembered experience.
        outcome_link, recommend_link: remembered experience to the answers.
        outcome_blank, recommend_blank: shares of rows leaving them blank.
        memory: the cross-validated choice of memory model.
        drivers: importance of each touchpoint (share of explained variance).
    """

    scenario: Scenario
    document: dict[str, Any]
    comments: scenario_document.Comments
    data: SurveyData
    groups: tuple[Group, ...]
    remembered: Remembered
    outcome_link: Link
    recommend_link: Link | None
    outcome_blank: float
    recommend_blank: float
    memory: MemoryChoice
    drivers: pd.DataFrame

    def simulate_survey(self, n: int, seed: int = 0) -> pd.DataFrame:
        """``n`` simulated respondents with the input's columns and conventions.

        Touchpoint columns hold ratings on the input's scale, the not-applicable value where a
        touchpoint did not apply and blanks (NaN) where a respondent would not answer; the outcome
        holds the input's labels (or ratings), the recommend and segment columns likewise.
        The same ``n`` and ``seed`` give the same table.
        """
        n = checks.integer("n", n, 1)
        seed = checks.integer("seed", seed, 0)
        streams = Streams.from_seed(seed)
        ans = draw_answers(self.groups, self.remembered, n, streams)
        d = self.data
        out: dict[str, Any] = {}
        if d.segment is not None:
            out[str(d.segment_column)] = np.array([g.name for g in self.groups], dtype=object)[ans.segment]
        for j, col in enumerate(d.touchpoints):
            v = ans.ratings[:, j].copy()
            v[ans.blank[:, j]] = np.nan
            if d.not_applicable_value is not None:
                v[ans.not_applicable[:, j]] = d.not_applicable_value
            else:
                v[ans.not_applicable[:, j]] = np.nan
            out[col] = v
        out[d.outcome] = _answers(self.outcome_link, ans.remembered, streams.outcome, self.outcome_blank)
        if self.recommend_link is not None and d.recommend is not None:
            out[d.recommend] = _answers(self.recommend_link, ans.remembered, streams.recommend, self.recommend_blank)
        return pd.DataFrame(out)

    def yaml_text(self) -> str:
        """The scenario YAML with its provenance comments."""
        return scenario_document.to_text(self.document, self.comments)

    def to_yaml(self, path: str | Path) -> Path:
        """Write the scenario YAML (atomically) and return its path."""
        text = self.yaml_text()
        return Path(write_atomic(Path(path), lambda p: Path(p).write_text(text, encoding="utf-8")))


def _answers(link: Link, m: Array, rng: np.random.Generator, blank: float) -> NDArray[np.object_]:
    u = rng.random((2, m.size))
    idx = link.draw(u[0], m)
    values = np.array(list(link.values), dtype=object)[idx]
    values[u[1] < blank] = np.nan
    return values


# --------------------------------------------------------------------------- the fit
def scenario_from_survey(
    table: str | Path | pd.DataFrame,
    touchpoints: str | Sequence[str],
    outcome: str,
    scale: tuple[float, float] = (1.0, 5.0),
    positive: str | None = None,
    not_applicable: float | None = None,
    segment: str | None = None,
    recommend: str | None = None,
    name: str = "from_survey",
    folds: int = 5,
    seed: int = 0,
    source: str | None = None,
) -> FittedSurvey:
    """Fit a scenario and a generative survey model to a wide survey.

    Args:
        table: a CSV path or a DataFrame, one row per respondent.
        touchpoints: the rating columns in journey order (a list or comma-separated names).
        outcome: the overall outcome: a rating, or a label with ``positive``.
        scale: the touchpoints' rating scale ``(low, high)``.
        positive: the positive label of a binary outcome (``None``: a rating outcome).
        not_applicable: a rating value outside the scale that means "not applicable" (e.g. 0).
        segment: optional segment column: each segment gets its own margins and copula.
        recommend: optional numeric column of recommending (0/1, or a 0-10 likelihood).
        name: the scenario's name.
        folds: k of the k-fold cross-validation that chooses the memory model.
        seed: seed of the folds.
        source: name of the table in messages.

    Raises:
        SpecError: one line naming the file, column (and line) of the first problem.
    """
    folds = checks.integer("folds", folds, 2)
    seed = checks.integer("seed", seed, 0)
    checks.name("name", name)
    data = read_survey(table, touchpoints, outcome, scale, positive, not_applicable, segment, recommend, source)
    everybody, groups = _groups(data)
    names = scenario_document.touchpoint_names(data.touchpoints)
    choice = choose_memory(data.ratings, data.outcome_codes, data.outcome_values, names, float(np.mean(data.scale)),
                           data.source, data.outcome, folds, seed)
    keep = data.outcome_codes >= 0
    present = ~np.isnan(data.ratings)
    lived = present.any(axis=1)
    m = choice.remembered.value(data.ratings, present)
    rows = keep & lived
    outcome_link = _refit(m[rows], data.outcome_codes[rows], data.outcome_values, where(data.source, data.outcome))
    recommend_link, r_blank = None, 0.0
    if data.recommend_codes is not None:
        r_rows = (data.recommend_codes >= 0) & lived
        recommend_link = _refit(m[r_rows], data.recommend_codes[r_rows], data.recommend_values,
                                where(data.source, str(data.recommend)))
        r_blank = float(np.mean(data.recommend_codes < 0))
    drivers = _importance(data)
    recommend_line = None
    if recommend_link is not None:
        r = cast(NDArray[np.intp], data.recommend_codes)  # a recommend link is fitted only with the answers
        answered = (r >= 0) & lived
        recommend_line = scenario_document.recommend_line(recommend_link, m[answered],
                                                          np.asarray(data.recommend_values, float)[r[answered]])
    doc, comments = scenario_document.build(
        name=name, data=data, groups=groups, everybody=everybody, names=names, choice=choice, outcome_link=outcome_link,
        recommend_link=recommend_link, recommend_line=recommend_line, drivers=drivers,
    )
    scenario = scenario_document.to_scenario(doc)
    return FittedSurvey(scenario, doc, comments, data, groups, choice.remembered, outcome_link, recommend_link,
                        float(np.mean(~keep)), r_blank, choice, drivers)


def _groups(data: SurveyData) -> tuple[Group, tuple[Group, ...]]:
    """Margins and copula for everybody, and for each segment (largest first; everybody alone
    without a segment column).

    Segments with fewer than :data:`MIN_SEGMENT_ROWS` respondents are pooled into one group
    named :data:`OTHER`; if that is still too small, it takes everybody's margins and copula
    (with its own share).
    """
    everybody = fit_group("all", 1.0, data.touchpoints, data.ratings, data.not_applicable, data.blank)
    if data.segment is None:
        return everybody, (everybody,)
    labels, counts = np.unique(data.segment, return_counts=True)
    order = np.argsort(-counts, kind="stable")
    out = []
    small = np.zeros(data.n, dtype=bool)
    for i in order:
        rows = data.segment == labels[i]
        if counts[i] < MIN_SEGMENT_ROWS:
            small |= rows
            continue
        out.append(fit_group(str(labels[i]), int(counts[i]) / data.n, data.touchpoints, data.ratings[rows],
                             data.not_applicable[rows], data.blank[rows]))
    if small.any():
        share = float(small.sum()) / data.n
        if small.sum() >= MIN_SEGMENT_ROWS:
            out.append(fit_group(OTHER, share, data.touchpoints, data.ratings[small], data.not_applicable[small],
                                 data.blank[small]))
        else:
            out.append(Group(OTHER, share, everybody.margins, everybody.corr, int(small.sum())))
    return everybody, tuple(out)


def _refit(m: Array, codes: NDArray[np.intp], values: tuple[object, ...], field_: str) -> Link:
    return fit_link(m, codes, values, field_)


def _importance(data: SurveyData) -> pd.DataFrame:
    """Each touchpoint's share of the explained variance (blanks imputed with the column mean)."""
    frame = pd.DataFrame(data.ratings, columns=list(data.touchpoints))
    y = data.outcome_codes.astype(np.float64)
    y[data.outcome_codes < 0] = np.nan
    frame["__outcome__"] = y
    survey = load_wide(frame, "__outcome__", list(data.touchpoints),
                       positive="1" if data.positive is not None else None, scale=Scale(*data.scale), blanks="impute",
                       source=data.source)
    fit = fit_drivers(survey, cross_validate=False)
    return fit.drivers[["touchpoint", "weight", "p_value", "importance", "performance", "quadrant"]].copy()
