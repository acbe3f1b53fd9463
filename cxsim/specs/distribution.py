"""Distributions of performance and of expectations.

Each distribution is a small frozen dataclass, validated when built, with one method:
``sample(rng, size)``. Normal and lognormal draws are made from standard normal variates, so a
change of mean or spread between two scenarios keeps the same underlying draws (common random
numbers, Law & Kelton 2000, ch. 11).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from cxsim.errors import MISSING, SpecError
from cxsim.specs import checks


@runtime_checkable
class Distribution(Protocol):
    """Anything that draws ``size`` values with a given numpy Generator."""

    kind: ClassVar[str]

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> NDArray[np.float64]: ...

    @property
    def mean(self) -> float: ...


def _clip(x: NDArray[np.float64], low: float | None, high: float | None) -> NDArray[np.float64]:
    if low is not None or high is not None:
        np.clip(x, low, high, out=x)
    return x


def _check_bounds(low: float | None, high: float | None) -> None:
    if low is not None:
        checks.number("low", low)
    if high is not None:
        checks.number("high", high)
    if low is not None and high is not None and low >= high:
        raise SpecError("high", high, f"must be greater than low ({low})")


@dataclass(frozen=True)
class Normal:
    """Normal(mean, sd), optionally clipped to [low, high] (e.g. the ends of a rating scale)."""

    mean: float
    sd: float
    low: float | None = None
    high: float | None = None
    kind: ClassVar[str] = "normal"

    def __post_init__(self) -> None:
        checks.number("mean", self.mean)
        checks.non_negative("sd", self.sd)
        _check_bounds(self.low, self.high)

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> NDArray[np.float64]:
        x = np.empty(size)
        sample_into(self, rng, x.reshape(-1))
        return x


@dataclass(frozen=True)
class LogNormal:
    """Lognormal with the given mean and sd *of the variable itself* (not of its logarithm).

    Suited to durations and delays: always positive, skewed to the right. ``sigma**2 =
    log(1 + sd**2 / mean**2)``, ``mu = log(mean) - sigma**2 / 2``.
    """

    mean: float
    sd: float
    low: float | None = None
    high: float | None = None
    kind: ClassVar[str] = "lognormal"

    def __post_init__(self) -> None:
        checks.positive("mean", self.mean)
        checks.non_negative("sd", self.sd)
        _check_bounds(self.low, self.high)

    @property
    def sigma(self) -> float:
        return math.sqrt(math.log1p((self.sd / self.mean) ** 2))

    @property
    def mu(self) -> float:
        return math.log(self.mean) - self.sigma**2 / 2

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> NDArray[np.float64]:
        x = np.empty(size)
        sample_into(self, rng, x.reshape(-1))
        return x


@dataclass(frozen=True)
class Beta:
    """Beta(a, b) stretched onto [low, high] (default [0, 1]); bounded scores and shares."""

    a: float
    b: float
    low: float = 0.0
    high: float = 1.0
    kind: ClassVar[str] = "beta"

    def __post_init__(self) -> None:
        checks.positive("a", self.a)
        checks.positive("b", self.b)
        _check_bounds(self.low, self.high)

    @property
    def mean(self) -> float:
        return self.low + (self.high - self.low) * self.a / (self.a + self.b)

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> NDArray[np.float64]:
        x = rng.beta(self.a, self.b, size)
        if self.low != 0.0 or self.high != 1.0:
            x *= self.high - self.low
            x += self.low
        return x


@dataclass(frozen=True)
class Empirical:
    """Draws from observed values, with optional probabilities (default: equally likely)."""

    values: tuple[float, ...]
    probs: tuple[float, ...] | None = None
    kind: ClassVar[str] = "empirical"

    def __post_init__(self) -> None:
        values = checks.sequence("values", self.values)
        if not values:
            raise SpecError("values", self.values, "at least one value is required")
        object.__setattr__(self, "values", tuple(checks.number(f"values[{i}]", v) for i, v in enumerate(values)))
        if self.probs is not None:
            probs = checks.sequence("probs", self.probs)
            if len(probs) != len(values):
                raise SpecError("probs", self.probs, f"needs one probability per value ({len(values)})")
            probs = tuple(checks.unit_interval(f"probs[{i}]", p) for i, p in enumerate(probs))  # type: ignore[assignment]
            if abs(sum(probs) - 1.0) > 1e-9:
                raise SpecError("probs", self.probs, "probabilities must sum to 1")
            object.__setattr__(self, "probs", probs)

    @property
    def mean(self) -> float:
        if self.probs is None:
            return float(np.mean(self.values))
        return float(np.dot(self.values, self.probs))

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> NDArray[np.float64]:
        from cxsim.draws import random  # numba: imported on first use only

        values = np.asarray(self.values, dtype=np.float64)
        u = random(rng, size)
        if self.probs is None:
            idx = np.minimum((u * len(values)).astype(np.intp), len(values) - 1)
        else:
            cum = np.cumsum(self.probs)
            cum[-1] = 1.0
            idx = np.searchsorted(cum, u, side="right")
        return values[idx]


@dataclass(frozen=True)
class Constant:
    """Always the same value: scripted journeys, teaching examples, fixed expectations."""

    value: float
    kind: ClassVar[str] = "constant"

    def __post_init__(self) -> None:
        checks.number("value", self.value)

    @property
    def mean(self) -> float:
        return float(self.value)

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> NDArray[np.float64]:
        return np.full(size, float(self.value))


def sample_into(dist: Distribution, rng: np.random.Generator, out: NDArray[np.float64]) -> None:
    """Fill ``out`` (1-d, contiguous) with ``dist.sample(rng, out.size)``: the same numbers, no new array.

    The engine refills the same buffers every cycle; normal and lognormal draws go straight into
    them (fresh arrays of millions of draws cost page faults each cycle), standard normal,
    scaled, shifted and (for a normal) clipped in one compiled pass over the generator's stream
    (:func:`cxsim.draws.normal_into`, numpy's numbers bit for bit).
    """
    if not isinstance(dist, (Normal, LogNormal)):
        out[:] = dist.sample(rng, out.size)
        return
    from cxsim.draws import normal_into  # numba: loaded on first use only

    if isinstance(dist, Normal):
        low = -np.inf if dist.low is None else float(dist.low)
        high = np.inf if dist.high is None else float(dist.high)
        normal_into(rng, out, float(dist.mean), float(dist.sd), low, high)
    else:
        normal_into(rng, out, dist.mu, dist.sigma)
        np.exp(out, out=out)
        _clip(out, dist.low, dist.high)


DISTRIBUTIONS: dict[str, type] = {
    cls.kind: cls for cls in (Normal, LogNormal, Beta, Empirical, Constant)
}


def distribution_from_dict(field: str, data: Any) -> Distribution:
    """Build a distribution from ``{dist: normal, mean: ..., sd: ...}``; errors name ``field``."""
    data = checks.mapping(field, data)
    kind = data.get("dist")
    if kind not in DISTRIBUTIONS:
        raise SpecError(f"{field}.dist", kind, "allowed: " + ", ".join(DISTRIBUTIONS))
    cls = DISTRIBUTIONS[kind]
    params = {k: v for k, v in data.items() if k != "dist"}
    known = [f for f in cls.__dataclass_fields__ if f != "kind"]  # type: ignore[attr-defined]
    checks.no_unknown_keys(field, params, known)
    required = [
        f for f, spec in cls.__dataclass_fields__.items()  # type: ignore[attr-defined]
        if f != "kind" and spec.default is spec.default_factory  # both MISSING
    ]
    for f in required:
        if f not in params:
            raise SpecError(f"{field}.{f}", MISSING, f"required for dist {kind}")
    try:
        if kind == "empirical":
            params = {k: (tuple(v) if isinstance(v, (list, tuple)) else v) for k, v in params.items()}
        return cls(**params)
    except SpecError as err:
        raise err.at(field) from None


def distribution_to_dict(dist: Distribution) -> dict[str, Any]:
    """The inverse of :func:`distribution_from_dict` (for saving specs as JSON/YAML)."""
    out: dict[str, Any] = {"dist": dist.kind}
    for f in dist.__dataclass_fields__:  # type: ignore[attr-defined]
        if f == "kind":
            continue
        v = getattr(dist, f)
        if v is not None:
            out[f] = list(v) if isinstance(v, tuple) else v
    return out

