"""Drawing correlated touchpoint performance for a cycle (the journey's Gaussian copula).

:func:`draw_correlated` fills the performance rows of the copula's touchpoints that are due this
cycle from one stream of its own: ``k`` standard normals per customer, correlated by the
copula's Cholesky factor, turned into uniforms by ``Φ`` and into performance by each touchpoint's
quantile function (:func:`cxsim.specs.copula.quantile`). The normals are drawn for every copula
touchpoint whether due or not, so a touchpoint's schedule does not shift the others' draws.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from cxsim.specs.copula import GaussianCopula, correlated_uniforms, quantile
from cxsim.specs.distribution import Distribution

Array = NDArray[np.float64]


def draw_correlated(copula: GaussianCopula, performance_of: Sequence[Distribution], col: Mapping[str, int],
                    drawn: set[int] | frozenset[int], rng: np.random.Generator, performance: Array) -> None:
    """Fill ``performance[j]`` (touchpoint-major ``(T, n)``) for the copula's touchpoints in ``drawn``.

    Args:
        copula: the journey's copula.
        performance_of: each touchpoint's performance distribution, in journey order.
        col: touchpoint name -> row of ``performance``.
        drawn: rows due this cycle and drawn from a distribution.
        rng: the copula's own stream.
        performance: ``(T, n)`` buffer; only the copula's due rows are written.
    """
    n = performance.shape[1]
    u = correlated_uniforms(copula, rng, n)
    for i, name in enumerate(copula.touchpoints):
        j = col[name]
        if j in drawn:
            performance[j] = quantile(performance_of[j], u[i])
