"""Which memory model explains a long survey? Fit and compare them out of sample.

Each candidate turns an episode's momentary ratings into one remembered value with the core
library's memory functions (:mod:`cxsim.behaviour.memory`, applied to ratings centred on the
scale's midpoint, so "most intense" means furthest from neutral), and the retrospective rating is
predicted by a linear calibration ``ŷ = α + β·memory``. Models with weights (peak-end, and
mean + peak + trough + end) are linear in their weights: the memory value is affine in the weights,
so ``α + β·f(w)`` is fitted by ordinary least squares on the basis ``f(0), f(eᵢ)`` and the weights
are read back as ``wᵢ = cᵢ / β`` — whatever the memory function does with the remainder weight.
Exponential recency has its half-life chosen on a grid inside each training fold.

Models are compared by k-fold cross-validated correlation and RMSE (grouped by respondent when
asked), ranked by RMSE; weights get percentile bootstrap intervals. Honest ranking: if the plain
mean wins, the table says so (as in several studies reviewed by Alaybek et al. 2022).

References: Fredrickson & Kahneman (1993); Redelmeier & Kahneman (1996); Kahneman, Wakker & Sarin
(1997); Alaybek, Dalal, Fyffe et al. (2022), "All's well that ends (and peaks) well? A
meta-analysis of the peak-end rule and duration neglect".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cxsim.behaviour import memory as mem
from cxsim.errors import SpecError
from cxsim.fit import crossval
from cxsim.fit.survey import LongSurvey, check_enough_rows

Array = NDArray[np.float64]
Progress = Callable[[str], None] | None

#: Half-lives (in moments) tried for exponential recency.
HALF_LIVES: tuple[float, ...] = tuple(float(h) for h in np.geomspace(0.25, 64.0, 17))


# --------------------------------------------------------------------------- memory functions
def _flip(x: NDArray | None) -> NDArray | None:
    return None if x is None else x[..., ::-1]


def memory_value(function: str, affect: Array, present: NDArray[np.bool_] | None,
                 durations: Array | None, **params: float) -> Array:
    """The remembered value of each episode under a named memory function of the core library.

    ``function`` is one of :data:`FUNCTIONS`; ``params`` are its weights (see the module docstring).
    """
    if function == "mean":
        return mem.mean(affect, present)
    if function == "integral":
        return mem.integral(affect, _need(durations, function), present)
    if function == "total":
        return mem.total(affect, _need(durations, function), present)
    if function == "first":
        return mem.end(affect[..., ::-1], _flip(present))
    if function == "end":
        return mem.end(affect, present)
    if function == "peak":
        return mem.peak(affect, present)
    if function == "best":
        return mem.peak_end(affect, present, w_peak=1.0, w_end=0.0, peak="best_worst")
    if function == "worst":
        return mem.peak_end(affect, present, w_peak=0.0, w_end=0.0, peak="best_worst", w_trough=1.0)
    if function == "peak_end":
        return mem.peak_end(affect, present, w_peak=params["w_peak"], w_end=params["w_end"])
    if function == "peak_trough_end":
        return mem.peak_end(affect, present, w_peak=params["w_best"], w_end=params["w_end"],
                            peak="best_worst", w_trough=params["w_worst"])
    if function == "recency":
        return mem.recency(affect, present, half_life=params["half_life"])
    raise SpecError("model", function, "allowed: " + ", ".join(FUNCTIONS))


FUNCTIONS = ("mean", "integral", "total", "first", "end", "peak", "best", "worst", "peak_end",
             "peak_trough_end", "recency")


def _need(durations: Array | None, function: str) -> Array:
    if durations is None:
        raise SpecError("duration", None, f"the {function} model needs a duration column")
    return durations


# --------------------------------------------------------------------------- candidates
@dataclass(frozen=True)
class Candidate:
    """A memory model to compare: its feature matrices and how to read weights from a fit.

    Attributes:
        name: the model's name in the table.
        label: a short description.
        variants: one ``(n, k)`` feature matrix per setting of a tuning parameter (one for most).
        weights: names of the memory weights read from the coefficients (empty for one-feature
            models).
        tuning: the tuning parameter's name and value of each variant, or ``None``.
    """

    name: str
    label: str
    function: str
    variants: tuple[Array, ...]
    weights: tuple[str, ...] = ()
    tuning: tuple[str, tuple[float, ...]] | None = None

    @property
    def n_params(self) -> int:
        """Fitted parameters: intercept and one coefficient per feature (+1 if tuned)."""
        return 1 + self.variants[0].shape[1] + (self.tuning is not None)


def candidates(survey: LongSurvey, models: Sequence[str] | None = None) -> list[Candidate]:
    """The candidate models for a long survey (duration models only with durations)."""
    a = survey.ratings - survey.scale.midpoint
    p, d = survey.present, survey.durations

    def f(name: str, **kw: float) -> Array:
        return memory_value(name, a, p, d, **kw)[:, None]

    out = [
        Candidate("mean", "average moment", "mean", (f("mean"),)),
        Candidate("peak", "most intense moment", "peak", (f("peak"),)),
        Candidate("best", "best moment", "best", (f("best"),)),
        Candidate("trough", "worst moment", "worst", (f("worst"),)),
        Candidate("end", "last moment", "end", (f("end"),)),
        Candidate("first", "first moment", "first", (f("first"),)),
        Candidate("peak_end_avg", "(peak + end) / 2, the textbook rule", "peak_end",
                  (f("peak_end", w_peak=0.5, w_end=0.5),)),
        Candidate("peak_end", "peak-end, fitted weights on peak, end, mean", "peak_end",
                  (np.hstack([f("peak_end", w_peak=0, w_end=0), f("peak_end", w_peak=1, w_end=0),
                              f("peak_end", w_peak=0, w_end=1)]),), ("w_peak", "w_end")),
        Candidate("mean_peak_trough_end", "fitted weights on best, worst, end, mean", "peak_trough_end",
                  (np.hstack([f("peak_trough_end", w_best=0, w_worst=0, w_end=0),
                              f("peak_trough_end", w_best=1, w_worst=0, w_end=0),
                              f("peak_trough_end", w_best=0, w_worst=1, w_end=0),
                              f("peak_trough_end", w_best=0, w_worst=0, w_end=1)]),),
                  ("w_best", "w_worst", "w_end")),
        Candidate("recency", "exponential recency, fitted half-life", "recency",
                  tuple(f("recency", half_life=h) for h in HALF_LIVES), (), ("half_life", HALF_LIVES)),
    ]
    if d is not None:
        out.insert(1, Candidate("integral", "duration-weighted mean", "integral", (f("integral"),)))
        out.insert(2, Candidate("total", "duration-weighted sum", "total", (f("total"),)))
    if models is not None:
        known = [c.name for c in out]
        for m in models:
            if m not in known:
                raise SpecError("models", m, "allowed: " + ", ".join(known))
        out = [c for c in out if c.name in models]
    return out


def _ols(x: Array, y: Array) -> tuple[Array, float]:
    """Least squares ``y ~ 1 + x``: coefficients (intercept first) and residual sum of squares."""
    design = np.column_stack([np.ones(len(y)), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    return coef, float(resid @ resid)


def _fit(c: Candidate, y: Array, rows: NDArray[np.intp] | None) -> tuple[int, Array]:
    """Best variant (by training SSE) and its coefficients, on ``rows`` (all when ``None``)."""
    yy = y if rows is None else y[rows]
    best = (np.inf, 0, np.zeros(1))
    for v, x in enumerate(c.variants):
        xx = x if rows is None else x[rows]
        ok = np.isfinite(xx).all(axis=1)
        coef, sse = _ols(xx[ok], yy[ok])
        if sse < best[0]:
            best = (sse, v, coef)
    return best[1], best[2]


def _predict(c: Candidate, v: int, coef: Array, rows: NDArray[np.intp]) -> Array:
    x = c.variants[v][rows]
    return coef[0] + np.nan_to_num(x) @ coef[1:]


def _parameters(c: Candidate, v: int, coef: Array) -> dict[str, float]:
    """Interpretable parameters: intercept, scale (β) and the memory weights or half-life."""
    out = {"intercept": float(coef[0])}
    if c.weights:
        beta = float(coef[1:].sum())
        out["scale"] = beta
        for name, ci in zip(c.weights, coef[2:]):
            out[name] = float(ci / beta) if beta != 0 else float("nan")
    else:
        out["scale"] = float(coef[1])
    if c.tuning is not None:
        out[c.tuning[0]] = c.tuning[1][v]
    return out


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class FittedMemory:
    """One memory model fitted on all episodes: enough to apply it to new data.

    ``predict = intercept + scale · memory_value(function, ratings − midpoint, **weights)``.
    """

    name: str
    function: str
    params: dict[str, float]
    midpoint: float

    def memory_args(self) -> dict[str, float]:
        """Arguments of :func:`memory_value` (weights, half-life)."""
        return {k: v for k, v in self.params.items() if k not in ("intercept", "scale")}

    def predict(self, ratings: Array, present: NDArray[np.bool_], durations: Array | None = None) -> Array:
        """Predicted retrospective rating of each episode."""
        if self.name == "peak_end_avg":
            args = {"w_peak": 0.5, "w_end": 0.5}
        else:
            args = self.memory_args()
        m = memory_value(self.function, ratings - self.midpoint, present, durations, **args)
        return self.params["intercept"] + self.params["scale"] * m


@dataclass(frozen=True)
class MemoryComparison:
    """The outcome of :func:`compare_memory_models`.

    Attributes:
        table: one row per model, ranked by cross-validated RMSE: ``rank, model, description,
            n_params, cv_r, cv_rmse, r_in_sample, rmse_in_sample, parameters, mse_vs_mean,
            mse_vs_mean_ci_low, mse_vs_mean_ci_high`` (the last three: out-of-fold squared error
            minus the mean model's, averaged over episodes, with a paired 95 % interval).
        weights: one row per model parameter: ``model, parameter, estimate, ci_low, ci_high``
            (bootstrap percentile intervals; NaN without bootstrap).
        fitted: each model fitted on all episodes.
        folds, bootstrap, grouped, n: settings and size.
    """

    table: pd.DataFrame
    weights: pd.DataFrame
    fitted: dict[str, FittedMemory]
    folds: int
    bootstrap: int
    grouped: bool
    n: int

    @property
    def best(self) -> str:
        """Name of the model with the lowest cross-validated RMSE."""
        return str(self.table["model"].iloc[0])

    def verdict(self) -> str:
        """One honest sentence on the ranking."""
        t = self.table.set_index("model")
        best = self.best
        line = f"best out of sample: {best} (cv r {t.loc[best, 'cv_r']:.3f}, cv RMSE {t.loc[best, 'cv_rmse']:.3f})"
        if best == "mean":
            return line + " — the plain average beats every peak-end variant here"
        if "mean" in t.index:
            line += f"; the mean: cv r {t.loc['mean', 'cv_r']:.3f}, cv RMSE {t.loc['mean', 'cv_rmse']:.3f}"
            if t.loc[best, "mse_vs_mean_ci_high"] >= 0:
                line += (f" — {best} is NOT significantly better than the plain average "
                         f"(paired 95% CI of the MSE difference includes 0)")
            else:
                line += f" — {best} beats the plain average (paired 95% CI of the MSE difference below 0)"
        return line


def compare_memory_models(
    survey: LongSurvey,
    folds: int = 5,
    bootstrap: int = 200,
    seed: int = 0,
    grouped: bool = True,
    models: Sequence[str] | None = None,
    progress: Progress = None,
) -> MemoryComparison:
    """Fit every candidate memory model, cross-validate, bootstrap the weights and rank.

    Args:
        survey: a validated long survey (:func:`cxsim.fit.survey.load_long`).
        folds: k of k-fold cross-validation (≥ 2).
        bootstrap: bootstrap resamples for the parameter intervals (0 skips them).
        seed: root seed of the fold assignment and the resamples.
        grouped: keep each respondent's episodes in one fold (and resample respondents) when the
            survey has a group column.
        models: restrict to these model names (default: all).
        progress: called with a short message as each model is done.
    """
    from cxsim.specs import checks

    folds = checks.integer("folds", folds, 2)
    bootstrap = checks.integer("bootstrap", bootstrap, 0)
    seed = checks.integer("seed", seed, 0)
    y = survey.retrospective
    cands = candidates(survey, models)
    check_enough_rows(survey.n, max(c.n_params for c in cands), survey.source, "the largest memory model")
    groups = survey.groups if grouped else None
    fold_rng, boot_rng = crossval.generators(seed)
    fold = crossval.fold_ids(survey.n, folds, fold_rng, groups)
    resamples = [crossval.resample(survey.n, boot_rng, groups) for _ in range(bootstrap)]

    rows, weight_rows, fitted, oofs = [], [], {}, {}
    for i, c in enumerate(cands):
        oof = np.empty(survey.n)
        for train, test in crossval.splits(fold, folds):
            v, coef = _fit(c, y, train)
            oof[test] = _predict(c, v, coef, test)
        v, coef = _fit(c, y, None)
        params = _parameters(c, v, coef)
        fitted[c.name] = FittedMemory(c.name, c.function, params, survey.scale.midpoint)
        in_sample = _predict(c, v, coef, np.arange(survey.n))
        if resamples:
            boots = np.array([list(_parameters(c, *_fit(c, y, b)).values()) for b in resamples])
            lo, hi = crossval.percentile_ci(boots)
        else:
            lo = hi = np.full(len(params), np.nan)
        for j, (k, val) in enumerate(params.items()):
            weight_rows.append({"model": c.name, "parameter": k, "estimate": val,
                                "ci_low": float(lo[j]), "ci_high": float(hi[j])})
        shown = {k: v_ for k, v_ in params.items() if k not in ("intercept",)}
        rows.append({
            "model": c.name, "description": c.label, "n_params": c.n_params,
            "cv_r": crossval.correlation(y, oof), "cv_rmse": crossval.rmse(y, oof),
            "r_in_sample": crossval.correlation(y, in_sample), "rmse_in_sample": crossval.rmse(y, in_sample),
            "parameters": "; ".join(f"{k}={v_:.3g}" for k, v_ in shown.items()),
        })
        if progress is not None:
            progress(f"[{i + 1}/{len(cands)}] {c.name}: cv r {rows[-1]['cv_r']:.3f}, cv RMSE {rows[-1]['cv_rmse']:.3f}")
        oofs[c.name] = oof
    if "mean" in oofs:  # paired comparison with the plain average, episode by episode
        base = (y - oofs["mean"]) ** 2
        for row in rows:
            d = (y - oofs[row["model"]]) ** 2 - base
            se = float(np.std(d, ddof=1) / np.sqrt(d.size)) if d.size > 1 else float("nan")
            row["mse_vs_mean"] = float(d.mean())
            row["mse_vs_mean_ci_low"] = float(d.mean() - 1.96 * se)
            row["mse_vs_mean_ci_high"] = float(d.mean() + 1.96 * se)
    table = pd.DataFrame(rows).sort_values(["cv_rmse", "n_params"], kind="stable").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return MemoryComparison(table, pd.DataFrame(weight_rows), fitted, folds, bootstrap,
                            groups is not None, survey.n)


def figure(result: MemoryComparison, path: Any) -> Any:
    """Bar chart of cross-validated r and RMSE per model, best first (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    t = result.table
    fig, axes = plt.subplots(1, 2, figsize=(10, 0.45 * len(t) + 1.6), sharey=True)
    sns.barplot(data=t, y="model", x="cv_r", ax=axes[0], color="#4C72B0")
    sns.barplot(data=t, y="model", x="cv_rmse", ax=axes[1], color="#DD8452")
    axes[0].set_xlabel("cross-validated r (higher is better)")
    axes[1].set_xlabel("cross-validated RMSE (lower is better)")
    axes[0].set_ylabel("memory model (ranked by RMSE)")
    grouping = ", grouped by respondent" if result.grouped else ""
    fig.suptitle(f"Which memory model explains the retrospective rating? "
                 f"({result.n:,} episodes, {result.folds}-fold CV{grouping})")
    fig.tight_layout()
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)
    return path
