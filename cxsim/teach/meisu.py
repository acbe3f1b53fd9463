"""Meisu Electronics' seven steps, computed from a simulated run, then more shops on the street.

Sources:
    Case studies 001, 002 and 004 (docs, "Seven-step CEM method"): Meisu Electronics, four shops on
    one short street in Hong Kong. Step 2a experience: price 7, brand image 7, service 6, product
    6, convenience 5, relationship 4. Step 2b expectation: 7 for product, price, convenience and
    brand image. Step 2c satisfaction = 2a − 2b (convenience −2, product −1). Step 2d importance
    of convenience 9. Step 3 key experience = importance × satisfaction (convenience −18). Step 4
    ideal = actual except convenience 10 (gap −5). Step 5: more shops on the same street.
    Step 7: one shop → two doubled sales; three → three times; four → more than four times.

Design. The shipped ``retail_street`` scenario (built from those figures, see its YAML) is run
with cxsim's engine (``cxsim.run``; moments recorded). The seven-step table is then computed from
the *simulated* moments of the first cycle: mean performance per touchpoint (2a), mean
expectation before adaptation (2b), their gap (2c), the scenario's importance (2d), key experience
= 2d × 2c (3), and the gap to the ideal (4) — the arithmetic is cxsim's gap analysis
(:func:`cxsim.fit.gap.seven_step`). Step 5's intervention, "more shops on the street",
is simulated with the same seed (common random numbers, so the differences are paired): each
extra shop opens the next site of the scenario's store operations (``operations.stores.count``, as
the shipped ``open_second_store`` intervention does: shorter walks and queues at the
``shop_visit`` touchpoint, rent and staff charged per shop by the operations model) and raises the
perceived convenience score by 1.5 points with a 20 % narrower spread (an assumption). Without
store operations in the scenario, a shop costs 100,000 HKD a month instead (an assumption).

The model keeps the number of customers fixed (no new customers are drawn to the street), so
step 7's sales multiplying with the number of shops is *not* reproduced; the simulated revenue
change comes from fewer customers leaving. :func:`cxsim.fit.gap.feedback` (``cxsim-fit gap
--simulate``) closes step 7's loop with :func:`with_shops`: the seven steps re-measured after the
requirement, and sales with 1–4 shops against one shop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxsim.config import compose_config
from cxsim.errors import SpecError
from cxsim.figures import figure_style, subplots
from cxsim.fit.gap import (
    seven_step_table,
    with_shops,
)
from cxsim.specs import checks
from cxsim.specs.build import run_spec_from_dict
from cxsim.teach import i18n, style, typeface
from cxsim.teach.i18n import N_

PUBLISHED_2A = {"price": 7, "brand_image": 7, "service": 6, "product": 6, "convenience": 5, "relationship": 4}
PUBLISHED_2B = {"product": 7, "price": 7, "convenience": 7, "brand_image": 7}
PUBLISHED_IMPORTANCE = {"convenience": 9}
PUBLISHED_IDEAL = {"convenience": 10}
#: The retail_street scenario's touchpoints, marked for the catalogue (the case study's own words).
TOUCHPOINT_NAMES = (N_("brand_image"), N_("convenience"), N_("price"), N_("product"), N_("service"),
                    N_("shop_visit"), N_("relationship"))


@dataclass(frozen=True)
class MeisuResult:
    """The simulated seven-step table and the more-shops runs."""

    seven_steps: pd.DataFrame
    shops: pd.DataFrame  # one row per number of extra shops (0 = baseline)
    cycles: pd.DataFrame  # cycles table of every arm, with column extra_shops
    table: pd.DataFrame


def _config(n: int, seed: int, cycles: int, extra: int) -> dict:
    """The composed retail_street config with ``extra`` more shops (a plain dict edit, no Hydra path)."""
    cfg = compose_config(["scenario=retail_street", f"sim.n_customers={n}", f"sim.n_cycles={cycles}",
                          "scenario.market.enabled=false",  # a closed cohort (the open market: cxsim.fit.shops)
                          f"sim.seed={seed}", "sim.replications=2", "outputs.figures=false",
                          "outputs.customers=never", f"outputs.moments={str(extra == 0).lower()}"])
    return with_shops(cfg, extra) if extra else cfg


def simulate(n: int = 2000, seed: int = 0, cycles: int = 12, max_extra_shops: int = 2) -> MeisuResult:
    """Run retail_street with ``n`` customers for ``cycles`` months, then with 1..max extra shops."""
    from cxsim.engine.run import run  # the engine (numba, Mesa): loaded only when a simulation runs

    n = checks.integer("n", n, 10)
    seed = checks.integer("seed", seed, 0)
    cycles = checks.integer("cycles", cycles, 1)
    max_extra_shops = checks.integer("max_extra_shops", max_extra_shops, 0)
    if n > 10_000:
        raise SpecError("n", n, "at most 10000 customers (the moments are recorded)")
    arms, cyc = [], []
    steps = None
    for extra in range(max_extra_shops + 1):
        spec = run_spec_from_dict(_config(n, seed, cycles, extra))
        res = run(spec)
        conv = next(tp for tp in spec.scenario.journey.touchpoints if tp.name == "convenience")
        if extra == 0:
            assert res.moments is not None
            importance = {t.name: t.importance for t in spec.scenario.journey.touchpoints}
            steps = seven_step_table(res.moments, importance, {"convenience": 10.0})
        s = res.summary
        arms.append({"extra_shops": extra, "convenience_mean": conv.performance.mean,
                     **{c: float(s[c].mean()) for c in ("satisfaction_mean", "nps", "retention_rate",
                                                        "revenue", "cost", "profit")}})
        cyc.append(res.cycles.assign(extra_shops=extra))
    assert steps is not None
    shops = pd.DataFrame(arms)
    rows = []
    for tp in steps.index:
        r = steps.loc[tp]
        rows.append((N_("2a experience: {item}").format(item=tp), PUBLISHED_2A.get(tp, np.nan),
                     r["experience_2a"], "input"))
    for tp in steps.index:
        rows.append((N_("2b expectation: {item}").format(item=tp), PUBLISHED_2B.get(tp, np.nan),
                     steps.loc[tp, "expectation_2b"], "input"))
    for tp in ("convenience", "product"):
        pub = PUBLISHED_2A[tp] - PUBLISHED_2B[tp]
        rows.append((N_("2c satisfaction = 2a - 2b: {item}").format(item=tp), float(pub),
                     steps.loc[tp, "satisfaction_2c"],
                     N_("computed")))
    rows.append((N_("2d importance: {item}").format(item="convenience"), 9.0,
                 steps.loc["convenience", "importance_2d"], "input"))
    rows.append((N_("3 key experience = 2d x 2c: {item}").format(item="convenience"), -18.0,
                 steps.loc["convenience", "key_experience_3"], N_("computed")))
    worst = steps.loc[[t for t in steps.index if t in PUBLISHED_2A], "key_experience_3"].idxmin()
    rows.append((N_("3 the key experience (most negative of the case study's six)"), "convenience", worst,  # type: ignore[arg-type]
                 N_("computed")))
    rows.append((N_("4 gap to the ideal (10): {item}").format(item="convenience"), -5.0,
                 steps.loc["convenience", "gap_to_ideal_4"], N_("computed")))
    b = shops.iloc[0]
    for _, a in shops.iloc[1:].iterrows():
        k = int(a["extra_shops"])
        rows.append((N_("5 +{k} shop(s): satisfaction change (affect units)").format(k=k), np.nan,
                     a["satisfaction_mean"] - b["satisfaction_mean"], "prediction"))
        rows.append((N_("5 +{k} shop(s): retention change (points)").format(k=k), np.nan,
                     100 * (a["retention_rate"] - b["retention_rate"]), "prediction"))
        rows.append((N_("5 +{k} shop(s): revenue ratio to baseline").format(k=k), N_("more shops -> sales x2 to x4+"),  # type: ignore[arg-type]
                     a["revenue"] / b["revenue"], "prediction"))
        rows.append((N_("5 +{k} shop(s): profit change (HKD)").format(k=k), np.nan,
                     a["profit"] - b["profit"], "prediction"))
    table = pd.DataFrame(rows, columns=["quantity", "published", "simulated", "role"])
    return MeisuResult(steps, shops, pd.concat(cyc, ignore_index=True), table)


def figure(result: MeisuResult, directory: str, lang: str = "en") -> list:
    """Key experience per touchpoint (step 3), and satisfaction and retention with more shops."""
    _ = i18n.translator(lang)
    import seaborn as sns  # seaborn: loaded only when a figure is drawn

    with figure_style(style.THEME, style.RC):
        fig, axes = subplots(1, 3, figsize=(17, 4.8))
        ax = axes[0]
        steps = result.seven_steps.sort_values("key_experience_3")
        colors = [style.PEAK if v == steps["key_experience_3"].min() else style.SIMULATED
                  for v in steps["key_experience_3"]]
        bars = ax.barh(steps.index, steps["key_experience_3"], color=colors)
        ax.bar_label(bars, [f"{v:+.1f}" for v in steps["key_experience_3"]], fontsize=9, padding=3)
        ax.axvline(-18, color=style.PUBLISHED, ls=":", lw=2, label=_("published convenience: 9 x -2 = -18"))
        ax.set_xlabel(_("key experience = importance x (experience - expectation)"))
        ax.set_title(_("step 3: the key experience (simulated, cycle 1)"))
        ax.legend(fontsize=8, loc="lower right")
        cyc = result.cycles.copy()
        cyc["shops"] = (4 + cyc["extra_shops"]).astype(str) + " shops"
        for ax, col, label in zip(axes[1:], ["satisfaction_mean", "retention_rate"],
                                  ["mean satisfaction (affect units)", "retention (share of starting customers)"]):
            sns.lineplot(cyc, x="cycle", y=col, hue="shops", ax=ax, marker="o", errorbar=("ci", 95), palette="crest")
            ax.set_xlabel(_("month"))
            ax.set_ylabel(label)
            ax.set_title(_("step 5: more shops on the street"))
        fig.suptitle(_("Meisu Electronics: convenience is the key experience; more shops close the gap"), y=1.02)
        typeface.localise(fig, lang)
        paths = style.save(fig, directory, "meisu_seven_steps")
        return paths
