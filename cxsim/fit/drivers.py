"""Key-driver analysis on a wide survey: which touchpoints move the overall outcome?

* **Driver model** — ordinary least squares for a rating outcome, logistic regression for a binary
  one (statsmodels), on standardised touchpoint ratings: a weight is the change in the outcome (in
  standard deviations; in log-odds for a binary outcome) per standard deviation of the rating,
  with 95 % confidence intervals and p-values.
* **Relative importance** — each touchpoint's share of the explained variance, by the Shapley
  decomposition of R² over all subsets of touchpoints (general dominance; Budescu 1993, Grömping
  2007, Lipovetsky & Conklin 2001), computed exactly from the correlation matrix for up to
  :data:`SHAPLEY_MAX` touchpoints and by Johnson's (2000) relative weights beyond. For a binary
  outcome the R² is that of the linear probability model (the point-biserial decomposition).
* **Importance–performance quadrant** (Martilla & James 1977): importance share against mean
  rating, split at the averages: *concentrate here* (important, under-performing), *keep up the good
  work*, *low priority*, *possible overkill*.
* **The Zhijiang check** — the peak-end prediction (mean of each respondent's best and last
  touchpoint rating, and the same from the touchpoint means as the case study computed it) against
  the observed overall.
* **Cross-validated fit** of the driver model, the mean of the ratings, and peak-end, side by side
  (r and RMSE for a rating outcome; AUC and Brier score for a binary one).
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cxsim.errors import SpecError
from cxsim.figures import figure_style, subplots
from cxsim.fit import crossval
from cxsim.fit.survey import WideSurvey, check_enough_rows, where
from cxsim.specs import checks

Array = NDArray[np.float64]

#: Up to this many touchpoints the Shapley decomposition is exact (2^k subsets).
SHAPLEY_MAX = 15

QUADRANTS = {
    (True, False): "concentrate here",
    (True, True): "keep up the good work",
    (False, False): "low priority",
    (False, True): "possible overkill",
}


# --------------------------------------------------------------------------- regression
def _regress(x: Array, y: Array, binary: bool) -> Any:
    """Fit a statsmodels OLS or Logit of ``y`` on ``1 + x``; separation or singularity -> SpecError."""
    # statsmodels: loaded only when a model is fitted
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.sm_exceptions import PerfectSeparationError, PerfectSeparationWarning
    from statsmodels.tools.tools import add_constant

    design = add_constant(x, has_constant="add")
    if not binary:
        return OLS(y, design).fit()
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return Logit(y, design).fit(disp=0, method="newton", maxiter=100)
        except (PerfectSeparationError, PerfectSeparationWarning, np.linalg.LinAlgError) as err:
            raise SpecError("outcome", "perfectly separated", "the touchpoints predict the binary outcome "
                            f"perfectly; a logistic model cannot be fitted ({type(err).__name__})") from None


def _predict(res: Any, x: Array, binary: bool) -> Array:
    # statsmodels: loaded only when a model is fitted
    from statsmodels.tools.tools import add_constant

    return np.asarray(res.predict(add_constant(x, has_constant="add")))


# --------------------------------------------------------------------------- importance
def r2_all_subsets(corr: Array) -> Array:
    """R² of the regression of the last variable on every subset of the others (index = bitmask)."""
    k = corr.shape[0] - 1
    rxx, rxy = corr[:k, :k], corr[:k, k]
    r2 = np.zeros(1 << k)
    for size in range(1, k + 1):
        combos = np.array(list(itertools.combinations(range(k), size)))
        sub = rxx[combos[:, :, None], combos[:, None, :]]
        r = rxy[combos]
        try:
            sol = np.linalg.solve(sub, r[..., None])[..., 0]
        except np.linalg.LinAlgError:  # collinear touchpoints: the pseudo-inverse still gives R²
            sol = np.einsum("cij,cj->ci", np.linalg.pinv(sub, hermitian=True), r)
        r2[(1 << combos).sum(axis=1)] = (r * sol).sum(axis=1)
    return r2


def shapley_r2(corr: Array) -> Array:
    """Shapley value of each predictor in R² (they sum to the full model's R²)."""
    k = corr.shape[0] - 1
    r2 = r2_all_subsets(corr)
    masks = np.arange(1 << k)
    size = np.array([bin(m).count("1") for m in masks])
    weight = np.array([math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) if s < k else 0.0
                       for s in size])
    phi = np.empty(k)
    for j in range(k):
        without = masks[(masks >> j) & 1 == 0]
        phi[j] = float(np.sum(weight[without] * (r2[without | (1 << j)] - r2[without])))
    return phi


def relative_weights(corr: Array) -> Array:
    """Johnson's (2000) relative weights: an approximation of the Shapley values for many predictors."""
    k = corr.shape[0] - 1
    vals, vecs = np.linalg.eigh(corr[:k, :k])
    lam = vecs @ np.diag(np.sqrt(np.clip(vals, 0, None))) @ vecs.T
    beta = np.linalg.pinv(lam) @ corr[:k, k]
    return (lam ** 2) @ (beta ** 2)


def importance(x: Array, y: Array) -> tuple[Array, str]:
    """Each column's share of R² and the method used (``shapley`` or ``relative_weights``)."""
    corr = np.corrcoef(np.column_stack([x, y]), rowvar=False)
    if x.shape[1] <= SHAPLEY_MAX:
        return shapley_r2(corr), "shapley"  # type: ignore[arg-type]
    return relative_weights(corr), "relative_weights"  # type: ignore[arg-type]


# --------------------------------------------------------------------------- peak-end check
def peak_end_scores(ratings: Array) -> Array:
    """Each respondent's peak-end prediction: (best touchpoint rating + last touchpoint rating) / 2."""
    return (ratings.max(axis=1) + ratings[:, -1]) / 2.0


@dataclass(frozen=True)
class PeakEndCheck:
    """The Zhijiang check: does the peak-end average of the touchpoints match the overall?

    Attributes:
        observed: mean observed overall.
        per_respondent: mean over respondents of (best + last) / 2.
        from_means: (highest touchpoint mean + last touchpoint's mean) / 2, as the case study did.
        peak_touchpoint: the touchpoint with the highest mean.
        end_touchpoint: the last touchpoint.
    """

    observed: float
    per_respondent: float
    from_means: float
    peak_touchpoint: str
    end_touchpoint: str

    @property
    def overshoot(self) -> float:
        """``from_means − observed``: positive when peak-end over-predicts."""
        return self.from_means - self.observed

    def sentence(self) -> str:
        """The check in words."""
        return (f"peak-end from the touchpoint means: ({self.peak_touchpoint} + {self.end_touchpoint}) / 2 = "
                f"{self.from_means:.2f} against an observed overall of {self.observed:.2f} "
                f"({self.overshoot:+.2f}); per respondent {self.per_respondent:.2f}")


# --------------------------------------------------------------------------- the fit
@dataclass(frozen=True)
class DriverFit:
    """The outcome of :func:`fit_drivers`.

    Attributes:
        survey: the survey fitted.
        kind: ``linear`` or ``logistic``.
        drivers: one row per touchpoint: ``touchpoint, weight, ci_low, ci_high, p_value,
            importance, performance, quadrant`` (weights standardised; importance = share of R²).
        models: cross-validated fit, one row per model: ``model, n_params`` and ``cv_r, cv_rmse``
            (rating outcome) or ``cv_auc, cv_brier`` (binary outcome), and ``vs_mean,
            vs_mean_ci_low, vs_mean_ci_high``: the model's cv AUC (or r) minus the mean of
            ratings', on the same respondents' out-of-fold predictions, with a 95 % paired interval
            (DeLong et al. 1988 for AUC; Zou 2007 for r; the fold fits held fixed). A model
            *beats* the mean only when the interval lies above 0.
        peak_end: the Zhijiang check (rating outcome on the touchpoints' scale), or ``None``.
        intercept, coefficients: the model on the raw rating scale (for prediction).
        fill: the value each touchpoint's blanks take when the model is applied (training mean).
        r2: R² (rating) or McFadden's pseudo-R² (binary) of the full-data fit.
        importance_method: ``shapley`` or ``relative_weights``.
    """

    survey: WideSurvey
    kind: str
    drivers: pd.DataFrame
    models: pd.DataFrame
    peak_end: PeakEndCheck | None
    intercept: float
    coefficients: tuple[float, ...]
    fill: tuple[float, ...]
    r2: float
    importance_method: str

    def key_drivers(self, alpha: float = 0.05) -> list[str]:
        """Touchpoints with a positive weight significant at ``alpha``, most important first."""
        d = self.drivers
        sig = d[(d["p_value"] < alpha) & (d["weight"] > 0)].sort_values("importance", ascending=False)
        return list(sig["touchpoint"])

    def predict(self, ratings: Array) -> Array:
        """Predicted outcome (a probability for a binary outcome) from raw ratings."""
        eta = self.intercept + np.asarray(ratings, dtype=np.float64) @ np.asarray(self.coefficients)
        return 1.0 / (1.0 + np.exp(-eta)) if self.kind == "logistic" else eta


@crossval.one_blas_thread
def _refuse_collinear(z: Array, survey: WideSurvey) -> None:
    """A touchpoint that is an exact linear combination of the others (e.g. a column given twice
    under two names) has no weight of its own: refuse it, naming it and the columns it copies."""
    k = z.shape[1]
    if np.linalg.matrix_rank(z) == k:
        return
    for j in range(1, k):
        if np.linalg.matrix_rank(z[:, : j + 1]) <= j:
            coef, *_ = np.linalg.lstsq(z[:, :j], z[:, j], rcond=None)
            parts = [survey.touchpoints[i] for i in np.flatnonzero(np.abs(coef) > 1e-8)]
            raise SpecError(where(survey.source, survey.touchpoints[j]), "collinear",
                            f"a touchpoint must carry information of its own; this one is a linear "
                            f"combination of {', '.join(repr(c) for c in parts)} (drop one of them)")


def fit_drivers(survey: WideSurvey, folds: int = 5, seed: int = 0, progress: Any = None,
                cross_validate: bool = True) -> DriverFit:
    """Fit the key-driver model, its importance measures, and compare it with simpler models.

    Args:
        survey: a validated wide survey (:func:`cxsim.fit.survey.load_wide`).
        folds: k of k-fold cross-validation (≥ 2).
        seed: seed of the fold assignment.
        progress: called with a short message after each stage.
        cross_validate: compare the models out of sample (``models``); ``False`` leaves
            ``models`` empty (the benchmark times the driver model alone).
    """
    folds = checks.integer("folds", folds, 2)
    seed = checks.integer("seed", seed, 0)
    x, y, k = survey.ratings, survey.outcome, len(survey.touchpoints)
    check_enough_rows(survey.n, k + 1, survey.source, "the driver model")
    sd = x.std(axis=0, ddof=1)
    for j, s in enumerate(sd):
        if not s > 0:
            raise SpecError(where(survey.source, survey.touchpoints[j]), "constant",
                            "a touchpoint rating must vary between respondents to be a driver")
    if not survey.binary and not np.std(y) > 0:
        raise SpecError(where(survey.source, survey.outcome_name), "constant", "the outcome must vary")
    binary = survey.binary
    mu = x.mean(axis=0)
    z = (x - mu) / sd
    _refuse_collinear(z, survey)
    y_mu, y_sd = (0.0, 1.0) if binary else (float(y.mean()), float(y.std(ddof=1)))
    res = _regress(z, (y - y_mu) / y_sd, binary)
    params = np.asarray(res.params)
    ci = np.asarray(res.conf_int(0.05))
    pvals = np.asarray(res.pvalues)
    coef_raw = y_sd * params[1:] / sd
    intercept_raw = y_mu + y_sd * (params[0] - float(np.sum(params[1:] * mu / sd)))
    if binary:  # McFadden's pseudo-R²; the null model's log-likelihood in closed form (p̄ = mean y)
        pbar = float(y.mean())
        llnull = y.size * (pbar * np.log(pbar) + (1.0 - pbar) * np.log1p(-pbar))
        r2 = 1.0 - float(res.llf) / llnull
    else:
        r2 = float(res.rsquared)
    if progress:
        progress(f"{'logistic' if binary else 'linear'} driver model: {'pseudo-' if binary else ''}R² {r2:.3f}")

    imp, method = importance(x, y)
    share = imp / imp.sum() if imp.sum() > 0 else np.full(k, np.nan)
    perf = mu
    quadrant = [QUADRANTS[(bool(share[j] >= 1.0 / k), bool(perf[j] >= perf.mean()))] for j in range(k)]
    drivers = pd.DataFrame({
        "touchpoint": survey.touchpoints, "weight": params[1:], "ci_low": ci[1:, 0], "ci_high": ci[1:, 1],
        "p_value": pvals[1:], "importance": share, "importance_r2": imp, "performance": perf,
        "quadrant": quadrant,
    })
    if progress:
        progress(f"relative importance ({method}) and importance-performance quadrant")

    models = _cross_validate(survey, folds, seed) if cross_validate else pd.DataFrame()
    if progress and cross_validate:
        progress(f"{folds}-fold cross-validation of the driver model, the mean of ratings and peak-end")
    check = None
    if not binary:
        means = x.mean(axis=0)
        top = int(np.argmax(means))
        check = PeakEndCheck(float(y.mean()), float(peak_end_scores(x).mean()),
                             float((means[top] + means[-1]) / 2.0), survey.touchpoints[top], survey.touchpoints[-1])
    return DriverFit(survey, "logistic" if binary else "linear", drivers, models, check, float(intercept_raw),
                     tuple(float(c) for c in coef_raw), tuple(float(m) for m in mu), r2, method)


def by_segment(survey: WideSurvey, seed: int = 0) -> pd.DataFrame:
    """The driver model fitted separately in each segment (segments too small to fit are skipped).

    Returns:
        ``segment, n, touchpoint, weight, ci_low, ci_high, p_value, importance``.
    """
    if survey.segment is None:
        raise SpecError("segment", None, "a segment column is needed for drivers by segment")
    parts = []
    for seg in sorted(set(survey.segment)):
        keep = survey.segment == seg
        sub = replace(survey, ratings=survey.ratings[keep], outcome=survey.outcome[keep], segment=None,
                      frame=survey.frame.loc[keep].reset_index(drop=True), source=f"{survey.source} [{seg}]")
        try:
            fit = fit_drivers(sub, folds=2, seed=seed)
        except SpecError:
            continue  # too few rows, a constant rating or one class only in this segment
        d = fit.drivers[["touchpoint", "weight", "ci_low", "ci_high", "p_value", "importance"]].copy()
        d.insert(0, "n", int(keep.sum()))
        d.insert(0, "segment", seg)
        parts.append(d)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _cross_validate(survey: WideSurvey, folds: int, seed: int) -> pd.DataFrame:
    x, y, binary = survey.ratings, survey.outcome, survey.binary
    features = {
        "drivers": x,
        "mean_of_ratings": x.mean(axis=1, keepdims=True),
        "peak_end": peak_end_scores(x)[:, None],
    }
    fold_rng, _ = crossval.generators(seed)
    fold = crossval.fold_ids(survey.n, folds, fold_rng)
    rows = []
    oofs = {}
    for name, feats in features.items():
        oof = np.empty(survey.n)
        for train, test in crossval.splits(fold, folds):
            if binary and len(np.unique(y[train])) < 2:
                raise SpecError("folds", folds, "every training fold needs both outcome classes; use fewer folds")
            res = _regress(feats[train], y[train], binary)
            oof[test] = _predict(res, feats[test], binary)
        oofs[name] = oof
        row: dict[str, Any] = {"model": name, "n_params": feats.shape[1] + 1}
        if binary:
            row |= {"cv_auc": crossval.auc(y, oof), "cv_brier": crossval.brier(y, oof)}
        else:
            row |= {"cv_r": crossval.correlation(y, oof), "cv_rmse": crossval.rmse(y, oof)}
        rows.append(row)
    for row in rows:  # "beats the mean of ratings" needs an interval, not a fourth decimal
        if row["model"] == "mean_of_ratings":
            row |= {"vs_mean": np.nan, "vs_mean_ci_low": np.nan, "vs_mean_ci_high": np.nan}
            continue
        paired = crossval.delong_difference if binary else crossval.zou_difference
        d, lo, hi = paired(y, oofs[row["model"]], oofs["mean_of_ratings"])
        row |= {"vs_mean": d, "vs_mean_ci_low": lo, "vs_mean_ci_high": hi}
    table = pd.DataFrame(rows)
    table.insert(1, "description", ["all touchpoints, fitted weights", "average of the touchpoint ratings",
                                    "(best + last touchpoint) / 2"])
    table["n_rows"] = survey.n
    table["folds"] = folds
    return table


def figure(fit: DriverFit, path: Any) -> Any:
    """Standardised weights with 95 % intervals, and the importance–performance quadrant (PNG)."""
    with figure_style(None):
        d = fit.drivers.sort_values("weight")
        k = len(d)
        fig, axes = subplots(1, 2, figsize=(13, 0.35 * k + 2.5))
        ax = axes[0]
        yy = np.arange(k)
        sig = d["p_value"].to_numpy() < 0.05
        ax.errorbar(d["weight"], yy, xerr=[d["weight"] - d["ci_low"], d["ci_high"] - d["weight"]], fmt="none",
                    ecolor="grey", capsize=3)
        ax.scatter(d["weight"], yy, c=np.where(sig, "#C44E52", "#8C8C8C"), zorder=3)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(yy, d["touchpoint"])
        unit = "log-odds per SD" if fit.kind == "logistic" else "SD of outcome per SD"
        ax.set_xlabel(f"standardised weight ({unit}); red: p < 0.05")
        ax.set_title(f"{fit.kind} driver model of '{fit.survey.outcome_name}' (n = {fit.survey.n:,})")
        ax = axes[1]
        ax.scatter(fit.drivers["performance"], fit.drivers["importance"], color="#4C72B0")
        for _, r in fit.drivers.iterrows():
            ax.annotate(str(r["touchpoint"]), (r["performance"], r["importance"]), fontsize=8,
                        xytext=(3, 3), textcoords="offset points")
        ax.axhline(1.0 / k, color="grey", ls="--", lw=0.8)
        ax.axvline(fit.drivers["performance"].mean(), color="grey", ls="--", lw=0.8)
        ax.set_xlabel("performance (mean rating)")
        ax.set_ylabel(f"importance (share of R², {fit.importance_method})")
        ax.set_title("importance-performance: top left = concentrate here")
        fig.tight_layout()
        fig.savefig(path, dpi=110, format="png")
        return path
