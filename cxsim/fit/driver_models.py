"""Key drivers with covariates, linear and non-linear, compared out of sample.

:func:`compare_driver_models` fits four models of the overall outcome on the same folds:

* ``linear`` — the touchpoint ratings alone (logistic regression for a binary outcome, least
  squares for a rating), as :func:`cxsim.fit.drivers.fit_drivers` does;
* ``linear + covariates`` — the ratings beside covariates (numbers such as delays, categories
  such as class or trip type, one-hot coded);
* ``boosting`` and ``boosting + covariates`` — histogram gradient boosting (scikit-learn's
  ``HistGradientBoostingClassifier`` / ``Regressor``; Friedman 2001, Ke et al. 2017), which finds
  interactions and thresholds a linear model cannot (a covariate such as the trip type changing
  how much a touchpoint matters).

Each model is scored on out-of-fold predictions — AUC and Brier score for a binary outcome, r and
RMSE for a rating — so a researcher sees how much a linear driver model leaves on the table. Each
full model's drivers are ranked by permutation importance (Breiman 2001; Fisher, Rudin &
Dominici 2019): the drop in the out-of-fold score when one column is shuffled, averaged over the
folds and ``repeats`` shuffles.

Not-applicable and blank ratings: the linear models fill them with the training fold's column
mean and add an indicator of the blank; gradient boosting takes them as missing values natively.
scikit-learn is an optional extra (``pip install 'cxsim[fit]'``); without it the one-line error
says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

from cxsim.errors import SpecError
from cxsim.extras import require
from cxsim.fit import crossval
from cxsim.fit.survey import numeric, read_table, require_columns, split_columns, where
from cxsim.fit.survey_data import read_survey
from cxsim.specs import checks

Array = NDArray[np.float64]
MODELS = ("linear", "linear + covariates", "boosting", "boosting + covariates")
#: A covariate with more distinct values than this that is not numeric is refused (an id column?).
MAX_LEVELS = 50


def sklearn_modules() -> dict[str, Any]:
    """scikit-learn's pieces, imported on first use (an optional dependency: the ``fit`` extra)."""
    ensemble = require("sklearn.ensemble", "fit", "the non-linear driver model")
    linear = require("sklearn.linear_model", "fit", "the non-linear driver model")
    return {"hgb_c": ensemble.HistGradientBoostingClassifier, "hgb_r": ensemble.HistGradientBoostingRegressor,
            "logit": linear.LogisticRegression, "ols": linear.LinearRegression}


@dataclass(frozen=True)
class DriverModels:
    """The outcome of :func:`compare_driver_models`.

    Attributes:
        models: one row per model: ``model, n_features`` and ``cv_auc, cv_brier`` (binary) or
            ``cv_r, cv_rmse`` (rating), ``rows, folds``.
        importance: one row per (model, column): ``model, column, kind, importance, sd``
            (permutation importance: the drop of the out-of-fold AUC or R²).
        binary: whether the outcome is binary.
    """

    models: pd.DataFrame
    importance: pd.DataFrame
    binary: bool

    def gap(self) -> str:
        """One sentence: the best non-linear model against the best linear one, out of sample."""
        t = self.models.set_index("model")
        score = "cv_auc" if self.binary else "cv_r"
        lin = t.loc[[m for m in t.index if m.startswith("linear")], score]
        gbm = t.loc[[m for m in t.index if m.startswith("boosting")], score]
        name = "AUC" if self.binary else "r"
        return (f"out of sample: best linear model {lin.idxmax()} {name} {lin.max():.3f}, best gradient boosting "
                f"{gbm.idxmax()} {name} {gbm.max():.3f} (difference {gbm.max() - lin.max():+.3f})")


def _covariates(frame: pd.DataFrame, source: str, columns: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """Numeric covariates as floats (NaN where blank), categorical ones as strings; their kinds."""
    out = pd.DataFrame(index=frame.index)
    kinds = []
    for c in columns:
        raw = frame[c]
        if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
            out[c] = numeric(frame, source, c)
            kinds.append("number")
        else:
            levels = raw.dropna().astype(str).str.strip().unique()
            if len(levels) > MAX_LEVELS:
                raise SpecError(where(source, c), f"{len(levels)} categories",
                                f"a categorical covariate may have at most {MAX_LEVELS} categories")
            out[c] = raw.astype(str).str.strip().where(raw.notna(), None)
            kinds.append("category")
    return out, kinds


def _design_linear(ratings: Array, cov: pd.DataFrame, kinds: Sequence[str],
                   train: NDArray[np.intp]) -> tuple[Array, list[list[int]]]:
    """The linear models' design and, for each original column, its design columns.

    Ratings and numeric covariates are filled with the training mean, each with an indicator of
    its blanks (when the training rows have any); a category is one-hot coded (first level left out).
    """
    num = [ratings] + [cov[[c]].to_numpy(dtype=float) for c, k in zip(cov.columns, kinds) if k == "number"]
    x = np.hstack(num)
    blank = np.isnan(x)
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(np.where(blank[train], np.nan, x[train]), axis=0) if len(train) else np.zeros(x.shape[1])
    mean = np.where(np.isnan(mean), 0.0, mean)
    parts = [np.where(blank, mean, x)]
    groups = [[j] for j in range(x.shape[1])]
    width = x.shape[1]
    for j in np.flatnonzero(blank[train].any(axis=0)):
        parts.append(blank[:, [j]].astype(float))
        groups[j].append(width)
        width += 1
    for c, k in zip(cov.columns, kinds):
        if k != "category":
            continue
        levels = sorted(cov[c].iloc[train].dropna().unique())
        dummies = [(cov[c] == lv).to_numpy(dtype=float)[:, None] for lv in levels[1:]]
        parts += dummies
        groups.append(list(range(width, width + len(dummies))))
        width += len(dummies)
    return np.hstack(parts), _reorder(groups, kinds, ratings.shape[1])


def _reorder(groups: list[list[int]], kinds: Sequence[str], k: int) -> list[list[int]]:
    """Groups in the order of the original columns: touchpoints, then covariates as listed."""
    numeric_groups = iter(groups[k:k + sum(1 for kd in kinds if kd == "number")])
    category_groups = iter(groups[k + sum(1 for kd in kinds if kd == "number"):])
    return groups[:k] + [next(numeric_groups) if kd == "number" else next(category_groups) for kd in kinds]


def _design_boosting(ratings: Array, cov: pd.DataFrame, kinds: Sequence[str]) -> tuple[Array, NDArray[np.bool_]]:
    """Ratings and covariates as numbers (categories as integer codes, NaN where blank) and which are categorical."""
    cols = [ratings]
    cat = [False] * ratings.shape[1]
    for c, k in zip(cov.columns, kinds):
        if k == "number":
            cols.append(cov[[c]].to_numpy(dtype=float))
            cat.append(False)
        else:
            codes, _ = pd.factorize(cov[c], sort=True)
            cols.append(np.where(codes < 0, np.nan, codes).astype(float)[:, None])
            cat.append(True)
    return np.hstack(cols), np.array(cat)


@crossval.one_blas_thread
def compare_driver_models(
    table: str | Path | pd.DataFrame,
    touchpoints: str | Sequence[str],
    outcome: str,
    covariates: str | Sequence[str] = (),
    scale: tuple[float, float] = (1.0, 5.0),
    positive: str | None = None,
    not_applicable: float | None = None,
    folds: int = 5,
    seed: int = 0,
    repeats: int = 3,
    source: str | None = None,
) -> DriverModels:
    """Linear and gradient-boosting driver models, with and without covariates, on the same folds.

    Args:
        table: as :func:`cxsim.fit.scenario_from_survey.scenario_from_survey` (rows with a blank
            outcome are left out).
        touchpoints: as :func:`cxsim.fit.scenario_from_survey.scenario_from_survey`.
        outcome: as :func:`cxsim.fit.scenario_from_survey.scenario_from_survey`.
        covariates: further columns beside the touchpoints (numbers or categories).
        scale: as :func:`cxsim.fit.scenario_from_survey.scenario_from_survey`.
        positive: as :func:`cxsim.fit.scenario_from_survey.scenario_from_survey`.
        not_applicable: as :func:`cxsim.fit.scenario_from_survey.scenario_from_survey`.
        folds: k of k-fold cross-validation.
        seed: seed of the folds, the shuffles and the boosting.
        repeats: shuffles per column for the permutation importance (0 skips it).
        source: name of the table in messages.
    """
    folds = checks.integer("folds", folds, 2)
    seed = checks.integer("seed", seed, 0)
    repeats = checks.integer("repeats", repeats, 0)
    sk = sklearn_modules()
    frame, name = read_table(table, source)
    covs = split_columns(covariates)
    require_columns(frame, name, covs)
    data = read_survey(frame, touchpoints, outcome, scale, positive=positive, not_applicable=not_applicable,
                       source=name)
    clash = [c for c in covs if c in data.touchpoints or c == outcome]
    if clash:
        raise SpecError("covariates", clash[0], "a covariate may not also be a touchpoint or the outcome")
    keep = np.flatnonzero(data.outcome_codes >= 0)
    binary = positive is not None
    y = (data.outcome_codes[keep].astype(float) if binary
         else np.asarray(data.outcome_values, dtype=float)[data.outcome_codes[keep]])
    ratings = data.ratings[keep]
    cov, kinds = _covariates(frame.iloc[keep].reset_index(drop=True), name, covs)
    fold_rng, perm_rng = crossval.generators(seed)
    fold = crossval.fold_ids(len(keep), folds, fold_rng)
    specs = {"linear": 0, "linear + covariates": len(covs), "boosting": 0, "boosting + covariates": len(covs)}
    rows, imp_rows = [], []
    for model, n_cov in specs.items():
        if n_cov == 0 and model.endswith("covariates"):
            continue
        c = cov.iloc[:, :n_cov]
        k = kinds[:n_cov]
        labels = list(data.touchpoints) + list(c.columns)
        # one OpenMP thread: a fold's boosting fit took 30 s with OpenMP threads on the busy 2-core
        # development machine (load 10) and 0.7 s with one
        with threadpool_limits(limits=1, user_api="openmp"):
            oof, drops = _cross_fit(model, ratings, c, k, y, binary, fold, folds, seed, repeats, perm_rng, sk)
        row: dict[str, Any] = {"model": model, "n_features": len(labels)}
        if binary:
            row |= {"cv_auc": crossval.auc(y, oof), "cv_brier": crossval.brier(y, oof)}
        else:
            row |= {"cv_r": crossval.correlation(y, oof), "cv_rmse": crossval.rmse(y, oof)}
        rows.append(row | {"rows": len(keep), "folds": folds})
        if drops is not None:
            for j, col in enumerate(labels):
                imp_rows.append({"model": model, "column": col,
                                 "kind": "touchpoint" if j < ratings.shape[1] else k[j - ratings.shape[1]],
                                 "importance": float(drops[:, j].mean()), "sd": float(drops[:, j].std(ddof=1))
                                 if drops.shape[0] > 1 else float("nan")})
    importance = pd.DataFrame(imp_rows)
    if len(importance):
        importance = importance.sort_values(["model", "importance"], ascending=[True, False]).reset_index(drop=True)
    return DriverModels(pd.DataFrame(rows), importance, binary)


def _cross_fit(model: str, ratings: Array, cov: pd.DataFrame, kinds: Sequence[str], y: Array, binary: bool,
               fold: NDArray[np.intp], folds: int, seed: int, repeats: int, rng: np.random.Generator,
               sk: dict[str, Any]) -> tuple[Array, Array | None]:
    """Out-of-fold predictions, and each column's permutation importance on every fold."""
    oof = np.empty(y.size)
    drops: list[Array] = []
    boosting = model.startswith("boosting")
    for train, test in crossval.splits(fold, folds):
        if binary and len(np.unique(y[train])) < 2:
            raise SpecError("folds", folds, "every training fold needs both outcome classes; use fewer folds")
        if boosting:
            x, cat = _design_boosting(ratings, cov, kinds)
            groups = [[j] for j in range(x.shape[1])]
            est = (sk["hgb_c"] if binary else sk["hgb_r"])(random_state=seed, categorical_features=cat)
        else:
            x, groups = _design_linear(ratings, cov, kinds, train)
            mu, sd = x[train].mean(axis=0), x[train].std(axis=0)
            x = (x - mu) / np.where(sd > 0, sd, 1.0)
            est = sk["logit"](C=1e4, max_iter=1000) if binary else sk["ols"]()
        est.fit(x[train], y[train])
        oof[test] = _predict(est, x[test], binary)
        if repeats:
            drops.append(_permutation(est, x[test], y[test], groups, binary, repeats, rng))
    return oof, (np.vstack(drops) if repeats else None)


def _predict(est: Any, x: Array, binary: bool) -> Array:
    return est.predict_proba(x)[:, 1] if binary else est.predict(x)


def _score(y: Array, pred: Array, binary: bool) -> float:
    if binary:
        return crossval.auc(y, pred)
    return 1.0 - float(np.mean((y - pred) ** 2) / np.var(y))


def _permutation(est: Any, xt: Array, yt: Array, groups: list[list[int]], binary: bool, repeats: int,
                 rng: np.random.Generator) -> Array:
    """Drop of a test fold's score when each original column (all its design columns at once) is shuffled."""
    base = _score(yt, _predict(est, xt, binary), binary)
    out = np.empty((1, len(groups)))
    for j, cols in enumerate(groups):
        losses = []
        for _ in range(repeats):
            shuffled = xt.copy()
            shuffled[:, cols] = xt[rng.permutation(len(yt))][:, cols]
            losses.append(base - _score(yt, _predict(est, shuffled, binary), binary))
        out[0, j] = float(np.mean(losses))
    return out
