"""Switching after bad experiences: the share who leave after 1, 2 and 3 bad experiences.

Sources:
    AchieveGlobal (2013), China customer-service survey, reported in case study 000, article 7
    (docs/explanation/case-studies.md "Switching after bad experiences"): about 40 % likely to switch after one bad
    experience, more than 55 % after two, 90 % after at most three.
    Joy-pain law (case study 004): no experience may break through the floor of "terrible".

Design. For each shipped scenario, cxsim's engine (``cxsim.run``) runs its customers for three
months in which every customer meets, on top of the scenario's usual journey, one *bad
experience*: a moment whose affect is 1.5 times the scenario's floor of terrible (or worse, for
the more loss-averse segments) — bad enough to count as terrible, not a catastrophe. Word of mouth is switched off so
that only a customer's own experiences count. The share of the starting customers who have
switched after month *k* is the share who left after *k* bad experiences; the same run without
the bad moment gives the share who would have left anyway. The switching mechanism is the
scenario's own loyalty block (:mod:`cxsim.behaviour.loyalty`: a logistic repurchase curve in
satisfaction and a hazard per terrible moment that escalates with the remembered count of earlier
ones); nothing is fitted to the survey here. The dealer and online-shop scenarios run in their
``*_survey`` versions (every usual touchpoint from a distribution): their loyalty blocks are those
of ``b2b_dealer`` and ``ecommerce_delivery``, and no operations capacity sized for 10,000
customers is overloaded by the experiment's 20,000.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import pandas as pd

from cxsim.config import compose_config
from cxsim.figures import figure_style, subplots
from cxsim.specs import checks
from cxsim.specs.build import run_spec_from_dict
from cxsim.teach import i18n, style, typeface
from cxsim.teach.i18n import N_

PUBLISHED = {1: 0.40, 2: 0.55, 3: 0.90}
SCENARIOS = (N_("b2b_dealer_survey"), N_("retail_street"), N_("ecommerce_delivery_survey"))
BAD = "bad_experience"
SEVERITY = 1.5  # the bad moment's affect: 1.5 x the floor of terrible (or worse)


@dataclass(frozen=True)
class SwitchingResult:
    """Share switched after k bad experiences, per scenario, with and without the bad moments."""

    shares: pd.DataFrame  # scenario, bad_experiences, switched, switched_without_bad, published
    table: pd.DataFrame


def bad_gap(cfg: dict, severity: float = SEVERITY, cycles: int = 1) -> float:
    """Disconfirmation that puts every segment's moment at ``severity`` × the floor or below.

    With loss aversion λ ≥ λ_min and tolerance t ≤ t_max, a gap ``g = severity·floor/λ_min − t_max``
    gives an affect ``λ·(g + t) ≤ severity·floor`` for every segment. Expectations adapt toward
    the bad performance (by at most ``a_max`` a cycle), so the gap of cycle k is ``g·(1 − a)^(k−1)``;
    ``cycles > 1`` widens it to ``g / (1 − a_max)^(cycles − 1)`` so that the moment is still that
    bad in each of the first ``cycles`` cycles (the default, 1, is the teaching experiment's).
    """
    sc = run_spec_from_dict(cfg).scenario
    lam = min(seg.loss_aversion for seg in sc.population.segments)
    tol = max(seg.tolerance for seg in sc.population.segments)
    g = severity * sc.loyalty.terrible_floor / lam - tol
    if cycles > 1:
        a_max = max(seg.adaptation for seg in sc.population.segments)
        g /= (1.0 - min(a_max, 0.99)) ** (cycles - 1)
    return g


def with_bad_experience(cfg: dict, bad: bool = True, severity: float = SEVERITY, cycles: int = 1) -> dict:
    """The composed config ``cfg`` with a bad experience every cycle (and no word of mouth).

    The bad moment is a lower-is-better measure expected at 1 and delivered at ``1 − g``
    (:func:`bad_gap`): with an expectation of 1 the difference and ratio forms of the Delta law
    give the same gap, so the same construction serves every scenario. ``cycles``: see
    :func:`bad_gap` (the calibration passes the run's ``n_cycles``, so the k-th month's moment
    is still terrible and ``switched`` at k really is after k bad experiences).
    """
    out = copy.deepcopy(cfg)
    sc = out["scenario"]
    sc["word_of_mouth"]["network"] = "none"
    if bad:
        g = bad_gap(cfg, severity, cycles)
        sc["journey"]["touchpoints"].append({
            "name": BAD, "stage": sc["journey"]["stages"][-1],
            "measure": {"name": "a bad experience", "unit": "multiples of the expected", "direction": "lower"},
            "performance": {"dist": "constant", "value": 1.0 - g},
            "expectation": {"dist": "constant", "value": 1.0},
            "affect_unit": 1.0, "importance": 5,
        })
    return out


def simulate(n: int = 20_000, seed: int = 0, scenarios: tuple[str, ...] = SCENARIOS) -> SwitchingResult:
    """Run each scenario for three months with and without a bad experience every month."""
    from cxsim.engine.run import run  # the engine (numba, Mesa): loaded only when a simulation runs

    n = checks.integer("n", n, 10)
    seed = checks.integer("seed", seed, 0)
    rows = []
    for name in scenarios:
        cfg = compose_config([f"scenario={name}", f"sim.n_customers={n}", "sim.n_cycles=3", f"sim.seed={seed}",
                              "sim.replications=1", "outputs.figures=false", "outputs.customers=never",
                              "++scenario.market.enabled=false"])  # the survey's customers: a closed cohort
        kept = {}
        for bad in (True, False):
            res = run(run_spec_from_dict(with_bad_experience(cfg, bad)))
            kept[bad] = res.cycles.set_index("cycle")["retention_rate"]
        for k in (1, 2, 3):
            rows.append({"scenario": name, "bad_experiences": k, "published": PUBLISHED[k],
                         "switched": 1.0 - float(kept[True][k]),
                         "switched_without_bad": 1.0 - float(kept[False][k])})
    shares = pd.DataFrame(rows)
    table = pd.DataFrame({
        "quantity": [N_("{scenario}: switched after {k} bad experience(s)").format(
            scenario=r.scenario, k=r.bad_experiences) for r in shares.itertuples()],
        "published": [f"{'>' if r.bad_experiences == 2 else '~' if r.bad_experiences == 1 else '<='}"
                      f"{r.published:.0%}" if r.bad_experiences != 3 else N_("90% after at most 3")
                      for r in shares.itertuples()],
        "simulated": shares["switched"],
        N_("without the bad moments"): shares["switched_without_bad"],
    })
    return SwitchingResult(shares, table)


def figure(result: SwitchingResult, directory: str, lang: str = "en") -> list:
    """Share switched after 1, 2, 3 bad experiences per scenario, against the survey's figures."""
    _ = i18n.translator(lang)
    with figure_style(style.THEME, style.RC):
        fig, ax = subplots(figsize=(8, 5))
        ks = [1, 2, 3]
        ax.plot(ks, [PUBLISHED[k] for k in ks], "D-", color="black", lw=2.5, ms=9,
                label=_("AchieveGlobal 2013 (published)"))
        palette = ["#2a9d8f", "#e76f51", "#264653"]
        for color, (name, g) in zip(palette, result.shares.groupby("scenario", sort=False)):
            ax.plot(g["bad_experiences"], g["switched"], "o-", color=color, label=f"{name} (simulated)")
            ax.plot(g["bad_experiences"], g["switched_without_bad"], "o:", color=color, alpha=0.6,
                    label=f"{name}, no bad moment")
        ax.set_xticks(ks, ["1", "2", "3"])
        ax.set_xlabel(_("bad experiences in a row (one a month)"))
        ax.set_ylabel(_("share of customers who switched"))
        ax.set_ylim(0, 1)
        ax.set_title(_("Switching after bad experiences: survey vs cxsim's shipped loyalty settings"))
        ax.legend(fontsize=8, loc="upper left")
        typeface.localise(fig, lang)
        paths = style.save(fig, directory, "switching")
        return paths
