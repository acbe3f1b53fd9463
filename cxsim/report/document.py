"""The decision reports: one self-contained HTML file a strategist can hand on.

Built from the Jinja2 templates in ``templates/`` (``decision.html.j2`` for an optimisation,
``comparison.html.j2`` for a comparison, both on ``base.html.j2``; no HTML is written in code):
the question, the scenario and its assumptions (with the sources quoted from the configs), the
ranked table with intervals, the forest plot, the Pareto front, the selection with its stated
probability, robustness with PRIM boxes, and the command that reproduces it all. Figures are
embedded as base64 PNG, so the file needs nothing else.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Hashable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, cast

import pandas as pd

from cxsim.compare import Comparison
from cxsim.errors import SpecError
from cxsim.files import write_atomic
from cxsim.optimise import OptimiseResult
from cxsim.portfolio import shipped_intervention, without_dose
from cxsim.report.figures import (
    forest_figure,
    pareto_figure,
    png_base64,
    prim_figure,
    robustness_figure,
)
from cxsim.robustness import Robustness
from cxsim.specs.intervention import resolve

CONFIG_MODULE = "cxsim.configs"
TEMPLATE = "decision.html.j2"
MONEY = ("profit", "revenue", "cost", "spend")


def _environment() -> Any:
    from jinja2 import (  # deferred: only reports need it
        Environment,
        FileSystemLoader,
        select_autoescape,
    )

    folder = resources.files("cxsim.report").joinpath("templates")
    return Environment(loader=FileSystemLoader(str(folder)), autoescape=select_autoescape(["html", "j2"]),
                       trim_blocks=False, lstrip_blocks=False)


def render(context: Mapping[str, Any], template: str = TEMPLATE) -> str:
    """The report's HTML from the template and ``context``."""
    return _environment().get_template(template).render(**context)


def header_comment(group: str, name: str) -> list[str]:
    """The opening comment of a shipped config file, one entry per paragraph or ``-`` item."""
    path = resources.files(CONFIG_MODULE).joinpath(group).joinpath(f"{name}.yaml")
    if not path.is_file():
        return []
    items: list[str] = []
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            break
        text = line.lstrip("#").strip()
        if not text:
            continue
        if text.startswith("- ") or not items:
            items.append(text.removeprefix("- "))
        else:
            items[-1] += " " + text
    return items


def _num(x: Any, metric: str = "", digits: int = 4) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    x = float(x)
    if metric in MONEY:
        return f"{x:+,.0f}" if metric != "spend" else f"{x:,.0f}"
    if metric == "retention":
        return f"{x:+.2%}"
    return f"{x:+,.{digits}g}"


def _interval(row: Mapping[Hashable, Any], metric: str) -> str:
    return (f"{_num(row[metric], metric)} [{_num(row[metric + '_ci_low'], metric)}, "
            f"{_num(row[metric + '_ci_high'], metric)}]")


def _candidates(result: OptimiseResult) -> tuple[list[dict[str, str]], list[str]]:
    rows, notes = [], []
    for c in result.settings.candidates:
        iv = resolve(without_dose(c.config), result.scenario, f"candidate.{c.name}")
        cost = iv.cost
        if c.dose is None:
            dose = "on or off"
        elif c.dose.levels is not None:
            dose = (f"{c.dose.name}: levels {', '.join(f'{v:g}' for v in c.dose.levels)} "
                    f"(reference {c.dose.reference:g})")
        else:
            dose = (f"{c.dose.name} {c.dose.low:g}–{c.dose.high:g} {c.dose.unit}".strip()
                    + f" (reference {c.dose.reference:g}; cost × (dose/reference)^{c.dose.cost_exponent:g})")
        rows.append({"name": c.name, "description": iv.description, "dose": dose,
                     "fixed": f"{cost.fixed:,.0f}", "per_cycle": f"{cost.per_cycle:,.0f}",
                     "per_customer": f"{cost.per_customer:,.0f}",
                     "per_encounter": ", ".join(f"{k}: {v:,.0f}" for k, v in cost.per_encounter.items()) or "–"})
        notes += [f"{c.name}: {line}" for line in header_comment("intervention", c.name)
                  if "ILLUSTRATIVE" in line.upper()]
    return rows, notes


def _ranked(result: OptimiseResult, n: int) -> tuple[pd.DataFrame, list[str], list[dict[str, Any]]]:
    s = result.settings
    o = s.primary
    t = result.trials[result.trials["feasible"]].copy()
    t["_key"] = t[o.metric] * o.sign
    t = t.sort_values(["_key", "trial"], ascending=[False, True]).drop_duplicates("portfolio").head(n)
    metrics = list(dict.fromkeys([o.metric, *(x.metric for x in s.objectives), "nps", "retention", "spend"]))
    header = ["rank", "portfolio", *[f"Δ {m}" if m != "spend" else "spend" for m in metrics]]
    rows = []
    for k, row in enumerate(t.to_dict("records"), start=1):
        rows.append({"chosen": row["portfolio"] == result.chosen.label,
                     "cells": [str(k), row["portfolio"], *(_interval(row, m) for m in metrics)]})
    return t, header, rows


def _robustness_context(rob: Robustness, currency: str) -> dict[str, Any]:
    s = rob.settings
    params = ", ".join(f"{p.path} in [{p.low:g}, {p.high:g}]" for p in s.params) or "the given draws"
    intro = (f"{len(rob.worlds)} worlds drawn by Latin hypercube over {params}; in each world the baseline and "
             f"each portfolio ran the same {s.replications} replication(s). 'Beats the baseline' is the share of "
             f"worlds where the portfolio's mean Δ {s.metric} is better than doing nothing; regret is how far it falls "
             f"short of the best choice in that world.")
    header = ["portfolio", "worlds", "P(beats baseline)", f"mean Δ {s.metric}", f"worst Δ {s.metric}",
              "mean regret", "max regret"]
    rows = [[r.portfolio, str(r.worlds), f"{r.p_beats_baseline:.0%}", _num(r.mean_delta, s.metric),
             _num(r.worst_delta, s.metric), _num(r.mean_regret, "spend"), _num(r.max_regret, "spend")]
            for r in rob.table.itertuples()]
    boxes = [{"portfolio": b.portfolio, "path": b.path, "low": f"{b.low:.4g}", "high": f"{b.high:.4g}",
              "range": f"{b.range_low:.4g} – {b.range_high:.4g}", "coverage": f"{b.coverage:.0%}",
              "density": f"{b.density:.0%}"} for b in rob.boxes.itertuples()]
    prim = prim_figure(rob)
    return {"intro": intro, "header": header, "rows": rows, "png": png_base64(robustness_figure(rob, currency)),
            "prim_notes": rob.notes, "boxes": boxes, "prim_png": png_base64(prim) if prim is not None else ""}


def optimisation_context(result: OptimiseResult, robustness: Robustness | None, command: str,
                         memory_model: str = "", seed: int | None = None, commit: str | None = None) -> dict[str, Any]:
    """Everything the template shows, as plain strings and tables."""
    s = result.settings
    o = s.primary
    names = ", ".join(c.name for c in s.candidates)
    budget = f"a budget of {s.budget:,.0f} {result.currency}" if s.budget is not None else "no budget limit"
    question = s.question or (f"Which portfolio of {names}, at which doses, gives the largest {o.metric} "
                              f"({o.direction}) with {budget} — and how sure are we?")
    sel = result.chosen.selection
    answer = [result.chosen.selection.statement()]
    if result.chosen.versus_single is not None and result.chosen.best_single is not None:
        m, lo, hi, n = result.chosen.versus_single
        answer.append(f"Against the best single intervention ({result.chosen.best_single}) the selected portfolio "
                      f"differs by {_num(m, o.metric)} [{_num(lo, o.metric)}, {_num(hi, o.metric)}] on {o.metric} "
                      f"over {n} paired replications" + (" — the intervals overlap: the two cannot be told apart."
                                                          if lo <= 0 <= hi else "."))
    ranked, ranked_header, ranked_rows = _ranked(result, 10)
    cands, notes = _candidates(result)
    pareto = result.pareto
    p_metrics = list(dict.fromkeys([*(x.metric for x in s.objectives), "spend"]))
    pareto_rows = [[r["portfolio"], *(_interval(r, m) for m in p_metrics)] for r in pareto.to_dict("records")]
    sel_rows = [{"chosen": bool(r["chosen"]),
                 "cells": [r["portfolio"], _num(r["mean"], o.metric), str(r["replications"]),
                           "yes" if r["survivor"] else f"dropped at {r['eliminated_at']}"]}
                for r in result.chosen.table.to_dict("records")]
    scenario = [("scenario", result.scenario), ("customers", f"{result.n_customers:,}"),
                ("memory model", memory_model or "–"), ("replications per portfolio (search)", str(s.replications)),
                ("root seed (sim.seed)", "–" if seed is None else str(seed)), ("currency", result.currency),
                ("budget", budget), ("objectives", ", ".join(f"{x.metric} ({x.direction})" for x in s.objectives)),
                ("search", f"{len(result.trials)} portfolios, Optuna {s.sampler_name.upper()} sampler, seed {s.seed}"),
                ("baseline (doing nothing)", ", ".join(f"{k} {result.baseline[c]:,.4g}" for k, c in
                                                       (("profit", "profit"), ("NPS", "nps"),
                                                        ("retention", "retention_rate")) if c in result.baseline))]
    return {
        "title": f"Portfolio decision · {result.scenario}",
        "generated": f"cxsim · {_dt.datetime.now(_dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        "question": question, "answer": answer, "answer_ok": sel.resolved,
        "scenario": scenario, "scenario_sources": header_comment("scenario", result.scenario),
        "candidates": cands, "candidate_notes": notes, "candidates_title": "Candidate interventions",
        "objective_label": f"Δ {o.metric}", "replications": s.replications,
        "ranked_header": ranked_header, "ranked_rows": ranked_rows,
        "forest_png": png_base64(forest_figure(ranked, o.metric, o.label or o.metric, result.currency)),
        "pareto_text": (f"Portfolios no other beats on every objective and on spend ({len(pareto)} of "
                        f"{len(result.trials)} evaluated)."),
        "pareto_png": png_base64(pareto_figure(result)),
        "pareto_header": ["portfolio", *(f"Δ {m}" if m != "spend" else "spend" for m in p_metrics)],
        "pareto_rows": pareto_rows,
        "selection_text": sel.statement(),
        "selection_header": ["portfolio", f"mean Δ {o.metric}", "replications", "survived"],
        "selection_rows": sel_rows, "delta": f"{s.selection.delta:,.4g}", "alpha": f"{s.selection.alpha:g}",
        "robustness": _robustness_context(robustness, result.currency) if robustness is not None else None,
        "command": command,
        "software": "cxsim" + (f" at commit {commit}" if commit else "") + "; Optuna (Akiba et al. 2019); "
                    "EMA Workbench PRIM (Kwakkel 2017).",
    }


def optimisation_report(result: OptimiseResult, robustness: Robustness | None, command: str,
                        memory_model: str = "", seed: int | None = None, commit: str | None = None) -> str:
    """The HTML report of an optimisation."""
    return render(optimisation_context(result, robustness, command, memory_model, seed, commit))


def _comparison_interventions(result: Comparison, scenario: str) -> tuple[list[dict[str, str]], list[str]]:
    rows, notes = [], []
    for name in result.ranking["intervention"]:
        try:
            data = shipped_intervention(str(name))
        except SpecError:  # an intervention of the user's own: no shipped config to quote
            continue
        iv = resolve(without_dose(data), scenario, f"intervention.{name}")
        c = iv.cost
        rows.append({"name": str(name), "description": iv.description, "dose": "as written",
                     "fixed": f"{c.fixed:,.0f}", "per_cycle": f"{c.per_cycle:,.0f}",
                     "per_customer": f"{c.per_customer:,.0f}",
                     "per_encounter": ", ".join(f"{k}: {v:,.0f}" for k, v in c.per_encounter.items()) or "–"})
        notes += [f"{name}: {line}" for line in header_comment("intervention", str(name))
                  if "ILLUSTRATIVE" in line.upper()]
    return rows, notes


def comparison_context(result: Comparison, command: str) -> dict[str, Any]:
    """Everything the comparison template shows, as plain strings and tables."""
    s = result.settings
    scenario = str(result.runs["scenario"].iloc[0]) if "scenario" in result.runs else "–"
    t = result.table.set_index(["intervention", "metric"])
    order = [str(x) for x in result.ranking["intervention"]]

    def cell(arm: str, metric: str, kind: str = "") -> str:
        row = cast(pd.Series, t.loc[(arm, metric)])
        if row["interval"] == "undefined":
            return "undefined"
        return (f"{_num(row['delta'], kind)} [{_num(row['ci_low'], kind)}, {_num(row['ci_high'], kind)}]"
                if math.isfinite(row["ci_low"]) else _num(row["delta"], kind))

    rows = [[str(k), arm, cell(arm, "profit", "profit"), cell(arm, "nps"), cell(arm, "retention", "retention"),
             cell(arm, "spend", "spend"), cell(arm, "cost_per_nps_point", "spend"), cell(arm, "roi")]
            for k, arm in enumerate(order, start=1)]
    rank = s.rank_by
    forest = pd.DataFrame({"portfolio": order, rank: [t.loc[(a, rank), "delta"] for a in order],
                           f"{rank}_ci_low": [t.loc[(a, rank), "ci_low"] for a in order],
                           f"{rank}_ci_high": [t.loc[(a, rank), "ci_high"] for a in order]})
    first = order[0]
    pair = result.pairs[(result.pairs["a"] == first) & (result.pairs["b"] != result.baseline)]
    clear = pair.empty or bool(pair["distinguishable"].iloc[0])
    answer = [f"{first} ranks first on Δ {rank}: {cell(first, rank, rank)} against {result.baseline}."]
    if not clear:
        answer.append(f"{s.replications} replications cannot tell it from {pair['b'].iloc[0]}: "
                      "their intervals overlap, so no single winner can be named.")
    cands, notes = _comparison_interventions(result, scenario)
    return {
        "title": f"Intervention comparison · {scenario}",
        "generated": f"cxsim · {_dt.datetime.now(_dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        "question": (f"Which of {', '.join(order)} buys the most {rank} against {result.baseline}, "
                     "and how sure are we?"),
        "answer": answer, "answer_ok": clear,
        "scenario": [("scenario", scenario), ("customers", f"{result.n_customers:,}"),
                     ("paired replications", str(s.replications)),
                     ("sampling", "common random numbers" if s.crn else "independent seeds"),
                     ("currency", result.currency), ("confidence", f"{s.confidence:.0%}")],
        "scenario_sources": header_comment("scenario", scenario),
        "candidates": cands, "candidate_notes": notes, "candidates_title": "Interventions compared",
        "baseline": result.baseline, "replications": s.replications, "rank_by": rank,
        "ranked_header": ["rank", "intervention", "Δ profit", "Δ NPS", "Δ retention", "spend", "per NPS point", "ROI"],
        "ranked_rows": rows,
        "forest_png": png_base64(forest_figure(forest, rank, f"Δ {rank}", result.currency)),
        "notes": result.notes(), "command": command, "software": "cxsim",
    }


def comparison_report(result: Comparison, command: str) -> str:
    """The HTML report of a comparison (``cxsim-compare``)."""
    return render(comparison_context(result, command), "comparison.html.j2")


def write_report(html: str, path: str | Path) -> Path:
    """Write the report by write-then-rename."""
    return write_atomic(Path(path), lambda p: Path(p).write_text(html, encoding="utf-8"))

