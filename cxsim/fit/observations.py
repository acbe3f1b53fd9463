"""Observed targets with their observation noise: the likelihood of a Bayesian calibration.

Each target of a Bayesian calibration (:mod:`cxsim.fit.bayes`) says what was observed and how
noisy the observation is, so that the posterior states how sure the data make us — one
likelihood component per observed target, as in Starsim's calibration components::

    targets:
      - {name: retention, metric: summary.retention_rate, value: 0.80, sd: 0.02}   # normal noise
      - {name: after_1, metric: switched, cycle: 1, value: 0.40, n: 300}           # a share of n people
      - {name: overall, metric: survey.overall, counts: {1: 2, 2: 5, 3: 40, 4: 120, 5: 80}}
      - {name: overall, metric: survey.overall, survey: dealers.csv}               # counts read from a file

* **value** targets (``summary.<column>``, ``cycles.<column>`` at ``cycle``, ``switched`` at
  ``cycle``, read as in :mod:`cxsim.fit.calibrate`) observe the simulated value with normal noise
  of standard deviation ``sd``, or — for a share — as ``k`` of ``n`` people (binomial).
* **distribution** targets (``survey.<column>``: ``overall`` or a touchpoint of the simulated
  questionnaire, :func:`cxsim.engine.survey.survey_from_moments`) observe the counts of each
  rating on the survey scale as a multinomial sample of ``n`` answers from the simulated shares.

Simulated shares are floored at ``FLOOR / K`` (mixed with a uniform over the ``K`` categories) so
that an answer the simulation never produced lowers the likelihood instead of ruling the
parameters out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special

from cxsim.errors import MISSING, SpecError
from cxsim.fit.survey import read_table
from cxsim.specs import checks

Array = NDArray[np.float64]
FLOOR = 1e-3
VALUE_KEYS = ("name", "metric", "value", "cycle", "sd", "n")
DISTRIBUTION_KEYS = ("name", "metric", "counts", "survey", "column", "scale")


@dataclass(frozen=True)
class ValueTarget:
    """A mean, share or point of a curve, observed with normal (``sd``) or binomial (``n``) noise."""

    name: str
    metric: str
    value: float
    cycle: int | None = None
    sd: float | None = None
    n: int | None = None

    def __post_init__(self) -> None:
        where = f"targets.{self.name}"
        checks.name(f"{where}.name", self.name)
        object.__setattr__(self, "value", checks.number(f"{where}.value", self.value))
        kind, _, column = self.metric.partition(".")
        if self.metric == "switched" or (kind == "cycles" and column):
            if self.cycle is None:
                raise SpecError(f"{where}.cycle", MISSING, f"metric {self.metric} needs the cycle it is read at")
            checks.integer(f"{where}.cycle", self.cycle, 1)
        elif kind == "summary" and column:
            if self.cycle is not None:
                raise SpecError(f"{where}.cycle", self.cycle, "summary metrics are over the whole run; remove cycle")
        else:
            raise SpecError(f"{where}.metric", self.metric,
                            "allowed: switched, summary.<column>, cycles.<column>, survey.<column>")
        if (self.sd is None) == (self.n is None):
            raise SpecError(f"{where}.sd", MISSING if self.sd is None else self.sd,
                            "give the observation noise as sd (normal) or n (a share of n people), one of them")
        if self.sd is not None:
            object.__setattr__(self, "sd", checks.positive(f"{where}.sd", self.sd))
        if self.n is not None:
            object.__setattr__(self, "n", checks.integer(f"{where}.n", self.n, 1))
            checks.unit_interval(f"{where}.value", self.value)

    @property
    def size(self) -> int:
        """Number of simulated statistics (one)."""
        return 1


@dataclass(frozen=True)
class DistributionTarget:
    """The counts of each rating of a survey column, observed as a multinomial sample."""

    name: str
    metric: str
    counts: tuple[float, ...]
    scale: tuple[int, int]

    def __post_init__(self) -> None:
        where = f"targets.{self.name}"
        checks.name(f"{where}.name", self.name)
        kind, _, column = self.metric.partition(".")
        if kind != "survey" or not column:
            raise SpecError(f"{where}.metric", self.metric, "a distribution target reads survey.<column>")
        lo, hi = self.scale
        if len(self.counts) != hi - lo + 1:
            raise SpecError(f"{where}.counts", list(self.counts), f"one count per rating {lo}..{hi}")
        for c in self.counts:
            checks.non_negative(f"{where}.counts", c)
        if sum(self.counts) < 1:
            raise SpecError(f"{where}.counts", list(self.counts), "at least one observed answer is required")

    @property
    def column(self) -> str:
        """The survey column (``overall`` or a touchpoint)."""
        return self.metric.partition(".")[2]

    @property
    def size(self) -> int:
        """Number of simulated statistics (the share of each rating)."""
        return len(self.counts)

    @property
    def n(self) -> int:
        """Observed answers."""
        return int(round(sum(self.counts)))

    @property
    def shares(self) -> Array:
        """Observed share of each rating."""
        c = np.asarray(self.counts, dtype=float)
        return c / c.sum()


Target = ValueTarget | DistributionTarget


def target_from_dict(i: int, data: Mapping[str, Any], scale: tuple[int, int] = (1, 5),
                     base: Path | None = None) -> Target:
    """A target from its mapping (``scale``: the survey scale when the target does not give one)."""
    where = f"targets[{i}]"
    data = dict(checks.mapping(where, data))
    for key in ("name", "metric"):
        if key not in data:
            raise SpecError(f"{where}.{key}", MISSING, "every target needs a name and a metric")
    if not str(data["metric"]).startswith("survey."):
        checks.no_unknown_keys(where, data, VALUE_KEYS)
        if "value" not in data:
            raise SpecError(f"{where}.value", MISSING, "a value target needs its observed value")
        return ValueTarget(**data)
    checks.no_unknown_keys(where, data, DISTRIBUTION_KEYS)
    name, metric = str(data["name"]), str(data["metric"])
    if "scale" in data:
        s = checks.sequence(f"targets.{name}.scale", data["scale"])
        if len(s) != 2:
            raise SpecError(f"targets.{name}.scale", data["scale"], "[low, high] of the rating scale")
        field = f"targets.{name}.scale"
        scale = (checks.integer(field, s[0], -1000), checks.integer(field, s[1], -1000))
        if not scale[0] < scale[1]:
            raise SpecError(f"targets.{name}.scale", data["scale"], "low must be below high")
    if ("counts" in data) == ("survey" in data):
        raise SpecError(f"targets.{name}.counts", MISSING, "give counts {rating: count} or survey: <file>, one of them")
    if "counts" in data:
        counts = _counts_from_mapping(name, data["counts"], scale)
    else:
        column = str(data.get("column") or metric.partition(".")[2])
        counts = counts_from_survey(data["survey"], column, scale, f"targets.{name}", base)
    return DistributionTarget(name, metric, counts, scale)


def _counts_from_mapping(name: str, data: Any, scale: tuple[int, int]) -> tuple[float, ...]:
    data = checks.mapping(f"targets.{name}.counts", data)
    lo, hi = scale
    out = [0.0] * (hi - lo + 1)
    for key, c in data.items():
        r = checks.integer(f"targets.{name}.counts", key, lo)
        if r > hi:
            raise SpecError(f"targets.{name}.counts", key, f"ratings lie on the scale {lo}..{hi}")
        out[r - lo] = checks.non_negative(f"targets.{name}.counts.{key}", c)
    return tuple(out)


def counts_from_survey(path: Any, column: str, scale: tuple[int, int], where: str,
                       base: Path | None = None) -> tuple[float, ...]:
    """Counts of each rating of ``column`` in a survey file (CSV or Parquet; blanks dropped)."""
    p = Path(str(path))
    if base is not None and not p.is_absolute():
        p = base / p
    if not p.is_file():
        raise SpecError(f"{where}.survey", str(path), "no such survey file (CSV or Parquet)")
    if p.suffix == ".parquet":
        try:
            table = pd.read_parquet(p)
        except Exception as err:  # pyarrow raises its own types for a broken file: one line whatever it is
            raise SpecError(f"{where}.survey", str(path), f"a readable Parquet file is required "
                            f"({' '.join(str(err).split())[:120]})") from None
    else:
        table, _ = read_table(p)
    if column not in table.columns or column in table.attrs.get("duplicated", ()):
        raise SpecError(f"{where}.column", column, "columns of the survey: " + ", ".join(map(str, table.columns)))
    values = pd.to_numeric(table[column], errors="coerce").dropna().to_numpy()
    if values.size == 0:
        raise SpecError(f"{where}.column", column, f"a column with ratings is required; {p.name} has none in it")
    return tuple(float(c) for c in rating_counts(values, scale, f"{where}.survey"))


def rating_counts(values: Array, scale: tuple[int, int], where: str = "ratings") -> Array:
    """Counts of each whole rating ``lo..hi`` among ``values`` (an error names a value off the scale)."""
    lo, hi = scale
    v = np.asarray(values, dtype=float)
    bad = v[(v != np.rint(v)) | (v < lo) | (v > hi)]
    if bad.size:
        raise SpecError(where, float(bad[0]), f"ratings must be whole numbers on the scale {lo}..{hi}")
    return np.bincount((v - lo).astype(int), minlength=hi - lo + 1).astype(float)


def with_observed(targets: Sequence[Target], observed: Array) -> tuple[Target, ...]:
    """The targets with other observed statistics (same layout as :class:`Likelihood`): synthetic data."""
    out: list[Target] = []
    at = 0
    for t in targets:
        y = np.asarray(observed, dtype=float)[at:at + t.size]
        at += t.size
        if isinstance(t, ValueTarget):
            out.append(replace(t, value=float(np.clip(y[0], 0.0, 1.0)) if t.n is not None else float(y[0])))
        else:
            out.append(replace(t, counts=tuple(float(c) for c in np.rint(y * t.n))))
    return tuple(out)


# --------------------------------------------------------------------------- the likelihood
class Likelihood:
    """The observation model of all targets: simulated statistics -> observations.

    The simulated statistics of a run are one vector: each value target's value, then each
    distribution target's share of every rating. ``log_likelihood`` scores observed data against
    them; ``draw`` simulates observations (for neural posterior estimation and predictive checks).
    """

    def __init__(self, targets: Sequence[Target]) -> None:
        self.targets = tuple(targets)
        sizes = [t.size for t in self.targets]
        self.slices = [slice(a, a + s) for a, s in zip(np.cumsum([0, *sizes[:-1]]), sizes)]
        self.size = int(sum(sizes))
        self.observed = np.concatenate([np.atleast_1d(t.value) if isinstance(t, ValueTarget) else t.shares
                                        for t in self.targets]).astype(float)
        self.max_log_likelihood = float(self.log_likelihood(self.observed[None, :])[0])

    def labels(self) -> list[tuple[str, str]]:
        """``(target, statistic)`` of every simulated statistic (``value`` or ``rating=k``)."""
        out = []
        for t in self.targets:
            if isinstance(t, ValueTarget):
                out.append((t.name, "value"))
            else:
                out += [(t.name, f"rating={k}") for k in range(t.scale[0], t.scale[1] + 1)]
        return out

    def log_likelihood(self, stats: Array) -> Array:
        """``(m,)`` log-likelihood of the observed targets under ``(m, d)`` simulated statistics."""
        s = np.atleast_2d(np.asarray(stats, dtype=float))
        total = np.zeros(s.shape[0])
        for t, sl in zip(self.targets, self.slices):
            x = s[:, sl]
            if isinstance(t, ValueTarget) and t.sd is not None:
                total += -0.5 * ((t.value - x[:, 0]) / t.sd) ** 2 - np.log(t.sd * np.sqrt(2 * np.pi))
            elif isinstance(t, ValueTarget):
                assert t.n is not None  # a value target has exactly one of sd and n (validated)
                p = _floor(np.column_stack([x[:, 0], 1.0 - x[:, 0]]))
                k = t.value * t.n
                total += (special.gammaln(t.n + 1) - special.gammaln(k + 1) - special.gammaln(t.n - k + 1)
                          + k * np.log(p[:, 0]) + (t.n - k) * np.log(p[:, 1]))
            else:
                c = np.asarray(t.counts, dtype=float)
                total += (special.gammaln(c.sum() + 1) - special.gammaln(c + 1).sum()
                          + (c[None, :] * np.log(_floor(x))).sum(axis=1))
        return np.where(np.isfinite(total), total, -np.inf)

    def draw(self, stats: Array, rng: np.random.Generator) -> Array:
        """``(m, d)`` observations drawn around ``(m, d)`` simulated statistics (same layout)."""
        s = np.atleast_2d(np.asarray(stats, dtype=float))
        out = np.empty_like(s)
        for t, sl in zip(self.targets, self.slices):
            x = s[:, sl]
            if isinstance(t, ValueTarget) and t.sd is not None:
                out[:, sl] = x + rng.normal(0.0, t.sd, x.shape)
            elif isinstance(t, ValueTarget):
                assert t.n is not None  # a value target has exactly one of sd and n (validated)
                out[:, sl] = rng.binomial(t.n, np.clip(x, 0.0, 1.0)) / t.n
            else:
                out[:, sl] = rng.multinomial(t.n, _floor(x)) / t.n
        return out

    def features(self, observations: Array) -> Array:
        """Observations without their redundant entries (the last share of each distribution)."""
        o = np.atleast_2d(np.asarray(observations, dtype=float))
        keep = np.ones(self.size, bool)
        for t, sl in zip(self.targets, self.slices):
            if isinstance(t, DistributionTarget):
                keep[sl.stop - 1] = False
        return o[:, keep]


def _floor(p: Array) -> Array:
    """Shares mixed with ``FLOOR`` of a uniform over the categories (rows sum to one)."""
    p = np.clip(np.nan_to_num(np.asarray(p, dtype=float)), 0.0, None)
    total = p.sum(axis=-1, keepdims=True)
    p = np.where(total > 0, p / np.where(total > 0, total, 1.0), 1.0 / p.shape[-1])
    return (1.0 - FLOOR) * p + FLOOR / p.shape[-1]
