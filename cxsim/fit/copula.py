"""Ordinal ratings joined by a latent Gaussian copula: thresholds, polychoric correlations, draws.

A rating item with ordered answers ``v_1 < … < v_K`` given with shares ``p_1 … p_K`` is read as a
standard normal latent variable cut at ``c_k = Φ⁻¹(p_1 + … + p_k)``: answer ``v_k`` when
``c_{k−1} < Z ≤ c_k``. Several items share one multivariate normal latent vector with correlation
matrix ``R``, so every item keeps its observed rating shares exactly while the items stay as
correlated as the respondents' answers (a Gaussian copula with ordinal margins; Hoff 2007 gives the
rank-likelihood view of the same model).

``R`` is estimated pair by pair by the two-step polychoric method (Olsson 1979): thresholds from
each item's shares, then the correlation that maximises the likelihood of the pair's contingency
table under the bivariate normal. The bivariate normal distribution function is computed by
Gauss–Legendre quadrature of Plackett's (1954) identity
``Φ₂(h, k; ρ) = Φ(h)Φ(k) + (1/2π) ∫₀^{asin ρ} exp(−(h² − 2hk sin θ + k²) / (2 cos² θ)) dθ``
(the form used by Drezner & Wesolowsky 1990). Pairwise estimates need not form a positive
definite matrix; :func:`nearest_correlation` clips the eigenvalues and rescales to a unit diagonal
(the first step of Higham 2002).

Everything here is pure numpy (and ``scipy.special`` for Φ and Φ⁻¹); missing answers are coded
``-1`` and left out pair by pair.

References: Olsson, U. (1979), "Maximum likelihood estimation of the polychoric correlation
coefficient", Psychometrika 44; Hoff, P. D. (2007), "Extending the rank likelihood for semiparametric
copula estimation", Annals of Applied Statistics 1; Drezner, Z. & Wesolowsky, G. O. (1990), "On the
computation of the bivariate normal integral", J. Statist. Comput. Simul. 35; Higham, N. J. (2002),
"Computing the nearest correlation matrix", IMA J. Numer. Anal. 22.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special

Array = NDArray[np.float64]
Codes = NDArray[np.int64]

#: Latent cut points are clipped to ±this value (Φ(8) = 1 − 6e-16): "infinite" for every purpose here.
Z_MAX = 8.0
#: Largest absolute polychoric correlation returned (the likelihood is flat and the matrix
#: singular at ±1).
RHO_MAX = 0.995
#: Smallest eigenvalue kept by :func:`nearest_correlation`.
EIG_MIN = 1e-6

_GL_X, _GL_W = np.polynomial.legendre.leggauss(24)


def thresholds(shares: Array) -> Array:
    """Latent cut points ``c_1 … c_{K−1}`` of an item with answer shares ``p_1 … p_K`` (summing to 1)."""
    p = np.asarray(shares, dtype=np.float64)
    cum = np.cumsum(p)[:-1] / p.sum()
    return np.clip(special.ndtri(np.clip(cum, 0.0, 1.0)), -Z_MAX, Z_MAX)


def bvn_cdf(h: Array, k: Array, rho: float) -> Array:
    """``P(Z₁ ≤ h, Z₂ ≤ k)`` for a standard bivariate normal with correlation ``rho`` (broadcast).

    Plackett's identity integrated by 24-point Gauss–Legendre quadrature in ``θ = asin r``;
    absolute error below 1e-7 for ``|rho| ≤ 0.995`` (checked against scipy in the tests).
    """
    h = np.clip(np.asarray(h, dtype=np.float64), -Z_MAX, Z_MAX)
    k = np.clip(np.asarray(k, dtype=np.float64), -Z_MAX, Z_MAX)
    base = special.ndtr(h) * special.ndtr(k)
    if rho == 0.0:
        return base
    top = float(np.arcsin(np.clip(rho, -1.0, 1.0)))
    theta = 0.5 * top * (_GL_X + 1.0)  # nodes on [0, asin rho]
    s, c2 = np.sin(theta), np.cos(theta) ** 2
    hh, kk = h[..., None], k[..., None]
    expo = np.exp(-(hh * hh - 2.0 * hh * kk * s + kk * kk) / (2.0 * c2))
    return base + (0.5 * top) * (expo @ _GL_W) / (2.0 * np.pi)


def cell_probabilities(cuts_a: Array, cuts_b: Array, rho: float) -> Array:
    """``(K_a, K_b)`` probabilities of every pair of answers under the latent bivariate normal."""
    ea = np.concatenate([[-Z_MAX], cuts_a, [Z_MAX]])
    eb = np.concatenate([[-Z_MAX], cuts_b, [Z_MAX]])
    grid = bvn_cdf(ea[:, None], eb[None, :], rho)
    return np.diff(np.diff(grid, axis=0), axis=1)


def table(codes_a: Codes, codes_b: Codes, k_a: int, k_b: int) -> Array:
    """Contingency table of two coded items over the rows where both are answered (codes ≥ 0)."""
    both = (codes_a >= 0) & (codes_b >= 0)
    flat = codes_a[both] * k_b + codes_b[both]
    return np.bincount(flat, minlength=k_a * k_b).reshape(k_a, k_b).astype(np.float64)


def polychoric(counts: Array, cuts_a: Array, cuts_b: Array) -> float:
    """The two-step polychoric correlation of a contingency table (Olsson 1979).

    A table with fewer than two answers on either side carries no information about the
    correlation: 0 is returned.
    """
    if counts.sum() == 0 or (counts.sum(axis=1) > 0).sum() < 2 or (counts.sum(axis=0) > 0).sum() < 2:
        return 0.0

    def negloglik(rho: float) -> float:
        p = cell_probabilities(cuts_a, cuts_b, rho)
        return -float(np.sum(counts * np.log(np.maximum(p, 1e-300))))

    res = optimize.minimize_scalar(negloglik, bounds=(-RHO_MAX, RHO_MAX), method="bounded",
                                   options={"xatol": 1e-5})
    return float(res.x)


def encode(values: Array, categories: Array) -> Codes:
    """Answers as category indices (``-1`` where NaN); every value must be one of ``categories``."""
    v = np.asarray(values, dtype=np.float64)
    codes = np.searchsorted(categories, v)
    codes = np.where(np.isnan(v), -1, codes).astype(np.int64)
    return codes


def polychoric_matrix(codes: Codes, cuts: list[Array]) -> Array:
    """Pairwise polychoric correlations of coded items (``(n, k)``, ``-1`` = missing), made a
    valid correlation matrix by :func:`nearest_correlation`."""
    k = codes.shape[1]
    r = np.eye(k)
    sizes = [c.size + 1 for c in cuts]
    for i in range(k):
        for j in range(i + 1, k):
            counts = table(codes[:, i], codes[:, j], sizes[i], sizes[j])
            r[i, j] = r[j, i] = polychoric(counts, cuts[i], cuts[j])
    return nearest_correlation(r)


def nearest_correlation(r: Array) -> Array:
    """A symmetric matrix with unit diagonal made positive definite: eigenvalues clipped at
    :data:`EIG_MIN`, then rescaled to a unit diagonal (Higham 2002, first projection)."""
    sym = 0.5 * (r + r.T)
    vals, vecs = np.linalg.eigh(sym)
    if vals.min() >= EIG_MIN:
        return sym
    fixed = (vecs * np.maximum(vals, EIG_MIN)) @ vecs.T
    d = np.sqrt(np.diag(fixed))
    out = fixed / np.outer(d, d)
    np.fill_diagonal(out, 1.0)
    return out


def latent_normal(rng: np.random.Generator, corr: Array, n: int) -> Array:
    """``(n, k)`` draws of the latent multivariate normal with correlation ``corr`` (Cholesky)."""
    chol = np.linalg.cholesky(corr)
    return rng.standard_normal((n, corr.shape[0])) @ chol.T


def discretise(z: Array, cuts: Array) -> Codes:
    """Latent values to answer indices: ``k`` where ``c_{k−1} < z ≤ c_k``."""
    return np.searchsorted(cuts, z, side="left").astype(np.int64)
