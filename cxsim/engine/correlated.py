"""Drawing correlated touchpoint performance for a cycle (the journey's Gaussian copula).

:func:`draw_correlated` fills the performance rows of the copula's touchpoints that are due this
cycle from one stream of its own: ``k`` standard normals per customer, correlated by the
copula's Cholesky factor, turned into uniforms by ``Φ`` and into performance by each touchpoint's
quantile function (:func:`cxsim.specs.copula.quantile`). The normals are drawn for every copula
touchpoint whether due or not, so a touchpoint's schedule does not shift the others' draws.

With the copula's ``segments`` (:class:`cxsim.specs.copula.CopulaSegment`), the customers of such a
segment are correlated by the segment's Cholesky factor and drawn from the segment's own
distributions where it has them; the normals are the same draws as without segments (one
``(k, n)`` block for everybody), so a segment's draws do not shift anybody else's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray
from scipy import special

from cxsim.specs.copula import GaussianCopula, correlated_uniforms, quantile
from cxsim.specs.distribution import Distribution

Array = NDArray[np.float64]


def draw_correlated(copula: GaussianCopula, performance_of: Sequence[Distribution], col: Mapping[str, int],
                    drawn: set[int] | frozenset[int], rng: np.random.Generator, performance: Array,
                    segment: NDArray[np.integer] | None = None, segment_names: Sequence[str] = ()) -> None:
    """Fill ``performance[j]`` (touchpoint-major ``(T, n)``) for the copula's touchpoints in ``drawn``.

    Args:
        copula: the journey's copula.
        performance_of: each touchpoint's performance distribution, in journey order.
        col: touchpoint name -> row of ``performance``.
        drawn: rows due this cycle and drawn from a distribution.
        rng: the copula's own stream.
        performance: ``(T, n)`` buffer; only the copula's due rows are written.
        segment: each customer's segment index (the first ``n`` rows); needed only when the
            copula has segments.
        segment_names: the population's segment names (index -> name).
    """
    n = performance.shape[1]
    if not copula.segments:
        u = correlated_uniforms(copula, rng, n)
        for i, name in enumerate(copula.touchpoints):
            j = col[name]
            if j in drawn:
                performance[j] = quantile(performance_of[j], u[i])
        return
    if segment is None:
        raise ValueError("a copula with segments needs each customer's segment")
    e = rng.standard_normal((len(copula.touchpoints), n))
    seg = np.asarray(segment[:n])
    own = np.zeros(n, dtype=bool)
    for s in copula.segments:
        rows = np.flatnonzero(seg == list(segment_names).index(s.name))
        own[rows] = True
        _fill(copula, copula.cholesky(s) @ e[:, rows], rows, s.performance, performance_of, col, drawn, performance)
    rest = np.flatnonzero(~own)
    _fill(copula, copula.cholesky() @ e[:, rest], rest, {}, performance_of, col, drawn, performance)


def _fill(copula: GaussianCopula, z: Array, rows: NDArray[np.intp], own: Mapping[str, Distribution],
          performance_of: Sequence[Distribution], col: Mapping[str, int], drawn: set[int] | frozenset[int],
          performance: Array) -> None:
    """Performance of the customers ``rows`` from their latent normals ``z`` (``(k, len(rows))``)."""
    if rows.size == 0:
        return
    u = special.ndtr(z)
    for i, name in enumerate(copula.touchpoints):
        j = col[name]
        if j in drawn:
            performance[j, rows] = quantile(own.get(name, performance_of[j]), u[i])

