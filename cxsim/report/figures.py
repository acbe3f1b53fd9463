"""The decision figures: Pareto front, forest plot of portfolios, robustness across worlds, PRIM box.

Each function returns a :class:`matplotlib.figure.Figure` built without pyplot (no global state,
no backend switch); :func:`save_png` writes one, :func:`png_base64` embeds one in a report.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter

from cxsim.files import write_atomic

if TYPE_CHECKING:  # type hints only: the modules that use the figures import this one
    from cxsim.optimise import OptimiseResult
    from cxsim.robustness import Robustness

BLUE, ORANGE, GREY, RED = "#1f77b4", "#ff7f0e", "#9a9a9a", "#d62728"


def save_png(fig: Figure, path: str | Path, dpi: int = 110) -> Path:
    """Write ``fig`` as PNG by write-then-rename."""
    return write_atomic(Path(path), lambda p: fig.savefig(p, dpi=dpi, format="png", bbox_inches="tight"))


def png_base64(fig: Figure, dpi: int = 100) -> str:
    """``fig`` as a base64 PNG, for ``<img src="data:image/png;base64,…">``."""
    buf = io.BytesIO()
    fig.savefig(buf, dpi=dpi, format="png", bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _money(ax: Any, axis: str = "x") -> None:
    fmt = FuncFormatter(lambda v, _: f"{v / 1e6:,.1f} M" if abs(v) >= 1e6 else f"{v:,.0f}")
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


def pareto_figure(result: OptimiseResult) -> Figure:
    """Every evaluated portfolio (objective against spend, or the first two objectives), the Pareto
    front joined, the infeasible ones hollow, the budget as a line, the chosen one ringed."""
    s = result.settings
    t = result.trials
    objs = [o for o in s.objectives if o.metric != "spend"]
    x_obj = None if len(objs) < 2 else objs[1]
    x_metric, y_obj = ("spend", objs[0]) if x_obj is None else (x_obj.metric, objs[0])
    fig = Figure(figsize=(7.5, 5.0))
    ax = fig.subplots()
    feas = t[t["feasible"]]
    infeas = t[~t["feasible"]]
    ax.scatter(feas[x_metric], feas[y_obj.metric], s=22, color=GREY, label="evaluated (within budget)")
    if not infeas.empty:
        ax.scatter(infeas[x_metric], infeas[y_obj.metric], s=22, facecolors="none", edgecolors=GREY,
                   label="over budget")
    front = t[t["pareto"]].sort_values(x_metric)
    ax.plot(front[x_metric], front[y_obj.metric], "-o", color=BLUE, ms=5,
            label="Pareto front" if x_obj is None else "Pareto front (these objectives and spend)")
    singles = t[t["members"] == 1]
    ax.scatter(singles[x_metric], singles[y_obj.metric], marker="s", s=36, color=ORANGE, label="single interventions")
    chosen = t[t["portfolio"] == result.chosen.label]
    if not chosen.empty:
        ax.scatter(chosen[x_metric].iloc[:1], chosen[y_obj.metric].iloc[:1], s=160, facecolors="none",
                   edgecolors=RED, linewidths=2, label="selected")
    if x_metric == "spend" and s.budget is not None:
        ax.axvline(s.budget, color=RED, ls="--", lw=1, label="budget")
    ax.axhline(0.0, color="0.5", lw=0.8)
    ax.set_xlabel(f"spend ({result.currency})" if x_obj is None else (x_obj.label or f"Δ {x_metric}"))
    ax.set_ylabel(f"{y_obj.label or y_obj.metric}" + (f" ({result.currency})" if y_obj.metric in
                                                      ("profit", "revenue", "cost") else ""))
    if x_metric == "spend":
        _money(ax, "x")
    if y_obj.metric in ("profit", "revenue", "cost"):
        _money(ax, "y")
    ax.set_title(f"{len(t)} portfolios, R = {s.replications} paired replications (common random numbers)")
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)
    return fig


def forest_figure(rows: pd.DataFrame, metric: str, label: str, currency: str = "") -> Figure:
    """Forest plot: each portfolio's mean paired difference with its interval (``rows``: ``portfolio``,
    ``metric``, ``metric_ci_low``, ``metric_ci_high``; drawn in the given order, first on top)."""
    n = len(rows)
    fig = Figure(figsize=(7.5, 0.45 * n + 1.4))
    ax = fig.subplots()
    y = np.arange(n)[::-1]
    m = rows[metric].to_numpy(dtype=float)
    lo, hi = rows[f"{metric}_ci_low"].to_numpy(dtype=float), rows[f"{metric}_ci_high"].to_numpy(dtype=float)
    ax.errorbar(m, y, xerr=[m - lo, hi - m], fmt="o", color=BLUE, capsize=3)
    ax.axvline(0.0, color="0.4", ls="--", lw=1)
    ax.set_yticks(y, [_short(p) for p in rows["portfolio"]], fontsize=8)
    ax.set_xlabel(label + (f" ({currency})" if metric in ("profit", "revenue", "cost", "spend") else "")
                  + ", 95 % CI over paired replications")
    if metric in ("profit", "revenue", "cost", "spend"):
        _money(ax, "x")
    ax.grid(alpha=0.3, axis="x")
    return fig


def _short(label: str, width: int = 60) -> str:
    return label if len(label) <= width else label[:width - 1] + "…"


def robustness_figure(rob: Robustness, currency: str = "") -> Figure:
    """Each portfolio's paired difference in every sampled world (one dot per world), the median marked."""
    labels = rob.portfolios
    fig = Figure(figsize=(7.5, 0.6 * len(labels) + 1.6))
    ax = fig.subplots()
    rng = np.random.default_rng(0)  # jitter only: a fixed seed keeps the figure reproducible
    for k, label in enumerate(labels):
        d = rob.outcomes[rob.outcomes["portfolio"] == label]["delta"].to_numpy()
        y = len(labels) - 1 - k
        colours = np.where(d < 0, RED, BLUE) if rob.settings.direction == "maximize" else np.where(d > 0, RED, BLUE)
        ax.scatter(d, y + rng.uniform(-0.15, 0.15, d.size), s=14, c=colours, alpha=0.7)
        ax.plot([np.median(d)] * 2, [y - 0.3, y + 0.3], color="k", lw=2)
    ax.axvline(0.0, color="0.4", ls="--", lw=1)
    ax.set_yticks(np.arange(len(labels))[::-1], [_short(p) for p in labels], fontsize=8)
    metric = rob.settings.metric
    ax.set_xlabel(f"Δ {metric} against the baseline in each world" +
                  (f" ({currency})" if metric in ("profit", "revenue", "cost", "spend") else ""))
    if metric in ("profit", "revenue", "cost", "spend"):
        _money(ax, "x")
    ax.set_title(f"{len(rob.worlds)} sampled worlds (red: worse than doing nothing)")
    ax.grid(alpha=0.3, axis="x")
    return fig


def prim_figure(rob: Robustness) -> Figure | None:
    """The first boxed portfolio's worlds on the two parameters its PRIM box restricts first, losing
    worlds in red, the box drawn (``None`` when no portfolio has a box)."""
    if rob.boxes.empty:
        return None
    label = str(rob.boxes["portfolio"].iloc[0])  # the first portfolio (in the given order) with a box
    box = rob.boxes[rob.boxes["portfolio"] == label]
    paths = list(box["path"])
    others = [c for c in rob.worlds.columns if c not in paths]
    px, py = (paths + others)[:2] if len(rob.worlds.columns) > 1 else (paths[0], None)
    loses = rob.loses(label)
    fig = Figure(figsize=(6.0, 4.8))
    ax = fig.subplots()
    x = rob.worlds[px].to_numpy()
    y = rob.worlds[py].to_numpy() if py is not None else np.zeros_like(x)
    ax.scatter(x[~loses], y[~loses], s=18, color=BLUE, label="beats the baseline")
    ax.scatter(x[loses], y[loses], s=24, color=RED, marker="x", label="loses")
    lims = box.set_index("path")
    x0, x1 = (lims.loc[px, "low"], lims.loc[px, "high"]) if px in lims.index else (x.min(), x.max())
    if py is not None:
        y0, y1 = (lims.loc[py, "low"], lims.loc[py, "high"]) if py in lims.index else (y.min(), y.max())
    else:
        y0, y1 = -0.5, 0.5
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec="k", lw=1.5, ls="--", label="PRIM box"))
    ax.set_xlabel(px)
    ax.set_ylabel(py or "")
    ax.set_title(_short(f"Where {label} loses", 70), fontsize=10)
    ax.legend(fontsize=8, loc="best")
    return fig
