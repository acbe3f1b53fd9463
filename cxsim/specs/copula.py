"""Correlated touchpoint performance: a Gaussian copula over some touchpoints of a journey.

Customers who rate one touchpoint well tend to rate the others well too (in real surveys the
ratings of a journey's touchpoints correlate at 0.2-0.7). Drawing each touchpoint on its own
loses that. A :class:`GaussianCopula` names touchpoints and the correlation matrix of a latent
standard normal vector; each customer's performance at touchpoint ``j`` is the touchpoint's own
distribution's quantile at ``Φ(z_j)`` (Sklar 1959; Nelsen 2006, ch. 2.4; with ordinal margins it
is the model of Hoff 2007). Every touchpoint keeps its own distribution exactly; only the
dependence is added. A journey without a copula draws exactly as before.

:func:`quantile` is the inverse distribution function of every distribution kind (for
``empirical`` the smallest value whose cumulative probability reaches ``u``, values sorted).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special

from cxsim.errors import SpecError
from cxsim.specs import checks
from cxsim.specs.distribution import Beta, Constant, Distribution, Empirical, LogNormal, Normal
from cxsim.specs.mapping import from_mapping

Array = NDArray[np.float64]
#: Distribution kinds a copula can draw (those with a quantile function here).
QUANTILE_KINDS = ("normal", "lognormal", "beta", "empirical", "constant")


@dataclass(frozen=True)
class GaussianCopula:
    """Touchpoints whose performance draws share a latent multivariate normal.

    Attributes:
        touchpoints: names of two or more touchpoints of the journey.
        correlation: the latent correlation matrix, one row per touchpoint in that order
            (symmetric, unit diagonal, positive definite).
    """

    touchpoints: tuple[str, ...]
    correlation: tuple[tuple[float, ...], ...]

    def __post_init__(self) -> None:
        names = tuple(str(checks.name(f"touchpoints[{i}]", t))
                      for i, t in enumerate(checks.sequence("touchpoints", self.touchpoints)))
        if len(names) < 2:
            raise SpecError("touchpoints", list(names), "a copula joins at least two touchpoints")
        if len(set(names)) != len(names):
            raise SpecError("touchpoints", list(names), "each touchpoint may be named once")
        rows = checks.sequence("correlation", self.correlation)
        k = len(names)
        if len(rows) != k:
            raise SpecError("correlation", f"{len(rows)} rows", f"one row per touchpoint ({k})")
        matrix = []
        for i, row in enumerate(rows):
            row = checks.sequence(f"correlation[{i}]", row)
            if len(row) != k:
                raise SpecError(f"correlation[{i}]", f"{len(row)} values", f"one value per touchpoint ({k})")
            matrix.append(tuple(float(checks.number(f"correlation[{i}][{j}]", v)) for j, v in enumerate(row)))
        r = np.array(matrix)
        for i in range(k):
            if r[i, i] != 1.0:
                raise SpecError(f"correlation[{i}][{i}]", r[i, i], "the diagonal of a correlation matrix is 1")
            for j in range(k):
                if not -1.0 <= r[i, j] <= 1.0:
                    raise SpecError(f"correlation[{i}][{j}]", r[i, j], "a correlation lies in [-1, 1]")
                if abs(r[i, j] - r[j, i]) > 1e-12:
                    raise SpecError(f"correlation[{i}][{j}]", r[i, j], f"must equal correlation[{j}][{i}] ({r[j, i]})")
        try:
            np.linalg.cholesky(r)
        except np.linalg.LinAlgError:
            raise SpecError("correlation", "not positive definite",
                            "a positive definite correlation matrix (no touchpoint a combination of others)") from None
        object.__setattr__(self, "touchpoints", names)
        object.__setattr__(self, "correlation", tuple(matrix))

    def cholesky(self) -> Array:
        """The lower Cholesky factor ``L`` of the correlation matrix (``z = L·e``, ``e`` independent)."""
        return np.linalg.cholesky(np.array(self.correlation))


def copula_from_dict(field: str, data: Any) -> GaussianCopula:
    """``{touchpoints: [a, b], correlation: [[1, r], [r, 1]]}`` → :class:`GaussianCopula` (the
    generic builder, as ``journey.copula`` is built inside a journey)."""
    return from_mapping(GaussianCopula, data, field)


def copula_to_dict(copula: GaussianCopula) -> dict[str, Any]:
    """The inverse of :func:`copula_from_dict`."""
    return {"touchpoints": list(copula.touchpoints), "correlation": [list(r) for r in copula.correlation]}


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
