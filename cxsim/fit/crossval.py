"""Cross-validation folds, bootstrap resamples and fit measures shared by the fitting modules.

Folds and resamples come from explicit numpy Generators (seeded from a ``SeedSequence``, one
stream per purpose, as in :mod:`cxsim.engine.streams`). With ``groups`` every fold and every
resample keeps a group's rows together, so no respondent is in both train and test (grouped
k-fold; Roberts et al. 2017 on dependence structures in cross-validation).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from cxsim.errors import SpecError

Array = NDArray[np.float64]
Index = NDArray[np.intp]

FOLD_STREAM, BOOT_STREAM = 0, 1
F = TypeVar("F", bound=Callable[..., Any])


def one_blas_thread(fn: F) -> F:
    """Run ``fn`` with BLAS limited to one thread (threadpoolctl).

    The fits multiply tall, narrow matrices (rows × a few dozen columns), where BLAS threads gain
    little; on a busy machine they spin against each other — measured on the 2-core development
    machine at load 7: a 100,000 × 19 Gram matrix took 2.3 s with OpenBLAS's threads and 0.04 s
    with one (``benchmarks/bench_fit.py``).
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def generators(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """Independent Generators for fold assignment and bootstrap resampling."""
    ss = np.random.SeedSequence(seed)
    folds, boot = ss.spawn(2)
    return np.random.default_rng(folds), np.random.default_rng(boot)


def fold_ids(n: int, k: int, rng: np.random.Generator, groups: NDArray[np.int64] | None = None) -> NDArray[np.intp]:
    """Fold number (0..k−1) of each row; rows of one group share a fold.

    Raises:
        SpecError: when there are fewer rows (or groups) than folds.
    """
    if groups is None:
        if n < k:
            raise SpecError("folds", k, f"at most the number of rows ({n}) is allowed")
        ids = np.arange(n) % k
        return rng.permutation(ids)
    uniq, inv = np.unique(groups, return_inverse=True)
    if uniq.size < k:
        raise SpecError("folds", k, f"at most the number of groups ({uniq.size}) is allowed")
    g_fold = rng.permutation(np.arange(uniq.size) % k)
    return g_fold[inv]


def splits(fold: NDArray[np.intp], k: int) -> Iterator[tuple[Index, Index]]:
    """(train, test) row indices for each fold."""
    for f in range(k):
        test = np.flatnonzero(fold == f)
        yield np.flatnonzero(fold != f), test


def resample(n: int, rng: np.random.Generator, groups: NDArray[np.int64] | None = None) -> Index:
    """One bootstrap resample of row indices (of whole groups when ``groups`` is given)."""
    if groups is None:
        return rng.integers(0, n, n)
    order = np.argsort(groups, kind="stable")
    uniq, start, count = np.unique(groups[order], return_index=True, return_counts=True)
    pick = rng.integers(0, uniq.size, uniq.size)
    return np.concatenate([order[start[g]: start[g] + count[g]] for g in pick])


def correlation(y: Array, pred: Array) -> float:
    """Pearson correlation (NaN when either side is constant)."""
    if y.size < 2 or np.std(pred) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(y, pred)[0, 1])


def rmse(y: Array, pred: Array) -> float:
    """Root mean squared error."""
    return float(np.sqrt(np.mean((y - pred) ** 2)))


def auc(y: Array, score: Array) -> float:
    """Area under the ROC curve = Mann–Whitney U / (n₁·n₀) (Hanley & McNeil 1982)."""
    pos, neg = score[y == 1], score[y == 0]
    if pos.size == 0 or neg.size == 0:
        return float("nan")
    u = stats.mannwhitneyu(pos, neg, alternative="two-sided").statistic
    return float(u / (pos.size * neg.size))


def brier(y: Array, prob: Array) -> float:
    """Brier score (mean squared error of probabilities; Brier 1950)."""
    return float(np.mean((prob - y) ** 2))


def delong_difference(y: Array, a: Array, b: Array, level: float = 0.95) -> tuple[float, float, float]:
    """AUC of scores ``a`` minus AUC of ``b`` on the same respondents, with DeLong's interval.

    The paired comparison of two correlated ROC curves of DeLong, DeLong & Clarke-Pearson (1988),
    from mid-ranks as in Sun & Xu (2014): each AUC is the mean of its placement values, and the
    variance of the difference comes from their covariance across the two scores. O(n log n).
    """
    pos, neg = y == 1, y == 0
    m, n = int(pos.sum()), int(neg.sum())
    if m < 2 or n < 2:
        return float("nan"), float("nan"), float("nan")
    v10, v01 = [], []
    for score in (a, b):
        x, z = score[pos], score[neg]
        tz = stats.rankdata(np.concatenate([x, z]))
        v10.append((tz[:m] - stats.rankdata(x)) / n)  # share of negatives below each positive
        v01.append(1.0 - (tz[m:] - stats.rankdata(z)) / m)  # share of positives above each negative
    s10, s01 = np.cov(np.vstack(v10)), np.cov(np.vstack(v01))
    contrast = np.array([1.0, -1.0])
    var = contrast @ s10 @ contrast / m + contrast @ s01 @ contrast / n
    diff = float(v10[0].mean() - v10[1].mean())
    half = float(stats.norm.ppf(0.5 + level / 2.0) * np.sqrt(max(var, 0.0)))
    return diff, diff - half, diff + half


def zou_difference(y: Array, a: Array, b: Array, level: float = 0.95) -> tuple[float, float, float]:
    """r(y, a) minus r(y, b) on the same respondents, with Zou's (2007) interval for two
    overlapping dependent correlations (Fisher-z limits of each, combined with their correlation)."""
    n = y.size
    r1, r2, r12 = correlation(y, a), correlation(y, b), correlation(a, b)
    if n < 5 or not np.isfinite([r1, r2, r12]).all():
        return float("nan"), float("nan"), float("nan")
    q = float(stats.norm.ppf(0.5 + level / 2.0)) / np.sqrt(n - 3)
    (l1, u1), (l2, u2) = ((np.tanh(np.arctanh(r) - q), np.tanh(np.arctanh(r) + q)) for r in (r1, r2))
    c = ((r12 - 0.5 * r1 * r2) * (1 - r1 ** 2 - r2 ** 2 - r12 ** 2) + r12 ** 3) / ((1 - r1 ** 2) * (1 - r2 ** 2))
    d = r1 - r2
    low = d - np.sqrt(max((r1 - l1) ** 2 + (u2 - r2) ** 2 - 2 * c * (r1 - l1) * (u2 - r2), 0.0))
    high = d + np.sqrt(max((u1 - r1) ** 2 + (r2 - l2) ** 2 - 2 * c * (u1 - r1) * (r2 - l2), 0.0))
    return float(d), float(low), float(high)


def percentile_ci(draws: Array, level: float = 0.95) -> tuple[Array, Array]:
    """Percentile bootstrap interval per column of ``draws`` (Efron & Tibshirani 1993)."""
    lo = (1.0 - level) / 2.0
    return np.nanquantile(draws, lo, axis=0), np.nanquantile(draws, 1.0 - lo, axis=0)
