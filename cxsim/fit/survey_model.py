"""A generative model of a wide survey: rating margins, a Gaussian copula, remembered experience, links.

The pieces a fitted survey is made of (:mod:`cxsim.fit.scenario_from_survey` fits them):

* :class:`Margin` — one touchpoint's answers: the shares of each rating among the answered rows,
  the share answering "not applicable" and the share leaving it blank.
* :class:`Group` — the margins of every touchpoint and the polychoric correlation matrix of their
  latent Gaussian copula (:mod:`cxsim.fit.copula`), for everybody or for one segment.
* :class:`Remembered` — how the touchpoint ratings become one remembered experience: a memory
  model of the core library (:mod:`cxsim.behaviour.memory`) applied to the ratings centred on the
  scale's midpoint, each touchpoint with a sign (+1, or −1 where a higher rating goes with a
  lower outcome). Not-applicable touchpoints are absent moments; blanks are answered nowhere but
  were lived through, so they count as absent too when fitting and as lived when simulating.
* :class:`Link` — the remembered experience to an answer: logistic (a binary outcome, e.g.
  satisfied or not, recommends or not) or ordinal logistic, the proportional-odds model of
  McCullagh (1980) (a rating outcome): ``P(Y ≤ v_j) = σ(θ_j − β·m)``.

Drawing respondents (:func:`draw_answers`) is pure numpy: latent normals → ratings by the cut
points, independent not-applicable and blank draws at the observed rates, the memory model, then
the link by inverse transform of one uniform per respondent.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cxsim.behaviour.memory import MemoryModel
from cxsim.errors import SpecError
from cxsim.fit import copula

Array = NDArray[np.float64]
LINKS = ("logistic", "ordinal")


@dataclass(frozen=True)
class Margin:
    """One touchpoint's answers.

    Attributes:
        column: the survey column.
        values: the ratings given, ascending.
        shares: share of each rating among the rows that gave one (sums to 1).
        not_applicable: share of all rows answering "not applicable".
        blank: share of all rows left blank.
        answered: rows that gave a rating.
    """

    column: str
    values: tuple[float, ...]
    shares: tuple[float, ...]
    not_applicable: float
    blank: float
    answered: int

    @property
    def cuts(self) -> Array:
        """The latent cut points of the ratings (:func:`cxsim.fit.copula.thresholds`)."""
        return copula.thresholds(np.asarray(self.shares))

    @property
    def mean(self) -> float:
        """Mean rating among the answered rows."""
        return float(np.dot(self.values, self.shares))


def fit_margin(column: str, ratings: Array, not_applicable: NDArray[np.bool_], blank: NDArray[np.bool_]) -> Margin:
    """A touchpoint's :class:`Margin` from its ratings (NaN where not answered) and the two masks."""
    given = ratings[~np.isnan(ratings)]
    if given.size == 0:
        raise SpecError(f"column {column!r}", "no ratings", "a touchpoint needs at least one rating")
    values, counts = np.unique(given, return_counts=True)
    n = max(ratings.size, 1)
    return Margin(column, tuple(float(v) for v in values), tuple(float(c) for c in counts / counts.sum()),
                  float(not_applicable.sum() / n), float(blank.sum() / n), int(given.size))


@dataclass(frozen=True, eq=False)
class Group:
    """Every touchpoint's margin and the latent correlation matrix, for one group of respondents.

    Attributes:
        name: ``all``, or the segment.
        share: the group's share of the respondents.
        margins: one :class:`Margin` per touchpoint, in journey order.
        corr: ``(k, k)`` polychoric correlation matrix (positive definite).
        n: respondents in the group.
    """

    name: str
    share: float
    margins: tuple[Margin, ...]
    corr: Array
    n: int


def fit_group(name: str, share: float, columns: Sequence[str], ratings: Array,
              not_applicable: NDArray[np.bool_], blank: NDArray[np.bool_]) -> Group:
    """Margins and the polychoric correlation matrix of the rows of one group."""
    margins = tuple(fit_margin(c, ratings[:, j], not_applicable[:, j], blank[:, j]) for j, c in enumerate(columns))
    codes = np.column_stack([copula.encode(ratings[:, j], np.asarray(m.values)) for j, m in enumerate(margins)])
    corr = copula.polychoric_matrix(codes, [m.cuts for m in margins])
    return Group(name, share, margins, corr, int(ratings.shape[0]))


@dataclass(frozen=True, eq=False)
class Remembered:
    """Ratings to one remembered experience per respondent.

    ``m = model.remember(sign · (rating − midpoint))`` over the touchpoints present.

    Attributes:
        model: a memory model of the core library (the scenario's).
        names: touchpoint names as the scenario knows them (for key moments).
        signs: +1 or −1 per touchpoint.
        midpoint: the rating scale's midpoint (the "as expected" answer).
    """

    model: MemoryModel
    names: tuple[str, ...]
    signs: Array
    midpoint: float

    def value(self, ratings: Array, present: NDArray[np.bool_]) -> Array:
        """The remembered experience of each row (NaN ratings must be absent in ``present``)."""
        affect = np.where(present, (np.nan_to_num(ratings, nan=self.midpoint) - self.midpoint) * self.signs, 0.0)
        durations = np.ones(len(self.names))
        return np.asarray(self.model.remember(affect, durations, present, self.names), dtype=np.float64)


@dataclass(frozen=True)
class Link:
    """Remembered experience ``m`` to an answer.

    Attributes:
        kind: ``logistic`` (two answers) or ``ordinal`` (ordered answers).
        values: the answers, in order (``(negative, positive)`` labels for a logistic link).
        slope: ``β``.
        cuts: ``(−α,)`` for the logistic link, so that ``P(positive) = σ(β·m − cut)``; the
            thresholds ``θ_1 < … < θ_{K−1}`` for the ordinal link.
    """

    kind: str
    values: tuple[object, ...]
    slope: float
    cuts: tuple[float, ...]

    def __post_init__(self) -> None:
        if self.kind not in LINKS:
            raise SpecError("link", self.kind, "allowed: " + ", ".join(LINKS))

    def probabilities(self, m: Array) -> Array:
        """``(n, K)`` probability of each answer."""
        eta = self.slope * np.asarray(m, dtype=np.float64)
        cum = 1.0 / (1.0 + np.exp(-(np.asarray(self.cuts)[None, :] - eta[:, None])))  # P(Y <= v_j)
        full = np.column_stack([np.zeros(eta.size), cum, np.ones(eta.size)])
        return np.diff(full, axis=1)

    def draw(self, u: Array, m: Array) -> NDArray[np.intp]:
        """Answer indices by inverse transform of the uniforms ``u``."""
        cum = np.cumsum(self.probabilities(m), axis=1)
        cum[:, -1] = 1.0
        return (u[:, None] >= cum).sum(axis=1)

    @property
    def intercept(self) -> float:
        """``α`` of a logistic link: ``P(positive) = σ(α + β·m)``."""
        return -self.cuts[0]


def fit_link(m: Array, codes: NDArray[np.intp], values: Sequence[object], field_: str) -> Link:
    """Fit a logistic (two answers) or ordinal logistic link of answer indices on ``m``.

    Raises:
        SpecError: when the answers are perfectly separated by ``m`` (no finite fit).
    """
    x = np.asarray(m, dtype=np.float64)[:, None]
    if len(values) == 2:
        coef = logistic_coefficients(x, codes.astype(np.float64), field_)
        return Link("logistic", tuple(values), float(coef[1]), (-float(coef[0]),))
    slope, cuts = ordinal_coefficients(x, codes, len(values), field_)
    return Link("ordinal", tuple(values), float(slope[0]), tuple(float(c) for c in cuts))


def logistic_coefficients(x: Array, y: Array, field_: str) -> Array:
    """Intercept and slopes of a logistic regression (statsmodels Logit, Newton)."""
    from statsmodels.discrete.discrete_model import (
        Logit,  # statsmodels: heavy, loaded when a link is fitted
    )
    from statsmodels.tools.sm_exceptions import PerfectSeparationError, PerfectSeparationWarning

    design = np.column_stack([np.ones(len(x)), x])
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return np.asarray(Logit(y, design).fit(disp=0, method="newton", maxiter=100).params)
        except (PerfectSeparationError, PerfectSeparationWarning, np.linalg.LinAlgError):
            raise SpecError(field_, "perfectly separated", "the touchpoints predict the answer perfectly; "
                            "a logistic link cannot be fitted") from None


def ordinal_coefficients(x: Array, codes: NDArray[np.intp], k: int, field_: str) -> tuple[Array, Array]:
    """Slopes and thresholds of a proportional-odds model (statsmodels OrderedModel, logit)."""
    from statsmodels.miscmodels.ordinal_model import (
        OrderedModel,  # statsmodels: heavy, loaded on use
    )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = OrderedModel(codes, x, distr="logit")
        res = model.fit(method="bfgs", disp=False, maxiter=500)
    params = np.asarray(res.params)
    slopes = params[: x.shape[1]]
    cuts = np.asarray(model.transform_threshold_params(params))[1:-1]
    if not (np.all(np.isfinite(slopes)) and np.all(np.isfinite(cuts))):
        raise SpecError(field_, "no finite fit", "the ordinal link could not be fitted")
    if cuts.size != k - 1:
        raise SpecError(field_, f"{k} answers", "every answer needs at least one respondent")
    return slopes, cuts


@dataclass(frozen=True, eq=False)
class Answers:
    """Simulated respondents' answers (before being laid out as the survey's columns).

    Attributes:
        segment: ``(n,)`` group index of each respondent.
        ratings: ``(n, k)`` ratings (every touchpoint rated, whether applicable or not).
        not_applicable: ``(n, k)`` touchpoints that did not apply.
        blank: ``(n, k)`` touchpoints left blank (applicable but not answered).
        remembered: ``(n,)`` remembered experience.
    """

    segment: NDArray[np.intp]
    ratings: Array
    not_applicable: NDArray[np.bool_]
    blank: NDArray[np.bool_]
    remembered: Array


@dataclass(frozen=True)
class Streams:
    """The independent random streams of one simulated survey (``SeedSequence(seed).spawn``)."""

    segment: np.random.Generator
    latent: np.random.Generator
    missing: np.random.Generator
    outcome: np.random.Generator
    recommend: np.random.Generator

    @classmethod
    def from_seed(cls, seed: int) -> Streams:
        """One stream per purpose, spawned in a fixed order from ``seed`` (0 is a seed)."""
        kids = np.random.SeedSequence(seed).spawn(5)
        return cls(*(np.random.default_rng(k) for k in kids))


def draw_answers(groups: Sequence[Group], remembered: Remembered, n: int, streams: Streams) -> Answers:
    """Draw ``n`` respondents: group, latent ratings, not-applicable and blank answers, memory."""
    shares = np.array([g.share for g in groups])
    seg = streams.segment.choice(len(groups), size=n, p=shares / shares.sum())
    k = len(groups[0].margins)
    ratings = np.empty((n, k))
    na_p = np.empty((n, k))
    blank_p = np.empty((n, k))
    for i, g in enumerate(groups):
        rows = np.flatnonzero(seg == i)
        z = copula.latent_normal(streams.latent, g.corr, rows.size)
        for j, mg in enumerate(g.margins):
            ratings[rows, j] = np.asarray(mg.values)[copula.discretise(z[:, j], mg.cuts)]
            na_p[rows, j] = mg.not_applicable
            blank_p[rows, j] = mg.blank
    u = streams.missing.random((n, 2, k))
    not_applicable = u[:, 0] < na_p
    blank = ~not_applicable & (u[:, 1] < blank_p / np.maximum(1.0 - na_p, 1e-12))
    present = ~not_applicable
    m = np.nan_to_num(remembered.value(ratings, present), nan=0.0)  # nothing applied: as expected
    return Answers(seg, ratings, not_applicable, blank, m)
