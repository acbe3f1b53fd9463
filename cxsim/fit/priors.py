"""Prior distributions over named simulation parameters (dotted config paths).

A prior is written in a calibration file as ``<dotted.path>: {dist: ..., ...}``::

    parameters:
      scenario.loyalty.satisfaction_slope: {dist: uniform, low: 0.0, high: 3.0}
      scenario.loyalty.base_repurchase:    {dist: beta, a: 8, b: 2, low: 0.8, high: 1.0}
      scenario.word_of_mouth.negative_reach: {dist: normal, mean: 0.25, sd: 0.1, low: 0, high: 1}
      scenario.journey.touchpoints.4.performance.mean: {dist: lognormal, mean: 6.0, sd: 2.0}

``uniform`` needs ``low`` and ``high``; ``normal`` (``mean``, ``sd``) and ``lognormal``
(``mean`` and ``sd`` of the variable itself, as in the scenario distributions) may be truncated
to ``[low, high]``; ``beta`` has shapes ``a``, ``b`` on ``[low, high]`` (default ``[0, 1]``).

Every prior is also a one-to-one map to a **standard-normal working space**:
``z = Φ⁻¹(F(x))`` with ``F`` the prior's CDF. In that space the prior is ``N(0, I)`` whatever its
shape and bounds, so the inference methods (:mod:`cxsim.fit.bayes`) never propose a value outside
the bounds and need no special handling of bounded supports (the probability integral
transform; e.g. Papamakarios et al. 2021, *Normalizing flows*, §2).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from cxsim.errors import MISSING, SpecError
from cxsim.specs import checks

Array = NDArray[np.float64]
DISTS = ("uniform", "normal", "lognormal", "beta")
_KEYS = {
    "uniform": ("dist", "low", "high"),
    "normal": ("dist", "mean", "sd", "low", "high"),
    "lognormal": ("dist", "mean", "sd", "low", "high"),
    "beta": ("dist", "a", "b", "low", "high"),
}
_TAIL = 1e-12  # keeps Φ⁻¹ finite at the ends of the unit interval


@dataclass(frozen=True)
class Prior:
    """The prior of one parameter.

    Attributes:
        path: dotted path of the composed config (``scenario.loyalty.satisfaction_slope``).
        dist: ``uniform``, ``normal``, ``lognormal`` or ``beta``.
        low, high: bounds (required for ``uniform``; optional truncation otherwise; the support
            of ``beta``, default ``[0, 1]``).
        mean, sd: of ``normal`` and ``lognormal`` (of the variable itself, not of its log).
        a, b: shapes of ``beta``.
    """

    path: str
    dist: str = "uniform"
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = None
    a: float | None = None
    b: float | None = None

    def __post_init__(self) -> None:
        where = f"parameters.{self.path}"
        checks.name("parameters", self.path)
        checks.choice(f"{where}.dist", self.dist, DISTS)
        for key in ("low", "high", "mean", "sd", "a", "b"):
            value = getattr(self, key)
            if value is not None:
                object.__setattr__(self, key, checks.number(f"{where}.{key}", value))
        need = {"uniform": ("low", "high"), "normal": ("mean", "sd"), "lognormal": ("mean", "sd"),
                "beta": ("a", "b")}[self.dist]
        for key in need:
            if getattr(self, key) is None:
                raise SpecError(f"{where}.{key}", MISSING, f"a {self.dist} prior needs " + " and ".join(need))
        for key in ("sd", "a", "b"):
            if getattr(self, key) is not None:
                checks.positive(f"{where}.{key}", getattr(self, key))
        if self.dist == "lognormal":
            checks.positive(f"{where}.mean", self.mean)
            if self.low is not None and self.low < 0:
                raise SpecError(f"{where}.low", self.low, "a lognormal prior lives on (0, inf); low must be >= 0")
        if self.dist == "beta":
            object.__setattr__(self, "low", 0.0 if self.low is None else self.low)
            object.__setattr__(self, "high", 1.0 if self.high is None else self.high)
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise SpecError(f"{where}.high", self.high, f"must be above low ({self.low:g})")
        lo, hi = self._cdf_bounds()
        if not hi - lo > 1e-9:
            raise SpecError(f"{where}.low", self.low, "the bounds leave no prior mass; widen them")

    # ------------------------------------------------------------------ the distribution
    def _base(self) -> Any:
        """The untruncated scipy distribution."""
        if self.dist == "uniform":
            return stats.uniform(self.low, self.high - self.low)  # type: ignore[operator]
        if self.dist == "normal":
            return stats.norm(self.mean, self.sd)
        if self.dist == "lognormal":  # mean and sd of the variable -> mu, sigma of its log
            m, s = float(self.mean), float(self.sd)  # type: ignore[arg-type]
            sigma2 = math.log1p((s / m) ** 2)
            return stats.lognorm(s=math.sqrt(sigma2), scale=math.exp(math.log(m) - sigma2 / 2))
        return stats.beta(self.a, self.b, loc=self.low, scale=self.high - self.low)  # type: ignore[operator]

    def _cdf_bounds(self) -> tuple[float, float]:
        base = self._base()
        lo = float(base.cdf(self.low)) if self.low is not None else 0.0
        hi = float(base.cdf(self.high)) if self.high is not None else 1.0
        return lo, hi

    def ppf(self, u: Array) -> Array:
        """Quantile function of the (truncated) prior at probabilities ``u``."""
        lo, hi = self._cdf_bounds()
        x = self._base().ppf(lo + np.clip(np.asarray(u, dtype=float), 0.0, 1.0) * (hi - lo))
        return np.clip(x, -np.inf if self.low is None else self.low, np.inf if self.high is None else self.high)

    def cdf(self, x: Array) -> Array:
        """CDF of the (truncated) prior."""
        lo, hi = self._cdf_bounds()
        return np.clip((self._base().cdf(np.asarray(x, dtype=float)) - lo) / (hi - lo), 0.0, 1.0)

    def logpdf(self, x: Array) -> Array:
        """Log density of the (truncated) prior (``-inf`` outside the bounds)."""
        lo, hi = self._cdf_bounds()
        x = np.asarray(x, dtype=float)
        out = self._base().logpdf(x) - math.log(hi - lo)
        outside = np.zeros(x.shape, bool)
        if self.low is not None:
            outside |= x < self.low
        if self.high is not None:
            outside |= x > self.high
        return np.where(outside, -np.inf, out)

    def from_z(self, z: Array) -> Array:
        """Working space (standard normal) -> parameter value."""
        return self.ppf(stats.norm.cdf(np.asarray(z, dtype=float)))

    def to_z(self, x: Array) -> Array:
        """Parameter value -> working space (standard normal)."""
        return stats.norm.ppf(np.clip(self.cdf(x), _TAIL, 1.0 - _TAIL))

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        """``n`` draws from the prior."""
        return self.from_z(rng.standard_normal(n))

    def moments(self) -> tuple[float, float]:
        """Mean and standard deviation of the (truncated) prior (by quadrature on its quantiles)."""
        u = (np.arange(4000) + 0.5) / 4000
        x = self.ppf(u)
        return float(np.mean(x)), float(np.std(x))

    def describe(self) -> str:
        """``normal(mean=0.25, sd=0.1) on [0, 1]`` — the prior in words."""
        keys = {"uniform": (), "normal": ("mean", "sd"), "lognormal": ("mean", "sd"), "beta": ("a", "b")}[self.dist]
        inner = ", ".join(f"{k}={getattr(self, k):g}" for k in keys)
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self.high is None else f"{self.high:g}"
        return f"{self.dist}({inner}) on [{lo}, {hi}]"


def prior_from_dict(path: str, data: Mapping[str, Any]) -> Prior:
    """A :class:`Prior` from its mapping; ``{low, high}`` alone is a uniform prior (as in the point fit)."""
    where = f"parameters.{path}"
    data = checks.mapping(where, data)
    dist = str(data.get("dist", "uniform"))
    checks.choice(f"{where}.dist", dist, DISTS)
    checks.no_unknown_keys(where, data, _KEYS[dist])
    return Prior(str(path), **{k: v for k, v in data.items()})


def priors_from_dict(data: Mapping[str, Any]) -> tuple[Prior, ...]:
    """Every parameter's prior from the ``parameters`` mapping of a calibration file."""
    data = checks.mapping("parameters", data)
    if not data:
        raise SpecError("parameters", {}, "at least one parameter with its prior is required")
    return tuple(prior_from_dict(str(path), spec) for path, spec in data.items())


def to_values(priors: Sequence[Prior], z: Array) -> Array:
    """``(n, k)`` working-space points -> parameter values."""
    z = np.atleast_2d(np.asarray(z, dtype=float))
    return np.column_stack([p.from_z(z[:, j]) for j, p in enumerate(priors)])


def to_working(priors: Sequence[Prior], x: Array) -> Array:
    """``(n, k)`` parameter values -> working space."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    return np.column_stack([p.to_z(x[:, j]) for j, p in enumerate(priors)])
