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
from cxsim.behaviour.memory_parts import FitPlan
from cxsim.errors import SpecError
from cxsim.figures import figure_style, subplots
from cxsim.fit import crossval
from cxsim.fit.survey import LongSurvey, check_enough_rows

Array = NDArray[np.float64]
Progress = Callable[[str], None] | None

#: Half-lives (in moments) tried for exponential recency.
HALF_LIVES: tuple[float, ...] = mem.HALF_LIVES


# --------------------------------------------------------------------------- memory functions
def memory_value(function: str, affect: Array, present: NDArray[np.bool_] | None,
                 durations: Array | None, **params: float) -> Array:
    """The remembered value of each episode under a named memory function of the core library.

    ``function`` is one of :data:`FUNCTIONS`, the fit functions the memory models of
    :mod:`cxsim.behaviour.memory` define; ``params`` are its weights (see the module docstring).
    """
    functions = mem.fit_functions()
    if function not in functions:
        raise SpecError("model", function, "allowed: " + ", ".join(functions))
    return functions[function](affect, present, durations, **params)


#: Names of the memory functions of :func:`memory_value`.
FUNCTIONS: tuple[str, ...] = tuple(mem.fit_functions())


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
    """The candidate models for a long survey, as the memory models' fit plans state them
    (:func:`cxsim.behaviour.memory.fit_plans`; duration models only with durations, the
    per-touchpoint model only with touchpoints)."""
    a = survey.ratings - survey.scale.midpoint
    p, d = survey.present, survey.durations

    cache: dict[tuple, Array] = {}

    def f(name: str, **kw: float) -> Array:
        key = (name, *sorted(kw.items()))
        if key not in cache:
            cache[key] = memory_value(name, a, p, d, **kw)[:, None]
        return cache[key]

    out = []
    for plan in mem.fit_plans():
        if (plan.durations and d is None) or (plan.per_touchpoint and survey.by_touchpoint is None):
            continue
        if plan.per_touchpoint:
            out.append(_per_touchpoint(plan, survey))
            continue
        if plan.tuning is not None:
            key, grid = plan.tuning
            variants = tuple(np.hstack([f(fn, **kw, **{key: h}) for fn, kw in plan.columns]) for h in grid)
        elif plan.mix is not None:
            cols = [f(fn, **kw) for fn, kw in plan.columns]
            mixed = plan.mix[0] * cols[0]
            for c, col in zip(plan.mix[1:], cols[1:]):
                mixed = mixed + c * col
            variants = (mixed,)
        else:
            cols = [f(fn, **kw) for fn, kw in plan.columns]
            variants = (cols[0] if len(cols) == 1 else np.hstack(cols),)
        out.append(Candidate(plan.name, plan.label, plan.function, variants, plan.weights, plan.tuning))
    if models is not None:
        known = [c.name for c in out]
        for m in models:
            if m not in known:
                raise SpecError("models", m, "allowed: " + ", ".join(known))
        out = [c for c in out if c.name in models]
    return out


def _per_touchpoint(plan: FitPlan, survey: LongSurvey) -> Candidate:
    """A weight per touchpoint (the Zhijiang view), the rest on the mean: columns at the corners."""
    assert survey.by_touchpoint is not None
    bt = survey.by_touchpoint - survey.scale.midpoint
    bp = ~np.isnan(bt)
    names = survey.touchpoint_names
    zero = {f"w_{t}": 0.0 for t in names}
    basis = [memory_value(plan.function, bt, bp, None, **zero)[:, None]]
    basis += [memory_value(plan.function, bt, bp, None, **{**zero, f"w_{t}": 1.0})[:, None] for t in names]
    return Candidate(plan.name, plan.label, plan.function, (np.hstack(basis),), tuple(f"w_{t}" for t in names))


def _solve(gram: Array, xty: Array, yty: float) -> tuple[Array, float]:
    """Least squares from the normal equations: coefficients and residual sum of squares."""
    coef, *_ = np.linalg.lstsq(gram, xty, rcond=None)
    return coef, float(yty - 2.0 * coef @ xty + coef @ gram @ coef)  # type: ignore[return-value]


class _Design:
    """Every candidate's features side by side, and their Gram matrices per fold.

    All models are fitted from blocks of ``DᵀD``, ``Dᵀy`` and ``yᵀy`` of one design
    ``D = [1, all features]``; training on all folds but ``f`` uses the total minus fold ``f``. So
    cross-validating every model costs one pass over the rows per fold, and a bootstrap resample
    one weighted pass, whatever the number of models. Rows with a non-finite feature (an episode
    whose durations are all 0) are left out of every fit.
    """

    def __init__(self, cands: Sequence[Candidate], y: Array) -> None:
        blocks: list[Array] = []
        seen: dict[bytes, int] = {}  # models share feature columns (peak, end, best …): keep one copy
        self.columns = []
        for c in cands:
            per = []
            for x in c.variants:
                cols = [0]
                for j in range(x.shape[1]):
                    col = np.ascontiguousarray(x[:, j])
                    key = col.tobytes()
                    if key not in seen:
                        seen[key] = len(blocks) + 1
                        blocks.append(col)
                    cols.append(seen[key])
                per.append(np.array(cols))
            self.columns.append(per)
        feats = np.column_stack(blocks)
        self.ok = np.isfinite(feats).all(axis=1)
        self.design = np.column_stack([np.ones(len(y)), np.where(self.ok[:, None], feats, 0.0)])  # type: ignore[index]
        self.y = y

    def grams(self, fold: NDArray[np.intp], k: int) -> list[tuple[Array, Array, float]]:
        """``(DᵀD, Dᵀy, yᵀy)`` of each fold (rows sorted by fold once: each fold is a slice)."""
        order = np.argsort(fold, kind="stable")
        bounds = np.concatenate([[0], np.cumsum(np.bincount(fold, minlength=k))])
        w = self.ok[order].astype(np.float64)  # type: ignore[index]
        d, y = self.design[order], self.y[order]
        out = []
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            dw = d[lo:hi] * w[lo:hi, None]
            out.append((dw.T @ d[lo:hi], dw.T @ y[lo:hi], float((w[lo:hi] * y[lo:hi]) @ y[lo:hi])))
        return out

    def weighted(self, counts: Array) -> tuple[Array, Array, float]:
        """``(DᵀWD, DᵀWy, yᵀWy)`` with row weights ``counts`` (a bootstrap resample)."""
        w = counts * self.ok
        dw = self.design * w[:, None]
        return dw.T @ self.design, dw.T @ self.y, float((w * self.y) @ self.y)

    def fit(self, i: int, gram: tuple[Array, Array, float]) -> tuple[int, Array]:
        """Candidate ``i``: the best variant by SSE and its coefficients, from a Gram triple."""
        g, xty, yty = gram
        best = (np.inf, 0, np.zeros(1))
        for v, cols in enumerate(self.columns[i]):
            coef, sse = _solve(g[np.ix_(cols, cols)], xty[cols], yty)
            if sse < best[0]:
                best = (sse, v, coef)
        return best[1], best[2]


def _total(parts: Sequence[tuple[Array, Array, float]], exclude: int | None = None) -> tuple[Array, Array, float]:
    keep = [p for i, p in enumerate(parts) if i != exclude]
    return sum(p[0] for p in keep), sum(p[1] for p in keep), sum(p[2] for p in keep)  # type: ignore[return-value]


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
        """Predicted retrospective rating of each episode.

        For ``key_moments`` ``ratings`` is the ``(n, T)`` per-touchpoint matrix
        (:attr:`~cxsim.fit.survey.LongSurvey.by_touchpoint`, touchpoints in the fitted order).
        """
        fixed = _PREDICT_ARGS.get(self.name)
        args = dict(fixed) if fixed is not None else self.memory_args()
        m = memory_value(self.function, ratings - self.midpoint, present, durations, **args)
        return self.params["intercept"] + self.params["scale"] * m


#: Candidates that predict with fixed arguments instead of fitted weights (e.g. peak_end_avg).
_PREDICT_ARGS = {p.name: p.predict_args for p in mem.fit_plans() if p.predict_args is not None}


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
        line = f"best out of sample: {best} (cv r {t.loc[best, 'cv_r']:.3f}, cv RMSE {t.loc[best, 'cv_rmse']:.3f})"  # type: ignore[str-bytes-safe]
        if best == "mean":
            return line + " — the plain average beats every peak-end variant here"
        if "mean" in t.index:
            line += f"; the mean: cv r {t.loc['mean', 'cv_r']:.3f}, cv RMSE {t.loc['mean', 'cv_rmse']:.3f}"  # type: ignore[str-bytes-safe]
            if t.loc[best, "mse_vs_mean_ci_high"] >= 0:  # type: ignore[arg-type, operator]
                line += (f" — {best} is NOT significantly better than the plain average "
                         f"(paired 95% CI of the MSE difference includes 0)")
            else:
                line += f" — {best} beats the plain average (paired 95% CI of the MSE difference below 0)"
        return line


@crossval.one_blas_thread
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
    check_fittable(survey)
    groups = survey.groups if grouped else None
    fold_rng, boot_rng = crossval.generators(seed)
    fold = crossval.fold_ids(survey.n, folds, fold_rng, groups)
    resamples = [crossval.resample(survey.n, boot_rng, groups) for _ in range(bootstrap)]

    rows, weight_rows, fitted, oofs = [], [], {}, {}
    design = _Design(cands, y)
    parts = design.grams(fold, folds)
    train_grams = [_total(parts, exclude=f) for f in range(folds)]
    full = _total(parts)
    if progress is not None and resamples:
        progress(f"{len(cands)} models, {folds}-fold CV; bootstrap: {len(resamples)} resamples")
    boot_grams = [design.weighted(np.bincount(b, minlength=survey.n).astype(np.float64)) for b in resamples]
    for i, c in enumerate(cands):
        oof = np.empty(survey.n)
        for f, (_, test) in enumerate(crossval.splits(fold, folds)):
            v, coef = design.fit(i, train_grams[f])
            oof[test] = _predict(c, v, coef, test)
        v, coef = design.fit(i, full)
        params = _parameters(c, v, coef)
        fitted[c.name] = FittedMemory(c.name, c.function, params, survey.scale.midpoint)
        in_sample = _predict(c, v, coef, np.arange(survey.n))
        if boot_grams:
            boots = np.array([list(_parameters(c, *design.fit(i, g)).values()) for g in boot_grams])
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
            d = (y - oofs[row["model"]]) ** 2 - base  # type: ignore[index]
            se = float(np.std(d, ddof=1) / np.sqrt(d.size)) if d.size > 1 else float("nan")
            row["mse_vs_mean"] = float(d.mean())
            row["mse_vs_mean_ci_low"] = float(d.mean() - 1.96 * se)
            row["mse_vs_mean_ci_high"] = float(d.mean() + 1.96 * se)
    table = pd.DataFrame(rows).sort_values(["cv_rmse", "n_params"], kind="stable").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return MemoryComparison(table, pd.DataFrame(weight_rows), fitted, folds, bootstrap,
                            groups is not None, survey.n)


def check_fittable(survey: LongSurvey) -> None:
    """Refuse a survey whose memory models cannot be told apart or fitted at all.

    A constant retrospective rating leaves nothing to explain; momentary ratings that never vary
    within an episode make the peak, the end, the trough and the mean one and the same number, so
    every weight is arbitrary (the fit would report NaN or meaningless weights).

    Raises:
        SpecError: naming the file and the column.
    """
    cols = survey.columns
    retro = survey.retrospective
    if survey.n and np.ptp(retro) == 0:
        raise SpecError(f"{survey.source}: column {cols.get('retrospective')!r}",
                        f"every episode rated {float(retro[0]):g}",
                        "the retrospective rating must vary between episodes to fit a memory model")
    r = np.where(survey.present, survey.ratings, np.nan)
    with np.errstate(invalid="ignore"):
        spread = np.nanmax(r, axis=1) - np.nanmin(r, axis=1)
    if survey.n and not (spread > 0).any():
        rating = f"{survey.source}: column {cols.get('rating')!r}"
        finite = r[np.isfinite(r)]
        if finite.size and np.ptp(finite) == 0:
            raise SpecError(rating, f"every moment rated {float(finite[0]):g}",
                            "the momentary ratings must vary to fit a memory model")
        raise SpecError(rating, "the same rating at every moment of each episode",
                        "the momentary ratings must vary within episodes (peak, end and mean are "
                        "otherwise one number and their weights cannot be fitted)")


def figure(result: MemoryComparison, path: Any) -> Any:
    """Bar chart of cross-validated r and RMSE per model, best first (PNG)."""
    import seaborn as sns  # seaborn: loaded only when a figure is drawn

    with figure_style():
        return _draw(result, path, sns)


def _draw(result: MemoryComparison, path: Any, sns: Any) -> Any:
    t = result.table
    w = result.weights[result.weights["parameter"].str.startswith("w_")]
    fig, axes = subplots(1, 3, figsize=(15, 0.45 * len(t) + 1.8), gridspec_kw={"width_ratios": [1, 0.8, 1]})
    fig.set_layout_engine("constrained")
    sns.barplot(data=t, y="model", x="cv_r", ax=axes[0], color="#4C72B0")
    sns.barplot(data=t, y="model", x="cv_rmse", ax=axes[1], color="#DD8452")
    axes[1].set_yticklabels([])
    axes[1].set_ylabel("")
    axes[0].set_xlabel("cross-validated r (higher is better)")
    axes[1].set_xlabel("cross-validated RMSE (lower is better)")
    axes[0].set_ylabel("memory model (ranked by RMSE)")
    ax = axes[2]
    if len(w):
        labels = [f"{m}: {p}" for m, p in zip(w["model"], w["parameter"])]
        yy = np.arange(len(w))
        # a percentile interval need not contain the estimate: clip the bars at the estimate
        err = np.clip(np.vstack([w["estimate"] - w["ci_low"], w["ci_high"] - w["estimate"]]), 0.0, None)
        ax.errorbar(w["estimate"], yy, xerr=None if np.isnan(err).all() else err, fmt="o", color="#C44E52", capsize=3)
        ax.set_yticks(yy, labels)
        ax.invert_yaxis()
        ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("fitted weights" + (" (95% bootstrap CI)" if result.bootstrap else ""))
    grouping = ", grouped by respondent" if result.grouped else ""
    fig.suptitle(f"Which memory model explains the retrospective rating? "
                 f"({result.n:,} episodes, {result.folds}-fold CV{grouping})")
    fig.savefig(path, dpi=110, format="png")
    return path
