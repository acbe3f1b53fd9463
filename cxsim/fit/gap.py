"""The seven-step CEM gap analysis (case studies 001, 002, 004; "Seven-step CEM method" in the docs).

From a table with one row per experience factor — current experience (step 2a), expectation (2b),
importance (2d) and the ideal experience (step 4) — compute:

* satisfaction (2c): ``experience − expectation`` (difference form, the case studies' default) or
  ``experience / expectation`` (ratio form: 1 = met; the Delta law's two forms);
* key experience (step 3): ``importance × satisfaction`` — in ratio form
  ``importance × (ratio − 1)``, so that 0 still means "as expected" — and the factor where it is
  most negative (Meisu: convenience, 9 × −2 = −18);
* gap to the ideal (step 4): ``experience − ideal`` (ratio form: ``experience / ideal``), and the
  factor with the largest gap (Meisu: convenience, 5 − 10 = −5).

Step 5 (requirements that close the gap) is handed to the simulator: :func:`requirement` turns the
largest gap into an intervention config (:mod:`cxsim.specs.intervention`) that raises the matching
touchpoint's performance by the gap, and :func:`simulate_requirement` runs it against the baseline
with common random numbers (:mod:`cxsim.compare`). Blank cells (a figure the case does not give)
stay blank in everything computed from them.

Step 7 (the feedback loop) closes the loop in the simulation (:func:`feedback`): the seven-step
table is measured again on the simulated run *after* the requirement — experience, expectation,
satisfaction, key experience and gap to the ideal per factor, from the moments customers met in
the last month, against the baseline run's same month (same seed) — and, for a scenario with
store operations, the sales with 1, 2, 3 … shops are compared with one shop (Meisu's step 7:
"one shop → two doubled sales; three → three times; four → more than four times"), each shop
being :func:`with_shops`. The simulated ratios are below the case's at every
count (``cxsim-fit gap --example meisu --simulate retail_street``, 5,000 customers, 12 months:
×1.38, ×2.01, ×3.02 for 2, 3, 4 shops against ×2, ×3, more than ×4) and come about differently:
cxsim's population is fixed — no new customers are drawn to the street by more shops, and we do
not model acquisition — so more shops can only raise sales by keeping more of the same customers
(with one shop 2 % are still customers after a year, with four 32 %). The ratios therefore grow
with the horizon as the one-shop street empties.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxsim import compare
from cxsim.config import compose_config
from cxsim.errors import SpecError
from cxsim.figures import figure_style, subplots
from cxsim.fit.survey import numeric, read_table, require_columns, where
from cxsim.specs import checks
from cxsim.specs.build import run_spec_from_dict

FORMS = ("difference", "ratio")
COLUMNS = ("factor", "experience", "expectation", "importance", "ideal")


def meisu_table() -> pd.DataFrame:
    """The Meisu Electronics figures of the case studies (shipped as ``cxsim/fit/examples/meisu.csv``)."""
    with resources.files("cxsim.fit").joinpath("examples/meisu.csv").open() as fh:
        return pd.read_csv(fh)


@dataclass(frozen=True)
class GapAnalysis:
    """The seven-step table and its findings.

    Attributes:
        table: one row per factor: ``factor, experience, expectation, importance, ideal,
            satisfaction, key_experience, gap_to_ideal`` (+ ``rank_key_experience``).
        form: ``difference`` or ``ratio``.
        key_experience: the factor with the most negative importance × satisfaction (or ``None``).
        largest_gap: the factor furthest below its ideal (or ``None``).
    """

    table: pd.DataFrame
    form: str
    key_experience: str | None
    largest_gap: str | None

    def row(self, factor: str) -> pd.Series:
        """The table row of ``factor``."""
        return self.table.set_index("factor").loc[factor]  # type: ignore[return-value]

    def summary(self) -> str:
        """Steps 3 and 4 in words."""
        out = []
        if self.key_experience is not None:
            r = self.row(self.key_experience)
            out.append(f"key experience: {self.key_experience} (importance {r['importance']:g} x satisfaction "
                       f"{r['satisfaction']:+.3g} = {r['key_experience']:+.3g})")
        if self.largest_gap is not None:
            r = self.row(self.largest_gap)
            out.append(f"largest gap to the ideal: {self.largest_gap} (experience {r['experience']:g}, ideal "
                       f"{r['ideal']:g}: {r['gap_to_ideal']:+.3g})")
        return "; ".join(out) or "no factor has both importance and expectation"


def seven_step(data: str | Path | pd.DataFrame, form: str = "difference", source: str | None = None) -> GapAnalysis:
    """Compute steps 2c–4 of the seven-step method from a factor table.

    Args:
        data: CSV path or DataFrame with ``factor, experience`` and any of ``expectation,
            importance, ideal`` (blank = not given; a missing ``ideal`` column means ideal =
            experience, i.e. no gap).
        form: ``difference`` or ``ratio``.
        source: name in messages.
    """
    frame, name = read_table(data, source)
    if form not in FORMS:
        raise SpecError("form", form, "allowed: " + ", ".join(FORMS))
    require_columns(frame, name, ["factor", "experience"])
    if frame["factor"].isna().any():
        i = int(np.flatnonzero(frame["factor"].isna().to_numpy())[0])
        raise SpecError(where(name, "factor", i), "", "every row needs a factor name")
    dup = frame["factor"].astype(str).duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise SpecError(where(name, "factor", i), frame["factor"].iloc[i], "each factor may appear once")
    cols = {c: (numeric(frame, name, c) if c in frame.columns else np.full(len(frame), np.nan))
            for c in COLUMNS[1:]}
    exp_ = cols["experience"]
    if np.isnan(exp_).any():
        i = int(np.flatnonzero(np.isnan(exp_))[0])
        raise SpecError(where(name, "experience", i), "", "every factor needs its current experience")
    if "ideal" not in frame.columns:
        cols["ideal"] = exp_.copy()
    if (cols["importance"] < 0).any():
        i = int(np.flatnonzero(cols["importance"] < 0)[0])
        raise SpecError(where(name, "importance", i), float(cols["importance"][i]), "importance must be >= 0")
    with np.errstate(divide="ignore", invalid="ignore"):
        if form == "difference":
            sat = exp_ - cols["expectation"]
            key = cols["importance"] * sat
            gap = exp_ - cols["ideal"]
        else:
            for c in ("expectation", "ideal"):
                bad = cols[c] <= 0
                if bad.any():
                    i = int(np.flatnonzero(bad)[0])
                    raise SpecError(where(name, c, i), float(cols[c][i]), "the ratio form needs values > 0")
            sat = exp_ / cols["expectation"]
            key = cols["importance"] * (sat - 1.0)
            gap = exp_ / cols["ideal"]
    table = pd.DataFrame({"factor": frame["factor"].astype(str), **cols, "satisfaction": sat,
                          "key_experience": key, "gap_to_ideal": gap})
    table["rank_key_experience"] = table["key_experience"].rank(method="min").astype("Int64")
    key_f = _argmin(table, "key_experience")
    neutral = 0.0 if form == "difference" else 1.0
    gap_f = _argmin(table[table["gap_to_ideal"] < neutral], "gap_to_ideal")
    return GapAnalysis(table, form, key_f, gap_f)


def _argmin(t: pd.DataFrame, col: str) -> str | None:
    v = t[col]
    if v.notna().sum() == 0:
        return None
    return str(t.loc[v.idxmin(), "factor"])  # type: ignore[index]


# --------------------------------------------------------------------------- step 5: simulate
def requirement(analysis: GapAnalysis, scenario: str, touchpoint: str | None = None, factor: str | None = None,
                points_per_unit: float = 1.0, cost: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The step-5 requirement as an intervention config that closes a gap in the simulation.

    The touchpoint's performance mean is raised by the gap to the ideal (in the touchpoint's
    units: ``gap / points_per_unit``); in ratio form it is scaled by ``ideal / experience``.

    Args:
        analysis: the seven-step result.
        scenario: the scenario the requirement is for (e.g. ``retail_street``).
        touchpoint: the touchpoint that carries the factor (default: the factor's name).
        factor: the factor to close (default: the largest gap).
        points_per_unit: survey points per unit of the touchpoint's measure.
        cost: the intervention's cost block (``fixed, per_cycle, …``; default none).
    """
    factor = factor or analysis.largest_gap
    if factor is None:
        raise SpecError("factor", None, "no factor is below its ideal; nothing to close")
    row = analysis.row(factor)
    tp = touchpoint or factor
    path = f"scenario.journey.touchpoints.{tp}.performance.mean"
    if analysis.form == "difference":
        change = {"add": float(-row["gap_to_ideal"] / points_per_unit)}
    else:
        change = {"scale": float(1.0 / row["gap_to_ideal"])}
    return {
        "name": f"close_gap_{factor}",
        "description": f"Step 5 of the seven-step method: close the gap to the ideal of {factor} "
                       f"({row['experience']:g} -> {row['ideal']:g}) at touchpoint {tp}",
        "scenarios": {scenario: {"changes": {path: change}, "cost": dict(cost or {})}},
    }


def simulate_requirement(intervention: Mapping[str, Any], overrides: list[str] | tuple[str, ...] = (),
                         replications: int = 5, progress: bool = False) -> Any:
    """Run the requirement against the baseline with common random numbers (:mod:`cxsim.compare`).

    Args:
        intervention: a config from :func:`requirement`.
        overrides: Hydra overrides of the baseline run (``scenario=retail_street``, sizes …).
        replications: paired replications (≥ 2).
        progress: show a progress bar.

    Returns:
        a :class:`cxsim.compare.Comparison` (``table`` has Δ satisfaction, retention, NPS, profit…).
    """
    settings = compare.CompareSettings(interventions=None, replications=replications, progress=progress)
    base_cfg = compare._for_compare(compose_config(list(overrides)), replications)
    arm_cfg = dict(base_cfg, intervention=dict(intervention))
    plan = compare.Plan(compare.Arm(str(base_cfg.get("intervention", {}).get("name", "none")),
                                    run_spec_from_dict(base_cfg)),
                        [compare.Arm(str(intervention["name"]), run_spec_from_dict(arm_cfg))])
    runs = compare.run_arms(plan, crn=True, progress=progress)
    spec = plan.baseline.spec
    return compare.summarise_comparison(runs, plan.baseline.name, settings, spec.sim.n_customers,
                                        spec.scenario.economics.currency)


# --------------------------------------------------------------------------- step 7: feedback
#: Meisu's step 7: sales with n shops relative to one shop (case studies 001, 002, 004).
# --------------------------------------------------------------------- Meisu's shops (step 7)
#: Meisu's more-shops assumptions (:mod:`cxsim.teach.meisu`): each shop raises the perceived
#: convenience score by SHOP_GAIN points, scales its spread by SHOP_SD_SCALE, and costs SHOP_COST
#: a month where the scenario has no store operations.
SHOP_GAIN = 1.5
SHOP_SD_SCALE = 0.8
SHOP_COST = 100_000.0


def shop_count(cfg: dict) -> int | None:
    """Shops open in a composed config (``operations.stores.count``), ``None`` without store operations."""
    stores = (cfg["scenario"].get("operations") or {}).get("stores")
    return None if stores is None else int(stores["count"])


def with_shops(cfg: dict, change: int) -> dict:
    """A copy of the composed config ``cfg`` with ``change`` more shops (fewer when negative).

    Each shop opens (or closes) the next site of the scenario's store operations and moves the
    perceived convenience score by ``SHOP_GAIN`` points, its spread scaled by ``SHOP_SD_SCALE``
    per shop (the module's assumptions); without store operations a shop costs ``SHOP_COST`` a
    month (only more shops then). The convenience touchpoint must exist.
    """
    cfg = copy.deepcopy(cfg)
    conv = next((tp for tp in cfg["scenario"]["journey"]["touchpoints"] if tp["name"] == "convenience"), None)
    if conv is None:
        raise SpecError("scenario.journey.touchpoints", "convenience", "more shops move the 'convenience' touchpoint; "
                        "the scenario has none")
    stores = (cfg["scenario"].get("operations") or {}).get("stores")
    if stores is not None and int(stores["count"]) + change < 1:
        raise SpecError("shops", int(stores["count"]) + change, "at least one shop must stay open")
    if stores is None and change < 0:
        raise SpecError("shops", change, "closing shops needs the scenario's store operations")
    perf = conv["performance"]
    perf["mean"] = min(10.0, max(0.0, float(perf["mean"]) + SHOP_GAIN * change))
    perf["sd"] = float(perf["sd"]) * SHOP_SD_SCALE ** change
    if stores is not None:  # the shops themselves: shorter walks and queues, rent per shop
        stores["count"] = min(len(stores["sites"]), int(stores["count"]) + change)  # past the last site: no shop
    else:
        conv["fixed_cost_per_cycle"] = float(conv.get("fixed_cost_per_cycle") or 0.0) + SHOP_COST * change
    return cfg


def seven_step_table(moments: pd.DataFrame, importance: dict[str, float], ideal: dict[str, float],
                     cycle: int | None = None) -> pd.DataFrame:
    """Steps 2a–4 of the seven-step method from moment records of one cycle (default: the first).

    The means of the simulated moments make the factor table; the arithmetic of steps 2c–4 is
    cxsim's gap analysis (:func:`seven_step`, difference form).

    Args:
        moments: rows with ``cycle, touchpoint, performance, expectation`` (cxsim's moments table).
        importance: importance per touchpoint (step 2d).
        ideal: ideal experience for the touchpoints whose ideal differs from the actual (step 4).
        cycle: the cycle whose moments are used (default: the first recorded).
    """
    first = moments[moments["cycle"] == (moments["cycle"].min() if cycle is None else cycle)]
    if first.empty:
        raise SpecError("cycle", cycle, "no moments recorded in that cycle")
    g = first.groupby("touchpoint", sort=False)[["performance", "expectation"]].mean()
    factors = pd.DataFrame({
        "factor": g.index, "experience": g["performance"].to_numpy(), "expectation": g["expectation"].to_numpy(),
        "importance": [float(importance[t]) for t in g.index],
        "ideal": [float(ideal.get(t, a)) for t, a in zip(g.index, g["performance"])],
    })
    t = seven_step(factors, source="simulated moments").table.set_index("factor")
    t.index.name = "touchpoint"
    return t.rename(columns={"experience": "experience_2a", "expectation": "expectation_2b",
                             "satisfaction": "satisfaction_2c", "importance": "importance_2d",
                             "key_experience": "key_experience_3", "ideal": "ideal_4",
                             "gap_to_ideal": "gap_to_ideal_4"})[
        ["experience_2a", "expectation_2b", "satisfaction_2c", "importance_2d", "key_experience_3", "ideal_4",
         "gap_to_ideal_4"]]


PUBLISHED_SHOP_RATIOS = {1: "x1", 2: "x2", 3: "x3", 4: "more than x4"}
QUANTITIES = ("experience", "expectation", "satisfaction", "key_experience", "gap_to_ideal")


@dataclass(frozen=True)
class Feedback:
    """Step 7: the seven-step table measured again after the requirement, and sales per shop count.

    Attributes:
        table: ``section, item, quantity, before, after, change, ratio, published`` — section
            ``remeasured`` (one row per factor and quantity: the baseline run against the run with
            the requirement, the same month and seed) and ``shops`` (revenue and retention with
            ``n`` shops (``after``) against one shop (``before``); ``ratio = after / before``).
        cycle: the month measured.
        largest_gap_before, largest_gap_after: the factor furthest below its ideal in each run.
    """

    table: pd.DataFrame
    cycle: int
    largest_gap_before: str | None
    largest_gap_after: str | None

    def remeasured(self) -> pd.DataFrame:
        """The re-measured seven-step table, one row per factor, ``<quantity>_before/_after``."""
        t = self.table[self.table["section"] == "remeasured"]
        wide = t.pivot(index="item", columns="quantity", values=["before", "after"])
        wide.columns = [f"{q}_{w}" for w, q in wide.columns]  # type: ignore[str-unpack]
        order = [f"{q}_{w}" for q in QUANTITIES for w in ("before", "after")]
        return wide[order].reindex(pd.unique(t["item"]))

    def shops(self) -> pd.DataFrame:
        """Revenue and retention per number of shops, relative to one shop."""
        return self.table[self.table["section"] == "shops"].drop(columns="section")


def feedback(analysis: GapAnalysis, intervention: Mapping[str, Any], overrides: list[str] | tuple[str, ...] = (),
             replications: int = 2, shops: tuple[int, ...] = (1, 2, 3, 4), cycle: int | None = None) -> Feedback:
    """Step 7: re-measure the seven-step table after the requirement, and sales per shop count.

    Args:
        analysis: the seven-step result whose requirement was simulated (its ideals are reused:
            a factor's ideal where it differs from the experience, else the simulated experience).
        intervention: the requirement (:func:`requirement`).
        overrides: Hydra overrides of the baseline run (``scenario=retail_street``, sizes, seed).
        replications: replications of each run (the same seeds in every run: common random numbers).
        shops: shop counts to compare with one shop; only for scenarios with store operations
            (``operations.stores``), otherwise skipped. Empty: skipped.
        cycle: the month measured (default: the last; the requirement has then been in force all
            along and expectations have adapted to it).
    """
    from cxsim.engine.run import run  # the engine (numba, Mesa): loaded only when a simulation runs

    replications = checks.integer("replications", replications, 1)
    base = compose_config([*overrides, f"sim.replications={replications}", "outputs.figures=false",
                           "outputs.customers=never", "outputs.moments=true"])
    n_cycles = int(base["sim"]["n_cycles"])
    cycle = n_cycles if cycle is None else checks.integer("cycle", cycle, 1)
    if cycle > n_cycles:
        raise SpecError("cycle", cycle, f"the run has sim.n_cycles = {n_cycles}")
    neutral = 0.0 if analysis.form == "difference" else 1.0
    t = analysis.table
    ideal = {str(f): float(i) for f, i, g in zip(t["factor"], t["ideal"], t["gap_to_ideal"])
             if pd.notna(g) and g != neutral}
    tables, gaps = {}, {}
    for arm, cfg in (("before", base), ("after", dict(base, intervention=dict(intervention)))):
        spec = run_spec_from_dict(cfg)
        res = run(spec)
        importance = {tp.name: tp.importance for tp in spec.scenario.journey.touchpoints}
        steps = seven_step_table(res.moments, importance, ideal, cycle=cycle)  # type: ignore[arg-type]
        tables[arm] = steps.rename(columns={"experience_2a": "experience", "expectation_2b": "expectation",
                                            "satisfaction_2c": "satisfaction", "key_experience_3": "key_experience",
                                            "gap_to_ideal_4": "gap_to_ideal"})
        gaps[arm] = steps["gap_to_ideal_4"]
    # The analysis's factors that the scenario measures (Meisu: its six; not, e.g., shop_visit in
    # minutes, whose difference form would read "fewer minutes than expected" as negative).
    factors = [f for f in t["factor"] if f in tables["before"].index]
    touched = [str(p).split(".")[3] for sc in intervention.get("scenarios", {}).values()
               for p in (sc.get("changes") or {}) if str(p).startswith("scenario.journey.touchpoints.")]
    factors += [tp for tp in touched if tp not in factors and tp in tables["before"].index]
    if not factors:
        raise SpecError("factor", list(t["factor"]), "no factor of the table is a touchpoint of the scenario")
    rows = []
    for f in factors:
        for q in QUANTITIES:
            b, a = float(tables["before"].loc[f, q]), float(tables["after"].loc[f, q])
            rows.append(("remeasured", f, q, b, a, a - b, np.nan, ""))
    base_shops = shop_count(base)
    counts = sorted({checks.integer("shops", k, 1) for k in shops})
    if base_shops is not None and counts:
        plain = dict(base, outputs=dict(base["outputs"], moments=False))
        results = {k: run(run_spec_from_dict(with_shops(plain, k - base_shops))).summary for k in sorted({1, *counts})}
        one = results[1]
        for k in counts:
            for q in ("revenue", "retention_rate"):
                b, a = float(one[q].mean()), float(results[k][q].mean())
                rows.append(("shops", f"{k} shop{'s' if k > 1 else ''}", q, b, a, a - b, a / b,
                             PUBLISHED_SHOP_RATIOS.get(k, "") if q == "revenue" else ""))
    table = pd.DataFrame(rows, columns=["section", "item", "quantity", "before", "after", "change", "ratio",
                                       "published"])

    def largest(gap_: pd.Series) -> str | None:
        below = gap_.loc[factors][gap_.loc[factors] < 0]
        return None if below.empty else str(below.idxmin())

    return Feedback(table, cycle, largest(gaps["before"]), largest(gaps["after"]))


def figure(analysis: GapAnalysis, path: Any) -> Any:
    """Satisfaction, key experience and gap to the ideal per factor, the key experience marked (PNG)."""
    with figure_style(None):
        t = analysis.table
        fig, axes = subplots(1, 3, figsize=(13, 0.45 * len(t) + 2), sharey=True)
        panels = (("satisfaction", "satisfaction (2c)"), ("key_experience", "importance x satisfaction (3)"),
                  ("gap_to_ideal", "gap to the ideal (4)"))
        y = np.arange(len(t))
        for ax, (col, title) in zip(axes, panels):
            colours = ["#C44E52" if f in (analysis.key_experience, analysis.largest_gap) else "#4C72B0"
                       for f in t["factor"]]
            ax.barh(y, t[col].fillna(0.0), color=colours)
            for yi, v in zip(y, t[col]):
                ax.annotate("n/a" if pd.isna(v) else f"{v:+.3g}", (0 if pd.isna(v) else v, yi), fontsize=8,
                            xytext=(3, -3), textcoords="offset points")
            ax.axvline(0.0 if analysis.form == "difference" or col == "key_experience" else 1.0, color="black", lw=0.8)
            ax.set_title(title)
        axes[0].set_yticks(y, t["factor"])
        axes[0].invert_yaxis()
        fig.suptitle(f"Seven-step gap analysis ({analysis.form} form): {analysis.summary()}", fontsize=9)
        fig.tight_layout()
        fig.savefig(path, dpi=110, format="png")
        return path
