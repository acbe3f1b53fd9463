"""Correlated touchpoint performance: a Gaussian copula over some touchpoints of a journey.

Customers who rate one touchpoint well tend to rate the others well too (in real surveys the
ratings of a journey's touchpoints correlate at 0.2-0.7). Drawing each touchpoint on its own
loses that. A :class:`GaussianCopula` names touchpoints and the correlation matrix of a latent
standard normal vector; each customer's performance at touchpoint ``j`` is the touchpoint's own
distribution's quantile at ``Φ(z_j)`` (Sklar 1959; Nelsen 2006, ch. 2.4; with ordinal margins it
is the model of Hoff 2007). Every touchpoint keeps its own distribution exactly; only the
dependence is added. A journey without a copula draws exactly as before.

A copula's ``segments`` give segments of the population their own draws (a :class:`CopulaSegment`
each): their own correlation matrix and their own distributions for some of the copula's
touchpoints (e.g. business travellers rate the lounge differently from leisure travellers). A
customer of such a segment draws its copula touchpoints from them; everybody else from the
journey's. The latent normals are the same draws for every customer whatever the segment.

:func:`quantile` is the inverse distribution function of every distribution kind (for
``empirical`` the smallest value whose cumulative probability reaches ``u``, values sorted).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special

from cxsim.errors import SpecError
from cxsim.specs import checks
from cxsim.specs.distribution import (
    Beta,
    Constant,
    Distribution,
    Empirical,
    LogNormal,
    Normal,
    distribution_to_dict,
)
from cxsim.specs.mapping import from_mapping

Array = NDArray[np.float64]
#: Distribution kinds a copula can draw (those with a quantile function here).
QUANTILE_KINDS = ("normal", "lognormal", "beta", "empirical", "constant")


def correlation_matrix(field_: str, rows: Any, k: int) -> tuple[tuple[float, ...], ...]:
    """``rows`` checked as a ``k × k`` correlation matrix (symmetric, unit diagonal, positive definite)."""
    rows = checks.sequence(field_, rows)
    if len(rows) != k:
        raise SpecError(field_, f"{len(rows)} rows", f"one row per touchpoint ({k})")
    matrix = []
    for i, row in enumerate(rows):
        row = checks.sequence(f"{field_}[{i}]", row)
        if len(row) != k:
            raise SpecError(f"{field_}[{i}]", f"{len(row)} values", f"one value per touchpoint ({k})")
        matrix.append(tuple(float(checks.number(f"{field_}[{i}][{j}]", v)) for j, v in enumerate(row)))
    r = np.array(matrix)
    for i in range(k):
        if r[i, i] != 1.0:
            raise SpecError(f"{field_}[{i}][{i}]", r[i, i], "the diagonal of a correlation matrix is 1")
        for j in range(k):
            if not -1.0 <= r[i, j] <= 1.0:
                raise SpecError(f"{field_}[{i}][{j}]", r[i, j], "a correlation lies in [-1, 1]")
            if abs(r[i, j] - r[j, i]) > 1e-12:
                raise SpecError(f"{field_}[{i}][{j}]", r[i, j], f"must equal {field_}[{j}][{i}] ({r[j, i]})")
    try:
        np.linalg.cholesky(r)
    except np.linalg.LinAlgError:
        raise SpecError(field_, "not positive definite",
                        "a positive definite correlation matrix (no touchpoint a combination of others)") from None
    return tuple(matrix)


@dataclass(frozen=True)
class CopulaSegment:
    """A segment's own draws of the copula's touchpoints.

    Attributes:
        name: a segment of the population.
        correlation: the segment's latent correlation matrix (rows in the copula's touchpoint
            order); ``None``: the copula's.
        performance: the segment's own distribution of some of the copula's touchpoints (each
            with a quantile function); the others draw from the journey's distribution.
    """

    name: str
    correlation: tuple[tuple[float, ...], ...] | None = None
    performance: Mapping[str, Distribution] = field(default_factory=dict)

    def __post_init__(self) -> None:
        checks.name("name", self.name)
        if not isinstance(self.performance, Mapping):
            raise SpecError("performance", self.performance, "a mapping of touchpoint -> distribution")
        for tp, dist in self.performance.items():
            kind = getattr(dist, "kind", None)
            if kind not in QUANTILE_KINDS:
                raise SpecError(f"performance.{tp}", kind or type(dist).__name__,
                                "allowed: " + ", ".join(QUANTILE_KINDS))
        object.__setattr__(self, "performance", dict(self.performance))


@dataclass(frozen=True)
class GaussianCopula:
    """Touchpoints whose performance draws share a latent multivariate normal.

    Attributes:
        touchpoints: names of two or more touchpoints of the journey.
        correlation: the latent correlation matrix, one row per touchpoint in that order
            (symmetric, unit diagonal, positive definite).
        segments: segments with draws of their own (:class:`CopulaSegment`), each named once.
    """

    touchpoints: tuple[str, ...]
    correlation: tuple[tuple[float, ...], ...]
    segments: tuple[CopulaSegment, ...] = ()

    def __post_init__(self) -> None:
        names = tuple(str(checks.name(f"touchpoints[{i}]", t))
                      for i, t in enumerate(checks.sequence("touchpoints", self.touchpoints)))
        if len(names) < 2:
            raise SpecError("touchpoints", list(names), "a copula joins at least two touchpoints")
        if len(set(names)) != len(names):
            raise SpecError("touchpoints", list(names), "each touchpoint may be named once")
        object.__setattr__(self, "correlation", correlation_matrix("correlation", self.correlation, len(names)))
        object.__setattr__(self, "touchpoints", names)
        segments = tuple(checks.sequence("segments", self.segments))
        seen: set[str] = set()
        for s, seg in enumerate(segments):
            if seg.name in seen:
                raise SpecError(f"segments[{s}].name", seg.name, "each segment may be named once")
            seen.add(seg.name)
            if seg.correlation is not None:
                object.__setattr__(seg, "correlation",
                                   correlation_matrix(f"segments[{s}].correlation", seg.correlation, len(names)))
            for tp in seg.performance:
                if tp not in names:
                    raise SpecError(f"segments[{s}].performance.{tp}", tp,
                                    "names no touchpoint of the copula; touchpoints: " + ", ".join(names))
        object.__setattr__(self, "segments", segments)

    def cholesky(self, segment: CopulaSegment | None = None) -> Array:
        """The lower Cholesky factor ``L`` of the correlation matrix (``z = L·e``, ``e`` independent),
        of ``segment`` when it has a correlation of its own."""
        corr = self.correlation if segment is None or segment.correlation is None else segment.correlation
        return np.linalg.cholesky(np.array(corr))


def copula_from_dict(field: str, data: Any) -> GaussianCopula:
    """``{touchpoints: [a, b], correlation: [[1, r], [r, 1]]}`` → :class:`GaussianCopula` (the
    generic builder, as ``journey.copula`` is built inside a journey)."""
    return from_mapping(GaussianCopula, data, field)


def copula_to_dict(copula: GaussianCopula) -> dict[str, Any]:
    """The inverse of :func:`copula_from_dict`."""
    out: dict[str, Any] = {"touchpoints": list(copula.touchpoints),
                           "correlation": [list(r) for r in copula.correlation]}
    if copula.segments:
        out["segments"] = [
            {"name": seg.name,
             **({} if seg.correlation is None else {"correlation": [list(r) for r in seg.correlation]}),
             **({"performance": {tp: distribution_to_dict(d) for tp, d in seg.performance.items()}}
                if seg.performance else {})}
            for seg in copula.segments]
    return out


def check_segments(copula: GaussianCopula | None, segments: Sequence[str]) -> None:
    """Every segment the copula names is a segment of the population (``segments``)."""
    for s, seg in enumerate(() if copula is None else copula.segments):
        if seg.name not in segments:
            raise SpecError(f"journey.copula.segments[{s}].name", seg.name,
                            "names no segment of the population; segments: " + ", ".join(segments))


def check_copula(copula: GaussianCopula, performance: Mapping[str, object]) -> None:
    """Every named touchpoint exists and draws from a distribution with a quantile function.

    ``performance`` maps each touchpoint of the journey to its performance source.
    """
    for i, name in enumerate(copula.touchpoints):
        if name not in performance:
            raise SpecError(f"copula.touchpoints[{i}]", name,
                            "names no touchpoint of the journey; touchpoints: " + ", ".join(performance))
        kind = getattr(performance[name], "kind", None)
        if kind not in QUANTILE_KINDS:
            raise SpecError(f"copula.touchpoints[{i}]", name, "a copula draws touchpoints whose performance is one "
                            "of " + ", ".join(QUANTILE_KINDS)
                            + f" (this one: {kind or type(performance[name]).__name__})")


def quantile(dist: Distribution, u: Array) -> Array:
    """The distribution's inverse distribution function at ``u`` in (0, 1)."""
    u = np.asarray(u, dtype=np.float64)
    if isinstance(dist, Empirical):
        values = np.asarray(dist.values, dtype=np.float64)
        probs = np.full(values.size, 1.0 / values.size) if dist.probs is None else np.asarray(dist.probs)
        order = np.argsort(values, kind="stable")
        cum = np.cumsum(probs[order])
        cum[-1] = 1.0
        return values[order][np.minimum(np.searchsorted(cum, u, side="left"), values.size - 1)]
    if isinstance(dist, Normal):
        x = dist.mean + dist.sd * special.ndtri(u)
        return np.clip(x, dist.low, dist.high) if (dist.low is not None or dist.high is not None) else x
    if isinstance(dist, LogNormal):
        x = np.exp(dist.mu + dist.sigma * special.ndtri(u))
        return np.clip(x, dist.low, dist.high) if (dist.low is not None or dist.high is not None) else x
    if isinstance(dist, Beta):
        return dist.low + (dist.high - dist.low) * special.betaincinv(dist.a, dist.b, u)
    if isinstance(dist, Constant):
        return np.full(u.shape, float(dist.value))
    raise SpecError("copula", getattr(dist, "kind", type(dist).__name__), "allowed: " + ", ".join(QUANTILE_KINDS))


def correlated_uniforms(copula: GaussianCopula, rng: np.random.Generator, n: int,
                        chol: Array | None = None) -> Array:
    """``(k, n)`` uniforms ``Φ(L·e)`` of the copula for ``n`` customers (one row per touchpoint)."""
    lower = copula.cholesky() if chol is None else chol
    e = rng.standard_normal((len(copula.touchpoints), n))
    return special.ndtr(lower @ e)


def names_in(copula: GaussianCopula | None) -> Sequence[str]:
    """The copula's touchpoints (none without a copula)."""
    return () if copula is None else copula.touchpoints
