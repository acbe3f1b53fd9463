"""Posterior predictive check of a scenario fitted from a survey: simulated respondents vs held-out ones.

:func:`holdout_check` splits the respondents at random into a training part and a held-out part
(the split is reported), fits :func:`~cxsim.fit.scenario_from_survey.scenario_from_survey` on the
training part, simulates respondents from the fit and compares them with the held-out part
(:func:`compare_surveys`), item by item, each with a distance and the limit it is held to:

* each touchpoint's rating shares: total variation distance ``½ Σ |p_obs − p_sim|`` (limit 0.10);
* each touchpoint's not-applicable and blank shares: absolute difference (limit 0.03);
* the outcome: its positive share, or its mean as a share of the outcome's scale (limit 0.05), and
  the total variation distance of its answer shares (limit 0.10);
* each touchpoint's correlation with the outcome (Pearson, over the rows that rated it; limit 0.15);
* the mean correlation between touchpoints (limit 0.10);
* the recommend column's mean as a share of its range (limit 0.05), when there is one.

The check follows the posterior predictive idea of Gelman, Meng & Stern (1996) and Gelman et al.,
*Bayesian Data Analysis* (ch. 6): data simulated from the fitted model should look like the data,
here judged on held-out rows. The limits are those of the issue that asked for the check; they
hold the fit to what a researcher reads off a survey, not to sampling noise.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cxsim.errors import SpecError
from cxsim.fit.scenario_from_survey import FittedSurvey, scenario_from_survey
from cxsim.fit.survey import read_table
from cxsim.fit.survey_data import SurveyData, read_survey
from cxsim.specs import checks

Array = NDArray[np.float64]

#: Limits per check (see the module docstring).
LIMITS = {"rating shares": 0.10, "not applicable share": 0.03, "blank share": 0.03, "outcome": 0.05,
          "outcome shares": 0.10, "correlation with outcome": 0.15, "mean inter-item correlation": 0.10,
          "recommend": 0.05}


@dataclass(frozen=True, eq=False)
class CheckResult:
    """A held-out posterior predictive check.

    Attributes:
        table: one row per item: ``check, item, observed, simulated, distance, limit, ok``.
        split: ``{"train": rows, "test": rows, "test_share": s, "seed": seed, "simulated": n}``.
        fitted: the fit on the training rows.
    """

    table: pd.DataFrame
    split: dict[str, float]
    fitted: FittedSurvey

    @property
    def ok(self) -> bool:
        """Every item within its limit."""
        return bool(self.table["ok"].all())

    def summary(self) -> str:
        """One line: the split and how many items are within their limits."""
        s = self.split
        bad = self.table[~self.table["ok"]]
        line = (f"fitted on {int(s['train']):,} rows, checked on {int(s['test']):,} held-out rows "
                f"({s['test_share']:.0%}, seed {int(s['seed'])}) against {int(s['simulated']):,} simulated: "
                f"{int(self.table['ok'].sum())} of {len(self.table)} items within their limits")
        if len(bad):
            worst = bad.sort_values("distance", ascending=False).iloc[0]
            line += f"; worst: {worst['check']} of {worst['item']} ({worst['distance']:.3f} > {worst['limit']:g})"
        return line


def holdout_check(
    table: str | Path | pd.DataFrame,
    touchpoints: str | Sequence[str],
    outcome: str,
    scale: tuple[float, float] = (1.0, 5.0),
    test_share: float = 0.3,
    seed: int = 0,
    simulated: int = 20_000,
    outcome_scale: tuple[float, float] | None = None,
    **fit_args: Any,
) -> CheckResult:
    """Fit on a random training part, simulate, and compare with the held-out part.

    Args:
        table: as :func:`scenario_from_survey`.
        touchpoints: as :func:`scenario_from_survey`.
        outcome: as :func:`scenario_from_survey`.
        scale: as :func:`scenario_from_survey`.
        test_share: share of rows held out (0 < share < 1).
        seed: seed of the split and of the simulation (two streams of ``SeedSequence(seed)``).
        simulated: simulated respondents to compare with.
        outcome_scale: the outcome's scale for the mean's distance (default: the touchpoints'
            scale when every answer lies on it, else the answers' range).
        fit_args: further arguments of :func:`scenario_from_survey` (positive, not_applicable,
            segment, recommend, ...).
    """
    share = checks.number("test_share", test_share)
    if not 0.0 < share < 1.0:
        raise SpecError("test_share", test_share, "a share strictly between 0 and 1")
    seed = checks.integer("seed", seed, 0)
    simulated = checks.integer("simulated", simulated, 1)
    frame, source = read_table(table, fit_args.pop("source", None))
    split_seq, sim_seq = np.random.SeedSequence(seed).spawn(2)
    n = len(frame)
    n_test = round(share * n)
    if n_test < 1 or n - n_test < 2:
        raise SpecError("test_share", test_share, f"leaves too few rows on one side of the split ({n} rows)")
    order = np.random.default_rng(split_seq).permutation(n)
    test_rows, train_rows = np.sort(order[:n_test]), np.sort(order[n_test:])
    train = frame.iloc[train_rows].reset_index(drop=True)
    test = frame.iloc[test_rows].reset_index(drop=True)
    fitted = scenario_from_survey(train, touchpoints, outcome, scale=scale, source=f"{source} [train]", **fit_args)
    sim_seed = int(sim_seq.generate_state(1)[0])
    sim = fitted.simulate_survey(simulated, sim_seed)
    result = compare_surveys(fitted, test, sim, outcome_scale=outcome_scale, source=f"{source} [test]")
    split = {"train": float(len(train)), "test": float(len(test)), "test_share": share, "seed": float(seed),
             "simulated": float(simulated)}
    return CheckResult(result, split, fitted)


def tv_distance(a: Array, b: Array) -> float:
    """Total variation distance of the value shares of two samples (NaN left out)."""
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if a.size == 0 or b.size == 0:
        return float("nan")
    values = np.union1d(a, b)
    pa = np.array([np.mean(a == v) for v in values])
    pb = np.array([np.mean(b == v) for v in values])
    return 0.5 * float(np.abs(pa - pb).sum())


def _corr(x: Array, y: Array) -> float:
    ok = ~np.isnan(x) & ~np.isnan(y)
    if ok.sum() < 3 or np.std(x[ok]) == 0 or np.std(y[ok]) == 0:
        return float("nan")
    return float(np.corrcoef(x[ok], y[ok])[0, 1])


def _side(fitted: FittedSurvey, frame: pd.DataFrame, source: str) -> tuple[SurveyData, Array, Array | None]:
    d = fitted.data
    data = read_survey(frame, list(d.touchpoints), d.outcome, d.scale, positive=d.positive,
                       not_applicable=d.not_applicable_value, recommend=d.recommend, source=source)
    if d.positive is not None:
        y = data.outcome_codes.astype(np.float64)
    else:
        y = np.asarray(data.outcome_values, dtype=np.float64)[np.maximum(data.outcome_codes, 0)]
    y[data.outcome_codes < 0] = np.nan
    r = None
    if data.recommend_codes is not None:
        r = np.asarray(data.recommend_values, dtype=np.float64)[np.maximum(data.recommend_codes, 0)]
        r[data.recommend_codes < 0] = np.nan
    return data, y, r


def compare_surveys(fitted: FittedSurvey, observed: pd.DataFrame, simulated: pd.DataFrame,
                    outcome_scale: tuple[float, float] | None = None, source: str = "observed") -> pd.DataFrame:
    """The check table of ``simulated`` respondents against ``observed`` ones (see the module docstring)."""
    obs, y_o, r_o = _side(fitted, observed, source)
    sim, y_s, r_s = _side(fitted, simulated, "simulated")
    rows: list[dict[str, Any]] = []

    def add(check: str, item: str, o: float, s: float, distance: float) -> None:
        rows.append({"check": check, "item": item, "observed": o, "simulated": s, "distance": distance,
                     "limit": LIMITS[check]})

    for j, col in enumerate(obs.touchpoints):
        a, b = obs.ratings[:, j], sim.ratings[:, j]
        add("rating shares", col, float(np.nanmean(a)), float(np.nanmean(b)), tv_distance(a, b))
        if obs.not_applicable_value is not None:
            o, s = float(obs.not_applicable[:, j].mean()), float(sim.not_applicable[:, j].mean())
            add("not applicable share", col, o, s, abs(o - s))
        o, s = float(obs.blank[:, j].mean()), float(sim.blank[:, j].mean())
        add("blank share", col, o, s, abs(o - s))
    if obs.positive is not None:
        o, s = float(np.nanmean(y_o)), float(np.nanmean(y_s))
        add("outcome", f"share {obs.positive!s}", o, s, abs(o - s))
    else:
        lo, hi = outcome_scale or _outcome_range(obs, fitted)
        o, s = float(np.nanmean(y_o)), float(np.nanmean(y_s))
        add("outcome", f"mean (scale {lo:g}-{hi:g})", o, s, abs(o - s) / (hi - lo))
        add("outcome shares", obs.outcome, o, s, tv_distance(y_o, y_s))
    for j, col in enumerate(obs.touchpoints):
        o, s = _corr(obs.ratings[:, j], y_o), _corr(sim.ratings[:, j], y_s)
        add("correlation with outcome", col, o, s, abs(o - s))
    o, s = _mean_inter_item(obs.ratings), _mean_inter_item(sim.ratings)
    add("mean inter-item correlation", "all touchpoints", o, s, abs(o - s))
    if r_o is not None and r_s is not None:
        vals = np.asarray(obs.recommend_values, dtype=float)
        span = float(vals.max() - vals.min())
        o, s = float(np.nanmean(r_o)), float(np.nanmean(r_s))
        add("recommend", f"mean {obs.recommend}", o, s, abs(o - s) / span)
    table = pd.DataFrame(rows)
    table["ok"] = table["distance"] <= table["limit"]
    return table


def _outcome_range(obs: SurveyData, fitted: FittedSurvey) -> tuple[float, float]:
    values = np.asarray(fitted.outcome_link.values, dtype=float)
    lo, hi = obs.scale
    if values.min() >= lo and values.max() <= hi:
        return lo, hi
    return float(values.min()), float(values.max())


def _mean_inter_item(ratings: Array) -> float:
    k = ratings.shape[1]
    if k < 2:
        return float("nan")
    c = pd.DataFrame(ratings).corr().to_numpy()
    return float(c[np.triu_indices(k, 1)].mean())


def figure(result: CheckResult, path: str | Path) -> Path:
    """Three panels: rating-share distance per touchpoint, correlation with the outcome observed vs
    simulated, and every check's distance against its limit (PNG; an explicit Figure, no pyplot state)."""
    from matplotlib.figure import Figure  # matplotlib: loaded only when a figure is drawn

    t = result.table
    fig = Figure(figsize=(15, 0.3 * max(len(t[t["check"] == "rating shares"]), 6) + 2.5))
    axes = fig.subplots(1, 3)
    tv = t[t["check"] == "rating shares"]
    ax = axes[0]
    ax.barh(tv["item"], tv["distance"], color=np.where(tv["ok"], "#4C72B0", "#C44E52"))
    ax.axvline(LIMITS["rating shares"], color="black", ls="--", lw=0.8)
    ax.invert_yaxis()
    ax.set_xlabel("total variation distance of the rating shares")
    ax.set_title("ratings: simulated vs held-out")
    cr = t[t["check"] == "correlation with outcome"]
    ax = axes[1]
    ax.scatter(cr["observed"], cr["simulated"], color=np.where(cr["ok"], "#4C72B0", "#C44E52"))
    lim = [min(cr["observed"].min(), cr["simulated"].min(), 0) - 0.05,
           max(cr["observed"].max(), cr["simulated"].max()) + 0.05]
    ax.plot(lim, lim, color="grey", lw=0.8)
    ax.fill_between(lim, [v - LIMITS["correlation with outcome"] for v in lim],
                    [v + LIMITS["correlation with outcome"] for v in lim], color="grey", alpha=0.15)
    ax.set_xlabel("observed correlation with the outcome")
    ax.set_ylabel("simulated")
    ax.set_title("each touchpoint with the outcome (band: limit)")
    ax = axes[2]
    rel = t["distance"] / t["limit"]
    labels = t["check"] + ": " + t["item"].astype(str)
    ax.barh(labels, rel, color=np.where(t["ok"], "#4C72B0", "#C44E52"))
    ax.axvline(1.0, color="black", ls="--", lw=0.8)
    ax.invert_yaxis()
    ax.tick_params(axis="y", labelsize=6)
    ax.set_xlabel("distance / limit (1 = at the limit)")
    ax.set_title("every check against its limit")
    fig.suptitle("\n".join(textwrap.wrap(result.summary(), 160)), fontsize=9)
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=110, format="png")
    return out
